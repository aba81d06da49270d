"""Every query on proposal lists and their items."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.projects import access
from services.projects.applications.models import Application
from services.projects.approvals.models import ApprovalItem, ApprovalList
from shared.pagination import SortSpec, paginate
from shared.principal import Principal

SORTS = SortSpec(fields={"created_at": ApprovalList.created_at}, id_column=ApprovalList.id)


def visible(principal: Principal) -> Select[Any]:
    return (
        select(ApprovalList).options(selectinload(ApprovalList.items)).where(access.visible_approval_lists(principal))
    )


async def get_visible(
    session: AsyncSession, principal: Principal, list_id: int, *, for_update: bool = False
) -> ApprovalList | None:
    stmt = visible(principal).where(ApprovalList.id == list_id)
    if for_update:
        stmt = stmt.with_for_update(of=ApprovalList)
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(session: AsyncSession, list_id: int) -> ApprovalList | None:
    stmt = select(ApprovalList).options(selectinload(ApprovalList.items)).where(ApprovalList.id == list_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    programme_id: int | None,
    call_id: int | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[ApprovalList], str | None]:
    stmt = visible(principal)
    for column, value in (
        (ApprovalList.programme_id, programme_id),
        (ApprovalList.call_id, call_id),
        (ApprovalList.status, status),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    return await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)


async def approved_total(session: AsyncSession, programme_id: int) -> Decimal:
    """The amount approved in a programme and not released: read after the programme's row lock."""
    stmt = select(func.coalesce(func.sum(ApprovalItem.amount), 0)).where(
        ApprovalItem.programme_id == programme_id, ApprovalItem.status == "approved"
    )
    return Decimal(str((await session.execute(stmt)).scalar_one())).quantize(Decimal("0.01"))


async def pending_items(session: AsyncSession, application_ids: list[int]) -> list[ApprovalItem]:
    """Items of these applications on a list still awaiting the official."""
    stmt = select(ApprovalItem).where(
        ApprovalItem.application_id.in_(application_ids), ApprovalItem.status == "proposed"
    )
    return list((await session.execute(stmt)).scalars().all())


async def approved_item(session: AsyncSession, application_id: int) -> ApprovalItem | None:
    stmt = select(ApprovalItem).where(ApprovalItem.application_id == application_id, ApprovalItem.status == "approved")
    return (await session.execute(stmt)).scalars().first()


async def applications(session: AsyncSession, ids: list[int], *, for_update: bool = False) -> list[Application]:
    """The applications by id, in id order (one lock order for every approval: no deadlocks)."""
    stmt = select(Application).where(Application.id.in_(ids)).order_by(Application.id)
    if for_update:
        stmt = stmt.with_for_update()
    return list((await session.execute(stmt)).scalars().all())


async def add(session: AsyncSession, approval_list: ApprovalList) -> None:
    session.add(approval_list)
    await session.flush()
