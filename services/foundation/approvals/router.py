"""HTTP of approval (批准资助) within a category's budget, the public notice (公示) with its real-name
objections, and funding at its conclusion. Notices are public; objecting needs a logged-in person."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation.approvals import repository as repo
from services.foundation.approvals import service
from services.foundation.approvals.models import FoundationNotice, NoticeObjection
from services.foundation.approvals.schemas import (
    ActionBody,
    ApprovalCreate,
    ApprovalRead,
    BudgetRead,
    NoticeCreate,
    NoticeRead,
    NoticeSummary,
    ObjectionCreate,
    ObjectionRead,
)
from services.foundation.deps import Env, Environment
from shared.clock import Now
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import ValidationFailed, problem_responses
from shared.notices import NOTICE_WORKFLOW, OBJECTION_WORKFLOW, ResolutionBody
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import PUBLIC, Caller, MaybeCaller, Principal, require_roles
from shared.schemas import Id
from shared.workflow import HistoryRead

router = APIRouter(tags=["foundation approvals"])

Official = Annotated[Principal, Depends(require_roles("official"))]
Staff = Annotated[Principal, Depends(require_roles("official", "agency", "auditor"))]
RowFilter = Annotated[int | None, Query(ge=1, le=2**63 - 1)]
CATEGORY_PATH = "/plans/{plan_id}/categories/{category_id}"


def _choice(name: str, value: str | None, allowed: frozenset[str]) -> None:
    if value is not None and value not in allowed:
        raise ValidationFailed(
            [{"field": name, "code": "invalid_choice", "message": "one of: " + ", ".join(sorted(allowed))}]
        )


def _notice(response: Response, notice: FoundationNotice, now: Now) -> NoticeRead:
    set_etag(response, service.NOTICE, notice.id, notice.version)
    return service.notice_read(notice, now)


def _objection(response: Response, objection: NoticeObjection) -> ObjectionRead:
    set_etag(response, service.OBJECTION, objection.id, objection.version)
    return ObjectionRead.model_validate(objection)


@router.post(
    CATEGORY_PATH + "/approval",
    status_code=201,
    response_model=ApprovalRead,
    operation_id="foundation-approvals-approve",
    summary="Approve a category's ranked list within its budget and project count / 批准资助名单",
    description="The applications in rank order (default: those within the funding line), each "
    "ranked → approved with its amount; with `final` the category's other ranked applications are "
    "declined. 409 `category_budget_exceeded` / `category_count_exceeded` when they do not fit, even "
    "under concurrent approvals. `If-Match` (the budget's ETag) is optional; `Idempotency-Key` accepted.",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
async def approve(
    plan_id: Id,
    category_id: Id,
    session: DbSession,
    caller: Official,
    env: Env,
    response: Response,
    body: ApprovalCreate | None = None,
    if_match: IfMatch = None,
) -> ApprovalRead:
    approval, category = await service.approve(
        session, caller, plan_id, category_id, body or ApprovalCreate(), if_match, env
    )
    set_etag(response, service.CATEGORY, category.id, category.version)
    return service.approval_read(approval, category)


@router.get(
    CATEGORY_PATH + "/approvals",
    response_model=Page[ApprovalRead],
    operation_id="foundation-approvals-list",
    summary="The approvals of a category / 资助类别的批准记录",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_approvals(
    plan_id: Id,
    category_id: Id,
    session: DbSession,
    caller: Staff,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Sort = None,
) -> Page[ApprovalRead]:
    rows, next_cursor = await service.approvals(
        session, caller, plan_id, category_id, limit=limit, cursor=cursor, sort=sort
    )
    return Page[ApprovalRead](items=[service.approval_read(r) for r in rows], next_cursor=next_cursor)


@router.get(
    CATEGORY_PATH + "/budget",
    response_model=BudgetRead,
    operation_id="foundation-approvals-budget",
    summary="A category's budget, approved total and remainder, project count / 资助类别预算使用情况",
    responses=problem_responses(401, 403, 404, 422),
)
async def category_budget(
    plan_id: Id, category_id: Id, session: DbSession, caller: Staff, response: Response
) -> BudgetRead:
    category = await service.budget(session, caller, plan_id, category_id)
    set_etag(response, service.CATEGORY, category.id, category.version)
    return service.budget_read(category)


@router.post(
    CATEGORY_PATH + "/notice",
    status_code=201,
    response_model=NoticeRead,
    operation_id="foundation-notices-open",
    summary="Put the category's approved applications on public notice / 发布拟资助项目公示",
    description="For the plan's `notice_working_days` working days (CAL-1), from now or from the start of "
    "`starts_on`; `ends_on` and `calendar_confirmed` are shown.",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def open_notice(
    plan_id: Id,
    category_id: Id,
    session: DbSession,
    caller: Official,
    response: Response,
    now: Now,
    body: NoticeCreate | None = None,
) -> NoticeRead:
    notice = await service.open_notice(session, caller, plan_id, category_id, body or NoticeCreate(), now)
    return _notice(response, notice, now)


@router.get(
    "/notices",
    response_model=Page[NoticeSummary],
    operation_id="foundation-notices-list",
    summary="Public notices of the foundation (anyone) / 基金公示列表",
    responses=problem_responses(422),
    **PUBLIC,
)
async def list_notices(
    session: DbSession,
    caller: MaybeCaller,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Sort = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    plan_id: RowFilter = None,
    category_id: RowFilter = None,
    year: Annotated[int | None, Query(ge=2000, le=2200)] = None,
) -> Page[NoticeSummary]:
    _choice("status", status, NOTICE_WORKFLOW.states)
    rows, next_cursor = await repo.notices_page(
        session,
        plan_id=plan_id,
        category_id=category_id,
        year=year,
        status=status,
        limit=limit,
        cursor=cursor,
        sort=sort,
    )
    return Page[NoticeSummary](items=[NoticeSummary.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/notices/{notice_id}",
    response_model=NoticeRead,
    operation_id="foundation-notices-get",
    summary="A notice: names, institutions, titles, amounts (anyone; never ID numbers) / 公示详情",
    responses=problem_responses(404, 422),
    **PUBLIC,
)
async def get_notice(
    notice_id: Id, session: DbSession, caller: MaybeCaller, response: Response, now: Now
) -> NoticeRead:
    return _notice(response, await service.load_notice(session, notice_id), now)


@router.post(
    "/notices/{notice_id}/conclude",
    response_model=NoticeRead,
    operation_id="foundation-notices-conclude",
    summary="Conclude the notice after ends_on, every objection resolved: the listed applications are "
    "funded / 公示结束，予以资助",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
async def conclude(
    notice_id: Id,
    session: DbSession,
    caller: Official,
    response: Response,
    env: Env,
    body: ActionBody | None = None,
    if_match: IfMatch = None,
) -> NoticeRead:
    notice = await service.conclude(session, caller, notice_id, body.comment if body else None, if_match, env)
    return _notice(response, notice, env.now)


@router.get(
    "/notices/{notice_id}/history",
    response_model=list[HistoryRead],
    operation_id="foundation-notices-history",
    summary="State changes of a notice (the plan's staff, auditors) / 公示流转记录",
    responses=problem_responses(401, 403, 404, 422),
)
async def notice_history(notice_id: Id, session: DbSession, caller: Staff) -> list[HistoryRead]:
    return await service.notice_history(session, caller, notice_id)


@router.post(
    "/notices/{notice_id}/objections",
    status_code=201,
    response_model=ObjectionRead,
    operation_id="foundation-notices-object",
    summary="Raise a written, real-name objection while the notice runs (logged in) / 提出实名异议",
    responses=problem_responses(401, 404, 409, 422),
)
async def object_to(
    notice_id: Id, body: ObjectionCreate, session: DbSession, caller: Caller, response: Response, now: Now
) -> ObjectionRead:
    return _objection(response, await service.object_to(session, caller, notice_id, body, now))


@router.get(
    "/notices/{notice_id}/objections",
    response_model=Page[ObjectionRead],
    operation_id="foundation-notices-objections",
    summary="Objections to a notice (the plan's staff, auditors) / 异议列表",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_objections(
    notice_id: Id,
    session: DbSession,
    caller: Staff,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Sort = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> Page[ObjectionRead]:
    _choice("status", status, OBJECTION_WORKFLOW.states)
    rows, next_cursor = await service.objections(
        session, caller, notice_id, status=status, limit=limit, cursor=cursor, sort=sort
    )
    return Page[ObjectionRead](items=[ObjectionRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/notice-objections/{objection_id}",
    response_model=ObjectionRead,
    operation_id="foundation-notices-objection-get",
    summary="An objection (its objector, the plan's staff, auditors) / 异议详情",
    responses=problem_responses(401, 404, 422),
)
async def get_objection(objection_id: Id, session: DbSession, caller: Caller, response: Response) -> ObjectionRead:
    objection, _ = await service.load_objection(session, caller, objection_id)
    return _objection(response, objection)


@router.get(
    "/notice-objections/{objection_id}/history",
    response_model=list[HistoryRead],
    operation_id="foundation-notices-objection-history",
    summary="State changes of an objection / 异议处理记录",
    responses=problem_responses(401, 404, 422),
)
async def objection_history(objection_id: Id, session: DbSession, caller: Caller) -> list[HistoryRead]:
    return await service.objection_history(session, caller, objection_id)


async def _resolve(
    session: AsyncSession,
    caller: Principal,
    objection_id: int,
    action: str,
    body: ResolutionBody,
    if_match: str | None,
    env: Environment,
    response: Response,
) -> ObjectionRead:
    objection = await service.resolve(session, caller, objection_id, action, body.comment, if_match, env)
    return _objection(response, objection)


@router.post(
    "/notice-objections/{objection_id}/uphold",
    response_model=ObjectionRead,
    operation_id="foundation-notices-uphold",
    summary="Uphold an objection: the approval is withdrawn, its amount given back to the category / 异议成立",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
async def uphold(
    objection_id: Id,
    body: ResolutionBody,
    session: DbSession,
    caller: Official,
    env: Env,
    response: Response,
    if_match: IfMatch = None,
) -> ObjectionRead:
    return await _resolve(session, caller, objection_id, "uphold", body, if_match, env, response)


@router.post(
    "/notice-objections/{objection_id}/dismiss",
    response_model=ObjectionRead,
    operation_id="foundation-notices-dismiss",
    summary="Dismiss an objection with reasons / 异议不成立",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def dismiss(
    objection_id: Id,
    body: ResolutionBody,
    session: DbSession,
    caller: Official,
    env: Env,
    response: Response,
    if_match: IfMatch = None,
) -> ObjectionRead:
    return await _resolve(session, caller, objection_id, "dismiss", body, if_match, env, response)
