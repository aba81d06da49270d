"""Use case of the talent service's statistics (人才与奖励统计): selections by programme, year,
organisation and city, and awards by category, grade, year, organisation and city (ID-5: the city from
the organisation's USCC).

The states behind each figure are read off the workflows (``shared.workflow.states_from``), never kept
as lists here: ``accepted`` is the formal review's ``accepted`` and every later state; ``selected`` is
``selected`` and onwards (a title ended early or completed still counts as a selection); ``awarded`` is
``awarded`` and onwards. Drafts are never counted. One SELECT per source, grouped here: a province's
year is thousands of rows, not millions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.rules.award_flows import NOMINATION_WORKFLOW
from services.talent.rules.workflows import APPLICATION_WORKFLOW
from services.talent.statistics import repository as repo
from services.talent.statistics import schemas as s
from shared.validators import region_key
from shared.workflow import states_from

ACCEPTED = states_from(APPLICATION_WORKFLOW, "accepted", excluding=("withdrawn",))
SELECTED = states_from(APPLICATION_WORKFLOW, "selected")
NOMINATION_ACCEPTED = states_from(NOMINATION_WORKFLOW, "accepted", excluding=("withdrawn",))
AWARDED = states_from(NOMINATION_WORKFLOW, "awarded")


def city_of(uscc: str | None) -> tuple[str | None, str | None, str | None]:
    """The ID-5 region of a USCC's registering division (characters 3-8); nothing when none was given."""
    return region_key(uscc[2:8]) if uscc else (None, None, None)


def _grouped(
    rows: Iterable[Any], key: Callable[[Any], Hashable], count: Callable[[Any], dict[str, int]]
) -> dict[Hashable, dict[str, int]]:
    groups: dict[Hashable, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        for name, n in count(row).items():
            groups[key(row)][name] += n
    return groups


def _selection(row: Any) -> dict[str, int]:
    return {
        "applications": 1,
        "accepted": int(row.status in ACCEPTED),
        "selected": int(row.status in SELECTED),
        "terminated": int(row.status == "terminated"),
    }


def _award(row: Any) -> dict[str, int]:
    return {"nominations": 1, "accepted": int(row.status in NOMINATION_ACCEPTED), "awarded": int(row.status in AWARDED)}


def _first_unit(row: Any) -> dict[str, Any]:
    units = row.units or []
    return units[0] if units else {}


def _order(key: Hashable) -> tuple[tuple[bool, Any], ...]:
    parts = key if isinstance(key, tuple) else (key,)
    return tuple((part is None, 0 if part is None else part) for part in parts)  # nulls last


def _sorted(groups: dict[Hashable, dict[str, int]]) -> list[tuple[Any, dict[str, int]]]:
    return sorted(groups.items(), key=lambda kv: _order(kv[0]))


async def summarise(
    session: AsyncSession, *, year: int | None, programme_id: int | None, category: str | None
) -> s.StatisticsRead:
    app_rows = await repo.application_rows(session, year=year, programme_id=programme_id)
    nom_rows = await repo.nomination_rows(session, year=year, category=category)

    def total(rows: list[Any], count: Callable[[Any], dict[str, int]], names: tuple[str, ...]) -> dict[str, int]:
        figures = dict.fromkeys(names, 0)
        for row in rows:
            for name, n in count(row).items():
                figures[name] += n
        return figures

    sel_names = ("applications", "accepted", "selected", "terminated")
    award_names = ("nominations", "accepted", "awarded")
    selections = s.Selections(
        total=s.SelectionFigures(**total(app_rows, _selection, sel_names)),
        by_programme=[
            s.ProgrammeSelections(programme_id=k[0], code=k[1], name=k[2], level=k[3], kind=k[4], **v)
            for k, v in _sorted(_grouped(app_rows, lambda r: (r.id, r.code, r.name, r.level, r.kind), _selection))
        ],
        by_year=[s.YearSelections(year=k, **v) for k, v in _sorted(_grouped(app_rows, lambda r: r.year, _selection))],
        by_organisation=[
            s.OrganisationSelections(name=k, **v)
            for k, v in _sorted(_grouped(app_rows, lambda r: r.org_name, _selection))
        ],
        by_city=[
            s.CitySelections(region_code=k[0], name=k[1], name_en=k[2], **v)
            for k, v in _sorted(_grouped(app_rows, lambda r: city_of(r.org_uscc), _selection))
        ],
    )
    awards = s.Awards(
        total=s.AwardFigures(**total(nom_rows, _award, award_names)),
        by_category=[
            s.CategoryAwards(category=k, **v) for k, v in _sorted(_grouped(nom_rows, lambda r: r.category, _award))
        ],
        by_grade=[
            s.GradeAwards(category=k[0], grade=k[1], **v)
            for k, v in _sorted(_grouped(nom_rows, lambda r: (r.category, r.grade), _award))
        ],
        by_year=[s.YearAwards(year=k, **v) for k, v in _sorted(_grouped(nom_rows, lambda r: r.year, _award))],
        by_organisation=[
            s.OrganisationAwards(name=k, **v)
            for k, v in _sorted(_grouped(nom_rows, lambda r: _first_unit(r).get("name") or "", _award))
        ],
        by_city=[
            s.CityAwards(region_code=k[0], name=k[1], name_en=k[2], **v)
            for k, v in _sorted(_grouped(nom_rows, lambda r: city_of(_first_unit(r).get("uscc")), _award))
        ],
    )
    return s.StatisticsRead(
        year=year,
        programme_id=programme_id,
        category=category,
        definitions=s.Definitions(
            accepted_states=sorted(ACCEPTED),
            selected_states=sorted(SELECTED),
            nomination_accepted_states=sorted(NOMINATION_ACCEPTED),
            awarded_states=sorted(AWARDED),
        ),
        selections=selections,
        awards=awards,
    )
