"""Every query of the foundation's review rounds, their frozen inputs, assignments and exclusions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation.access import plan_filter
from services.foundation.applications.models import FoundationApplication
from services.foundation.plans.models import FundingPlan, PlanCategory
from services.foundation.review.models import Review, ReviewAssignment, ReviewExclusion, ReviewRound, ReviewRoundInput
from services.foundation.review.policy import ASSIGNED, DRAWABLE_STATE
from shared.pagination import SortSpec, paginate
from shared.principal import Principal

ROUND_SORTS = SortSpec(fields={"created_at": ReviewRound.created_at}, id_column=ReviewRound.id)
BY_ID = SortSpec(fields={}, id_column=ReviewExclusion.id, default="id")
ASSIGNMENT_SORTS = SortSpec(
    fields={"created_at": ReviewAssignment.created_at}, id_column=ReviewAssignment.id, default="id"
)


def visible_rounds(principal: Principal) -> Select[Any]:
    """Officials and auditors see every round, an agency those of the plans that list it."""
    return select(ReviewRound).where(plan_filter(ReviewRound.plan_id, principal))


async def get_visible_round(
    session: AsyncSession, principal: Principal, round_id: int, *, for_update: bool = False
) -> ReviewRound | None:
    stmt = visible_rounds(principal).where(ReviewRound.id == round_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_round(session: AsyncSession, round_id: int, *, for_update: bool = False) -> ReviewRound | None:
    stmt = select(ReviewRound).where(ReviewRound.id == round_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def page_rounds(
    session: AsyncSession,
    principal: Principal,
    *,
    plan_id: int | None,
    category_id: int | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[ReviewRound], str | None]:
    stmt = visible_rounds(principal)
    if plan_id is not None:
        stmt = stmt.where(ReviewRound.plan_id == plan_id)
    if category_id is not None:
        stmt = stmt.where(ReviewRound.category_id == category_id)
    if status is not None:
        stmt = stmt.where(ReviewRound.status == status)
    return await paginate(session, stmt, ROUND_SORTS, limit=limit, cursor=cursor, sort=sort)


async def plan(session: AsyncSession, plan_id: int) -> FundingPlan | None:
    return await session.get(FundingPlan, plan_id)


async def category(session: AsyncSession, category_id: int) -> PlanCategory | None:
    return await session.get(PlanCategory, category_id)


async def drawable_applications(session: AsyncSession, rnd: ReviewRound) -> list[FoundationApplication]:
    """The category's applications accepted at formal review, locked, by id (the round's prefixes
    are applied by the caller: a code is matched by prefix)."""
    stmt = (
        select(FoundationApplication)
        .where(
            FoundationApplication.plan_id == rnd.plan_id,
            FoundationApplication.category_id == rnd.category_id,
            FoundationApplication.status == DRAWABLE_STATE,
        )
        .order_by(FoundationApplication.id)
        .with_for_update()
    )
    return list((await session.execute(stmt)).scalars())


async def applications_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, FoundationApplication]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = (await session.execute(select(FoundationApplication).where(FoundationApplication.id.in_(wanted)))).scalars()
    return {a.id: a for a in rows}


async def add_all(session: AsyncSession, rows: Sequence[Any]) -> None:
    session.add_all(rows)
    await session.flush()


async def insert_many(session: AsyncSession, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    """Many rows in one executemany (a draw writes thousands); column defaults apply."""
    if rows:
        await session.execute(insert(model), list(rows))


async def inputs(session: AsyncSession, round_id: int) -> ReviewRoundInput | None:
    return await session.get(ReviewRoundInput, round_id)


async def assignments(
    session: AsyncSession, round_id: int, application_id: int | None = None
) -> list[ReviewAssignment]:
    stmt = select(ReviewAssignment).where(ReviewAssignment.round_id == round_id)
    if application_id is not None:
        stmt = stmt.where(ReviewAssignment.application_id == application_id)
    stmt = stmt.order_by(ReviewAssignment.application_id, ReviewAssignment.slot, ReviewAssignment.id)
    return list((await session.execute(stmt)).scalars())


async def exclusions(session: AsyncSession, round_id: int, application_id: int | None = None) -> list[ReviewExclusion]:
    stmt = select(ReviewExclusion).where(ReviewExclusion.round_id == round_id)
    if application_id is not None:
        stmt = stmt.where(ReviewExclusion.application_id == application_id)
    return list((await session.execute(stmt)).scalars())


async def page_exclusions(
    session: AsyncSession,
    round_id: int,
    *,
    application_id: int | None,
    reviewer_id: int | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[ReviewExclusion], str | None]:
    stmt = select(ReviewExclusion).where(ReviewExclusion.round_id == round_id)
    if application_id is not None:
        stmt = stmt.where(ReviewExclusion.application_id == application_id)
    if reviewer_id is not None:
        stmt = stmt.where(ReviewExclusion.reviewer_id == reviewer_id)
    return await paginate(session, stmt, BY_ID, limit=limit, cursor=cursor, sort="id")


async def page_round_assignments(
    session: AsyncSession, round_id: int, *, application_id: int | None, limit: int, cursor: str | None
) -> tuple[list[ReviewAssignment], str | None]:
    """Assignment rows of a round grouped by application: a page is a run of application ids."""
    stmt = select(FoundationApplication).where(
        FoundationApplication.id.in_(
            select(ReviewAssignment.application_id).where(ReviewAssignment.round_id == round_id)
        )
    )
    if application_id is not None:
        stmt = stmt.where(FoundationApplication.id == application_id)
    apps, next_cursor = await paginate(
        session,
        stmt,
        SortSpec(fields={}, id_column=FoundationApplication.id, default="id"),
        limit=limit,
        cursor=cursor,
        sort="id",
    )
    if not apps:
        return [], next_cursor
    rows = (
        await session.execute(
            select(ReviewAssignment)
            .where(ReviewAssignment.round_id == round_id, ReviewAssignment.application_id.in_([a.id for a in apps]))
            .order_by(ReviewAssignment.application_id, ReviewAssignment.slot, ReviewAssignment.id)
        )
    ).scalars()
    return list(rows), next_cursor


# --- the reviewer's side --------------------------------------------------------------------------


def _own(user_id: str) -> Select[Any]:
    return select(ReviewAssignment).where(ReviewAssignment.reviewer_user_id == user_id)


async def own_assignment(
    session: AsyncSession, user_id: str, assignment_id: int, *, for_update: bool = False
) -> ReviewAssignment | None:
    stmt = _own(user_id).where(ReviewAssignment.id == assignment_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def page_own(
    session: AsyncSession,
    user_id: str,
    *,
    round_id: int | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[ReviewAssignment], str | None]:
    stmt = _own(user_id)
    if round_id is not None:
        stmt = stmt.where(ReviewAssignment.round_id == round_id)
    if status is not None:
        stmt = stmt.where(ReviewAssignment.status == status)
    return await paginate(session, stmt, ASSIGNMENT_SORTS, limit=limit, cursor=cursor, sort=sort)


async def get_assignment(
    session: AsyncSession, assignment_id: int, *, for_update: bool = False
) -> ReviewAssignment | None:
    stmt = select(ReviewAssignment).where(ReviewAssignment.id == assignment_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def rounds_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, ReviewRound]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = (await session.execute(select(ReviewRound).where(ReviewRound.id.in_(wanted)))).scalars()
    return {r.id: r for r in rows}


async def submitted_review(session: AsyncSession, assignment_id: int) -> bool:
    stmt = (
        select(func.count())
        .select_from(Review)
        .where(Review.assignment_id == assignment_id, Review.status == "submitted")
    )
    return bool((await session.execute(stmt)).scalar_one())


async def open_counts(session: AsyncSession, reviewer_ids: Iterable[int]) -> dict[int, int]:
    """Each reviewer's open assignments in this service (assigned, in rounds not closed): the load
    the foundation reports to the pool, the same figure whichever round changed."""
    wanted = sorted(set(reviewer_ids))
    counts = dict.fromkeys(wanted, 0)
    if not wanted:
        return counts
    stmt = (
        select(ReviewAssignment.reviewer_id, func.count())
        .join(ReviewRound, ReviewRound.id == ReviewAssignment.round_id)
        .where(
            ReviewAssignment.reviewer_id.in_(wanted),
            ReviewAssignment.status == ASSIGNED,
            ReviewRound.status != "closed",
        )
        .group_by(ReviewAssignment.reviewer_id)
    )
    for rid, n in (await session.execute(stmt)).all():
        counts[int(rid)] = int(n)
    return counts
