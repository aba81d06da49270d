"""Every query on national nominations and their quotas."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.national.models import NationalNomination, NationalQuota


async def quotas(session: AsyncSession, year: int) -> list[NationalQuota]:
    stmt = select(NationalQuota).where(NationalQuota.year == year).order_by(NationalQuota.national_category)
    return list((await session.execute(stmt)).scalars())


async def quota_locked(session: AsyncSession, year: int, category: str) -> NationalQuota | None:
    """The quota's row, locked until the unit of work ends: nominations against it go one at a time."""
    stmt = (
        select(NationalQuota)
        .where(NationalQuota.year == year, NationalQuota.national_category == category)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def used(session: AsyncSession, year: int) -> dict[str, int]:
    stmt = (
        select(NationalNomination.national_category, func.count())
        .where(NationalNomination.year == year, NationalNomination.status == "nominated")
        .group_by(NationalNomination.national_category)
    )
    return {r[0]: int(r[1]) for r in (await session.execute(stmt)).all()}


async def of_year(session: AsyncSession, year: int) -> list[NationalNomination]:
    stmt = (
        select(NationalNomination)
        .where(NationalNomination.year == year)
        .order_by(NationalNomination.national_category, NationalNomination.id)
    )
    return list((await session.execute(stmt)).scalars())


async def by_nomination(session: AsyncSession, nomination_id: int) -> NationalNomination | None:
    stmt = select(NationalNomination).where(NationalNomination.nomination_id == nomination_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(session: AsyncSession, national_id: int, *, for_update: bool = False) -> NationalNomination | None:
    stmt = select(NationalNomination).where(NationalNomination.id == national_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()
