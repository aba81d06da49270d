"""The GROUP BY queries behind the permit and processing-time statistics."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts.applications.models import PermitApplication
from services.foreign_experts.permits.models import Permit

# The dimensions permits are counted by.
GROUPS: dict[str, Any] = {
    "class": Permit.permit_class,
    "nationality": Permit.nationality,
    "city": Permit.work_city_code,
    "employer": Permit.employer_id,
    "year": extract("year", Permit.issued_on),
}


def _year(column: Any, year: int) -> Any:
    return column.between(date(year, 1, 1), date(year, 12, 31))


async def permit_counts(
    session: AsyncSession, *, by: str, year: int | None, status: str | None
) -> list[tuple[Any, int]]:
    """(group, count) of the permits issued in ``year`` (every year: None) in ``status`` (any: None)."""
    column = GROUPS[by]
    stmt = select(column, func.count()).group_by(column)
    if year is not None:
        stmt = stmt.where(_year(Permit.issued_on, year))
    if status is not None:
        stmt = stmt.where(Permit.status == status)
    return [(key, int(n)) for key, n in (await session.execute(stmt)).all()]


async def employer_names(session: AsyncSession) -> dict[int, str]:
    """Each employer's name as its newest permit gives it."""
    latest = select(Permit.employer_id, func.max(Permit.id)).group_by(Permit.employer_id).subquery()
    stmt = select(Permit.employer_id, Permit.employer_name).join(latest, Permit.id == latest.c[1])
    return {int(e): n for e, n in (await session.execute(stmt)).all()}


async def processing_days(
    session: AsyncSession, *, year: int, permit_class: str | None, decided: Collection[str]
) -> list[int]:
    """The working days each application decided in ``year`` took (WP-4)."""
    stmt = select(PermitApplication.processing_working_days).where(
        PermitApplication.status.in_(decided),
        PermitApplication.processing_working_days.is_not(None),
        _year(PermitApplication.decided_on, year),
    )
    if permit_class is not None:
        stmt = stmt.where(PermitApplication.permit_class == permit_class)
    return [int(d) for d in (await session.execute(stmt)).scalars() if d is not None]
