"""Statistics of permits (by class, nationality, city, employer and year) and of the processing time in
working days (WP-4), for officials and auditors."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from sqlalchemy import extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts.applications.models import PermitApplication
from services.foreign_experts.nationality import nationality_label
from services.foreign_experts.permits.models import Permit
from services.foreign_experts.rules.labels import PERMIT_CLASSES, label
from services.foreign_experts.statistics.schemas import CountRow, PermitStatistics, ProcessingStatistics
from shared.schemas import Label
from shared.validators import JILIN_REGIONS

GROUPS: dict[str, Any] = {
    "class": Permit.permit_class,
    "nationality": Permit.nationality,
    "city": Permit.work_city_code,
    "employer": Permit.employer_id,
    "year": extract("year", Permit.issued_on),
}
DECIDED = ("approved", "issued", "refused")


def _label(by: str, key: str, names: dict[str, str]) -> Label:
    if by == "class":
        return label(PERMIT_CLASSES, key)
    if by == "nationality":
        return nationality_label(key)
    if by == "city":
        zh, en = JILIN_REGIONS.get(key, (key, key))
        return Label(zh=zh, en=en)
    if by == "employer":
        return Label(zh=names.get(key, key), en=names.get(key, key))
    return Label(zh=f"{key}年", en=key)


async def permits(session: AsyncSession, *, by: str, year: int | None, status: str | None) -> PermitStatistics:
    column = GROUPS[by]
    stmt = select(column, func.count()).group_by(column)
    if year is not None:
        stmt = stmt.where(Permit.issued_on >= date(year, 1, 1), Permit.issued_on <= date(year, 12, 31))
    if status is not None:
        stmt = stmt.where(Permit.status == status)
    rows = [
        (str(int(k)) if by in ("year", "employer") else str(k), int(n)) for k, n in (await session.execute(stmt)).all()
    ]
    names: dict[str, str] = {}
    if by == "employer" and rows:
        latest = select(Permit.employer_id, func.max(Permit.id)).group_by(Permit.employer_id).subquery()
        found = await session.execute(
            select(Permit.employer_id, Permit.employer_name).join(latest, Permit.id == latest.c[1])
        )
        names = {str(e): n for e, n in found.all()}
    items = sorted(
        (CountRow(key=k, label=_label(by, k, names), count=n) for k, n in rows), key=lambda r: (-r.count, r.key)
    )
    return PermitStatistics(by=by, year=year, status=status, total=sum(r.count for r in items), items=items)


def percentile(values: list[int], p: float) -> float | None:
    """The nearest-rank percentile (the smallest value with at least p % of the values at or below it)."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[max(math.ceil(p / 100 * len(ordered)), 1) - 1])


async def processing(session: AsyncSession, *, year: int, permit_class: str | None) -> ProcessingStatistics:
    stmt = select(PermitApplication.processing_working_days).where(
        PermitApplication.status.in_(DECIDED),
        PermitApplication.processing_working_days.is_not(None),
        PermitApplication.decided_on >= date(year, 1, 1),
        PermitApplication.decided_on <= date(year, 12, 31),
    )
    if permit_class is not None:
        stmt = stmt.where(PermitApplication.permit_class == permit_class)
    days = [int(d) for d in (await session.execute(stmt)).scalars() if d is not None]
    mean = round(sum(days) / len(days), 2) if days else None
    return ProcessingStatistics(
        year=year,
        permit_class=permit_class,
        decided=len(days),
        mean_working_days=mean,
        p90_working_days=percentile(days, 90),
        max_working_days=max(days, default=None),
    )
