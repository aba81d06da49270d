"""Every query on award cycles."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.award_cycles.models import AwardCycle
from shared.pagination import SortSpec, paginate
from shared.principal import Principal

PUBLIC_STATES = ("open", "closed", "results_published")
SORTS = SortSpec(
    fields={"year": AwardCycle.year, "opens_on": AwardCycle.opens_on, "created_at": AwardCycle.created_at},
    id_column=AwardCycle.id,
    default="-year",
)


def visible(principal: Principal) -> Select[Any]:
    """Opened cycles for everyone; drafts for officials and auditors."""
    stmt = select(AwardCycle)
    if principal.has_role("official", "auditor"):
        return stmt
    return stmt.where(AwardCycle.status.in_(PUBLIC_STATES))


async def get_visible(session: AsyncSession, principal: Principal, cycle_id: int) -> AwardCycle | None:
    return (await session.execute(visible(principal).where(AwardCycle.id == cycle_id))).scalar_one_or_none()


async def get(session: AsyncSession, cycle_id: int) -> AwardCycle | None:
    return await session.get(AwardCycle, cycle_id)


async def locked(session: AsyncSession, cycle_id: int) -> AwardCycle | None:
    """The cycle's row, locked until the unit of work ends: quota counts and notices go one at a time."""
    stmt = select(AwardCycle).where(AwardCycle.id == cycle_id).with_for_update()
    return (await session.execute(stmt.execution_options(populate_existing=True))).scalar_one_or_none()


async def by_code(session: AsyncSession, code: str) -> AwardCycle | None:
    return (await session.execute(select(AwardCycle).where(AwardCycle.code == code))).scalar_one_or_none()


async def of_year_category(session: AsyncSession, year: int, category: str) -> AwardCycle | None:
    stmt = select(AwardCycle).where(AwardCycle.year == year, AwardCycle.category == category)
    return (await session.execute(stmt)).scalar_one_or_none()


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    year: int | None,
    category: str | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[AwardCycle], str | None]:
    stmt = visible(principal)
    if year is not None:
        stmt = stmt.where(AwardCycle.year == year)
    if category is not None:
        stmt = stmt.where(AwardCycle.category == category)
    if status is not None:
        stmt = stmt.where(AwardCycle.status == status)
    return await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)


async def lock_year(session: AsyncSession, year: int) -> list[AwardCycle]:
    """Every cycle of the year, locked in id order (one order for every caller, so no deadlock): AW-2 counts a
    person's nominations over all the year's categories, so submissions of one year go one at a time."""
    stmt = select(AwardCycle).where(AwardCycle.year == year).order_by(AwardCycle.id).with_for_update()
    return list((await session.execute(stmt.execution_options(populate_existing=True))).scalars())
