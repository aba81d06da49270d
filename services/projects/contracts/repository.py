"""Every query on contracts (任务书)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.projects import access
from services.projects.contracts.models import Contract
from shared.pagination import SortSpec, paginate
from shared.principal import Principal

SORTS = SortSpec(fields={"created_at": Contract.created_at, "starts_on": Contract.starts_on}, id_column=Contract.id)


def visible(principal: Principal) -> Select[Any]:
    return (
        select(Contract)
        .options(selectinload(Contract.milestones), selectinload(Contract.tranches))
        .where(access.visible_contracts(principal))
    )


async def get_visible(
    session: AsyncSession, principal: Principal, contract_id: int, *, for_update: bool = False
) -> Contract | None:
    stmt = visible(principal).where(Contract.id == contract_id)
    if for_update:
        stmt = stmt.with_for_update(of=Contract)
    return (await session.execute(stmt)).scalar_one_or_none()


async def exists_for(session: AsyncSession, application_id: int) -> bool:
    stmt = select(Contract.id).where(Contract.application_id == application_id)
    return (await session.execute(stmt)).first() is not None


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    programme_id: int | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[Contract], str | None]:
    stmt = visible(principal)
    if status is not None:
        stmt = stmt.where(Contract.status == status)
    if programme_id is not None:
        stmt = stmt.where(Contract.programme_id == programme_id)
    return await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)


async def add(session: AsyncSession, contract: Contract) -> None:
    session.add(contract)
    await session.flush()
