"""Queries of the ranking within a category (NSF-4): the category's applications as plain rows (a
category may hold thousands), their valid reviews, and the ranks written back in bulk."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation.applications.models import FoundationApplication
from services.foundation.plans.models import FundingPlan, PlanCategory
from services.foundation.review_rounds.models import Review, ReviewAssignment, ReviewRound
from shared.review_rounds.models import HOLDING


async def plan(session: AsyncSession, plan_id: int) -> FundingPlan | None:
    return await session.get(FundingPlan, plan_id)


async def category(
    session: AsyncSession, plan_id: int, category_id: int, *, for_update: bool = False
) -> PlanCategory | None:
    stmt = select(PlanCategory).where(PlanCategory.id == category_id, PlanCategory.plan_id == plan_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def category_applications(
    session: AsyncSession, category_id: int, statuses: Sequence[str] | None = None, *, for_update: bool = False
) -> list[Any]:
    """The category's applications as plain rows (no ORM objects: a category may hold thousands)."""
    a = FoundationApplication
    stmt = select(
        a.id,
        a.title,
        a.status,
        a.version,
        a.discipline_code,
        a.applicant_name,
        a.institution_name,
        a.requested_total,
        func.coalesce(a.submitted_at, a.created_at),
        a.score,
        a.valid_reviews,
        a.rank,
    ).where(a.category_id == category_id)
    if statuses is not None:
        stmt = stmt.where(a.status.in_(statuses))
    if for_update:
        stmt = stmt.with_for_update()
    return list((await (await session.connection()).execute(stmt.order_by(a.id))).all())


async def category_statuses(session: AsyncSession, category_id: int) -> dict[str, int]:
    a = FoundationApplication
    stmt = select(a.status, func.count()).where(a.category_id == category_id).group_by(a.status)
    return {status: count for status, count in (await session.execute(stmt)).all()}


async def category_min_valid(session: AsyncSession, category_id: int) -> int | None:
    """The strictest ``min_valid`` of the category's rounds (None: no round yet)."""
    stmt = select(func.max(ReviewRound.min_valid)).where(ReviewRound.category_id == category_id)
    value = (await session.execute(stmt)).scalar()
    return int(value) if value is not None else None


@dataclass(frozen=True, slots=True)
class ReviewFact:
    application_id: int
    reviewer_id: int
    grade: str | None
    opinion: str | None


async def category_reviews(session: AsyncSession, category_id: int, statuses: Sequence[str]) -> list[ReviewFact]:
    """Submitted reviews on holding assignments of the category's applications in ``statuses`` (a
    draft never counts, NSF-4, so drafts are not read)."""
    a = FoundationApplication
    stmt = (
        select(ReviewAssignment.application_id, ReviewAssignment.reviewer_id, Review.grade, Review.opinion)
        .join(Review, Review.assignment_id == ReviewAssignment.id)
        .join(a, a.id == ReviewAssignment.application_id)
        .where(
            a.category_id == category_id,
            a.status.in_(statuses),
            ReviewAssignment.status.in_(HOLDING),
            Review.status == "submitted",
        )
    )
    # Core on the session's connection: tens of thousands of rows skip the ORM's result machinery.
    rows = (await (await session.connection()).execute(stmt)).all()
    return [ReviewFact(*row) for row in rows]


async def write_ranks(session: AsyncSession, rows: Sequence[dict[str, Any]], at: datetime) -> int:
    """Bulk ``UPDATE applications`` by id and version: score, valid_reviews, rank, status, version.
    Returns the rows changed (-1 where the driver cannot count an executemany)."""
    if not rows:
        return 0
    t = cast(Table, FoundationApplication.__table__)
    stmt = (
        update(t)
        .where(t.c.id == bindparam("b_id"), t.c.version == bindparam("b_version"))
        .values(
            score=bindparam("b_score"),
            valid_reviews=bindparam("b_valid"),
            rank=bindparam("b_rank"),
            status=bindparam("b_status"),
            version=bindparam("b_new_version"),
            updated_at=at,
        )
    )
    outcome = await (await session.connection()).execute(stmt, list(rows))
    return int(outcome.rowcount) if outcome.rowcount is not None else -1


async def applications_afresh(session: AsyncSession, ids: Sequence[int]) -> list[FoundationApplication]:
    """The applications as the database has them now (a bulk UPDATE changed them behind the ORM)."""
    stmt = (
        select(FoundationApplication).where(FoundationApplication.id.in_(ids)).execution_options(populate_existing=True)
    )
    return list((await session.execute(stmt)).scalars().all())
