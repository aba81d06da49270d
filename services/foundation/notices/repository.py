"""The foundation's own query on notices (the shared tables' queries are ``shared.notices.repository``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation.applications.models import FoundationApplication
from services.foundation.notices.models import NoticeEntry
from shared.notices.models import LISTED


async def to_publish(session: AsyncSession, category_id: int) -> list[FoundationApplication]:
    """The category's approved applications not yet on a notice (a listed entry), in rank order."""
    on_notice = select(NoticeEntry.subject_id).where(NoticeEntry.status == LISTED)
    a = FoundationApplication
    stmt = (
        select(a)
        .where(a.category_id == category_id, a.status == "approved", a.id.not_in(on_notice))
        .order_by(a.rank, a.id)
    )
    return list((await session.execute(stmt)).scalars().all())
