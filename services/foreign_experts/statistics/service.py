"""Statistics of permits (by class, nationality, city, employer and year) and of the processing time in
working days (WP-4), for officials and auditors."""

from __future__ import annotations

import math

from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts.nationality import nationality_label
from services.foreign_experts.rules.labels import PERMIT_CLASSES, label
from services.foreign_experts.statistics import repository as repo
from services.foreign_experts.statistics.schemas import CountRow, PermitStatistics, ProcessingStatistics
from shared.schemas import Label
from shared.validators import JILIN_REGIONS

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
    rows = [
        (str(int(k)) if by in ("year", "employer") else str(k), n)
        for k, n in await repo.permit_counts(session, by=by, year=year, status=status)
    ]
    names: dict[str, str] = {}
    if by == "employer" and rows:
        names = {str(e): n for e, n in (await repo.employer_names(session)).items()}
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
    days = await repo.processing_days(session, year=year, permit_class=permit_class, decided=DECIDED)
    mean = round(sum(days) / len(days), 2) if days else None
    return ProcessingStatistics(
        year=year,
        permit_class=permit_class,
        decided=len(days),
        mean_working_days=mean,
        p90_working_days=percentile(days, 90),
        max_working_days=max(days, default=None),
    )
