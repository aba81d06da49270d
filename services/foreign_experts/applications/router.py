"""HTTP of permit applications (外国人来华工作许可申请)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts.applications import service
from services.foreign_experts.applications.models import PermitApplication
from services.foreign_experts.applications.schemas import (
    ActionBody,
    ApplicationCreate,
    ApplicationRead,
    ApplicationSummary,
    ApplicationUpdate,
    RefusalBody,
)
from services.foreign_experts.deps import Actor, Clerk, Env, Environment, Official, Reader
from shared.actions import add_action_routes
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import Principal
from shared.schemas import Id
from shared.workflow import HistoryRead

router = APIRouter(tags=["foreign-experts permit applications"])
PATH = "/permit-applications"
OP = "foreign-experts-permit-applications"

Status = Literal[
    "draft", "submitted", "returned", "accepted", "awaiting_documents", "approved", "refused", "issued", "withdrawn"
]


async def _read(
    session: AsyncSession, response: Response, application: PermitApplication, caller: Principal, env: Environment
) -> ApplicationRead:
    set_etag(response, service.KIND, application.id, application.version)
    return await service.to_read(session, application, caller, env)


@router.post(
    PATH,
    status_code=201,
    response_model=ApplicationRead,
    operation_id=f"{OP}-create",
    summary="Start a permit application for a foreigner (the employer's clerk) / 新建工作许可申请",
    description="The passport number and birth date are stored only SM4-encrypted; they come back in full to the "
    "employer's clerks and officials, masked to anyone else. Repeat safely with `Idempotency-Key`.",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_application(
    body: ApplicationCreate, session: DbSession, caller: Clerk, env: Env, response: Response
) -> ApplicationRead:
    application = await service.create(session, caller, body, env)
    return await _read(session, response, application, caller, env)


@router.get(
    PATH,
    response_model=Page[ApplicationSummary],
    operation_id=f"{OP}-list",
    summary="List permit applications; officials' overdue and due-soon lists / 工作许可申请列表",
    description="A clerk sees its own employer's. `due=overdue`: accepted applications past their WP-4 deadline; "
    "`due=due_soon`: due within 3 working days (configurable), today included. Passports are always masked here.",
    responses=problem_responses(401, 403, 422),
)
async def list_applications(
    session: DbSession,
    caller: Reader,
    env: Env,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.SORTS.choices] = None,
    status: Annotated[Status | None, Query()] = None,
    employer_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    permit_class: Annotated[Literal["A", "B", "C"] | None, Query()] = None,
    due: Annotated[Literal["overdue", "due_soon"] | None, Query(description="WP-4 deadline lists")] = None,
) -> Page[ApplicationSummary]:
    return await service.page(
        session,
        caller,
        env,
        status=status,
        employer_id=employer_id,
        permit_class=permit_class,
        due=due,
        limit=limit,
        cursor=cursor,
        sort=sort,
    )


@router.get(
    f"{PATH}/{{application_id}}",
    response_model=ApplicationRead,
    operation_id=f"{OP}-get",
    summary="A permit application with its assessment and deadline / 工作许可申请详情",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_application(
    application_id: Id, session: DbSession, caller: Reader, env: Env, response: Response
) -> ApplicationRead:
    application = await service.load(session, caller, application_id)
    return await _read(session, response, application, caller, env)


@router.patch(
    f"{PATH}/{{application_id}}",
    response_model=ApplicationRead,
    operation_id=f"{OP}-update",
    summary="Edit a draft, a returned application, or the documents while they are awaited (If-Match) / 修改申请",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_application(
    application_id: Id,
    body: ApplicationUpdate,
    session: DbSession,
    caller: Clerk,
    env: Env,
    response: Response,
    if_match: IfMatch = None,
) -> ApplicationRead:
    application = await service.update(session, caller, application_id, body, if_match, env)
    return await _read(session, response, application, caller, env)


ACTIONS: dict[str, tuple[str, str]] = {
    "submit": ("Submit: WP-5 passport, WP-1..WP-3 assessment, WP-7 documents (A may defer them)", "提交申请"),
    "resubmit": ("Submit again after a return for documents", "补正后重新提交"),
    "return_for_documents": ("Return a submitted application for documents (comment required)", "退回补正"),
    "accept": ("Accept (受理): the WP-4 clock starts; class A may be accepted with documents to follow", "受理"),
    "request_documents": (
        "Ask for documents after acceptance: the clock stops (comment required)",
        "补正材料（暂停计时）",
    ),
    "supply_documents": ("The documents asked for are in: the clock runs again", "提交补正材料"),
    "extend": ("Extend the 20-working-day deadline once by 10 (comment: the reason)", "延长审查期限"),
    "waive_age_limit": ("Waive WP-3's age limit with a recorded reason (comment)", "豁免年龄条件"),
    "approve": ("Approve: documents complete, the class approvable, the C quota not used up", "批准"),
    "issue": ("Issue the permit under the foreigner's lifelong number (WP-8)", "发放许可"),
    "withdraw": ("Withdraw before a decision", "撤回申请"),
}


add_action_routes(
    router,
    path=PATH,
    op=OP,
    actions=ACTIONS,
    caller=Actor,
    context=Env,
    body=ActionBody,
    act=service.act,
    read=_read,
    response_model=ApplicationRead,
)


@router.post(
    f"{PATH}/{{application_id}}/refuse",
    response_model=ApplicationRead,
    operation_id=f"{OP}-refuse",
    summary="Refuse with reason codes and a comment / 不予许可",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def refuse_application(
    application_id: Id,
    body: RefusalBody,
    session: DbSession,
    caller: Official,
    env: Env,
    response: Response,
    if_match: IfMatch = None,
) -> ApplicationRead:
    application = await service.act(
        session, caller, application_id, "refuse", body.comment, if_match, env, reasons=list(body.reasons)
    )
    return await _read(session, response, application, caller, env)


@router.get(
    f"{PATH}/{{application_id}}/history",
    response_model=list[HistoryRead],
    operation_id=f"{OP}-history",
    summary="State changes of an application / 申请办理记录",
    responses=problem_responses(401, 403, 404, 422),
)
async def application_history(application_id: Id, session: DbSession, caller: Reader) -> list[HistoryRead]:
    return await service.history(session, caller, application_id)
