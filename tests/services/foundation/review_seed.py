"""Data for the review and ranking tests, inserted with the foundation's models: a published plan run
by AGENCY_ORG with one category, applications already in review (or reviewed), a drawn round and its
assignments, each slot held by a reviewer account ``R<n>``; reviews can be written directly too.

The draw and the applications have their own tests; these only need their outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from services.foundation.applications.models import FoundationApplication
from services.foundation.db import common
from services.foundation.plans.models import FundingPlan, PlanAgency, PlanCategory
from services.foundation.review_rounds.models import Review, ReviewAssignment, ReviewRound
from services.foundation.rules.reviews import FORM
from tests.services.foundation.conftest import AGENCY_ORG, UNIV_USCC, Platform, headers
from tests.services.projects.conftest import make_resident_id

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def reviewer(n: int) -> dict[str, str]:
    """The headers of reviewer account ``R<n>`` (Principal.subject = "R<n>")."""
    return headers("reviewer", subject=f"R{n}")


@dataclass
class Seeded:
    plan_id: int
    category_id: int
    round_id: int
    apps: list[int]
    # application id -> its assignment ids, slot order
    slots: dict[int, list[int]] = field(default_factory=dict)
    # assignment id -> reviewer number n (account "R<n>")
    holder: dict[int, int] = field(default_factory=dict)

    def reviewer_of(self, assignment_id: int) -> dict[str, str]:
        return reviewer(self.holder[assignment_id])


def application(
    plan: FundingPlan,
    category: PlanCategory,
    i: int,
    *,
    status: str,
    requested: Decimal = Decimal("100000.00"),
    submitted_at: datetime | None = None,
) -> FoundationApplication:
    birth = date(1980, 1, 1) + timedelta(days=37 * i)
    return FoundationApplication(
        plan_id=plan.id,
        category_id=category.id,
        year=plan.year,
        owner=f"{1000 + i}",
        discipline_code="F0203",
        title=f"黑土地遥感智能解译方法研究 {i}",
        abstract="研究黑土地退化的遥感监测方法。",
        keywords=["黑土地", "遥感"],
        applicant_name=f"申请人{i}",
        applicant_id_number=make_resident_id(birth, seq=f"{(2 * i + 1) % 1000:03d}"),
        applicant_birth_date=birth,
        applicant_sex="male",
        applicant_title="副教授",
        title_rank="associate",
        degree="doctorate",
        institution_uscc=UNIV_USCC,
        institution_name="吉林大学",
        team=[],
        budget_lines={},
        requested_total=requested,
        duration_months=36,
        exclusions=[],
        relations=[],
        attachments=[],
        status=status,
        submitted_at=submitted_at or T0 + timedelta(minutes=i),
        version=1,
    )


async def seed(
    platform: Platform,
    *,
    n_apps: int = 2,
    per_app: int = 3,
    status: str = "in_review",
    round_status: str = "drawn",
    min_valid: int = 3,
    project_count: int = 2,
    amount_mode: str = "fixed",
    amount: str = "100000.00",
    budget: str = "200000.00",
    requested: list[str] | None = None,
    plan_code: str = "JJ2026",
) -> Seeded:
    """A plan, its category, ``n_apps`` applications in ``status``, a round with ``per_app`` slots
    each: application i's slot k is held by reviewer ``R<i * per_app + k>``."""
    async with platform.db.sessionmaker() as session:
        plan = FundingPlan(
            code=plan_code,
            year=2026,
            title="2026年度吉林省自然科学基金",
            guide=None,
            discipline_codes=["F"],
            opens_at=T0 - timedelta(days=60),
            closes_at=T0 - timedelta(days=1),
            status="published",
            created_by="100",
            version=1,
            agencies=[PlanAgency(org_id=AGENCY_ORG)],
        )
        session.add(plan)
        await session.flush()
        category = PlanCategory(
            plan_id=plan.id,
            position=1,
            code="general",
            kind="general",
            name="面上项目",
            project_count=project_count,
            amount_mode=amount_mode,
            amount=Decimal(amount),
            budget=Decimal(budget),
            reviewers_per_application=per_app,
            version=1,
        )
        session.add(category)
        await session.flush()
        apps = [
            application(
                plan, category, i, status=status, requested=Decimal(requested[i]) if requested else Decimal("100000.00")
            )
            for i in range(n_apps)
        ]
        session.add_all(apps)
        rnd = ReviewRound(
            plan_id=plan.id,
            category_id=category.id,
            title="面上项目 第一轮",
            discipline_prefixes=[],
            reviewers_per_application=per_app,
            reviewers_per_category={},
            load_cap=20,
            exclude_same_institution=True,
            criteria=FORM.as_json(),
            graded=True,
            trim_from=None,
            min_valid=min_valid,
            status=round_status,
            created_by="210",
            version=1,
        )
        session.add(rnd)
        await session.flush()
        out = Seeded(plan_id=plan.id, category_id=category.id, round_id=rnd.id, apps=[a.id for a in apps])
        for i, app in enumerate(apps):
            for k in range(per_app):
                n = i * per_app + k
                row = ReviewAssignment(
                    round_id=rnd.id,
                    application_id=app.id,
                    reviewer_id=5000 + n,
                    reviewer_user_id=f"R{n}",
                    slot=k,
                    status="assigned",
                    version=1,
                )
                session.add(row)
                await session.flush()
                out.slots.setdefault(app.id, []).append(row.id)
                out.holder[row.id] = n
        await session.commit()
    return out


async def add_review(
    platform: Platform,
    assignment_id: int,
    grade: str | None,
    opinion: str | None,
    *,
    submitted: bool = True,
    at: datetime | None = None,
) -> None:
    """A review written straight into the database (and the assignment marked submitted with it)."""
    async with platform.db.sessionmaker() as session:
        session.add(
            Review(
                assignment_id=assignment_id,
                scores={},
                grade=grade,
                opinion=opinion,
                comments={"overall": "综合评价。"},
                status="submitted" if submitted else "draft",
                submitted_at=(at or T0) if submitted else None,
                version=1,
            )
        )
        if submitted:
            row = await session.get(ReviewAssignment, assignment_id)
            assert row is not None
            row.status = "submitted"
            row.version += 1
        await session.commit()


async def set_values(platform: Platform, model: Any, row_id: int, **values: Any) -> None:
    async with platform.db.sessionmaker() as session:
        row = await session.get(model, row_id)
        assert row is not None
        for key, value in values.items():
            setattr(row, key, value)
        if hasattr(row, "version"):
            row.version += 1
        await session.commit()


async def get_row(platform: Platform, model: Any, row_id: int) -> Any:
    async with platform.db.sessionmaker() as session:
        row = await session.get(model, row_id, populate_existing=True)
        assert row is not None
        return row


async def history(platform: Platform, entity_type: str, entity_id: int) -> list[tuple[str, str | None, str]]:
    """(action, from, to) rows of an entity's workflow history, oldest first."""
    model = common.history
    async with platform.db.sessionmaker() as session:
        rows = (
            await session.execute(
                select(model.action, model.from_state, model.to_state)
                .where(model.entity_type == entity_type, model.entity_id == str(entity_id))
                .order_by(model.id)
            )
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]
