"""Every query on the talent programmes' yearly calls."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.calls.models import TalentCall
from shared.pagination import SortSpec, paginate
from shared.principal import Principal

PUBLIC_STATES = ("published", "closed")
SORTS = SortSpec(
    fields={"year": TalentCall.year, "opens_on": TalentCall.opens_on, "created_at": TalentCall.created_at},
    id_column=TalentCall.id,
    default="-year",
)


def visible(principal: Principal) -> Select[Any]:
    """Published and closed calls for everyone, anonymous callers included; drafts for officials and auditors."""
    stmt = select(TalentCall)
    if principal.has_role("official", "auditor"):
        return stmt
    return stmt.where(TalentCall.status.in_(PUBLIC_STATES))


async def get_visible(
    session: AsyncSession, principal: Principal, call_id: int, *, for_update: bool = False
) -> TalentCall | None:
    stmt = visible(principal).where(TalentCall.id == call_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def by_code(session: AsyncSession, code: str) -> TalentCall | None:
    return (await session.execute(select(TalentCall).where(TalentCall.code == code))).scalar_one_or_none()


async def of_programme_year(session: AsyncSession, programme_id: int, year: int) -> TalentCall | None:
    stmt = select(TalentCall).where(TalentCall.programme_id == programme_id, TalentCall.year == year)
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
) -> tuple[list[TalentCall], str | None]:
    stmt = visible(principal)
    if programme_id is not None:
        stmt = stmt.where(TalentCall.programme_id == programme_id)
    if year is not None:
        stmt = stmt.where(TalentCall.year == year)
    if status is not None:
        stmt = stmt.where(TalentCall.status == status)
    return await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)


async def locked(session: AsyncSession, call_id: int) -> TalentCall | None:
    """The call's row, locked until the unit of work ends: endorsements against its cap go one at a time."""
    stmt = select(TalentCall).where(TalentCall.id == call_id).with_for_update()
    return (await session.execute(stmt.execution_options(populate_existing=True))).scalar_one_or_none()


async def get(session: AsyncSession, call_id: int) -> TalentCall | None:
    return await session.get(TalentCall, call_id)
