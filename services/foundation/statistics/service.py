"""Use case of the foundation's statistics (基金统计): applications, funding rates and amounts by
category, discipline, institution, region (ID-5, from the USCC) and year.

The states behind each figure are read off ``APPLICATION_WORKFLOW`` (``shared.workflow.states_from``),
never kept as lists here:

* ``accepted``: past formal review (NSF-1): ``accepted`` and every state reachable from it, less
  ``withdrawn`` (withdrawn before review);
* ``approved``: ``approved`` and onwards, less ``not_approved`` (an approval taken back);
* ``funded``: ``funded`` and onwards (final report, concluded, failed, terminated);
* ``funding_rate`` = funded / accepted, to four places (ROUND_HALF_UP), null when nothing was accepted:
  the share of the applications that met the formal requirements which were funded;
* amounts: requested (every submitted application), approved (the grants ``approved_amount`` of the
  approved ones), disbursed (the disbursements paid).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import IntEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation.rules.workflows import APPLICATION_WORKFLOW
from services.foundation.statistics import repository as repo
from services.foundation.statistics.schemas import (
    CategoryFigures,
    Definitions,
    DisciplineFigures,
    Figures,
    InstitutionFigures,
    RegionFigures,
    StatisticsFilters,
    StatisticsRead,
    YearFigures,
)
from shared.errors import NotFound
from shared.fields import yuan
from shared.principal import Principal
from shared.validators import division_region
from shared.workflow import states_from

ACCEPTED_STATES = states_from(APPLICATION_WORKFLOW, "accepted", excluding=("withdrawn",))
APPROVED_STATES = states_from(APPLICATION_WORKFLOW, "approved", excluding=("not_approved",))
FUNDED_STATES = states_from(APPLICATION_WORKFLOW, "funded")
RATE_PLACES = Decimal("0.0001")


class DisciplinePrefix(IntEnum):
    """The discipline code prefix a group is made of: the section letter (学部, "F") or the first three
    characters (一级学科, "F02")."""

    SECTION = 1
    FIRST_LEVEL = 3


def funding_rate(funded: int, accepted: int) -> Decimal | None:
    if accepted == 0:
        return None
    return (Decimal(funded) / Decimal(accepted)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


@dataclass
class Tally:
    applications: int = 0
    accepted: int = 0
    approved: int = 0
    funded: int = 0
    requested: Decimal = field(default_factory=lambda: Decimal("0.00"))
    approved_amount: Decimal = field(default_factory=lambda: Decimal("0.00"))
    disbursed: Decimal = field(default_factory=lambda: Decimal("0.00"))

    def add(self, row: repo.Row) -> Tally:
        self.applications += row.applications
        self.accepted += row.accepted
        self.approved += row.approved
        self.funded += row.funded
        self.requested += yuan(row.requested)
        self.approved_amount += yuan(row.approved_amount)
        self.disbursed += yuan(row.disbursed)
        return self

    def figures(self) -> dict[str, Any]:
        return {
            "applications": self.applications,
            "accepted": self.accepted,
            "approved": self.approved,
            "funded": self.funded,
            "funding_rate": funding_rate(self.funded, self.accepted),
            "requested_amount": self.requested,
            "approved_amount": self.approved_amount,
            "disbursed_amount": self.disbursed,
        }


def figures(row: repo.Row) -> dict[str, Any]:
    return Tally().add(row).figures()


def fold_regions(rows: Iterable[repo.Row]) -> list[RegionFigures]:
    """Sum the division-code groups into their ID-5 regions, then compute each region's rate."""
    tallies: dict[str, tuple[Any, Tally]] = {}
    for row in rows:
        region = division_region(row.key[0])
        tallies.setdefault(region.code, (region, Tally()))[1].add(row)
    return [
        RegionFigures.model_validate(
            {"region_code": code, "name": region.name, "name_en": region.name_en, **tally.figures()}
        )
        for code, (region, tally) in sorted(tallies.items())
    ]


async def summarise(
    session: AsyncSession, principal: Principal, *, plan_id: int | None, year: int | None, discipline_prefix: int
) -> StatisticsRead:
    if plan_id is not None and not await repo.plan_visible(session, principal, plan_id):
        raise NotFound("资助计划不存在。", "No such funding plan.")
    query = repo.Query(
        principal, accepted=ACCEPTED_STATES, approved=APPROVED_STATES, funded=FUNDED_STATES, year=year, plan_id=plan_id
    )
    totals = await query.totals(session)
    categories = await query.by_category(session)
    categories.sort(key=lambda r: (-r.key[3], r.key[2], r.key[7]))
    disciplines = await query.by_discipline(session, discipline_prefix)
    institutions = await query.by_institution(session)
    years = await query.by_year(session)
    return StatisticsRead(
        filters=StatisticsFilters(plan_id=plan_id, year=year, discipline_prefix=discipline_prefix),
        definitions=Definitions(
            accepted_states=sorted(ACCEPTED_STATES),
            approved_states=sorted(APPROVED_STATES),
            funded_states=sorted(FUNDED_STATES),
        ),
        totals=Figures.model_validate(figures(totals)),
        by_category=[
            CategoryFigures.model_validate(
                {
                    "category_id": r.key[0],
                    "plan_id": r.key[1],
                    "plan_code": r.key[2],
                    "year": r.key[3],
                    "code": r.key[4],
                    "kind": r.key[5],
                    "name": r.key[6],
                    **figures(r),
                }
            )
            for r in categories
        ],
        by_discipline=[
            DisciplineFigures.model_validate({"discipline": r.key[0], **figures(r)})
            for r in sorted(disciplines, key=lambda r: r.key[0])
        ],
        by_institution=[
            InstitutionFigures.model_validate({"uscc": r.key[0], "name": r.key[1], **figures(r)})
            for r in sorted(institutions, key=lambda r: r.key[0])
        ],
        by_region=fold_regions(await query.by_division(session)),
        by_year=[
            YearFigures.model_validate({"year": r.key[0], **figures(r)}) for r in sorted(years, key=lambda r: -r.key[0])
        ],
    )
