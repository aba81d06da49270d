"""The figures of a year (WP-1, WP-2, WP-5 ... configurable as data): the stored row, or the documented
defaults while no official has set the year. Never commits: the request's unit of work does."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts.db import common
from services.foreign_experts.parameters import repository as repo
from services.foreign_experts.parameters.models import YearParameterRow
from services.foreign_experts.parameters.schemas import ParametersRead, ParametersUpdate
from services.foreign_experts.rules.parameters import YearParameters, default_parameters
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.principal import Principal

KIND = "year_parameters"


async def get_parameters(session: AsyncSession, year: int) -> YearParameters:
    row = await repo.get(session, year)
    return default_parameters(year) if row is None else YearParameters.from_mapping(row.data, year=year)


async def lock_year(session: AsyncSession, year: int) -> None:
    """Serialise the decisions that count against the year's figures (the C quota): the year's row is
    created with the defaults if need be, then locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite
    serialises writers anyway)."""
    if await repo.get(session, year, for_update=True) is not None:
        return
    try:
        async with session.begin_nested():
            session.add(YearParameterRow(year=year, data={}, source=None, version=1, updated_by="system"))
    except IntegrityError:  # another decision created it first
        pass
    await repo.get(session, year, for_update=True)


def to_read(year: int, row: YearParameterRow | None) -> ParametersRead:
    params = default_parameters(year) if row is None else YearParameters.from_mapping(row.data, year=year)
    figures = params.to_mapping()
    figures.pop("year")
    return ParametersRead(
        year=year,
        figures=figures,
        a_salary_threshold=params.a_salary_threshold,
        b_salary_threshold=params.b_salary_threshold,
        source=row.source if row else None,
        defaults=row is None or not row.data,
        version=row.version if row else 0,
        updated_at=row.updated_at if row else None,
    )


async def read(session: AsyncSession, year: int) -> tuple[ParametersRead, YearParameterRow | None]:
    row = await repo.get(session, year)
    return to_read(year, row), row


async def put(
    session: AsyncSession, principal: Principal, year: int, body: ParametersUpdate, if_match: str | None
) -> YearParameterRow:
    """Replace the year's figures (those not given take their defaults), checked as a whole first."""
    data: dict[str, Any] = dict(body.figures)
    YearParameters.from_mapping(data, year=year)  # refuses unknown keys and inconsistent figures
    row = await repo.get(session, year, for_update=True)
    if row is None:
        row = YearParameterRow(year=year, data=data, source=body.source, version=1, updated_by=principal.actor_id)
        session.add(row)
    else:
        check_if_match(if_match, KIND, year, row.version)
        row.data, row.source, row.updated_by = data, body.source, principal.actor_id
        row.version += 1
    await flush_versioned(session, "年度参数")
    await audit.append(session, common, principal, "put", KIND, year, {"figures": data, "source": body.source})
    return row
