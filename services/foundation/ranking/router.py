"""HTTP of the ranking per category (NSF-4) and its funding line."""

from __future__ import annotations

from fastapi import APIRouter

from services.foundation.deps import Env, Overseer, Staff
from services.foundation.ranking import schemas as s
from services.foundation.ranking import service
from shared.db import DbSession
from shared.errors import problem_responses
from shared.schemas import Id

router = APIRouter(tags=["foundation ranking"])


PATH = "/plans/{plan_id}/categories/{category_id}/ranking"


@router.post(
    PATH,
    response_model=s.RankingRead,
    operation_id="foundation-ranking-rank",
    summary="Rank the category's reviewed applications by mean score (NSF-4) / 按类别排序",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
async def rank(plan_id: Id, category_id: Id, session: DbSession, caller: Staff, env: Env) -> s.RankingRead:
    return await service.rank(session, caller, plan_id, category_id, env)


@router.get(
    PATH,
    response_model=s.RankingRead,
    operation_id="foundation-ranking-get",
    summary="The category's ranking with the funding line (count and budget) / 排序与资助线",
    responses=problem_responses(401, 403, 404, 422),
)
async def ranking(plan_id: Id, category_id: Id, session: DbSession, caller: Overseer) -> s.RankingRead:
    return await service.ranking(session, caller, plan_id, category_id)
