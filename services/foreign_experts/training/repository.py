"""Every query on outbound training applications."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts import access
from services.foreign_experts.training.models import TrainingApplication
from shared.pagination import SortSpec, paginate
from shared.principal import Principal

SORTS = SortSpec(
    fields={
        "created_at": TrainingApplication.created_at,
        "submitted_at": TrainingApplication.submitted_at,
        "starts_on": TrainingApplication.starts_on,
    },
    id_column=TrainingApplication.id,
)


def visible(principal: Principal) -> Select[Any]:
    """Every application for officials and auditors; a unit's clerks see their own unit's."""
    return select(TrainingApplication).where(access.uscc_filter(TrainingApplication.unit_uscc, principal))


async def get_visible(
    session: AsyncSession, principal: Principal, application_id: int, *, for_update: bool = False
) -> TrainingApplication | None:
    stmt = visible(principal).where(TrainingApplication.id == application_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    call_id: int | None,
    destination: str | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[TrainingApplication], str | None]:
    stmt = visible(principal)
    if call_id is not None:
        stmt = stmt.where(TrainingApplication.call_id == call_id)
    if destination is not None:
        stmt = stmt.where(TrainingApplication.destination == destination)
    if status is not None:
        stmt = stmt.where(TrainingApplication.status == status)
    return await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)
