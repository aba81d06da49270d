"""The foundation's queries behind its review rounds' scope (the shared tables' own queries are
``shared.review_rounds.repository``)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation.applications.models import FoundationApplication
from services.foundation.plans.models import FundingPlan, PlanCategory
from services.foundation.review_rounds.models import ReviewRound

# The application state a draw takes; the draw moves each to ``in_review`` ("start_review").
DRAWABLE_STATE = "accepted"


async def plan(session: AsyncSession, plan_id: int) -> FundingPlan | None:
    return await session.get(FundingPlan, plan_id)


async def category(session: AsyncSession, category_id: int) -> PlanCategory | None:
    return await session.get(PlanCategory, category_id)


async def drawable(session: AsyncSession, rnd: ReviewRound) -> list[FoundationApplication]:
    """The category's applications accepted at formal review, locked, by id (the round's prefixes
    are applied by the caller: a code is matched by prefix)."""
    a = FoundationApplication
    stmt = (
        select(a)
        .where(a.plan_id == rnd.plan_id, a.category_id == rnd.category_id, a.status == DRAWABLE_STATE)
        .order_by(a.id)
        .with_for_update()
    )
    return list((await session.execute(stmt)).scalars())


async def applications(
    session: AsyncSession, ids: Iterable[int], *, for_update: bool = False
) -> list[FoundationApplication]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    stmt = select(FoundationApplication).where(FoundationApplication.id.in_(wanted)).order_by(FoundationApplication.id)
    if for_update:
        stmt = stmt.with_for_update()
    return list((await session.execute(stmt)).scalars())
