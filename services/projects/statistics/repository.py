"""The GROUP BY queries behind the statistics: one query per dimension, never one per group."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Numeric, and_, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from services.projects import access
from services.projects.applications.models import Application
from services.projects.approvals.models import ApprovalItem
from services.projects.programmes.models import Programme
from shared.principal import Principal


@dataclass(frozen=True)
class Row:
    """One group: its key columns, then the four figures as the database returned them."""

    key: tuple[Any, ...]
    applications: int
    requested: Decimal | float | int | None
    approved_applications: int
    approved: Decimal | float | int | None


async def programme_visible(session: AsyncSession, principal: Principal, programme_id: int) -> bool:
    stmt = select(Programme.id).where(Programme.id == programme_id, access.counted_programmes(principal))
    return (await session.execute(stmt)).first() is not None


class Query:
    """The filters of one statistics request, shared by each dimension's query."""

    def __init__(
        self, principal: Principal, approved_states: Iterable[str], *, year: int | None, programme_id: int | None
    ) -> None:
        conditions = [Application.status != "draft", access.counted_applications(principal)]
        if year is not None:
            conditions.append(Application.year == year)
        if programme_id is not None:
            conditions.append(Application.programme_id == programme_id)
        self.where = and_(*conditions)
        approved = Application.status.in_(sorted(approved_states))
        zero = literal(0, Numeric(16, 2))
        # The amount an approval list granted (it may be less than requested); the requested amount
        # only for an application approved without one (none today, but never count it as zero).
        self.granted = (
            select(ApprovalItem.application_id, func.sum(ApprovalItem.amount).label("amount"))
            .where(ApprovalItem.status == "approved", ApprovalItem.decision == "fund")
            .group_by(ApprovalItem.application_id)
            .subquery()
        )
        approved_amount = func.coalesce(self.granted.c.amount, Application.requested_total)
        self.figures = (
            func.count(Application.id),
            func.coalesce(func.sum(Application.requested_total), zero),
            func.count(case((approved, Application.id))),
            func.coalesce(func.sum(case((approved, approved_amount), else_=zero)), zero),
        )

    async def _rows(
        self,
        session: AsyncSession,
        *keys: ColumnElement[Any] | InstrumentedAttribute[Any],
        join_programme: bool = False,
    ) -> list[Row]:
        stmt = (
            select(*keys, *self.figures)
            .select_from(Application)
            .outerjoin(self.granted, self.granted.c.application_id == Application.id)
        )
        if join_programme:
            stmt = stmt.join(Programme, Programme.id == Application.programme_id)
        stmt = stmt.where(self.where)
        if keys:
            stmt = stmt.group_by(*keys)
        result = await session.execute(stmt)
        n = len(keys)
        return [Row(tuple(r[:n]), int(r[n]), r[n + 1], int(r[n + 2]), r[n + 3]) for r in result.all()]

    async def totals(self, session: AsyncSession) -> Row:
        return (await self._rows(session))[0]

    async def by_programme(self, session: AsyncSession) -> list[Row]:
        return await self._rows(
            session, Programme.id, Programme.code, Programme.name, Programme.year, join_programme=True
        )

    async def by_status(self, session: AsyncSession) -> list[Row]:
        return await self._rows(session, Application.status)

    async def by_year(self, session: AsyncSession) -> list[Row]:
        return await self._rows(session, Application.year)

    async def by_division(self, session: AsyncSession) -> list[Row]:
        """Grouped by the 6-digit division code in characters 3-8 of the applicant's USCC (ID-1);
        the service folds the codes into the ID-5 regions."""
        return await self._rows(session, func.substr(Application.applicant_uscc, 3, 6))
