"""Builders for the funded-project and statistics tests: plans, categories and applications in any
state inserted directly with the models (the earlier steps have their own tests), a fixed clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Protocol

from services.foundation.applications.models import FoundationApplication
from services.foundation.plans.models import FundingPlan, PlanAgency, PlanCategory
from tests.services.foundation.conftest import AGENCY_ORG, APPLICANT_ID, UNIV_USCC

# 2027-06-15 18:00 in Asia/Shanghai: the second year of a 2026 project.
NOW = datetime(2027, 6, 15, 10, 0, tzinfo=UTC)


class Platform(Protocol):
    """What the builders need: the foundation app and its database (``conftest.Platform`` has both)."""

    app: Any
    db: Any


def set_clock(platform: Platform, moment: datetime = NOW) -> None:
    platform.app.state.clock = lambda: moment


async def add_plan(
    platform: Platform,
    *,
    year: int = 2026,
    code: str | None = None,
    agencies: tuple[int, ...] = (AGENCY_ORG,),
    categories: tuple[tuple[str, str], ...] = (("general", "面上项目"),),
) -> tuple[int, list[int]]:
    """A published plan with its agencies and categories (code, name); returns (plan id, category ids)."""
    async with platform.db.sessionmaker() as session:
        plan = FundingPlan(
            code=code or f"JJ{year}",
            year=year,
            title=f"{year}年度吉林省自然科学基金",
            guide=None,
            discipline_codes=["A", "B", "C", "D", "E", "F", "H"],
            opens_at=datetime(year, 3, 1, tzinfo=UTC),
            closes_at=datetime(year, 4, 1, tzinfo=UTC),
            status="published",
            version=1,
            created_by="100",
            agencies=[PlanAgency(org_id=org) for org in agencies],
            categories=[
                PlanCategory(
                    position=n,
                    code=c,
                    kind="youth" if c == "youth" else "general",
                    name=name,
                    project_count=10,
                    amount_mode="cap",
                    amount=Decimal("500000.00"),
                    budget=Decimal("5000000.00"),
                    reviewers_per_application=3,
                    version=1,
                )
                for n, (c, name) in enumerate(categories)
            ],
        )
        session.add(plan)
        await session.commit()
        return plan.id, [c.id for c in plan.categories]


async def add_application(
    platform: Platform,
    plan_id: int,
    category_id: int,
    *,
    status: str = "funded",
    owner: str = "300",
    year: int = 2026,
    requested: str = "400000.00",
    approved: str | None = "300000.00",
    duration_months: int = 36,
    discipline: str = "F0203",
    institution_uscc: str = UNIV_USCC,
    institution_name: str = "吉林大学",
    id_number: str = APPLICANT_ID,
) -> int:
    async with platform.db.sessionmaker() as session:
        application = FoundationApplication(
            plan_id=plan_id,
            category_id=category_id,
            year=year,
            owner=owner,
            discipline_code=discipline,
            title="黑土地保护的土壤微生物机制",
            abstract="研究摘要",
            keywords=["黑土", "微生物"],
            applicant_name="张三",
            applicant_id_number=id_number,
            applicant_birth_date=date(1985, 3, 14),
            applicant_sex="male",
            applicant_title="教授",
            title_rank="senior",
            degree="doctorate",
            institution_uscc=institution_uscc,
            institution_name=institution_name,
            team=[],
            budget_lines={"equipment": requested},
            requested_total=Decimal(requested),
            duration_months=duration_months,
            exclusions=[],
            relations=[],
            attachments=[],
            approved_amount=Decimal(approved) if approved is not None else None,
            status=status,
            version=1,
            submitted_at=None if status == "draft" else datetime(year, 3, 20, tzinfo=UTC),
        )
        session.add(application)
        await session.commit()
        return application.id


async def funded_project(platform: Platform, **overrides: Any) -> int:
    """A funded 2026 project of the applicant (300) at the university, 300,000.00 granted."""
    plan_id, (category_id,) = await add_plan(platform)
    return await add_application(platform, plan_id, category_id, **overrides)
