"""Every query of review rounds, assignments, exclusions and reviews."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, delete, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.applications.models import Application
from services.projects.programmes.repository import entrusted_ids
from services.projects.review_rounds.models import (
    Review,
    ReviewAssignment,
    ReviewExclusion,
    ReviewRound,
    ReviewRoundInput,
)
from services.projects.review_rounds.policy import DRAWABLE_APPLICATION_STATES, HOLDING
from shared.pagination import SortSpec, paginate
from shared.principal import Principal

ROUND_SORTS = SortSpec(fields={"created_at": ReviewRound.created_at}, id_column=ReviewRound.id)
EXCLUSION_SORTS = SortSpec(fields={}, id_column=ReviewExclusion.id, default="id")
ASSIGNMENT_SORTS = SortSpec(fields={}, id_column=ReviewAssignment.id, default="id")


def visible_rounds(principal: Principal) -> Select[Any]:
    """Officials and auditors see every round, an agency those of its entrusted programmes (PRJ-2)."""
    stmt = select(ReviewRound)
    if principal.has_role("official", "auditor"):
        return stmt
    if principal.has_role("agency") and principal.org_id is not None:
        return stmt.where(ReviewRound.programme_id.in_(entrusted_ids(principal.org_id)))
    return stmt.where(false())


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
    call_id: int | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[ReviewRound], str | None]:
    stmt = visible_rounds(principal)
    if call_id is not None:
        stmt = stmt.where(ReviewRound.call_id == call_id)
    if status is not None:
        stmt = stmt.where(ReviewRound.status == status)
    return await paginate(session, stmt, ROUND_SORTS, limit=limit, cursor=cursor, sort=sort)


async def drawable_applications(session: AsyncSession, rnd: ReviewRound) -> list[Application]:
    """The call's (and topic's) applications accepted at formal review or already in review, except
    those another open round holds."""
    busy = (
        select(ReviewAssignment.application_id)
        .join(ReviewRound, ReviewRound.id == ReviewAssignment.round_id)
        .where(ReviewRound.status == "in_review", ReviewRound.id != rnd.id)
    )
    stmt = select(Application).where(
        Application.call_id == rnd.call_id,
        Application.status.in_(DRAWABLE_APPLICATION_STATES),
        Application.id.not_in(busy),
    )
    if rnd.topic_id is not None:
        stmt = stmt.where(Application.topic_id == rnd.topic_id)
    return list((await session.execute(stmt.order_by(Application.id).with_for_update())).scalars())


async def applications_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, Application]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = (await session.execute(select(Application).where(Application.id.in_(wanted)))).scalars()
    return {a.id: a for a in rows}


async def add_all(session: AsyncSession, rows: Sequence[Any]) -> None:
    session.add_all(rows)
    await session.flush()


async def inputs(session: AsyncSession, round_id: int) -> ReviewRoundInput | None:
    return await session.get(ReviewRoundInput, round_id)


async def assignments(session: AsyncSession, round_id: int) -> list[ReviewAssignment]:
    stmt = (
        select(ReviewAssignment)
        .where(ReviewAssignment.round_id == round_id)
        .order_by(ReviewAssignment.application_id, ReviewAssignment.slot, ReviewAssignment.id)
    )
    return list((await session.execute(stmt)).scalars())


async def page_round_assignments(
    session: AsyncSession, round_id: int, *, limit: int, cursor: str | None
) -> tuple[list[ReviewAssignment], str | None]:
    stmt = select(ReviewAssignment).where(ReviewAssignment.round_id == round_id)
    return await paginate(session, stmt, ASSIGNMENT_SORTS, limit=limit, cursor=cursor, sort="id")


async def exclusions(session: AsyncSession, round_id: int) -> list[ReviewExclusion]:
    stmt = select(ReviewExclusion).where(ReviewExclusion.round_id == round_id)
    return list((await session.execute(stmt)).scalars())


async def page_exclusions(
    session: AsyncSession, round_id: int, *, application_id: int | None, limit: int, cursor: str | None
) -> tuple[list[ReviewExclusion], str | None]:
    stmt = select(ReviewExclusion).where(ReviewExclusion.round_id == round_id)
    if application_id is not None:
        stmt = stmt.where(ReviewExclusion.application_id == application_id)
    return await paginate(session, stmt, EXCLUSION_SORTS, limit=limit, cursor=cursor, sort="id")


def _own(reviewer_id: int) -> Select[Any]:
    return select(ReviewAssignment).where(
        ReviewAssignment.reviewer_id == reviewer_id, ReviewAssignment.status.in_(HOLDING)
    )


async def own_assignment(
    session: AsyncSession, reviewer_id: int, assignment_id: int, *, for_update: bool = False
) -> ReviewAssignment | None:
    """A reviewer's assignment while they hold its slot; any other is as if absent."""
    stmt = _own(reviewer_id).where(ReviewAssignment.id == assignment_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def page_own(
    session: AsyncSession, reviewer_id: int, *, round_id: int | None, status: str | None, limit: int, cursor: str | None
) -> tuple[list[ReviewAssignment], str | None]:
    stmt = _own(reviewer_id)
    if round_id is not None:
        stmt = stmt.where(ReviewAssignment.round_id == round_id)
    if status is not None:
        stmt = stmt.where(ReviewAssignment.status == status)
    return await paginate(session, stmt, ASSIGNMENT_SORTS, limit=limit, cursor=cursor, sort="id")


async def rounds_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, ReviewRound]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = (await session.execute(select(ReviewRound).where(ReviewRound.id.in_(wanted)))).scalars()
    return {r.id: r for r in rows}


async def review_of(session: AsyncSession, assignment_id: int, *, for_update: bool = False) -> Review | None:
    stmt = select(Review).where(Review.assignment_id == assignment_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def reviews_of(session: AsyncSession, assignment_ids: Iterable[int]) -> dict[int, Review]:
    wanted = sorted(set(assignment_ids))
    if not wanted:
        return {}
    rows = (await session.execute(select(Review).where(Review.assignment_id.in_(wanted)))).scalars()
    return {r.assignment_id: r for r in rows}


async def delete_review(session: AsyncSession, assignment_id: int) -> None:
    await session.execute(delete(Review).where(Review.assignment_id == assignment_id))


async def holding_counts(session: AsyncSession, reviewer_ids: Iterable[int], round_id: int) -> dict[int, int]:
    """Open (not yet submitted) assignments of each reviewer in the round: the load it reports."""
    wanted = sorted(set(reviewer_ids))
    counts = dict.fromkeys(wanted, 0)
    if not wanted:
        return counts
    stmt = select(ReviewAssignment.reviewer_id).where(
        ReviewAssignment.round_id == round_id,
        ReviewAssignment.reviewer_id.in_(wanted),
        ReviewAssignment.status == "assigned",
    )
    for (rid,) in (await session.execute(stmt)).all():
        counts[rid] += 1
    return counts
