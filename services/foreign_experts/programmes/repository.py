"""Every query on programme applications and their review opinions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts import access
from services.foreign_experts.programmes.models import ProgrammeApplication, ProgrammeReview
from shared.pagination import SortSpec, paginate
from shared.principal import Principal

SORTS = SortSpec(
    fields={
        "created_at": ProgrammeApplication.created_at,
        "submitted_at": ProgrammeApplication.submitted_at,
        "requested_amount": ProgrammeApplication.requested_amount,
    },
    id_column=ProgrammeApplication.id,
)


def visible(principal: Principal) -> Select[Any]:
    """Every application for officials and auditors; a clerk's own employer's."""
    return select(ProgrammeApplication).where(access.uscc_filter(ProgrammeApplication.employer_uscc, principal))


async def get_visible(
    session: AsyncSession, principal: Principal, application_id: int, *, for_update: bool = False
) -> ProgrammeApplication | None:
    stmt = visible(principal).where(ProgrammeApplication.id == application_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    call_id: int | None,
    employer_id: int | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[ProgrammeApplication], str | None]:
    stmt = visible(principal)
    if call_id is not None:
        stmt = stmt.where(ProgrammeApplication.call_id == call_id)
    if employer_id is not None:
        stmt = stmt.where(ProgrammeApplication.employer_id == employer_id)
    if status is not None:
        stmt = stmt.where(ProgrammeApplication.status == status)
    return await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)


async def reviews(session: AsyncSession, application_id: int) -> list[ProgrammeReview]:
    stmt = select(ProgrammeReview).where(ProgrammeReview.application_id == application_id).order_by(ProgrammeReview.id)
    return list((await session.execute(stmt)).scalars())


async def review_stats(session: AsyncSession, application_id: int) -> tuple[int, float | None]:
    stmt = select(func.count(), func.avg(ProgrammeReview.score)).where(ProgrammeReview.application_id == application_id)
    count, mean = (await session.execute(stmt)).one()
    return int(count), None if mean is None else round(float(mean), 2)


async def review_by(session: AsyncSession, application_id: int, reviewer_name: str) -> ProgrammeReview | None:
    stmt = select(ProgrammeReview).where(
        ProgrammeReview.application_id == application_id, ProgrammeReview.reviewer_name == reviewer_name
    )
    return (await session.execute(stmt)).scalar_one_or_none()
