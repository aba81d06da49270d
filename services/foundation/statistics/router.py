"""HTTP of the foundation's statistics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.foundation.deps import Overseer
from services.foundation.statistics import service
from services.foundation.statistics.schemas import StatisticsRead
from shared.db import DbSession
from shared.errors import problem_responses

router = APIRouter(tags=["foundation statistics"])

# Officials and auditors see every plan's figures; an agency those of the plans it runs.


@router.get(
    "/statistics",
    response_model=StatisticsRead,
    operation_id="foundation-statistics-get",
    summary="Applications, funding rates and amounts by category, discipline, institution, region and year / "
    "基金统计：按类别、学科、依托单位、地区、年度",
    description="Drafts are never counted. `accepted` counts the applications past formal review (accepted and "
    "every later state, withdrawn excluded); `funded` those funded and onwards (final report, "
    "concluded, failed, terminated); `funding_rate` = funded / accepted to four places, null when "
    "nothing was accepted. Amounts are exact yuan strings: requested (all counted), approved (the "
    "grants of approved applications), disbursed (paid). The region comes from the host "
    "institution's USCC (ID-5). An agency sees only the plans it runs; a plan the caller may not "
    "see is a 404.",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_statistics(
    session: DbSession,
    caller: Overseer,
    plan_id: Annotated[int | None, Query(ge=1, le=2**63 - 1, description="only this plan")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2200, description="only applications of this plan year")] = None,
    discipline_prefix: Annotated[
        service.DisciplinePrefix,
        Query(description="group disciplines by the section letter (1: F) or the first three characters (3: F02)"),
    ] = service.DisciplinePrefix.SECTION,
) -> StatisticsRead:
    return await service.summarise(
        session, caller, plan_id=plan_id, year=year, discipline_prefix=int(discipline_prefix)
    )
