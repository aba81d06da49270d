"""HTTP of approval (批准资助) within a category's budget, and the category's budget as approved."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response

from services.foundation.approvals import service
from services.foundation.approvals.schemas import ApprovalCreate, ApprovalRead, BudgetRead
from services.foundation.deps import Env, Official, Overseer
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.schemas import Id

router = APIRouter(tags=["foundation approvals"])

CATEGORY_PATH = "/plans/{plan_id}/categories/{category_id}"


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
    caller: Overseer,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.APPROVAL_SORTS.choices] = None,
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
    plan_id: Id, category_id: Id, session: DbSession, caller: Overseer, response: Response
) -> BudgetRead:
    category = await service.budget(session, caller, plan_id, category_id)
    set_etag(response, service.CATEGORY, category.id, category.version)
    return service.budget_read(category)
