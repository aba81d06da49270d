"""Every query on applications (who may see which: ``access.visible_applications``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import access
from services.projects.applications.models import Application
from shared.pagination import SortSpec, paginate
from shared.principal import Principal

SORTS = SortSpec(
    fields={
        "submitted_at": Application.submitted_at,  # nullable: lists sorted by it leave never-submitted drafts out
        "created_at": Application.created_at,
        "requested_total": Application.requested_total,
    },
    id_column=Application.id,
)


def visible(principal: Principal) -> Select[Any]:
    return select(Application).where(access.visible_applications(principal))


async def get_visible(
    session: AsyncSession, principal: Principal, application_id: int, *, for_update: bool = False
) -> Application | None:
    stmt = visible(principal).where(Application.id == application_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def add(session: AsyncSession, application: Application) -> Application:
    session.add(application)
    await session.flush()
    return application


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    call_id: int | None,
    programme_id: int | None,
    year: int | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[Application], str | None]:
    stmt = visible(principal)
    for column, value in (
        (Application.status, status),
        (Application.call_id, call_id),
        (Application.programme_id, programme_id),
        (Application.year, year),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if sort and sort.lstrip("-") == "submitted_at":
        stmt = stmt.where(Application.submitted_at.is_not(None))
    return await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)
