"""HTTP of foreign-expert programme applications (引进外国专家项目)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts.deps import Actor, Clerk, Env, Environment, Official, Overseer, Reader
from services.foreign_experts.programmes import service
from services.foreign_experts.programmes.models import ProgrammeApplication
from services.foreign_experts.programmes.schemas import (
    ApproveBody,
    FundBody,
    ProgrammeCreate,
    ProgrammeRead,
    ProgrammeReportIn,
    ProgrammeSummary,
    ProgrammeUpdate,
    ReviewIn,
    ReviewRead,
)
from shared.actions import ACTION_ERRORS, add_action_routes
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import Principal
from shared.schemas import Id
from shared.workflow import HistoryRead

router = APIRouter(tags=["foreign-experts programmes"])
PATH = "/programme-applications"
OP = "foreign-experts-programme-applications"

Status = Literal[
    "draft",
    "submitted",
    "returned",
    "under_review",
    "approved",
    "rejected",
    "called_off",
    "funded",
    "report_submitted",
    "completed",
    "withdrawn",
]


async def _read(
    session: AsyncSession, response: Response, application: ProgrammeApplication, caller: Principal, env: Environment
) -> ProgrammeRead:
    set_etag(response, service.KIND, application.id, application.version)
    return await service.to_read(session, application, caller, env.today)


@router.post(
    PATH,
    status_code=201,
    response_model=ProgrammeRead,
    operation_id=f"{OP}-create",
    summary="Apply under a programme call for a foreign expert (the employer's clerk) / 申报引进外国专家项目",
    description="A draft under a published call: the expert, the plan of work and the funding requested "
    "(budget items add up to it; never above the call's cap). Repeat safely with `Idempotency-Key`.",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_programme(
    body: ProgrammeCreate, session: DbSession, caller: Clerk, env: Env, response: Response
) -> ProgrammeRead:
    return await _read(session, response, await service.create(session, caller, body, env), caller, env)


@router.get(
    PATH,
    response_model=Page[ProgrammeSummary],
    operation_id=f"{OP}-list",
    summary="List programme applications (a clerk sees its employer's) / 引进外国专家项目申请列表",
    responses=problem_responses(401, 403, 422),
)
async def list_programmes(
    session: DbSession,
    caller: Reader,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.SORTS.choices] = None,
    call_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    employer_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    status: Annotated[Status | None, Query()] = None,
) -> Page[ProgrammeSummary]:
    return await service.page(
        session, caller, call_id=call_id, employer_id=employer_id, status=status, limit=limit, cursor=cursor, sort=sort
    )


@router.get(
    f"{PATH}/{{application_id}}",
    response_model=ProgrammeRead,
    operation_id=f"{OP}-get",
    summary="A programme application / 引进外国专家项目申请详情",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_programme(
    application_id: Id, session: DbSession, caller: Reader, env: Env, response: Response
) -> ProgrammeRead:
    return await _read(session, response, await service.load(session, caller, application_id), caller, env)


@router.patch(
    f"{PATH}/{{application_id}}",
    response_model=ProgrammeRead,
    operation_id=f"{OP}-update",
    summary="Edit a draft or a returned application (If-Match) / 修改申请",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_programme(
    application_id: Id,
    body: ProgrammeUpdate,
    session: DbSession,
    caller: Clerk,
    env: Env,
    response: Response,
    if_match: IfMatch = None,
) -> ProgrammeRead:
    application = await service.update(session, caller, application_id, body, if_match, env)
    return await _read(session, response, application, caller, env)


ACTIONS: dict[str, tuple[str, str]] = {
    "submit": ("Submit within the call's window", "提交申请"),
    "resubmit": ("Submit again after a return", "修改后重新提交"),
    "return": ("Return a submitted application for changes (comment required)", "退回修改"),
    "accept": ("Accept for review", "受理并进入评审"),
    "reject": ("Reject after review (comment required)", "不予资助"),
    "cancel": ("Call off an approved, unpaid grant: it goes back to the call (comment required)", "撤销资助"),
    "return_report": ("Return the completion report (comment required)", "退回总结报告"),
    "accept_report": ("Accept the completion report: the programme is completed", "结项"),
    "withdraw": ("Withdraw before review", "撤回申请"),
}


add_action_routes(
    router,
    path=PATH,
    op=OP,
    actions=ACTIONS,
    caller=Actor,
    context=Env,
    act=service.act,
    read=_read,
    response_model=ProgrammeRead,
)


@router.post(
    f"{PATH}/{{application_id}}/approve",
    response_model=ProgrammeRead,
    operation_id=f"{OP}-approve",
    summary="Approve a grant within the request, the call's cap and the budget left (reviews recorded) / 批准资助",
    responses=ACTION_ERRORS,
)
async def approve_programme(
    application_id: Id,
    session: DbSession,
    caller: Official,
    env: Env,
    response: Response,
    body: ApproveBody | None = None,
    if_match: IfMatch = None,
) -> ProgrammeRead:
    application = await service.act(
        session, caller, application_id, "approve", body.comment if body else None, if_match, env, payload=body
    )
    return await _read(session, response, application, caller, env)


@router.post(
    f"{PATH}/{{application_id}}/fund",
    response_model=ProgrammeRead,
    operation_id=f"{OP}-fund",
    summary="Record the payment of the grant (the voucher's number) / 拨付经费",
    responses=ACTION_ERRORS,
)
async def fund_programme(
    application_id: Id,
    body: FundBody,
    session: DbSession,
    caller: Official,
    env: Env,
    response: Response,
    if_match: IfMatch = None,
) -> ProgrammeRead:
    application = await service.act(session, caller, application_id, "fund", body.comment, if_match, env, payload=body)
    return await _read(session, response, application, caller, env)


@router.post(
    f"{PATH}/{{application_id}}/submit-report",
    response_model=ProgrammeRead,
    operation_id=f"{OP}-submit-report",
    summary="Submit the completion report (the grant spent never above the grant) / 提交总结报告",
    # A report that spends more than was granted is a 400 (spent_exceeds_grant).
    responses=problem_responses(400, 401, 403, 404, 409, 412, 422),
)
async def report_programme(
    application_id: Id,
    body: ProgrammeReportIn,
    session: DbSession,
    caller: Clerk,
    env: Env,
    response: Response,
    if_match: IfMatch = None,
) -> ProgrammeRead:
    application = await service.act(session, caller, application_id, "submit_report", None, if_match, env, payload=body)
    return await _read(session, response, application, caller, env)


@router.post(
    f"{PATH}/{{application_id}}/reviews",
    status_code=201,
    response_model=ReviewRead,
    operation_id=f"{OP}-reviews-create",
    summary="Record a reviewer's opinion while under review (officials) / 录入专家评审意见",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def add_review(application_id: Id, body: ReviewIn, session: DbSession, caller: Official) -> ReviewRead:
    return service.review_read(await service.add_review(session, caller, application_id, body))


@router.get(
    f"{PATH}/{{application_id}}/reviews",
    response_model=list[ReviewRead],
    operation_id=f"{OP}-reviews-list",
    summary="The reviewers' opinions (officials and auditors) / 专家评审意见",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_reviews(application_id: Id, session: DbSession, caller: Overseer) -> list[ReviewRead]:
    return await service.reviews(session, caller, application_id)


@router.get(
    f"{PATH}/{{application_id}}/history",
    response_model=list[HistoryRead],
    operation_id=f"{OP}-history",
    summary="State changes of a programme application / 申请办理记录",
    responses=problem_responses(401, 403, 404, 422),
)
async def programme_history(application_id: Id, session: DbSession, caller: Reader) -> list[HistoryRead]:
    return await service.history(session, caller, application_id)
