"""The talent notices' own queries (the shared tables' queries are ``shared.notices.repository``)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.notices.models import TABLES, TalentNotice
from shared.notices.models import PENDING


async def pending_objections(
    session: AsyncSession, *, kind: str | None = None, call_id: int | None = None, cycle_id: int | None = None
) -> int:
    """Objections not yet resolved on the notices of a call or a cycle (of one kind, if given)."""
    n, o = TalentNotice, TABLES.objection
    stmt = select(func.count()).select_from(o).join(n, n.id == o.notice_id).where(o.status == PENDING)
    if kind is not None:
        stmt = stmt.where(n.kind == kind)
    if call_id is not None:
        stmt = stmt.where(n.call_id == call_id)
    if cycle_id is not None:
        stmt = stmt.where(n.cycle_id == cycle_id)
    return int((await session.execute(stmt)).scalar_one())
