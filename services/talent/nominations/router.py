"""HTTP of nominations (提名书): the nominator's own, every filed one for officials and auditors, those
assigned to a panel member for them; another's is a 404. And the cycle's panel and the committee's vote."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.deps import Official, Overseer
from services.talent.nominations import panel, service
from services.talent.nominations.deps import AwardEnv, AwardEnvironment
from services.talent.nominations.models import Nomination
from services.talent.nominations.schemas import (
    NominationCreate,
    NominationRead,
    NominationUpdate,
    PanelDraw,
    PanelRead,
    ScoreIn,
    VoteIn,
)
from shared.actions import add_action_routes
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import Principal, require_roles
from shared.schemas import Id
from shared.workflow import HistoryRead

router = APIRouter(tags=["award nominations"])
OP = "talent-nominations"
Status = Literal[
    "draft",
    "submitted",
    "withdrawn",
    "accepted",
    "rejected",
    "on_acceptance_notice",
    "in_review",
    "proposed",
    "not_awarded",
    "on_winners_notice",
    "confirmed",
    "awarded",
    "disqualified",
]
# Nominators are accounts of any role the register admits (a city government's clerk, an expert ...).
Nominator = Annotated[Principal, Depends(require_roles("applicant", "org_admin", "reviewer", "official"))]
Actor = Annotated[Principal, Depends(require_roles("applicant", "org_admin", "reviewer", "official"))]
Reader = Annotated[Principal, Depends(require_roles("applicant", "org_admin", "reviewer", "official", "auditor"))]
PanelMember = Annotated[Principal, Depends(require_roles("reviewer"))]


async def _read(
    session: AsyncSession, response: Response, nomination: Nomination, caller: Principal, env: AwardEnvironment
) -> NominationRead:
    set_etag(response, service.KIND, nomination.id, nomination.version)
    return await service.read(session, nomination, caller, env)


@router.post(
    "/nominations",
    status_code=201,
    response_model=NominationRead,
    operation_id=f"{OP}-create",
    summary="Draft a nomination under an open cycle (registered nominators, AW-2) / 新建提名书",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_nomination(
    body: NominationCreate, session: DbSession, caller: Nominator, env: AwardEnv, response: Response
) -> NominationRead:
    return await _read(session, response, await service.create(session, caller, body, env), caller, env)


@router.get(
    "/nominations",
    response_model=Page[NominationRead],
    operation_id=f"{OP}-list",
    summary="The nominations the caller may see / 提名书列表",
    responses=problem_responses(401, 403, 422),
)
async def list_nominations(
    session: DbSession,
    caller: Reader,
    env: AwardEnv,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.SORTS.choices] = None,
    cycle_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    status: Annotated[Status | None, Query()] = None,
) -> Page[NominationRead]:
    return await service.page(
        session, caller, env, cycle_id=cycle_id, status=status, limit=limit, cursor=cursor, sort=sort
    )


@router.get(
    "/nominations/{nomination_id}",
    response_model=NominationRead,
    operation_id=f"{OP}-get",
    summary="A nomination, with the caller's next moves / 提名书详情",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_nomination(
    nomination_id: Id, session: DbSession, caller: Reader, env: AwardEnv, response: Response
) -> NominationRead:
    return await _read(session, response, await service.load(session, caller, nomination_id), caller, env)


@router.patch(
    "/nominations/{nomination_id}",
    response_model=NominationRead,
    operation_id=f"{OP}-update",
    summary="Edit a draft nomination (the nominator; If-Match) / 修改提名书",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_nomination(
    nomination_id: Id,
    body: NominationUpdate,
    session: DbSession,
    caller: Actor,
    env: AwardEnv,
    response: Response,
    if_match: IfMatch = None,
) -> NominationRead:
    nomination = await service.update(session, caller, nomination_id, body, if_match, env)
    return await _read(session, response, nomination, caller, env)


add_action_routes(
    router,
    path="/nominations",
    id_param="nomination_id",
    op=OP,
    actions={
        "submit": ("Submit: the window, AW-2, PRJ-5 and the Friendship Award's permit are checked", "提交提名书"),
        "withdraw": ("Withdraw it (the nominator, until formal review)", "撤回提名书"),
        "accept": ("Formal review: accepted, on to the acceptance notice (officials)", "形式审查通过"),
        "reject": ("Formal review: not accepted (officials; a reason is required)", "形式审查不通过"),
        "not_award": ("The committee does not award it (officials; a reason is required)", "不予授奖"),
        "regrade": (
            "After an objection upheld on the proposed winners, back to the committee for a new grade (officials; "
            "a reason is required)",
            "异议成立后退回重新评定等级",
        ),
    },
    caller=Actor,
    context=AwardEnv,
    act=service.act,
    read=_read,
    response_model=NominationRead,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)


@router.post(
    "/nominations/{nomination_id}/panel-scores",
    response_model=NominationRead,
    operation_id=f"{OP}-panel-scores",
    summary="A panel member scores a nomination assigned to them (0-100, with a comment) / 专业评审组评分",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def score_nomination(
    nomination_id: Id, body: ScoreIn, session: DbSession, caller: PanelMember, env: AwardEnv, response: Response
) -> NominationRead:
    nomination = await panel.score(session, caller, nomination_id, body, env)
    return await _read(session, response, nomination, caller, env)


@router.post(
    "/nominations/{nomination_id}/committee-vote",
    response_model=NominationRead,
    operation_id=f"{OP}-committee-vote",
    summary="Record the committee's vote on a grade: passing proposes it within the grade's quota (AW-1; "
    "officials) / 评审委员会表决",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def committee_vote(
    nomination_id: Id,
    body: VoteIn,
    session: DbSession,
    caller: Official,
    env: AwardEnv,
    response: Response,
    if_match: IfMatch = None,
) -> NominationRead:
    nomination = await panel.vote(session, caller, nomination_id, body, if_match, env)
    return await _read(session, response, nomination, caller, env)


@router.get(
    "/nominations/{nomination_id}/history",
    response_model=list[HistoryRead],
    operation_id=f"{OP}-history",
    summary="State changes of a nomination / 提名书状态记录",
    responses=problem_responses(401, 403, 404, 422),
)
async def nomination_history(nomination_id: Id, session: DbSession, caller: Reader) -> list[HistoryRead]:
    return await service.history(session, caller, nomination_id)


@router.post(
    "/award-cycles/{cycle_id}/panel",
    status_code=201,
    response_model=PanelRead,
    operation_id="talent-award-cycles-panel-draw",
    summary="Draw the cycle's panel from the reviewer pool, reproducibly and without conflicts (NSF-2, NSF-3; "
    "officials) / 抽取专业评审组",
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
async def draw_panel(
    cycle_id: Id, session: DbSession, caller: Official, env: AwardEnv, body: PanelDraw | None = None
) -> PanelRead:
    return await panel.draw_panel(session, caller, cycle_id, body.seed if body else None, env)


@router.get(
    "/award-cycles/{cycle_id}/panel",
    response_model=PanelRead,
    operation_id="talent-award-cycles-panel-get",
    summary="The cycle's panel draw: seed, hashes, assignments / 专业评审组抽取记录",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def get_panel(cycle_id: Id, session: DbSession, caller: Overseer) -> PanelRead:
    return await panel.read(session, caller, cycle_id)
