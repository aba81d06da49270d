"""The projects' own query on notices (the shared tables' queries are ``shared.notices.repository``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.notices.models import PublicNotice


async def of_list(session: AsyncSession, list_id: int) -> PublicNotice | None:
    return (await session.execute(select(PublicNotice).where(PublicNotice.list_id == list_id))).scalar_one_or_none()
