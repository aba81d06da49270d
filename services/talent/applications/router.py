"""HTTP of talent applications (人才计划申报书): the applicant's own, the organisation's once submitted,
every one for officials and auditors; another's is a 404."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.applications import service
from services.talent.applications.models import TalentApplication
from services.talent.applications.schemas import ApplicationCreate, ApplicationRead, ApplicationUpdate
from services.talent.deps import Actor, Applicant, Env, Environment, Reader
from shared.actions import add_action_routes
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import Principal
from shared.schemas import Id
from shared.workflow import HistoryRead

router = APIRouter(tags=["talent applications"])
OP = "talent-applications"
Status = Literal[
    "draft",
    "submitted",
    "returned",
    "endorsed",
    "accepted",
    "rejected",
    "withdrawn",
    "in_review",
    "reviewed",
    "proposed",
    "not_proposed",
    "selected",
    "not_selected",
    "terminated",
    "completed",
]


def _read(response: Response, application: TalentApplication, caller: Principal, env: Environment) -> ApplicationRead:
    set_etag(response, service.KIND, application.id, application.version)
    return service.to_read(application, caller, env)


@router.post(
    "/applications",
    status_code=201,
    response_model=ApplicationRead,
    operation_id=f"{OP}-create",
    summary="Draft an application to a published call (applicants) / 新建人才计划申报书",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_application(
    body: ApplicationCreate, session: DbSession, caller: Applicant, env: Env, response: Response
) -> ApplicationRead:
    return _read(response, await service.create(session, caller, body, env), caller, env)


@router.get(
    "/applications",
    response_model=Page[ApplicationRead],
    operation_id=f"{OP}-list",
    summary="The applications the caller may see / 人才计划申报书列表",
    responses=problem_responses(401, 403, 422),
)
async def list_applications(
    session: DbSession,
    caller: Reader,
    env: Env,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.SORTS.choices] = None,
    call_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    status: Annotated[Status | None, Query()] = None,
) -> Page[ApplicationRead]:
    return await service.page(
        session, caller, env, call_id=call_id, status=status, limit=limit, cursor=cursor, sort=sort
    )


@router.get(
    "/applications/{application_id}",
    response_model=ApplicationRead,
    operation_id=f"{OP}-get",
    summary="An application, with the caller's next moves / 人才计划申报书详情",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_application(
    application_id: Id, session: DbSession, caller: Reader, env: Env, response: Response
) -> ApplicationRead:
    return _read(response, await service.load(session, caller, application_id), caller, env)


@router.patch(
    "/applications/{application_id}",
    response_model=ApplicationRead,
    operation_id=f"{OP}-update",
    summary="Edit a draft or returned application (the applicant; If-Match) / 修改申报书",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_application(
    application_id: Id,
    body: ApplicationUpdate,
    session: DbSession,
    caller: Applicant,
    env: Env,
    response: Response,
    if_match: IfMatch = None,
) -> ApplicationRead:
    application = await service.update(session, caller, application_id, body, if_match)
    return _read(response, application, caller, env)


async def _act(
    session: AsyncSession,
    caller: Principal,
    application_id: int,
    action: str,
    comment: str | None,
    if_match: str | None,
    env: Environment,
) -> TalentApplication:
    return await service.act(session, caller, application_id, action, comment, if_match, env)


add_action_routes(
    router,
    path="/applications",
    op=OP,
    actions={
        "submit": ("Submit: the window, TAL-4, TAL-1 works, TAL-2 and PRJ-5 are checked", "提交申报书"),
        "resubmit": ("Submit a returned application again, checked as at submit", "重新提交申报书"),
        "return_by_org": ("Return to the applicant (the organisation; a reason is required)", "单位退回"),
        "endorse": ("Endorse (recommend) it, within the call's cap per organisation", "单位推荐"),
        "withdraw": ("Withdraw it (the applicant, until endorsed)", "撤回申报书"),
        "accept": ("Formal review: complete, on to expert review (officials)", "形式审查通过"),
        "reject": ("Formal review: not accepted (officials; a reason is required)", "形式审查不通过"),
    },
    caller=Actor,
    context=Env,
    act=_act,
    read=lambda _session, response, application, caller, env: _read(response, application, caller, env),
    response_model=ApplicationRead,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)


@router.get(
    "/applications/{application_id}/history",
    response_model=list[HistoryRead],
    operation_id=f"{OP}-history",
    summary="State changes of an application / 申报书状态记录",
    responses=problem_responses(401, 403, 404, 422),
)
async def application_history(application_id: Id, session: DbSession, caller: Reader) -> list[HistoryRead]:
    return await service.history(session, caller, application_id)
