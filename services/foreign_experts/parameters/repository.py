"""Every query on the yearly parameters."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts.parameters.models import YearParameterRow


async def get(session: AsyncSession, year: int, *, for_update: bool = False) -> YearParameterRow | None:
    stmt = select(YearParameterRow).where(YearParameterRow.year == year)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()
