"""HTTP of performance pledges (军令状), PRJ-3."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.deps import ActionMoment, Common, Env, ListManager, Moment, Official, Selector
from services.projects.pledges import service
from services.projects.pledges.models import Pledge, PledgeConsequence
from services.projects.pledges.schemas import (
    ActionBody,
    AssessmentIn,
    ConfirmBody,
    ConsequenceRead,
    DismissBody,
    PledgeCreate,
    PledgeRead,
    PledgeSummary,
    TerminateBody,
)
from shared.actions import add_action_routes
from shared.clock import Now
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import Caller, Principal
from shared.schemas import Id
from shared.workflow import HistoryRead

router = APIRouter(tags=["pledges"])


def _read(pledge: Pledge, response: Response | None = None) -> PledgeRead:
    if response is not None:
        set_etag(response, service.PLEDGE, pledge.id, pledge.version)
    return PledgeRead.model_validate(pledge)


@router.post(
    "/challenge-lists/{list_id}/pledge",
    status_code=201,
    response_model=PledgeRead,
    operation_id="pledges-create",
    summary="Draft the winner's performance pledge / 起草军令状",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create(
    list_id: Id,
    body: PledgeCreate,
    session: DbSession,
    caller: ListManager,
    common: Common,
    response: Response,
    now: Now,
) -> PledgeRead:
    return _read(await service.create(session, common, caller, list_id, body, now), response)


@router.get(
    "/pledges",
    response_model=Page[PledgeSummary],
    operation_id="pledges-list",
    summary="Pledges: all for the agency, one's own for a winner / 军令状列表",
    responses=problem_responses(401, 422),
)
async def list_pledges(
    session: DbSession,
    caller: Caller,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.SORTS.choices] = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
    list_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> Page[PledgeSummary]:
    rows, next_cursor = await service.page(
        session, caller, status=status, list_id=list_id, limit=limit, cursor=cursor, sort=sort
    )
    return Page[PledgeSummary](items=[PledgeSummary.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/pledges/{pledge_id}",
    response_model=PledgeRead,
    operation_id="pledges-get",
    summary="Read a pledge with its milestones and consequences / 查看军令状",
    responses=problem_responses(401, 404, 422),
)
async def get(pledge_id: Id, session: DbSession, caller: Caller, response: Response) -> PledgeRead:
    return _read(await service.visible(session, caller, pledge_id), response)


async def _act(
    session: AsyncSession,
    caller: Principal,
    pledge_id: int,
    action: str,
    comment: str | None,
    if_match: str | None,
    moment: Moment,
) -> Pledge:
    return await service.act(session, moment.common, caller, pledge_id, action, comment, if_match, moment.now)


add_action_routes(
    router,
    path="/pledges",
    id_param="pledge_id",
    op="pledges",
    actions={
        "sign": ("The winner signs the pledge", "揭榜方签署军令状"),
        "cancel": ("Cancel a draft pledge, with a reason", "撤销军令状草稿"),
    },
    caller=Caller,
    context=ActionMoment,
    body=ActionBody,
    act=_act,
    read=lambda _session, response, pledge, _caller, _moment: _read(pledge, response),
    response_model=PledgeRead,
)


@router.post(
    "/pledges/{pledge_id}/milestones/{seq}/assess",
    response_model=PledgeRead,
    operation_id="pledges-assess",
    summary="Assess the next milestone (passed / partially / failed); a failure triggers the agreed "
    "consequences / 里程碑考核",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def assess(
    pledge_id: Id,
    seq: Id,
    body: AssessmentIn,
    session: DbSession,
    caller: Selector,
    common: Common,
    response: Response,
    now: Now,
    env: Env,
    if_match: IfMatch = None,
) -> PledgeRead:
    pledge = await service.assess(session, common, caller, pledge_id, seq, body, if_match, now, env)
    return _read(pledge, response)


@router.get(
    "/pledges/{pledge_id}/history",
    response_model=list[HistoryRead],
    operation_id="pledges-history",
    summary="Transitions of a pledge and its milestones / 军令状流转记录",
    responses=problem_responses(401, 404, 422),
)
async def history(pledge_id: Id, session: DbSession, caller: Caller, common: Common) -> list[HistoryRead]:
    return await service.history(session, common, caller, pledge_id)


def _consequence(row: PledgeConsequence, response: Response) -> ConsequenceRead:
    set_etag(response, service.CONSEQUENCE, row.id, row.version)
    return ConsequenceRead.model_validate(row)


@router.post(
    "/pledge-consequences/{consequence_id}/confirm",
    response_model=ConsequenceRead,
    operation_id="pledges-consequence-confirm",
    summary="Confirm a proposed integrity record: it is recorded (PRJ-5) / 确认记入科研诚信记录",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def confirm_consequence(
    consequence_id: Id,
    body: ConfirmBody,
    session: DbSession,
    caller: Official,
    common: Common,
    response: Response,
    now: Now,
    env: Env,
    if_match: IfMatch = None,
) -> ConsequenceRead:
    row = await service.decide_consequence(
        session, common, caller, consequence_id, "confirm", body, if_match, now, env.subject_key_secret
    )
    return _consequence(row, response)


@router.post(
    "/pledge-consequences/{consequence_id}/dismiss",
    response_model=ConsequenceRead,
    operation_id="pledges-consequence-dismiss",
    summary="Dismiss a proposed integrity record or termination, with a reason / 不予记入或不予终止（须说明理由）",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def dismiss_consequence(
    consequence_id: Id,
    body: DismissBody,
    session: DbSession,
    caller: Official,
    common: Common,
    response: Response,
    now: Now,
    env: Env,
    if_match: IfMatch = None,
) -> ConsequenceRead:
    row = await service.decide_consequence(
        session, common, caller, consequence_id, "dismiss", body, if_match, now, env.subject_key_secret
    )
    return _consequence(row, response)


@router.post(
    "/pledge-consequences/{consequence_id}/apply",
    response_model=ConsequenceRead,
    operation_id="pledges-consequence-apply",
    summary="Apply a proposed termination: the pledge's project is terminated (PRJ-3) / 决定按军令状终止项目",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def apply_termination(
    consequence_id: Id,
    body: TerminateBody,
    session: DbSession,
    caller: Official,
    common: Common,
    response: Response,
    env: Env,
    if_match: IfMatch = None,
) -> ConsequenceRead:
    row = await service.apply_termination(session, common, caller, consequence_id, body, if_match, env)
    return _consequence(row, response)
