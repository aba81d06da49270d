"""Every query on calls and their topics."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.projects import access
from services.projects.calls.models import Call, CallTopic
from shared.pagination import SortSpec, paginate
from shared.principal import Principal

SORTS = SortSpec(
    fields={"opens_at": Call.opens_at, "closes_at": Call.closes_at, "created_at": Call.created_at},
    id_column=Call.id,
)


def visible(principal: Principal) -> Select[Any]:
    return select(Call).where(access.visible_calls(principal))


async def get_visible(session: AsyncSession, principal: Principal, call_id: int, *, topics: bool = True) -> Call | None:
    stmt = visible(principal).where(Call.id == call_id)
    if topics:
        stmt = stmt.options(selectinload(Call.topics))
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(session: AsyncSession, call_id: int) -> Call | None:
    stmt = select(Call).options(selectinload(Call.topics)).where(Call.id == call_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def topic(session: AsyncSession, call_id: int, topic_id: int) -> CallTopic | None:
    stmt = select(CallTopic).where(CallTopic.call_id == call_id, CallTopic.id == topic_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    programme_id: int | None,
    year: int | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[Call], str | None]:
    stmt = visible(principal)
    if programme_id is not None:
        stmt = stmt.where(Call.programme_id == programme_id)
    if year is not None:
        stmt = stmt.where(Call.year == year)
    if status is not None:
        stmt = stmt.where(Call.status == status)
    return await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)
