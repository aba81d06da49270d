"""HTTP of the talent service's statistics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.talent.deps import Overseer
from services.talent.rules.awards import AwardCategoryCode
from services.talent.statistics import service
from services.talent.statistics.schemas import StatisticsRead
from shared.db import DbSession
from shared.errors import problem_responses

router = APIRouter(tags=["talent statistics"])


@router.get(
    "/statistics",
    response_model=StatisticsRead,
    operation_id="talent-statistics-get",
    summary="Selections and awards by programme, category, grade, organisation, city and year / "
    "人才计划入选与科学技术奖授奖统计：按计划、类别、等级、单位、地市、年度",
    description="For officials and auditors. Drafts are never counted. `accepted` counts what passed formal "
    "review and every later state; `selected` the applications selected and onwards (a title ended early, "
    "`terminated`, still counts as a selection and is also shown on its own); `awarded` the nominations "
    "awarded. The city is the ID-5 region of the organisation's USCC (an application's host, a nomination's "
    "first unit); null when none was given. `definitions` lists the states behind each figure.",
    responses=problem_responses(401, 403, 422),
)
async def get_statistics(
    session: DbSession,
    caller: Overseer,
    year: Annotated[int | None, Query(ge=2000, le=2200, description="only this year's calls and cycles")] = None,
    programme_id: Annotated[int | None, Query(ge=1, le=2**63 - 1, description="only this programme")] = None,
    category: Annotated[AwardCategoryCode | None, Query(description="only this award category (AW-1)")] = None,
) -> StatisticsRead:
    return await service.summarise(
        session, year=year, programme_id=programme_id, category=str(category) if category else None
    )
