"""Every query on public notices, their entries and objections."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.projects.notices.models import NoticeEntry, NoticeObjection, PublicNotice
from services.projects.programmes.repository import entrusted_ids
from shared.pagination import SortSpec, paginate
from shared.principal import Principal

SORTS = SortSpec(
    fields={"starts_at": PublicNotice.starts_at, "closes_at": PublicNotice.closes_at}, id_column=PublicNotice.id
)
OBJECTION_SORTS = SortSpec(
    fields={"submitted_at": NoticeObjection.submitted_at}, id_column=NoticeObjection.id, default="id"
)


def staff_sees_all(principal: Principal) -> bool:
    return principal.has_role("official", "auditor")


def visible(principal: Principal) -> Select[Any]:
    """Open notices are public; officials and auditors see every notice, an agency also the
    concluded ones of programmes entrusted to it."""
    stmt = select(PublicNotice).options(selectinload(PublicNotice.entries))
    if staff_sees_all(principal):
        return stmt
    if principal.has_role("agency") and principal.org_id is not None:
        return stmt.where(
            (PublicNotice.status == "open") | PublicNotice.programme_id.in_(entrusted_ids(principal.org_id))
        )
    return stmt.where(PublicNotice.status == "open")


async def get_visible(
    session: AsyncSession, principal: Principal, notice_id: int, *, for_update: bool = False
) -> PublicNotice | None:
    stmt = visible(principal).where(PublicNotice.id == notice_id)
    if for_update:
        stmt = stmt.with_for_update(of=PublicNotice)
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(session: AsyncSession, notice_id: int, *, for_update: bool = False) -> PublicNotice | None:
    stmt = select(PublicNotice).options(selectinload(PublicNotice.entries)).where(PublicNotice.id == notice_id)
    if for_update:
        stmt = stmt.with_for_update(of=PublicNotice)
    return (await session.execute(stmt)).scalar_one_or_none()


async def of_list(session: AsyncSession, list_id: int) -> PublicNotice | None:
    return (await session.execute(select(PublicNotice).where(PublicNotice.list_id == list_id))).scalar_one_or_none()


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    programme_id: int | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[PublicNotice], str | None]:
    stmt = visible(principal)
    if status is not None:
        stmt = stmt.where(PublicNotice.status == status)
    if programme_id is not None:
        stmt = stmt.where(PublicNotice.programme_id == programme_id)
    return await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)


async def entry_of(session: AsyncSession, application_id: int) -> tuple[NoticeEntry, PublicNotice] | None:
    """The application's entry on a notice and that notice (an approved application is on at most one)."""
    stmt = (
        select(NoticeEntry, PublicNotice)
        .join(PublicNotice, PublicNotice.id == NoticeEntry.notice_id)
        .where(NoticeEntry.application_id == application_id)
        .order_by(NoticeEntry.id.desc())
        .limit(1)
    )
    row = (await session.execute(stmt)).first()
    return (row[0], row[1]) if row else None


async def add(session: AsyncSession, row: Any) -> None:
    session.add(row)
    await session.flush()


async def objection(session: AsyncSession, objection_id: int, *, for_update: bool = False) -> NoticeObjection | None:
    stmt = select(NoticeObjection).where(NoticeObjection.id == objection_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def unresolved(session: AsyncSession, notice_id: int) -> list[int]:
    stmt = (
        select(NoticeObjection.id)
        .where(NoticeObjection.notice_id == notice_id, NoticeObjection.status == "pending")
        .order_by(NoticeObjection.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def objections_page(
    session: AsyncSession, notice_id: int, *, status: str | None, limit: int, cursor: str | None, sort: str | None
) -> tuple[list[NoticeObjection], str | None]:
    stmt = select(NoticeObjection).where(NoticeObjection.notice_id == notice_id)
    if status is not None:
        stmt = stmt.where(NoticeObjection.status == status)
    return await paginate(session, stmt, OBJECTION_SORTS, limit=limit, cursor=cursor, sort=sort)
