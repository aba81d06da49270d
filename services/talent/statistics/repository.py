"""The SELECTs behind the talent statistics: one per source, the columns the groups need."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.applications.models import TalentApplication as A
from services.talent.nominations.models import Nomination as N
from services.talent.programmes.models import Programme as P


async def application_rows(session: AsyncSession, *, year: int | None, programme_id: int | None) -> list[Any]:
    """Every submitted application (drafts never) with its programme."""
    stmt = (
        select(A.status, A.year, A.org_name, A.org_uscc, P.id, P.code, P.name, P.level, P.kind)
        .join(P, P.id == A.programme_id)
        .where(A.submitted_at.is_not(None))
    )
    if year is not None:
        stmt = stmt.where(A.year == year)
    if programme_id is not None:
        stmt = stmt.where(A.programme_id == programme_id)
    return list((await session.execute(stmt)).all())


async def nomination_rows(session: AsyncSession, *, year: int | None, category: str | None) -> list[Any]:
    """Every submitted nomination (drafts never)."""
    stmt = select(N.status, N.year, N.category, N.grade, N.units).where(N.submitted_at.is_not(None))
    if year is not None:
        stmt = stmt.where(N.year == year)
    if category is not None:
        stmt = stmt.where(N.category == category)
    return list((await session.execute(stmt)).all())
