"""Every query on the bureau's register of foreigners and their passports (WP-8)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts.foreigners.models import Foreigner, ForeignerPassport


async def get(session: AsyncSession, foreigner_id: int) -> Foreigner | None:
    return await session.get(Foreigner, foreigner_id)


async def by_permit_number(session: AsyncSession, number: str) -> Foreigner | None:
    """The person holding a lifelong permit number."""
    return (await session.execute(select(Foreigner).where(Foreigner.permit_number == number))).scalar_one_or_none()


async def passport(session: AsyncSession, key: str) -> ForeignerPassport | None:
    stmt = select(ForeignerPassport).where(ForeignerPassport.passport_key == key)
    return (await session.execute(stmt)).scalar_one_or_none()


async def masked_passports(session: AsyncSession, keys: Collection[str]) -> dict[str, str]:
    """The masked passport numbers by passport key."""
    if not keys:
        return {}
    stmt = select(ForeignerPassport.passport_key, ForeignerPassport.passport_masked).where(
        ForeignerPassport.passport_key.in_(keys)
    )
    return {key: masked for key, masked in (await session.execute(stmt)).all()}


async def names(session: AsyncSession, ids: Collection[int]) -> dict[int, str]:
    if not ids:
        return {}
    stmt = select(Foreigner.id, Foreigner.name).where(Foreigner.id.in_(ids))
    return {foreigner_id: name for foreigner_id, name in (await session.execute(stmt)).all()}
