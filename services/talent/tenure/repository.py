"""Every query on tenures, tranches and assessments."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.tenure.models import Assessment, Tenure, Tranche


async def tenure_of(session: AsyncSession, application_id: int, *, for_update: bool = False) -> Tenure | None:
    stmt = select(Tenure).where(Tenure.application_id == application_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def tranches(session: AsyncSession, application_id: int, *, for_update: bool = False) -> list[Tranche]:
    stmt = select(Tranche).where(Tranche.application_id == application_id).order_by(Tranche.number)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return list((await session.execute(stmt)).scalars())


async def assessments(session: AsyncSession, application_id: int) -> list[Assessment]:
    stmt = select(Assessment).where(Assessment.application_id == application_id)
    return list((await session.execute(stmt.order_by(Assessment.year_no, Assessment.id))).scalars())


async def assessment(
    session: AsyncSession, application_id: int, assessment_id: int, *, for_update: bool = False
) -> Assessment | None:
    stmt = select(Assessment).where(Assessment.application_id == application_id, Assessment.id == assessment_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()
