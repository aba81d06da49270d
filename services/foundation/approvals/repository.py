"""Every query on approvals (and the plan, category and application rows they lock)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation.applications.models import FoundationApplication
from services.foundation.approvals.models import CategoryApproval, CategoryApprovalItem
from services.foundation.plans.models import FundingPlan, PlanCategory
from shared.pagination import SortSpec, paginate

APPROVAL_SORTS = SortSpec(
    fields={"created_at": CategoryApproval.created_at}, id_column=CategoryApproval.id, default="id"
)


async def plan(session: AsyncSession, plan_id: int) -> FundingPlan | None:
    return await session.get(FundingPlan, plan_id)


async def category(
    session: AsyncSession, plan_id: int, category_id: int, *, for_update: bool = False
) -> PlanCategory | None:
    """The category of the plan; locked (SELECT ... FOR UPDATE) and read afresh when ``for_update``, so
    approvals in one category are serialised and each sees the totals the previous one committed."""
    stmt = select(PlanCategory).where(PlanCategory.id == category_id, PlanCategory.plan_id == plan_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def ranked(session: AsyncSession, category_id: int) -> list[FoundationApplication]:
    """The category's ranked applications in rank order, locked in id order first (one lock order for
    every approval: no deadlocks)."""
    base = select(FoundationApplication).where(
        FoundationApplication.category_id == category_id, FoundationApplication.status == "ranked"
    )
    locked = list(
        (
            await session.execute(
                base.order_by(FoundationApplication.id).with_for_update().execution_options(populate_existing=True)
            )
        )
        .scalars()
        .all()
    )
    return sorted(locked, key=lambda a: (a.rank is None, a.rank or 0, a.id))


async def applications(
    session: AsyncSession, ids: list[int], *, for_update: bool = False
) -> list[FoundationApplication]:
    stmt = select(FoundationApplication).where(FoundationApplication.id.in_(ids)).order_by(FoundationApplication.id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return list((await session.execute(stmt)).scalars().all())


async def approved_item(session: AsyncSession, application_id: int) -> CategoryApprovalItem | None:
    stmt = select(CategoryApprovalItem).where(
        CategoryApprovalItem.application_id == application_id, CategoryApprovalItem.status == "approved"
    )
    return (await session.execute(stmt)).scalars().first()


async def add(session: AsyncSession, row: Any) -> None:
    session.add(row)
    await session.flush()


async def approvals_page(
    session: AsyncSession, category_id: int, *, limit: int, cursor: str | None, sort: str | None
) -> tuple[list[CategoryApproval], str | None]:
    stmt = select(CategoryApproval).where(CategoryApproval.category_id == category_id)
    return await paginate(session, stmt, APPROVAL_SORTS, limit=limit, cursor=cursor, sort=sort)
