"""Every query on permit applications and their clock pauses."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts import access
from services.foreign_experts.applications.models import ClockPause, PermitApplication
from shared.pagination import SortSpec, paginate
from shared.principal import Principal

SORTS = SortSpec(
    fields={
        "created_at": PermitApplication.created_at,
        "submitted_at": PermitApplication.submitted_at,
        "decision_due_on": PermitApplication.decision_due_on,
    },
    id_column=PermitApplication.id,
)


def visible(principal: Principal) -> Select[Any]:
    """Every application for officials and auditors; a clerk's own employer's (drafts included)."""
    return select(PermitApplication).where(access.uscc_filter(PermitApplication.employer_uscc, principal))


async def get_visible(
    session: AsyncSession, principal: Principal, application_id: int, *, for_update: bool = False
) -> PermitApplication | None:
    stmt = visible(principal).where(PermitApplication.id == application_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    employer_id: int | None,
    permit_class: str | None,
    due_from: date | None,
    due_until: date | None,
    statuses: frozenset[str] | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[PermitApplication], str | None]:
    stmt = visible(principal)
    if status is not None:
        stmt = stmt.where(PermitApplication.status == status)
    if statuses is not None:
        stmt = stmt.where(PermitApplication.status.in_(statuses))
    if employer_id is not None:
        stmt = stmt.where(PermitApplication.employer_id == employer_id)
    if permit_class is not None:
        stmt = stmt.where(PermitApplication.permit_class == permit_class)
    if due_from is not None:
        stmt = stmt.where(PermitApplication.decision_due_on >= due_from)
    if due_until is not None:
        stmt = stmt.where(PermitApplication.decision_due_on <= due_until)
    return await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)


async def pauses(session: AsyncSession, application_id: int) -> list[ClockPause]:
    stmt = select(ClockPause).where(ClockPause.application_id == application_id).order_by(ClockPause.id)
    return list((await session.execute(stmt)).scalars())


async def open_pause(session: AsyncSession, application_id: int) -> ClockPause | None:
    stmt = select(ClockPause).where(ClockPause.application_id == application_id, ClockPause.ended_on.is_(None))
    return (await session.execute(stmt)).scalar_one_or_none()


async def approved_c_count(session: AsyncSession, year: int) -> int:
    """C-class applications approved (or issued) with a decision in ``year``: the quota's use (WP-2)."""
    stmt = (
        select(func.count())
        .select_from(PermitApplication)
        .where(
            PermitApplication.permit_class == "C",
            PermitApplication.status.in_(("approved", "issued")),
            PermitApplication.decided_on >= date(year, 1, 1),
            PermitApplication.decided_on <= date(year, 12, 31),
        )
    )
    return int((await session.execute(stmt)).scalar_one())
