"""Every query on permits, their yearly serials (WP-8), their changes and the verification log (WP-9)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts import access
from services.foreign_experts.permits.models import Permit, PermitChange, PermitSerial, Verification
from shared.pagination import SortSpec, equal_to, paginate
from shared.principal import Principal

SORTS = SortSpec(fields={"issued_on": Permit.issued_on, "valid_until": Permit.valid_until}, id_column=Permit.id)


def visible(principal: Principal) -> Select[Any]:
    """Every permit for officials and auditors; a clerk's own employer's."""
    return select(Permit).where(access.uscc_filter(Permit.employer_uscc, principal))


async def get_visible(
    session: AsyncSession, principal: Principal, permit_id: int, *, for_update: bool = False
) -> Permit | None:
    stmt = visible(principal).where(Permit.id == permit_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_locked(session: AsyncSession, permit_id: int) -> Permit:
    return (await session.execute(select(Permit).where(Permit.id == permit_id).with_for_update())).scalar_one()


async def valid_of(session: AsyncSession, foreigner_id: int) -> list[Permit]:
    """A person's valid permits, locked: a new one supersedes them."""
    stmt = select(Permit).where(Permit.foreigner_id == foreigner_id, Permit.status == "valid").with_for_update()
    return list((await session.execute(stmt)).scalars().all())


async def latest_by_number(session: AsyncSession, number: str) -> Permit | None:
    """The newest permit under a lifelong number."""
    stmt = select(Permit).where(Permit.number == number).order_by(Permit.id.desc()).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    permit_class: str | None,
    number: str | None,
    employer_id: int | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[Permit], str | None]:
    filters = {"status": status, "permit_class": permit_class, "number": number, "employer_id": employer_id}
    stmt = equal_to(visible(principal), Permit, filters)
    return await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)


async def serial(session: AsyncSession, year: int, *, refresh: bool = False) -> PermitSerial | None:
    """The year's serial row, locked; ``refresh``: as stored now, not as the session last read it."""
    stmt = select(PermitSerial).where(PermitSerial.year == year).with_for_update()
    if refresh:
        stmt = stmt.execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def verifications(session: AsyncSession, *, permit_id: int | None, limit: int) -> list[Verification]:
    stmt = select(Verification).order_by(Verification.id.desc()).limit(limit)
    if permit_id is not None:
        stmt = stmt.where(Verification.permit_id == permit_id)
    return list((await session.execute(stmt)).scalars())


async def pending_change_id(session: AsyncSession, permit_id: int) -> int | None:
    """The permit's change awaiting decision, if any."""
    stmt = select(PermitChange.id).where(PermitChange.permit_id == permit_id, PermitChange.status == "submitted")
    return (await session.execute(stmt)).scalars().first()


async def get_change_visible(session: AsyncSession, principal: Principal, change_id: int) -> PermitChange | None:
    """A change of the caller's employer (any, for officials and auditors), locked."""
    stmt = (
        select(PermitChange)
        .where(PermitChange.id == change_id, access.uscc_filter(PermitChange.employer_uscc, principal))
        .with_for_update()
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def changes(session: AsyncSession, permit_id: int) -> list[PermitChange]:
    stmt = select(PermitChange).where(PermitChange.permit_id == permit_id).order_by(PermitChange.id)
    return list((await session.execute(stmt)).scalars())
