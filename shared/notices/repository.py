"""Every query of public notices, their entries and objections."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.notices.models import PENDING, EntryColumns, NoticeColumns, NoticeTables, ObjectionColumns
from shared.pagination import SortSpec, equal_to, paginate


def notice_sorts(t: NoticeTables) -> SortSpec:
    return SortSpec(fields={"starts_at": t.notice.starts_at, "closes_at": t.notice.closes_at}, id_column=t.notice.id)


def objection_sorts(t: NoticeTables) -> SortSpec:
    return SortSpec(fields={"submitted_at": t.objection.submitted_at}, id_column=t.objection.id, default="id")


class NoticeRepository:
    def __init__(self, session: AsyncSession, tables: NoticeTables) -> None:
        self.session = session
        self.t = tables
        self.notice_sorts = notice_sorts(tables)
        self.objection_sorts = objection_sorts(tables)

    async def notice(
        self, notice_id: int, *, where: ColumnElement[bool] | None = None, for_update: bool = False
    ) -> NoticeColumns | None:
        stmt = select(self.t.notice).where(self.t.notice.id == notice_id)
        if where is not None:
            stmt = stmt.where(where)
        if for_update:
            stmt = stmt.with_for_update(of=self.t.notice).execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def page(
        self,
        where: ColumnElement[bool],
        filters: dict[str, Any],
        *,
        status: str | None,
        limit: int,
        cursor: str | None,
        sort: str | None,
    ) -> tuple[list[Any], str | None]:
        stmt = equal_to(select(self.t.notice).where(where), self.t.notice, {**filters, "status": status})
        return await paginate(self.session, stmt, self.notice_sorts, limit=limit, cursor=cursor, sort=sort)

    async def add(self, row: Any) -> None:
        self.session.add(row)
        await self.session.flush()

    async def entry_of(self, subject_id: int) -> tuple[EntryColumns, NoticeColumns] | None:
        """The record's latest entry on a notice, and that notice."""
        e, n = self.t.entry, self.t.notice
        stmt = (
            select(e, n).join(n, n.id == e.notice_id).where(e.subject_id == subject_id).order_by(e.id.desc()).limit(1)
        )
        row = (await self.session.execute(stmt)).first()
        return (row[0], row[1]) if row else None

    async def objection(self, objection_id: int, *, for_update: bool = False) -> ObjectionColumns | None:
        stmt = select(self.t.objection).where(self.t.objection.id == objection_id)
        if for_update:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def unresolved(self, notice_id: int) -> list[int]:
        o = self.t.objection
        stmt = select(o.id).where(o.notice_id == notice_id, o.status == PENDING).order_by(o.id)
        return list((await self.session.execute(stmt)).scalars().all())

    async def objections_page(
        self, notice_id: int, *, status: str | None, limit: int, cursor: str | None, sort: str | None
    ) -> tuple[list[ObjectionColumns], str | None]:
        stmt = select(self.t.objection).where(self.t.objection.notice_id == notice_id)
        if status is not None:
            stmt = stmt.where(self.t.objection.status == status)
        return await paginate(self.session, stmt, self.objection_sorts, limit=limit, cursor=cursor, sort=sort)
