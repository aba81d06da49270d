"""Every query on employers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts import access
from services.foreign_experts.employers.models import Employer
from shared.pagination import SortSpec, paginate
from shared.principal import Principal

SORTS = SortSpec(
    fields={
        "name": Employer.name,
        "created_at": Employer.created_at,
        "licence_expires_on": Employer.licence_expires_on,
    },
    id_column=Employer.id,
)


def visible(principal: Principal) -> Select[Any]:
    return select(Employer).where(access.uscc_filter(Employer.uscc, principal))


async def get_visible(session: AsyncSession, principal: Principal, employer_id: int) -> Employer | None:
    return (await session.execute(visible(principal).where(Employer.id == employer_id))).scalar_one_or_none()


async def get(session: AsyncSession, employer_id: int, *, for_update: bool = False) -> Employer | None:
    stmt = select(Employer).where(Employer.id == employer_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def by_uscc(session: AsyncSession, uscc: str) -> Employer | None:
    return (await session.execute(select(Employer).where(Employer.uscc == uscc))).scalar_one_or_none()


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    city_code: str | None,
    q: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[Employer], str | None]:
    stmt = visible(principal)
    if status is not None:
        stmt = stmt.where(Employer.status == status)
    if city_code is not None:
        stmt = stmt.where(Employer.city_code == city_code)
    if q:
        stmt = stmt.where(Employer.name.contains(q, autoescape=True))
    return await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)
