"""Every query on disbursements, annual reports and final reports."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation.funded.models import AnnualReport, Disbursement, FinalReport


async def disbursements(session: AsyncSession, application_id: int) -> list[Disbursement]:
    stmt = select(Disbursement).where(Disbursement.application_id == application_id).order_by(Disbursement.seq)
    return list((await session.execute(stmt)).scalars())


async def add(session: AsyncSession, row: Disbursement | AnnualReport | FinalReport) -> None:
    session.add(row)
    await session.flush()


async def disbursed_total(session: AsyncSession, application_id: int) -> Decimal:
    stmt = select(func.coalesce(func.sum(Disbursement.amount), 0)).where(Disbursement.application_id == application_id)
    return Decimal(str((await session.execute(stmt)).scalar_one()))


async def annual_reports(session: AsyncSession, application_id: int) -> list[AnnualReport]:
    stmt = select(AnnualReport).where(AnnualReport.application_id == application_id).order_by(AnnualReport.year)
    return list((await session.execute(stmt)).scalars())


async def annual_report(
    session: AsyncSession, application_id: int, year: int, *, for_update: bool = False
) -> AnnualReport | None:
    stmt = select(AnnualReport).where(AnnualReport.application_id == application_id, AnnualReport.year == year)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def final_report(session: AsyncSession, application_id: int, *, for_update: bool = False) -> FinalReport | None:
    stmt = select(FinalReport).where(FinalReport.application_id == application_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()
