"""Every query on the nominators' register."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.nominators.models import Nominator
from shared.pagination import SortSpec, paginate

SORTS = SortSpec(fields={"created_at": Nominator.created_at}, id_column=Nominator.id, default="-created_at")


async def get(session: AsyncSession, nominator_id: int, *, for_update: bool = False) -> Nominator | None:
    if not for_update:
        return await session.get(Nominator, nominator_id)
    stmt = select(Nominator).where(Nominator.id == nominator_id).with_for_update()
    return (await session.execute(stmt.execution_options(populate_existing=True))).scalar_one_or_none()


async def by_account(session: AsyncSession, account: str) -> Nominator | None:
    return (await session.execute(select(Nominator).where(Nominator.account == account))).scalar_one_or_none()


async def page(
    session: AsyncSession, *, kind: str | None, active: bool | None, limit: int, cursor: str | None, sort: str | None
) -> tuple[list[Nominator], str | None]:
    stmt: Select[Any] = select(Nominator)
    if kind is not None:
        stmt = stmt.where(Nominator.kind == kind)
    if active is not None:
        stmt = stmt.where(Nominator.active == active)
    return await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)
