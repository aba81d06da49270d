"""Use case of the statistics: gather the grouped figures and fold division codes into regions (ID-5).

"Approved" funds are the requested funds of the applications that reached ``approved`` or any state
after it in ``APPLICATION_WORKFLOW`` (contracted, in progress, ... failed at acceptance) other than
``not_approved`` (an approval taken back): the workflow table, not a list kept here, says which.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
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
from shared.fields import yuan
from shared.principal import Principal
from shared.validators import region_key
from shared.workflow import states_from

APPROVED_STATES = states_from(APPLICATION_WORKFLOW, "approved", excluding=("not_approved",))


def figures(row: repo.Row) -> dict[str, Any]:
    return {
        "applications": row.applications,
        "requested": yuan(row.requested),
        "approved_applications": row.approved_applications,
        "approved": yuan(row.approved),
    }


def fold_regions(rows: Iterable[repo.Row]) -> list[RegionFigures]:
    """Sum the division-code groups into their regions."""
    regions: dict[str, dict[str, Any]] = {}
    for row in rows:
        code, name, name_en = region_key(row.key[0])
        into = regions.setdefault(
            code,
            {
                "region_code": code,
                "name": name,
                "name_en": name_en,
                "applications": 0,
                "requested": Decimal(0),
                "approved_applications": 0,
                "approved": Decimal(0),
            },
        )
        for field, value in figures(row).items():
            into[field] += value
    return [RegionFigures.model_validate(regions[c]) for c in sorted(regions)]


async def summarise(
    session: AsyncSession, principal: Principal, *, year: int | None, programme_id: int | None
) -> StatisticsRead:
    if programme_id is not None and not await repo.programme_visible(session, principal, programme_id):
        raise NotFound("计划不存在。", "No such programme.")
    query = repo.Query(principal, APPROVED_STATES, year=year, programme_id=programme_id)
    by_programme = sorted(await query.by_programme(session), key=lambda r: (-r.key[3], r.key[1]))
    return StatisticsRead(
        filters=StatisticsFilters(year=year, programme_id=programme_id),
        approved_states=sorted(APPROVED_STATES),
        totals=Figures.model_validate(figures(await query.totals(session))),
        by_programme=[
            ProgrammeFigures.model_validate(
                {"programme_id": r.key[0], "code": r.key[1], "name": r.key[2], "year": r.key[3], **figures(r)}
            )
            for r in by_programme
        ],
        by_status=[
            StatusFigures.model_validate({"status": r.key[0], **figures(r)})
            for r in sorted(await query.by_status(session), key=lambda r: r.key[0])
        ],
        by_year=[
            YearFigures.model_validate({"year": r.key[0], **figures(r)})
            for r in sorted(await query.by_year(session), key=lambda r: -r.key[0])
        ],
        by_region=fold_regions(await query.by_division(session)),
    )
