"""Every query on programmes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.projects import access
from services.projects.programmes.models import Programme, ProgrammeAgency
from shared.pagination import SortSpec, paginate
from shared.principal import Principal

SORTS = SortSpec(
    fields={"code": Programme.code, "year": Programme.year, "created_at": Programme.created_at},
    id_column=Programme.id,
)


def visible(principal: Principal) -> Select[Any]:
    return select(Programme).options(selectinload(Programme.agencies)).where(access.visible_programmes(principal))


async def get_visible(session: AsyncSession, principal: Principal, programme_id: int) -> Programme | None:
    stmt = visible(principal).where(Programme.id == programme_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(session: AsyncSession, programme_id: int, *, for_update: bool = False) -> Programme | None:
    stmt = select(Programme).options(selectinload(Programme.agencies)).where(Programme.id == programme_id)
    if for_update:
        stmt = stmt.with_for_update(of=Programme)
    return (await session.execute(stmt)).scalar_one_or_none()


async def code_taken(session: AsyncSession, code: str) -> bool:
    return (await session.execute(select(Programme.id).where(Programme.code == code))).first() is not None


async def is_entrusted(session: AsyncSession, programme_id: int, org_id: int | None) -> bool:
    if org_id is None:
        return False
    stmt = select(ProgrammeAgency.org_id).where(
        ProgrammeAgency.programme_id == programme_id, ProgrammeAgency.org_id == org_id
    )
    return (await session.execute(stmt)).first() is not None


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    year: int | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[Programme], str | None]:
    stmt = visible(principal)
    if year is not None:
        stmt = stmt.where(Programme.year == year)
    if status is not None:
        stmt = stmt.where(Programme.status == status)
    return await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)


def set_agencies(programme: Programme, org_ids: list[int]) -> None:
    keep = {a.org_id: a for a in programme.agencies}
    programme.agencies = [keep.get(o) or ProgrammeAgency(org_id=o) for o in org_ids]
