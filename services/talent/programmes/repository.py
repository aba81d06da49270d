"""Every query on talent programmes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.programmes.models import Programme
from shared.pagination import SortSpec, paginate

SORTS = SortSpec(
    fields={"code": Programme.code, "created_at": Programme.created_at},
    id_column=Programme.id,
    default="code",
)


async def get(session: AsyncSession, programme_id: int, *, for_update: bool = False) -> Programme | None:
    if not for_update:
        return await session.get(Programme, programme_id)
    stmt = select(Programme).where(Programme.id == programme_id).with_for_update()
    return (await session.execute(stmt.execution_options(populate_existing=True))).scalar_one_or_none()


async def by_code(session: AsyncSession, code: str) -> Programme | None:
    return (await session.execute(select(Programme).where(Programme.code == code))).scalar_one_or_none()


async def page(
    session: AsyncSession,
    *,
    level: str | None,
    kind: str | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[Programme], str | None]:
    stmt: Select[Any] = select(Programme)
    if level is not None:
        stmt = stmt.where(Programme.level == level)
    if kind is not None:
        stmt = stmt.where(Programme.kind == kind)
    if status is not None:
        stmt = stmt.where(Programme.status == status)
    return await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)
