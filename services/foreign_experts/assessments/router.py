"""``POST /points-assessments``: the stateless WP-1..WP-3 check an employer runs before applying."""

from __future__ import annotations

from fastapi import APIRouter

from services.foreign_experts import policy
from services.foreign_experts.assessments.schemas import AssessmentRead, AssessmentRequest
from services.foreign_experts.parameters import service as parameters
from shared.clock import Now
from shared.db import DbSession
from shared.errors import problem_responses
from shared.principal import PUBLIC
from shared.workdays import today_shanghai

router = APIRouter(tags=["foreign-experts points assessments"])


@router.post(
    "/points-assessments",
    response_model=AssessmentRead,
    operation_id="foreign-experts-points-assess",
    summary="Assess a foreigner's points and class, saving nothing / 计点积分与类别预评估",
    description="For each WP-1 factor the points and the rule (band) that gave them, the total, the class of "
    "WP-2 with every route that qualified, and WP-3's basic conditions, each held or failed. Nothing is "
    "stored. The figures are the year's (`GET /parameters/{year}`); the C quota is checked at approval.",
    responses=problem_responses(400, 422),
    **PUBLIC,
)
async def assess(body: AssessmentRequest, session: DbSession, now: Now) -> AssessmentRead:
    on = body.on or today_shanghai(now)
    params = await parameters.get_parameters(session, body.year or on.year)
    return policy.assess(body.person, body.post, params, on)
