"""Every query on the bureau's yearly calls."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts.calls.models import FundingCall
from shared.pagination import SortSpec, paginate
from shared.principal import Principal

PUBLIC_STATES = ("published", "closed")
SORTS = SortSpec(
    fields={"year": FundingCall.year, "opens_on": FundingCall.opens_on, "created_at": FundingCall.created_at},
    id_column=FundingCall.id,
    default="-year",
)


def visible(principal: Principal, kind: str) -> Select[Any]:
    """Published and closed calls for everyone, anonymous callers included; drafts for officials and auditors."""
    stmt = select(FundingCall).where(FundingCall.kind == kind)
    if principal.has_role("official", "auditor"):
        return stmt
    return stmt.where(FundingCall.status.in_(PUBLIC_STATES))


def _locked(stmt: Select[Any]) -> Select[Any]:
    # populate_existing: the locked row's counters, not those the session may have read before the lock
    return stmt.with_for_update().execution_options(populate_existing=True)


async def get_visible(
    session: AsyncSession, principal: Principal, kind: str, call_id: int, *, for_update: bool = False
) -> FundingCall | None:
    stmt = visible(principal, kind).where(FundingCall.id == call_id)
    return (await session.execute(_locked(stmt) if for_update else stmt)).scalar_one_or_none()


async def get(session: AsyncSession, call_id: int, *, for_update: bool = False) -> FundingCall | None:
    """The call by id; unlocked, from the session's identity map when it was read in this request already."""
    if not for_update:
        return await session.get(FundingCall, call_id)
    return (await session.execute(_locked(select(FundingCall).where(FundingCall.id == call_id)))).scalar_one_or_none()


async def by_code(session: AsyncSession, code: str) -> FundingCall | None:
    return (await session.execute(select(FundingCall).where(FundingCall.code == code))).scalar_one_or_none()


async def page(
    session: AsyncSession,
    principal: Principal,
    kind: str,
    *,
    year: int | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[FundingCall], str | None]:
    stmt = visible(principal, kind)
    if year is not None:
        stmt = stmt.where(FundingCall.year == year)
    if status is not None:
        stmt = stmt.where(FundingCall.status == status)
    return await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)
