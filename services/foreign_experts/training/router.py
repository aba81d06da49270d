"""HTTP of outbound training applications (出国(境)培训)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts.deps import Actor, Clerk, Env, Environment, Official, Reader
from services.foreign_experts.training import service
from services.foreign_experts.training.models import TrainingApplication
from services.foreign_experts.training.schemas import (
    TrainingApproveBody,
    TrainingCreate,
    TrainingRead,
    TrainingReportIn,
    TrainingSummary,
    TrainingUpdate,
)
from shared.actions import ACTION_ERRORS, add_action_routes
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import Principal
from shared.schemas import Id
from shared.workflow import HistoryRead

router = APIRouter(tags=["foreign-experts training"])
PATH = "/training-applications"
OP = "foreign-experts-training-applications"

Status = Literal[
    "draft", "submitted", "returned", "approved", "rejected", "called_off", "reported", "closed", "withdrawn"
]


async def _read(
    session: AsyncSession, response: Response, application: TrainingApplication, caller: Principal, env: Environment
) -> TrainingRead:
    set_etag(response, service.KIND, application.id, application.version)
    return await service.to_read(session, application, caller, env.today)


@router.post(
    PATH,
    status_code=201,
    response_model=TrainingRead,
    operation_id=f"{OP}-create",
    summary="Apply under the year's training plan for the caller's unit / 申报出国(境)培训",
    description="A draft under a published plan: destination (HKG, MAC, TWN for 出境), dates, participants "
    "and the budget; the stay within the plan's longest, the request within its cap, the group within the "
    "places left. Repeat safely with `Idempotency-Key`.",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_training(
    body: TrainingCreate, session: DbSession, caller: Clerk, env: Env, response: Response
) -> TrainingRead:
    return await _read(session, response, await service.create(session, caller, body, env), caller, env)


@router.get(
    PATH,
    response_model=Page[TrainingSummary],
    operation_id=f"{OP}-list",
    summary="List training applications (a unit sees its own) / 出国(境)培训申请列表",
    responses=problem_responses(401, 403, 422),
)
async def list_training(
    session: DbSession,
    caller: Reader,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.SORTS.choices] = None,
    call_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    destination: Annotated[str | None, Query(pattern="^[A-Z]{3}$")] = None,
    status: Annotated[Status | None, Query()] = None,
) -> Page[TrainingSummary]:
    return await service.page(
        session, caller, call_id=call_id, destination=destination, status=status, limit=limit, cursor=cursor, sort=sort
    )


@router.get(
    f"{PATH}/{{application_id}}",
    response_model=TrainingRead,
    operation_id=f"{OP}-get",
    summary="A training application / 出国(境)培训申请详情",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_training(
    application_id: Id, session: DbSession, caller: Reader, env: Env, response: Response
) -> TrainingRead:
    return await _read(session, response, await service.load(session, caller, application_id), caller, env)


@router.patch(
    f"{PATH}/{{application_id}}",
    response_model=TrainingRead,
    operation_id=f"{OP}-update",
    summary="Edit a draft or a returned application (If-Match) / 修改申请",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_training(
    application_id: Id,
    body: TrainingUpdate,
    session: DbSession,
    caller: Clerk,
    env: Env,
    response: Response,
    if_match: IfMatch = None,
) -> TrainingRead:
    application = await service.update(session, caller, application_id, body, if_match)
    return await _read(session, response, application, caller, env)


ACTIONS: dict[str, tuple[str, str]] = {
    "submit": ("Submit within the plan's window", "提交申请"),
    "resubmit": ("Submit again after a return", "修改后重新提交"),
    "return": ("Return a submitted application for changes (comment required)", "退回修改"),
    "reject": ("Reject (comment required)", "不予批准"),
    "cancel": ("Call off an approved trip before departure: budget and places go back (comment required)", "取消出访"),
    "return_report": ("Return the report on return (comment required)", "退回回国报告"),
    "accept_report": ("Accept the report on return: the application is closed", "审核通过回国报告"),
    "withdraw": ("Withdraw before a decision", "撤回申请"),
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
    response_model=TrainingRead,
)


@router.post(
    f"{PATH}/{{application_id}}/approve",
    response_model=TrainingRead,
    operation_id=f"{OP}-approve",
    summary="Approve: budget and places from the plan, under its lock / 批准",
    responses=ACTION_ERRORS,
)
async def approve_training(
    application_id: Id,
    session: DbSession,
    caller: Official,
    env: Env,
    response: Response,
    body: TrainingApproveBody | None = None,
    if_match: IfMatch = None,
) -> TrainingRead:
    application = await service.act(
        session, caller, application_id, "approve", body.comment if body else None, if_match, env, payload=body
    )
    return await _read(session, response, application, caller, env)


@router.post(
    f"{PATH}/{{application_id}}/submit-report",
    response_model=TrainingRead,
    operation_id=f"{OP}-submit-report",
    summary="Report on return (the unit's clerk) / 提交回国报告",
    # A report that spends more than was granted is a 400 (spent_exceeds_grant).
    responses=problem_responses(400, 401, 403, 404, 409, 412, 422),
)
async def report_training(
    application_id: Id,
    body: TrainingReportIn,
    session: DbSession,
    caller: Clerk,
    env: Env,
    response: Response,
    if_match: IfMatch = None,
) -> TrainingRead:
    application = await service.act(session, caller, application_id, "submit_report", None, if_match, env, payload=body)
    return await _read(session, response, application, caller, env)


@router.get(
    f"{PATH}/{{application_id}}/history",
    response_model=list[HistoryRead],
    operation_id=f"{OP}-history",
    summary="State changes of a training application / 申请办理记录",
    responses=problem_responses(401, 403, 404, 422),
)
async def training_history(application_id: Id, session: DbSession, caller: Reader) -> list[HistoryRead]:
    return await service.history(session, caller, application_id)
