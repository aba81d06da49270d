"""Queries on foundation applications."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation.access import visible_applications
from services.foundation.applications.models import FoundationApplication
from services.foundation.plans.models import FundingPlan
from shared.db import flush_versioned
from shared.pagination import SortSpec, paginate
from shared.principal import Principal


async def get_visible(
    session: AsyncSession, principal: Principal, application_id: int, *, for_update: bool = False
) -> FoundationApplication | None:
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


SORTS = SortSpec(
    fields={"created_at": FoundationApplication.created_at, "updated_at": FoundationApplication.updated_at},
    id_column=FoundationApplication.id,
)


async def add(session: AsyncSession, application: FoundationApplication) -> None:
    session.add(application)
    await flush_versioned(session, "基金申请书")


async def plans_by_id(session: AsyncSession, plan_ids: Iterable[int]) -> dict[int, FundingPlan]:
    ids = sorted(set(plan_ids))
    if not ids:
        return {}
    rows = (await session.execute(select(FundingPlan).where(FundingPlan.id.in_(ids)))).scalars().all()
    return {p.id: p for p in rows}


async def all_plans(session: AsyncSession) -> list[FundingPlan]:
    """Every plan (one a year: few), for the formal-review deadlines."""
    return list((await session.execute(select(FundingPlan).order_by(FundingPlan.id))).scalars().all())


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    plan_id: int | None,
    category_id: int | None,
    status: str | None,
    discipline: str | None,
    only_plans: Collection[int] | None,
    only_statuses: Collection[str] | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[FoundationApplication], str | None]:
    """The caller's visible applications, filtered; ``only_plans``/``only_statuses`` narrow further
    (the formal-review-overdue view)."""
    stmt = visible_applications(principal)
    if plan_id is not None:
        stmt = stmt.where(FoundationApplication.plan_id == plan_id)
    if category_id is not None:
        stmt = stmt.where(FoundationApplication.category_id == category_id)
    if status is not None:
        stmt = stmt.where(FoundationApplication.status == status)
    if discipline is not None:
        # the code is checked against the discipline pattern: letters and digits only, no LIKE wildcards
        stmt = stmt.where(FoundationApplication.discipline_code.startswith(discipline))
    if only_plans is not None:
        stmt = stmt.where(FoundationApplication.plan_id.in_(sorted(only_plans)))
    if only_statuses is not None:
        stmt = stmt.where(FoundationApplication.status.in_(sorted(only_statuses)))
    return await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)


async def lock(session: AsyncSession, application: FoundationApplication) -> None:
    """Lock the row (SELECT ... FOR UPDATE) and refresh the loaded object with what is committed."""
    stmt = (
        select(FoundationApplication)
        .where(FoundationApplication.id == application.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    await session.execute(stmt)


async def lock_applicant_year(session: AsyncSession, application: FoundationApplication) -> None:
    """Lock, in id order, every application of the same applicant (ID number) and year, this one
    included, refreshing them: two submissions of one person's applications then run one after the
    other, so the second asks the ledger after the first is recorded there (NSF-5)."""
    stmt = (
        select(FoundationApplication)
        .where(
            or_(
                FoundationApplication.id == application.id,
                (FoundationApplication.applicant_id_number == application.applicant_id_number)
                & (FoundationApplication.year == application.year),
            )
        )
        .order_by(FoundationApplication.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    await session.execute(stmt)


async def move_many(session: AsyncSession, rows: Sequence[tuple[int, int]], status: str, at: datetime) -> int:
    """Bulk ``UPDATE`` of ``(id, version)`` pairs to ``status`` at version + 1, each only if still at its
    version; returns the rows changed (-1 where the driver cannot count an executemany)."""
    if not rows:
        return 0
    t = cast(Table, FoundationApplication.__table__)
    stmt = (
        update(t)
        .where(t.c.id == bindparam("b_id"), t.c.version == bindparam("b_version"))
        .values(status=status, version=bindparam("b_new_version"), updated_at=at)
    )
    params = [{"b_id": i, "b_version": v, "b_new_version": v + 1} for i, v in rows]
    outcome = await (await session.connection()).execute(stmt, params)
    return int(outcome.rowcount) if outcome.rowcount is not None else -1
