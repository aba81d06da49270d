"""HTTP for applications (申报书): CRUD of drafts, one POST per workflow action, history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.applications import service
from services.projects.applications.models import Application
from services.projects.applications.schemas import (
    ActionBody,
    ApplicationCreate,
    ApplicationRead,
    ApplicationSummary,
    ApplicationUpdate,
)
from services.projects.deps import Actor, Applicant, Env, Reader
from services.projects.rules.workflows import APPLICATION_API_ACTIONS, APPLICATION_WORKFLOW
from shared.actions import add_action_routes
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import ValidationFailed, field_error, problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import Principal
from shared.schemas import Id
from shared.workflow import HistoryRead

router = APIRouter(tags=["applications"])

STATES = sorted(APPLICATION_WORKFLOW.states)


async def _read(
    session: AsyncSession, response: Response, caller: Principal, application: Application
) -> ApplicationRead:
    set_etag(response, service.KIND, application.id, application.version)
    return await service.read(session, caller, application)


@router.post(
    "/applications",
    status_code=201,
    response_model=ApplicationRead,
    operation_id="applications-create",
    summary="Start an application (draft) / 创建申报书草稿",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_application(
    body: ApplicationCreate, session: DbSession, caller: Applicant, response: Response
) -> ApplicationRead:
    application = await service.create(session, caller, body)
    return await _read(session, response, caller, application)


@router.get(
    "/applications",
    response_model=Page[ApplicationSummary],
    operation_id="applications-list",
    summary="List the applications the caller may see (ID numbers masked) / 申报书列表",
    responses=problem_responses(401, 403, 422),
)
async def list_applications(
    session: DbSession,
    caller: Reader,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.SORTS.choices] = None,
    status: Annotated[str | None, Query(max_length=32, description="one of: " + ", ".join(STATES))] = None,
    call_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    programme_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    year: Annotated[int | None, Query(ge=2000, le=2200)] = None,
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
        status=status,
        call_id=call_id,
        programme_id=programme_id,
        year=year,
        limit=limit,
        cursor=cursor,
        sort=sort,
    )


@router.get(
    "/applications/{application_id}",
    response_model=ApplicationRead,
    operation_id="applications-get",
    summary="An application / 申报书详情",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_application(
    application_id: Id, session: DbSession, caller: Reader, response: Response
) -> ApplicationRead:
    return await _read(session, response, caller, await service.load(session, caller, application_id))


@router.patch(
    "/applications/{application_id}",
    response_model=ApplicationRead,
    operation_id="applications-update",
    summary="Edit a draft or returned application (If-Match required) / 修改申报书",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_application(
    application_id: Id,
    body: ApplicationUpdate,
    session: DbSession,
    caller: Applicant,
    response: Response,
    env: Env,
    if_match: IfMatch = None,
) -> ApplicationRead:
    application = await service.update(session, caller, application_id, body, if_match, env)
    return await _read(session, response, caller, application)


@router.get(
    "/applications/{application_id}/history",
    response_model=list[HistoryRead],
    operation_id="applications-history",
    summary="State changes of an application / 申报书流转记录",
    responses=problem_responses(401, 403, 404, 422),
)
async def application_history(application_id: Id, session: DbSession, caller: Reader) -> list[HistoryRead]:
    return await service.history(session, caller, application_id)


_ACTION_SUMMARIES: dict[str, tuple[str, str]] = {
    "submit": ("Submit (runs the guards at submit)", "提交申报"),
    "resubmit": ("Resubmit a returned application (guards again)", "修改后重新提交"),
    "withdraw": ("Withdraw", "撤回申报"),
    "endorse": ("Endorse as the applicant organisation", "单位审核推荐"),
    "return_by_org": ("Return to the applicant (comment required)", "单位退回修改"),
    "accept": ("Accept at formal review", "形式审查通过（受理）"),
    "reject_formal": ("Reject at formal review (comment required)", "形式审查不予受理"),
    "return_for_revision": ("Return for revision at formal review (comment required)", "形式审查退回修改"),
    "start_review": ("Send to expert review", "进入专家评审"),
}


add_action_routes(
    router,
    path="/applications",
    op="applications",
    actions={action: _ACTION_SUMMARIES[action] for action in APPLICATION_API_ACTIONS},
    caller=Actor,
    context=Env,
    body=ActionBody,
    act=service.act,
    read=lambda session, response, application, caller, _env: _read(session, response, caller, application),
    response_model=ApplicationRead,
)
