"""HTTP for the statistics (申报统计)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.projects.deps import FigureReader
from services.projects.statistics import service
from services.projects.statistics.schemas import StatisticsRead
from shared.db import DbSession
from shared.errors import problem_responses

router = APIRouter(tags=["statistics"])


@router.get(
    "/statistics",
    response_model=StatisticsRead,
    operation_id="statistics-get",
    summary="Counts and amounts by programme, status, year and region (an agency sees its programmes) / "
    "申报统计：按计划、状态、年度、地区",
    description="Drafts are never counted. Amounts are yuan; `approved` sums the requested funds of the "
    "applications in `approved_states`. The region comes from the applicant organisation's USCC "
    "(ID-5). A programme the caller may not see is a 404.",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_statistics(
    session: DbSession,
    caller: FigureReader,
    year: Annotated[int | None, Query(ge=2000, le=2200, description="only applications of this year")] = None,
    programme_id: Annotated[int | None, Query(ge=1, le=2**63 - 1, description="only this programme")] = None,
) -> StatisticsRead:
    return await service.summarise(session, caller, year=year, programme_id=programme_id)
