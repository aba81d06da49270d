"""Use case of the statistics: gather the grouped figures and fold division codes into regions (ID-5).

"Approved" funds are the requested funds of the applications that reached ``approved`` or any state
after it in ``APPLICATION_WORKFLOW`` (contracted, in progress, ... failed at acceptance) other than
``not_approved`` (an approval taken back): the workflow table, not a list kept here, says which.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.rules.workflows import APPLICATION_WORKFLOW
from services.projects.statistics import repository as repo
from services.projects.statistics.schemas import (
    Figures,
    ProgrammeFigures,
    RegionFigures,
    StatisticsFilters,
    StatisticsRead,
    StatusFigures,
    YearFigures,
)
from shared.errors import NotFound
from shared.principal import Principal
from shared.validators import JILIN_REGIONS
from shared.workflow import Workflow

CENT = Decimal("0.01")


def states_from(workflow: Workflow, start: str, *, excluding: Iterable[str] = ()) -> frozenset[str]:
    """``start`` and every state reachable from it through the workflow's transitions without
    passing through a state of ``excluding``."""
    seen = {start}
    barred = frozenset(excluding)
    frontier = [start]
    while frontier:
        state = frontier.pop()
        for t in workflow.transitions:
            if state in t.sources and t.target not in seen and t.target not in barred:
                seen.add(t.target)
                frontier.append(t.target)
    return frozenset(seen)


APPROVED_STATES = states_from(APPLICATION_WORKFLOW, "approved", excluding=("not_approved",))


def region_key(division_code: str | None) -> tuple[str, str | None, str | None]:
    """ID-5: the longest prefix of the division code in the region table (2201 长春市 ... 22 吉林省),
    else the 2-digit province code with no name."""
    code = division_code or ""
    for prefix in (code[:4], code[:2]):
        if len(prefix) in (2, 4) and prefix in JILIN_REGIONS:
            name, name_en = JILIN_REGIONS[prefix]
            return prefix, name, name_en
    return code[:2], None, None


def yuan(value: Decimal | float | int | None) -> Decimal:
    # SQLite sums NUMERIC as a float; rounding to the fen gives back the exact yuan amount.
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def figures(row: repo.Row) -> dict[str, Any]:
    return {"applications": row.applications, "requested": yuan(row.requested),
            "approved_applications": row.approved_applications, "approved": yuan(row.approved)}


def fold_regions(rows: Iterable[repo.Row]) -> list[RegionFigures]:
    """Sum the division-code groups into their regions."""
    regions: dict[str, dict[str, Any]] = {}
    for row in rows:
        code, name, name_en = region_key(row.key[0])
        into = regions.setdefault(code, {"region_code": code, "name": name, "name_en": name_en, "applications": 0,
                                         "requested": Decimal(0), "approved_applications": 0,
                                         "approved": Decimal(0)})
        for field, value in figures(row).items():
            into[field] += value
    return [RegionFigures.model_validate(regions[c]) for c in sorted(regions)]


async def summarise(session: AsyncSession, principal: Principal, *, year: int | None,
                    programme_id: int | None) -> StatisticsRead:
    if programme_id is not None and not await repo.programme_visible(session, principal, programme_id):
        raise NotFound("计划不存在。", "No such programme.")
    query = repo.Query(principal, APPROVED_STATES, year=year, programme_id=programme_id)
    by_programme = sorted(await query.by_programme(session), key=lambda r: (-r.key[3], r.key[1]))
    return StatisticsRead(
        filters=StatisticsFilters(year=year, programme_id=programme_id),
        approved_states=sorted(APPROVED_STATES),
        totals=Figures.model_validate(figures(await query.totals(session))),
        by_programme=[ProgrammeFigures.model_validate({"programme_id": r.key[0], "code": r.key[1], "name": r.key[2],
                                                       "year": r.key[3], **figures(r)}) for r in by_programme],
        by_status=[StatusFigures.model_validate({"status": r.key[0], **figures(r)})
                   for r in sorted(await query.by_status(session), key=lambda r: r.key[0])],
        by_year=[YearFigures.model_validate({"year": r.key[0], **figures(r)})
                 for r in sorted(await query.by_year(session), key=lambda r: -r.key[0])],
        by_region=fold_regions(await query.by_division(session)),
    )
