"""The projects' queries behind its review rounds' scope (the shared tables' own queries are
``shared.review_rounds.repository``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.applications.models import Application
from services.projects.calls.models import CallTopic
from services.projects.review_rounds.models import ReviewRound

# Application states a draw takes (accepted ones move to in_review with the draw).
DRAWABLE_STATES = ("accepted", "in_review")


async def drawable(session: AsyncSession, rnd: ReviewRound, held_elsewhere: Any) -> list[Application]:
    """The call's (and topic's) applications accepted at formal review or already in review, except
    those another open round holds; locked, by id."""
    stmt = select(Application).where(
        Application.call_id == rnd.call_id,
        Application.status.in_(DRAWABLE_STATES),
        Application.id.not_in(held_elsewhere),
    )
    if rnd.topic_id is not None:
        stmt = stmt.where(Application.topic_id == rnd.topic_id)
    return list((await session.execute(stmt.order_by(Application.id).with_for_update())).scalars())


async def applications(session: AsyncSession, ids: Iterable[int], *, for_update: bool = False) -> list[Application]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    stmt = select(Application).where(Application.id.in_(wanted)).order_by(Application.id)
    if for_update:
        stmt = stmt.with_for_update()
    return list((await session.execute(stmt)).scalars())


async def topic_codes(session: AsyncSession, topic_ids: Sequence[int]) -> dict[int, str]:
    if not topic_ids:
        return {}
    stmt = select(CallTopic.id, CallTopic.code).where(CallTopic.id.in_(sorted(set(topic_ids))))
    return {tid: code for tid, code in (await session.execute(stmt)).all()}
