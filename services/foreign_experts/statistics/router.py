"""HTTP of the statistics."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from services.foreign_experts.deps import Overseer
from services.foreign_experts.statistics import service
from services.foreign_experts.statistics.schemas import PermitStatistics, ProcessingStatistics
from shared.db import DbSession
from shared.errors import problem_responses

router = APIRouter(tags=["foreign-experts statistics"])
YearQuery = Annotated[int | None, Query(ge=2000, le=2200, description="the year of issue")]


@router.get(
    "/statistics/permits",
    response_model=PermitStatistics,
    operation_id="foreign-experts-statistics-permits",
    summary="Permits by class, nationality, city, employer or year / 工作许可统计",
    responses=problem_responses(401, 403, 422),
)
async def permit_statistics(
    session: DbSession,
    caller: Overseer,
    by: Annotated[Literal["class", "nationality", "city", "employer", "year"], Query()] = "class",
    year: YearQuery = None,
    status: Annotated[Literal["valid", "superseded", "cancelled"] | None, Query()] = None,
) -> PermitStatistics:
    return await service.permits(session, by=by, year=year, status=status)


@router.get(
    "/statistics/processing",
    response_model=ProcessingStatistics,
    operation_id="foreign-experts-statistics-processing",
    summary="Mean and 90th-percentile processing time in working days / 审批用时统计",
    responses=problem_responses(401, 403, 422),
)
async def processing_statistics(
    session: DbSession,
    caller: Overseer,
    year: Annotated[int, Query(ge=2000, le=2200)],
    permit_class: Annotated[Literal["A", "B", "C"] | None, Query()] = None,
) -> ProcessingStatistics:
    return await service.processing(session, year=year, permit_class=permit_class)
