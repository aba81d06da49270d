"""Builders for the approval and notice tests: a closed plan with categories and ``ranked`` applications
inserted directly with the models (score, valid_reviews and rank set, as the ranking leaves them), and
a movable clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select

from services.foundation.applications.models import FoundationApplication
from services.foundation.plans.models import FundingPlan, PlanAgency, PlanCategory
from shared.db import Database
from tests.services.foundation.conftest import AGENCY_ORG, OFFICIAL, PREFIX, PROJECTS, UNIV_USCC
from tests.services.projects.conftest import make_resident_id

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock on ``day`` in Asia/Shanghai."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


@dataclass
class Clock:
    """``app.state.clock``: tests move time instead of sleeping."""

    now: datetime = field(default_factory=lambda: at(date(2026, 3, 2)))  # a Monday

    def __call__(self) -> datetime:
        return self.now.astimezone(UTC)

    def set(self, moment: datetime) -> None:
        self.now = moment


def set_clock(app: Any, moment: datetime) -> Clock:
    clock = Clock(moment)
    app.state.clock = clock
    return clock


@dataclass
class Category:
    id: int
    plan_id: int
    code: str


async def make_plan(
    db: Database,
    *,
    categories: list[dict[str, Any]],
    year: int = 2026,
    code: str = "JJ2026",
    notice_working_days: int = 5,
    agencies: tuple[int, ...] = (AGENCY_ORG,),
) -> tuple[int, list[Category]]:
    """A closed plan with these categories: each dict gives code, amount_mode, amount, budget,
    project_count (and optionally kind, name)."""
    async with db.sessionmaker() as session:
        plan = FundingPlan(
            code=code,
            year=year,
            title=f"{year}年度吉林省自然科学基金",
            guide=None,
            discipline_codes=["A", "F"],
            opens_at=datetime(year, 1, 5, tzinfo=SHANGHAI),
            closes_at=datetime(year, 2, 5, tzinfo=SHANGHAI),
            formal_review_days=45,
            notice_working_days=notice_working_days,
            status="closed",
            version=1,
            created_by="100",
            agencies=[PlanAgency(org_id=o) for o in agencies],
            categories=[
                PlanCategory(
                    position=n,
                    code=c["code"],
                    kind=c.get("kind", "general"),
                    name=c.get("name", "面上项目"),
                    partner=None,
                    project_count=c["project_count"],
                    amount_mode=c["amount_mode"],
                    amount=Decimal(c["amount"]),
                    budget=Decimal(c["budget"]),
                    reviewers_per_application=3,
                    max_age_male=None,
                    max_age_female=None,
                    approved_total=Decimal("0.00"),
                    approved_count=0,
                    version=1,
                )
                for n, c in enumerate(categories)
            ],
        )
        session.add(plan)
        await session.commit()
        return plan.id, [Category(c.id, plan.id, c.code) for c in plan.categories]


async def make_ranked(
    db: Database,
    category: Category,
    requested: list[str],
    *,
    year: int = 2026,
    owner_base: int = 3000,
    status: str = "ranked",
) -> list[int]:
    """Applications of ``category`` asking for these amounts, ranked 1, 2, ... in that order."""
    ids: list[int] = []
    async with db.sessionmaker() as session:
        existing = len(
            (
                await session.execute(
                    select(FoundationApplication.id).where(FoundationApplication.category_id == category.id)
                )
            ).all()
        )
        rows = []
        for n, amount in enumerate(requested, start=1):
            serial = existing + n
            birth = date(1980, 1, 1) + timedelta(days=serial * 37)
            rows.append(
                FoundationApplication(
                    plan_id=category.plan_id,
                    category_id=category.id,
                    year=year,
                    owner=str(owner_base + serial),
                    discipline_code="F0203",
                    title=f"课题{category.code}-{serial}",
                    abstract="研究摘要",
                    keywords=["机器学习"],
                    applicant_name=f"申请人{serial}",
                    applicant_id_number=make_resident_id(birth, seq=f"{(serial * 2 + 1) % 1000:03d}"),
                    applicant_birth_date=birth,
                    applicant_sex="male",
                    applicant_title="教授",
                    title_rank="senior",
                    degree="doctorate",
                    institution_uscc=UNIV_USCC,
                    institution_name="吉林大学",
                    team=[],
                    budget_lines={"equipment": amount},
                    requested_total=Decimal(amount),
                    duration_months=36,
                    exclusions=[],
                    relations=[],
                    attachments=[],
                    score=Decimal("7.0000") - Decimal(serial) / 100,
                    valid_reviews=3,
                    rank=serial if status == "ranked" else None,
                    status=status,
                    version=1,
                    submitted_at=datetime(year, 2, 1, tzinfo=SHANGHAI),
                )
            )
        session.add_all(rows)
        await session.commit()
        ids = [r.id for r in rows]
    return ids


def category_url(category: Category, leaf: str) -> str:
    return f"{PREFIX}/plans/{category.plan_id}/categories/{category.id}/{leaf}"


async def approve(
    c: httpx.AsyncClient,
    category: Category,
    body: dict[str, Any] | None = None,
    headers: dict[str, str] = OFFICIAL,
    **kwargs: Any,
) -> httpx.Response:
    return await c.post(
        category_url(category, "approval"), json=body, headers=headers | kwargs.pop("extra", {}), **kwargs
    )


async def budget(c: httpx.AsyncClient, category: Category, headers: dict[str, str] = OFFICIAL) -> dict[str, Any]:
    r = await c.get(category_url(category, "budget"), headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def application(db: Database, application_id: int) -> FoundationApplication:
    async with db.sessionmaker() as session:
        row = await session.get(FoundationApplication, application_id)
        assert row is not None
        return row


async def statuses(db: Database, ids: list[int]) -> list[str]:
    return [(await application(db, i)).status for i in ids]


async def ledger_statuses(projects: httpx.AsyncClient, id_number: str) -> list[tuple[str, str]]:
    """(kind, status) of a person's entries in the projects service's limits ledger."""
    r = await projects.get(f"{PROJECTS}/ledger/items", params={"id_number": id_number}, headers=OFFICIAL)
    assert r.status_code == 200, r.text
    return [(i["kind"], i["status"]) for i in r.json()["items"]]
