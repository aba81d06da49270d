"""Queries of reviews, of closing a round and of the ranking (the round and assignment tables are F2's
``review/repository.py``; these read them for NSF-4)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation.applications.models import FoundationApplication
from services.foundation.plans.models import FundingPlan, PlanCategory
from services.foundation.review.models import Review, ReviewAssignment, ReviewRound

# Assignments that still hold their slot; the others were released (replaced, declined, late).
HOLDING = ("assigned", "submitted")


async def assignment(session: AsyncSession, assignment_id: int, *, for_update: bool = False) -> ReviewAssignment | None:
    stmt = select(ReviewAssignment).where(ReviewAssignment.id == assignment_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def round_(session: AsyncSession, round_id: int, *, for_update: bool = False) -> ReviewRound | None:
    stmt = select(ReviewRound).where(ReviewRound.id == round_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def plan(session: AsyncSession, plan_id: int) -> FundingPlan | None:
    return await session.get(FundingPlan, plan_id)


async def category(
    session: AsyncSession, plan_id: int, category_id: int, *, for_update: bool = False
) -> PlanCategory | None:
    stmt = select(PlanCategory).where(PlanCategory.id == category_id, PlanCategory.plan_id == plan_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def review_of(session: AsyncSession, assignment_id: int, *, for_update: bool = False) -> Review | None:
    stmt = select(Review).where(Review.assignment_id == assignment_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


# --- a round's slots and reviews --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Slot:
    assignment_id: int
    application_id: int
    reviewer_id: int
    slot: int
    status: str
    review_status: str | None  # None: no review written
    grade: str | None
    opinion: str | None


async def round_slots(session: AsyncSession, round_id: int) -> list[Slot]:
    """Every assignment of the round with its review's state, in (application, slot, id) order."""
    stmt = (
        select(
            ReviewAssignment.id,
            ReviewAssignment.application_id,
            ReviewAssignment.reviewer_id,
            ReviewAssignment.slot,
            ReviewAssignment.status,
            Review.status,
            Review.grade,
            Review.opinion,
        )
        .outerjoin(Review, Review.assignment_id == ReviewAssignment.id)
        .where(ReviewAssignment.round_id == round_id)
        .order_by(ReviewAssignment.application_id, ReviewAssignment.slot, ReviewAssignment.id)
    )
    return [Slot(*row) for row in (await session.execute(stmt)).all()]


@dataclass(frozen=True, slots=True)
class AppSummary:
    id: int
    title: str
    status: str


async def application_summaries(
    session: AsyncSession, ids: Iterable[int], *, for_update: bool = False
) -> dict[int, AppSummary]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    stmt = select(FoundationApplication.id, FoundationApplication.title, FoundationApplication.status).where(
        FoundationApplication.id.in_(wanted)
    )
    if for_update:
        stmt = stmt.with_for_update()
    return {row.id: AppSummary(row.id, row.title, row.status) for row in (await session.execute(stmt)).all()}


# --- a category's applications and reviews (ranking) ---------------------------------------------


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


async def category_open_slots(session: AsyncSession, category_id: int, statuses: Sequence[str]) -> list[Slot]:
    """Holding assignments without a submitted review, of the category's applications in ``statuses``."""
    a = FoundationApplication
    stmt = (
        select(
            ReviewAssignment.id,
            ReviewAssignment.application_id,
            ReviewAssignment.reviewer_id,
            ReviewAssignment.slot,
            ReviewAssignment.status,
            Review.status,
            Review.grade,
            Review.opinion,
        )
        .outerjoin(Review, Review.assignment_id == ReviewAssignment.id)
        .join(a, a.id == ReviewAssignment.application_id)
        .where(a.category_id == category_id, a.status.in_(statuses), ReviewAssignment.status == "assigned")
        .order_by(ReviewAssignment.application_id, ReviewAssignment.slot, ReviewAssignment.id)
    )
    return [Slot(*row) for row in (await session.execute(stmt)).all()]


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
