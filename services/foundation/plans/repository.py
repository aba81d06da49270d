"""Every query on funding plans and their categories."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation import access
from services.foundation.plans.models import FundingPlan, PlanCategory
from shared.pagination import SortSpec, paginate
from shared.principal import Principal

SORTS = SortSpec(
    fields={
        "year": FundingPlan.year,
        "opens_at": FundingPlan.opens_at,
        "closes_at": FundingPlan.closes_at,
        "created_at": FundingPlan.created_at,
    },
    id_column=FundingPlan.id,
)


def visible(principal: Principal) -> Select[Any]:
    return select(FundingPlan).where(access.visible_plans(principal))


async def get_visible(
    session: AsyncSession, principal: Principal, plan_id: int, *, for_update: bool = False
) -> FundingPlan | None:
    stmt = visible(principal).where(FundingPlan.id == plan_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(session: AsyncSession, plan_id: int) -> FundingPlan | None:
    return (await session.execute(select(FundingPlan).where(FundingPlan.id == plan_id))).scalar_one_or_none()


async def category(session: AsyncSession, plan_id: int, category_id: int) -> PlanCategory | None:
    stmt = select(PlanCategory).where(PlanCategory.plan_id == plan_id, PlanCategory.id == category_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_category(session: AsyncSession, category_id: int) -> PlanCategory | None:
    return await session.get(PlanCategory, category_id)


async def add(session: AsyncSession, plan: FundingPlan) -> None:
    session.add(plan)


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    year: int | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[FundingPlan], str | None]:
    stmt = visible(principal)
    if year is not None:
        stmt = stmt.where(FundingPlan.year == year)
    if status is not None:
        stmt = stmt.where(FundingPlan.status == status)
    return await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)
