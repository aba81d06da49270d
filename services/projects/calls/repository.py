"""Every query on calls and their topics."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.projects.calls.models import Call, CallTopic
from services.projects.programmes.repository import entrusted_ids
from services.projects.rules.workflows import CALL_PUBLIC_STATES
from shared.pagination import SortSpec, paginate
from shared.principal import Principal

SORTS = SortSpec(
    fields={"opens_at": Call.opens_at, "closes_at": Call.closes_at, "created_at": Call.created_at},
    id_column=Call.id,
)


def visible(principal: Principal) -> Select[Any]:
    """Published and closed calls for everyone, anonymous callers included; drafts for officials and
    auditors, and for the agencies entrusted with the programme (PRJ-2)."""
    stmt = select(Call)
    if principal.has_role("official", "auditor"):
        return stmt
    public = Call.status.in_(CALL_PUBLIC_STATES)
    if principal.has_role("agency") and principal.org_id is not None:
        return stmt.where(or_(public, Call.programme_id.in_(entrusted_ids(principal.org_id))))
    return stmt.where(public)


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
