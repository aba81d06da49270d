"""Queries on foundation applications."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation.access import visible_applications
from services.foundation.applications.models import FoundationApplication
from services.foundation.plans.models import FundingPlan
from shared.principal import Principal


async def get_visible(session: AsyncSession, principal: Principal, application_id: int, *,
                      for_update: bool = False) -> FoundationApplication | None:
    stmt = visible_applications(principal).where(FoundationApplication.id == application_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(session: AsyncSession, application_id: int, *, for_update: bool = False) -> FoundationApplication | None:
    stmt = select(FoundationApplication).where(FoundationApplication.id == application_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def plan_of(session: AsyncSession, application: FoundationApplication) -> FundingPlan:
    plan = await session.get(FundingPlan, application.plan_id)
    assert plan is not None  # foreign key
    return plan
