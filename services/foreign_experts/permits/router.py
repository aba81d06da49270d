"""HTTP of permits (外国人工作许可), their changes and other agencies' verification (WP-9)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts.access import VERIFY_SCOPE
from services.foreign_experts.deps import Actor, Env, Environment, Overseer, Reader, Sessions, Verifier
from services.foreign_experts.permits import service
from services.foreign_experts.permits.models import PermitChange
from services.foreign_experts.permits.schemas import (
    ChangeAction,
    ChangeCreate,
    ChangeRead,
    EntryIn,
    PermitRead,
    PermitSummary,
    VerificationLogRead,
    VerificationRead,
)
from shared.actions import add_action_routes
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.error_handlers import problem_response
from shared.errors import problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import Principal
from shared.schemas import Id
from shared.workflow import HistoryRead

router = APIRouter(tags=["foreign-experts permits"])


@router.get(
    "/permits/verify",
    response_model=VerificationRead,
    operation_id="foreign-experts-permits-verify",
    summary="Verify a work permit for another agency (WP-9) / 工作许可核验",
    description=f"For agency API keys with the scope `{VERIFY_SCOPE}` (and officials). Answers only the permit's "
    "state: whether it is in force today and, if not, why (`status`: not yet in force, expired, cancelled or "
    "revoked), its class, its first and last valid days and the employer's name. A passport that is not the "
    "permit's answers 404 `permit_not_found`, exactly as an unknown number does. Every call is logged with the "
    "calling agency; the passport number is never stored.",
    responses=problem_responses(401, 403, 404, 422),
)
async def verify_permit(
    request: Request,
    session: DbSession,
    caller: Verifier,
    env: Env,
    log_sessions: Sessions,
    number: Annotated[str, Query(min_length=1, max_length=40, description="the 18-digit permit number")],
    passport: Annotated[str, Query(min_length=1, max_length=40, description="the holder's passport number")],
) -> VerificationRead:
    answer = await service.verify(session, log_sessions, caller, number, passport, env)
    if answer is None:  # answered, not raised: the request's unit of work is not rolled back
        return problem_response(request, service.verification_not_found())  # type: ignore[return-value]
    return answer


@router.get(
    "/permit-verifications",
    response_model=list[VerificationLogRead],
    operation_id="foreign-experts-permit-verifications-list",
    summary="The log of other agencies' verifications, newest first / 许可核验记录",
    responses=problem_responses(401, 403, 422),
)
async def list_verifications(
    session: DbSession,
    caller: Overseer,
    permit_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[VerificationLogRead]:
    rows = await service.verifications(session, permit_id=permit_id, limit=limit)
    return [VerificationLogRead.model_validate(r) for r in rows]


@router.get(
    "/permits",
    response_model=Page[PermitSummary],
    operation_id="foreign-experts-permits-list",
    summary="List permits (a clerk its own employer's) / 工作许可列表",
    responses=problem_responses(401, 403, 422),
)
async def list_permits(
    session: DbSession,
    caller: Reader,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.SORTS.choices] = None,
    status: Annotated[Literal["valid", "superseded", "cancelled"] | None, Query()] = None,
    permit_class: Annotated[Literal["A", "B", "C"] | None, Query()] = None,
    number: Annotated[str | None, Query(pattern=r"^[0-9]{18}$")] = None,
    employer_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> Page[PermitSummary]:
    return await service.page(
        session,
        caller,
        status=status,
        permit_class=permit_class,
        number=number,
        employer_id=employer_id,
        limit=limit,
        cursor=cursor,
        sort=sort,
    )


@router.get(
    "/permits/{permit_id}",
    response_model=PermitRead,
    operation_id="foreign-experts-permits-get",
    summary="A permit / 工作许可详情",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_permit(permit_id: Id, session: DbSession, caller: Reader, env: Env, response: Response) -> PermitRead:
    permit = await service.load(session, caller, permit_id)
    set_etag(response, service.KIND, permit.id, permit.version)
    return await service.to_read(session, permit, caller, env)


@router.put(
    "/permits/{permit_id}/entry",
    response_model=PermitRead,
    operation_id="foreign-experts-permits-entry",
    summary="Record the day of entry: the residence-permit window follows (WP-6) / 登记入境日期",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def record_entry(
    permit_id: Id,
    body: EntryIn,
    session: DbSession,
    caller: Actor,
    env: Env,
    response: Response,
    if_match: IfMatch = None,
) -> PermitRead:
    permit = await service.record_entry(session, caller, permit_id, body.entered_on, if_match, env)
    set_etag(response, service.KIND, permit.id, permit.version)
    return await service.to_read(session, permit, caller, env)


@router.get(
    "/permits/{permit_id}/history",
    response_model=list[HistoryRead],
    operation_id="foreign-experts-permits-history",
    summary="State changes of a permit / 许可状态记录",
    responses=problem_responses(401, 403, 404, 422),
)
async def permit_history(permit_id: Id, session: DbSession, caller: Reader) -> list[HistoryRead]:
    return await service.history(session, caller, permit_id)


@router.post(
    "/permits/{permit_id}/changes",
    status_code=201,
    response_model=ChangeRead,
    operation_id="foreign-experts-permit-changes-create",
    summary="Ask for an extension (延期), a change (变更) or a cancellation (注销) / 申请延期、变更或注销",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def request_change(
    permit_id: Id, body: ChangeCreate, session: DbSession, caller: Actor, env: Env, response: Response
) -> ChangeRead:
    change = await service.request_change(session, caller, permit_id, body, env)
    set_etag(response, service.CHANGE_KIND, change.id, change.version)
    return await service.change_to_read(change, caller)


@router.get(
    "/permits/{permit_id}/changes",
    response_model=list[ChangeRead],
    operation_id="foreign-experts-permit-changes-list",
    summary="A permit's changes / 许可的延期、变更与注销",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_changes(permit_id: Id, session: DbSession, caller: Reader) -> list[ChangeRead]:
    return [await service.change_to_read(c, caller) for c in await service.list_changes(session, caller, permit_id)]


@router.get(
    "/permit-changes/{change_id}",
    response_model=ChangeRead,
    operation_id="foreign-experts-permit-changes-get",
    summary="A permit change / 许可变更申请详情",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_change(change_id: Id, session: DbSession, caller: Reader, response: Response) -> ChangeRead:
    change = await service.load_change(session, caller, change_id)
    set_etag(response, service.CHANGE_KIND, change.id, change.version)
    return await service.change_to_read(change, caller)


async def _change_read(
    _: AsyncSession, response: Response, change: PermitChange, caller: Principal, __: Environment
) -> ChangeRead:
    set_etag(response, service.CHANGE_KIND, change.id, change.version)
    return await service.change_to_read(change, caller)


add_action_routes(
    router,
    path="/permit-changes",
    id_param="change_id",
    op="foreign-experts-permit-changes",
    actions={
        "approve": ("Approve a change: the permit is extended, changed or cancelled", "批准"),
        "refuse": ("Refuse a change (comment required)", "不予批准"),
        "withdraw": ("Withdraw a change awaiting decision", "撤回"),
    },
    caller=Actor,
    context=Env,
    body=ChangeAction,
    act=service.act_on_change,
    read=_change_read,
    response_model=ChangeRead,
)


@router.get(
    "/permit-changes/{change_id}/history",
    response_model=list[HistoryRead],
    operation_id="foreign-experts-permit-changes-history",
    summary="State changes of a permit change / 变更办理记录",
    responses=problem_responses(401, 403, 404, 422),
)
async def change_history(change_id: Id, session: DbSession, caller: Reader) -> list[HistoryRead]:
    return await service.change_history(session, caller, change_id)
