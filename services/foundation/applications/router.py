"""HTTP of foundation applications (基金申请书): drafts, one POST per workflow action up to the formal
review, history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation.applications import service
from services.foundation.applications.models import FoundationApplication
from services.foundation.applications.schemas import (
    ActionBody,
    ApplicationCreate,
    ApplicationRead,
    ApplicationSummary,
    ApplicationUpdate,
    FormalRejection,
)
from services.foundation.deps import Actor, Applicant, Env, Reader, Staff
from services.foundation.rules.workflows import APPLICATION_WORKFLOW
from shared.actions import add_action_routes
from shared.clients.reviewers import DISCIPLINE_PREFIX_PATTERN
from shared.clock import Now
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import ValidationFailed, field_error, problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import Principal
from shared.schemas import Id
from shared.workflow import HistoryRead

router = APIRouter(tags=["foundation applications"])

STATES = sorted(APPLICATION_WORKFLOW.states)
ACTION_ERRORS = problem_responses(401, 403, 404, 409, 412, 422, 503)


async def _read(
    session: AsyncSession, response: Response, caller: Principal, application: FoundationApplication, now: datetime
) -> ApplicationRead:
    set_etag(response, service.KIND, application.id, application.version)
    return await service.read(session, caller, application, now)


@router.post(
    "/applications",
    status_code=201,
    response_model=ApplicationRead,
    operation_id="foundation-applications-create",
    summary="Start an application (draft; Idempotency-Key honoured) / 创建基金申请书草稿",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_application(
    body: ApplicationCreate,
    session: DbSession,
    caller: Applicant,
    response: Response,
    now: Now,
) -> ApplicationRead:
    application = await service.create(session, caller, body)
    return await _read(session, response, caller, application, now)


@router.get(
    "/applications",
    response_model=Page[ApplicationSummary],
    operation_id="foundation-applications-list",
    summary="List the applications the caller may see (ID numbers masked) / 基金申请书列表",
    responses=problem_responses(401, 403, 422),
)
async def list_applications(
    session: DbSession,
    caller: Reader,
    now: Now,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.SORTS.choices] = None,
    plan_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    category_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    status: Annotated[str | None, Query(max_length=32, description="one of: " + ", ".join(STATES))] = None,
    discipline: Annotated[
        str | None, Query(pattern=DISCIPLINE_PREFIX_PATTERN, description="a discipline code or prefix (F, F02, F0203)")
    ] = None,
    formal_review_overdue: Annotated[
        bool | None, Query(description="true: only those still awaiting formal review after its deadline (NSF-1)")
    ] = None,
) -> Page[ApplicationSummary]:
    if status is not None and status not in APPLICATION_WORKFLOW.states:
        raise ValidationFailed(
            [
                field_error(
                    "status", "invalid_choice", "应为以下之一：" + "、".join(STATES), "one of: " + ", ".join(STATES)
                )
            ]
        )
    return await service.page(
        session,
        caller,
        now,
        plan_id=plan_id,
        category_id=category_id,
        status=status,
        discipline=discipline,
        formal_review_overdue=formal_review_overdue,
        limit=limit,
        cursor=cursor,
        sort=sort,
    )


@router.get(
    "/applications/{application_id}",
    response_model=ApplicationRead,
    operation_id="foundation-applications-get",
    summary="An application / 基金申请书详情",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_application(
    application_id: Id,
    session: DbSession,
    caller: Reader,
    response: Response,
    now: Now,
) -> ApplicationRead:
    return await _read(session, response, caller, await service.load(session, caller, application_id), now)


@router.patch(
    "/applications/{application_id}",
    response_model=ApplicationRead,
    operation_id="foundation-applications-update",
    summary="Edit a draft or returned application (If-Match required) / 修改基金申请书",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_application(
    application_id: Id,
    body: ApplicationUpdate,
    session: DbSession,
    caller: Applicant,
    response: Response,
    now: Now,
    if_match: IfMatch = None,
) -> ApplicationRead:
    application = await service.update(session, caller, application_id, body, if_match)
    return await _read(session, response, caller, application, now)


@router.get(
    "/applications/{application_id}/history",
    response_model=list[HistoryRead],
    operation_id="foundation-applications-history",
    summary="State changes of an application / 基金申请书流转记录",
    responses=problem_responses(401, 403, 404, 422),
)
async def application_history(application_id: Id, session: DbSession, caller: Reader) -> list[HistoryRead]:
    return await service.history(session, caller, application_id)


_ACTION_SUMMARIES: dict[str, tuple[str, str]] = {
    "submit": ("Submit (the guards at submit; asks the projects service: 503 when it is down)", "提交申请"),
    "resubmit": ("Resubmit a returned application (the guards again)", "修改后重新提交"),
    "withdraw": ("Withdraw before peer review", "撤回申请"),
    "endorse": ("Endorse as the host institution", "依托单位审核推荐"),
    "return_by_org": ("Return to the applicant as the host institution (comment required)", "依托单位退回修改"),
    "accept": ("Accept at formal review (integrity checked again, NSF-1)", "形式审查通过（受理）"),
}


add_action_routes(
    router,
    path="/applications",
    op="foundation-applications",
    actions=_ACTION_SUMMARIES,
    caller=Actor,
    context=Env,
    body=ActionBody,
    act=service.act,
    read=lambda session, response, application, caller, env: _read(session, response, caller, application, env.now),
    response_model=ApplicationRead,
    responses=ACTION_ERRORS,
)


@router.post(
    "/applications/{application_id}/reject-formal",
    response_model=ApplicationRead,
    operation_id="foundation-applications-reject-formal",
    summary="Reject at formal review with reasons and a comment (NSF-1) / 形式审查不予受理",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def reject_formal(
    application_id: Id,
    body: FormalRejection,
    session: DbSession,
    caller: Staff,
    response: Response,
    env: Env,
    if_match: IfMatch = None,
) -> ApplicationRead:
    application = await service.act(
        session, caller, application_id, "reject_formal", body.comment, if_match, env, reasons=list(body.reasons)
    )
    return await _read(session, response, caller, application, env.now)
