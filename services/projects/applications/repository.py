"""Every query on applications, and who may see which (object-level rules in one place)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.applications.models import Application
from services.projects.programmes.repository import entrusted_ids
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


def visibility(principal: Principal) -> ColumnElement[bool]:
    """The owner sees their own, drafts included; the applicant organisation's org_admin, the
    entrusted agency (PRJ-2), officials and auditors see submitted ones; nobody else anything."""
    not_draft = Application.status != "draft"
    seen: list[ColumnElement[bool]] = []
    if principal.has_role("applicant"):
        seen.append(Application.owner == principal.subject)
    if principal.has_role("org_admin") and principal.org_uscc:
        seen.append((Application.applicant_uscc == principal.org_uscc) & not_draft)
    if principal.has_role("agency") and principal.org_id is not None:
        seen.append(Application.programme_id.in_(entrusted_ids(principal.org_id)) & not_draft)
    if principal.has_role("official", "auditor"):
        seen.append(not_draft)
    return or_(*seen) if seen else false()


def visible(principal: Principal) -> Select[Any]:
    return select(Application).where(visibility(principal))


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
