"""The talent service's queries behind its review rounds' scope (the shared tables' own queries are
``shared.review_rounds.repository``)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.applications.models import TalentApplication
from services.talent.review_rounds.models import ReviewRound

# The application state a draw takes; the draw moves each to ``in_review`` ("start_review").
DRAWABLE_STATE = "accepted"


async def drawable(session: AsyncSession, rnd: ReviewRound) -> list[TalentApplication]:
    """The call's applications accepted at formal review, locked, by id (the round's prefixes are applied
    by the caller)."""
    a = TalentApplication
    stmt = select(a).where(a.call_id == rnd.call_id, a.status == DRAWABLE_STATE).order_by(a.id).with_for_update()
    return list((await session.execute(stmt)).scalars())


async def applications(
    session: AsyncSession, ids: Iterable[int], *, for_update: bool = False
) -> list[TalentApplication]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    stmt = select(TalentApplication).where(TalentApplication.id.in_(wanted)).order_by(TalentApplication.id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return list((await session.execute(stmt)).scalars())


async def closed_rounds(session: AsyncSession, call_id: int) -> list[ReviewRound]:
    stmt = select(ReviewRound).where(ReviewRound.call_id == call_id, ReviewRound.status == "closed")
    return list((await session.execute(stmt.order_by(ReviewRound.id))).scalars())


def every_round() -> ColumnElement[bool]:
    """The rounds officials and auditors see: every one (the service admits no one else to them)."""
    return true()
