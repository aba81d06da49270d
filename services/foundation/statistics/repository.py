"""The GROUP BY queries behind the foundation's statistics: one query per dimension, never one per group."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Numeric, and_, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation import access
from services.foundation.applications.models import FoundationApplication as A
from services.foundation.funded.models import Disbursement
from services.foundation.plans.models import FundingPlan, PlanCategory
from shared.principal import Principal


@dataclass(frozen=True)
class Row:
    """One group: its key columns, then the figures as the database returned them."""

    key: tuple[Any, ...]
    applications: int
    accepted: int
    approved: int
    funded: int
    requested: Decimal | float | int | None
    approved_amount: Decimal | float | int | None
    disbursed: Decimal | float | int | None


async def plan_visible(session: AsyncSession, principal: Principal, plan_id: int) -> bool:
    stmt = select(FundingPlan.id).where(FundingPlan.id == plan_id, access.plan_filter(FundingPlan.id, principal))
    return (await session.execute(stmt)).first() is not None


class Query:
    """The filters of one statistics request and the figures every dimension's query computes."""

    def __init__(
        self,
        principal: Principal,
        *,
        accepted: Iterable[str],
        approved: Iterable[str],
        funded: Iterable[str],
        year: int | None,
        plan_id: int | None,
    ) -> None:
        # submitted ones only: not a draft, nor a draft withdrawn before it was ever submitted
        conditions: list[ColumnElement[bool]] = [
            A.status != "draft",
            A.submitted_at.is_not(None),
            access.plan_filter(A.plan_id, principal),
        ]
        if year is not None:
            conditions.append(A.year == year)
        if plan_id is not None:
            conditions.append(A.plan_id == plan_id)
        self.where = and_(*conditions)
        self.disbursed = (
            select(Disbursement.application_id, func.sum(Disbursement.amount).label("amount"))
            .group_by(Disbursement.application_id)
            .subquery()
        )
        zero = literal(0, Numeric(16, 2))
        is_approved = A.status.in_(sorted(approved))
        self.figures = (
            func.count(A.id),
            func.count(case((A.status.in_(sorted(accepted)), A.id))),
            func.count(case((is_approved, A.id))),
            func.count(case((A.status.in_(sorted(funded)), A.id))),
            func.coalesce(func.sum(A.requested_total), zero),
            func.coalesce(func.sum(case((is_approved, func.coalesce(A.approved_amount, zero)), else_=zero)), zero),
            func.coalesce(func.sum(self.disbursed.c.amount), zero),
        )

    async def rows(
        self, session: AsyncSession, *keys: Any, labels: tuple[Any, ...] = (), join_category: bool = False
    ) -> list[Row]:
        """The figures grouped by ``keys``; ``labels`` are aggregates shown with each group (a name)."""
        columns = (*keys, *labels)
        stmt = (
            select(*columns, *self.figures)
            .select_from(A)
            .outerjoin(self.disbursed, self.disbursed.c.application_id == A.id)
        )
        if join_category:
            stmt = stmt.join(PlanCategory, PlanCategory.id == A.category_id).join(
                FundingPlan, FundingPlan.id == A.plan_id
            )
        stmt = stmt.where(self.where)
        if keys:
            stmt = stmt.group_by(*keys)
        n = len(columns)
        return [
            Row(tuple(r[:n]), int(r[n]), int(r[n + 1]), int(r[n + 2]), int(r[n + 3]), r[n + 4], r[n + 5], r[n + 6])
            for r in (await session.execute(stmt)).all()
        ]

    async def totals(self, session: AsyncSession) -> Row:
        (row,) = await self.rows(session)
        return row

    async def by_category(self, session: AsyncSession) -> list[Row]:
        """Keys: category id, plan id, plan code, year, category code, kind, name, position."""
        return await self.rows(
            session,
            PlanCategory.id,
            PlanCategory.plan_id,
            FundingPlan.code,
            FundingPlan.year,
            PlanCategory.code,
            PlanCategory.kind,
            PlanCategory.name,
            PlanCategory.position,
            join_category=True,
        )

    async def by_discipline(self, session: AsyncSession, prefix_length: int) -> list[Row]:
        """Key: the first ``prefix_length`` characters of the discipline code."""
        return await self.rows(session, func.substr(A.discipline_code, 1, prefix_length))

    async def by_institution(self, session: AsyncSession) -> list[Row]:
        """Keys: the host institution's USCC and a name it was given."""
        return await self.rows(session, A.institution_uscc, labels=(func.max(A.institution_name),))

    async def by_division(self, session: AsyncSession) -> list[Row]:
        """Key: the administrative division in the institution's USCC (ID-5: its 3rd to 8th characters)."""
        return await self.rows(session, func.substr(A.institution_uscc, 3, 6))

    async def by_year(self, session: AsyncSession) -> list[Row]:
        return await self.rows(session, A.year)
