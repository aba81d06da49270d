"""HTTP of approval (批准立项): proposal lists by the entrusted agency, the official's decision, and
a programme's approved total and remaining budget."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.projects.approvals import service
from services.projects.approvals.models import ApprovalList
from services.projects.approvals.schemas import (
    ApprovalListCreate,
    ApprovalListRead,
    ApprovalListSummary,
    BudgetRead,
    DecisionBody,
)
from services.projects.deps import Agency, Env, Official, Overseer
from services.projects.rules.workflows import APPROVAL_LIST_WORKFLOW
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import ValidationFailed, field_error, problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import Principal
from shared.schemas import Id
from shared.workflow import HistoryRead

router = APIRouter(tags=["approvals"])

RowFilter = Annotated[int | None, Query(ge=1, le=2**63 - 1)]


async def _read(
    session: DbSession, response: Response, caller: Principal, approval_list: ApprovalList
) -> ApprovalListRead:
    set_etag(response, service.KIND, approval_list.id, approval_list.version)
    return await service.to_read(session, approval_list, caller)


@router.post(
    "/approval-lists",
    status_code=201,
    response_model=ApprovalListRead,
    operation_id="approvals-propose",
    summary="Propose a list for funding (the entrusted agency) / 专业机构提出拟立项清单",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def propose(body: ApprovalListCreate, session: DbSession, caller: Agency, response: Response) -> ApprovalListRead:
    return await _read(session, response, caller, await service.propose(session, caller, body))


@router.get(
    "/approval-lists",
    response_model=Page[ApprovalListSummary],
    operation_id="approvals-list",
    summary="Proposal lists the caller may see / 拟立项清单列表",
    responses=problem_responses(401, 403, 422),
)
async def list_lists(
    session: DbSession,
    caller: Overseer,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.SORTS.choices] = None,
    programme_id: RowFilter = None,
    call_id: RowFilter = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> Page[ApprovalListSummary]:
    if status is not None and status not in APPROVAL_LIST_WORKFLOW.states:
        raise ValidationFailed(
            [
                field_error(
                    "status",
                    "invalid_choice",
                    "应为以下之一：" + "、".join(sorted(APPROVAL_LIST_WORKFLOW.states)),
                    "one of: " + ", ".join(sorted(APPROVAL_LIST_WORKFLOW.states)),
                )
            ]
        )
    return await service.page(
        session,
        caller,
        programme_id=programme_id,
        call_id=call_id,
        status=status,
        limit=limit,
        cursor=cursor,
        sort=sort,
    )


@router.get(
    "/approval-lists/{list_id}",
    response_model=ApprovalListRead,
    operation_id="approvals-get",
    summary="A proposal list / 拟立项清单详情",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_list(list_id: Id, session: DbSession, caller: Overseer, response: Response) -> ApprovalListRead:
    return await _read(session, response, caller, await service.load(session, caller, list_id))


@router.post(
    "/approval-lists/{list_id}/approve",
    response_model=ApprovalListRead,
    operation_id="approvals-approve",
    summary="Approve the list: its applications become approved or not_approved, within the budget / 批准立项",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def approve(
    list_id: Id,
    session: DbSession,
    caller: Official,
    response: Response,
    env: Env,
    body: DecisionBody | None = None,
    if_match: IfMatch = None,
) -> ApprovalListRead:
    approval_list = await service.approve(session, caller, list_id, body.comment if body else None, if_match, env)
    return await _read(session, response, caller, approval_list)


@router.post(
    "/approval-lists/{list_id}/return",
    response_model=ApprovalListRead,
    operation_id="approvals-return",
    summary="Return the list to the agency (comment required) / 退回拟立项清单",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def return_list(
    list_id: Id,
    session: DbSession,
    caller: Official,
    response: Response,
    body: DecisionBody | None = None,
    if_match: IfMatch = None,
) -> ApprovalListRead:
    approval_list = await service.close_without_approval(
        session, caller, list_id, "return", body.comment if body else None, if_match
    )
    return await _read(session, response, caller, approval_list)


@router.post(
    "/approval-lists/{list_id}/withdraw",
    response_model=ApprovalListRead,
    operation_id="approvals-withdraw",
    summary="Withdraw a list awaiting approval (the agency) / 撤回拟立项清单",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def withdraw_list(
    list_id: Id,
    session: DbSession,
    caller: Agency,
    response: Response,
    body: DecisionBody | None = None,
    if_match: IfMatch = None,
) -> ApprovalListRead:
    approval_list = await service.close_without_approval(
        session, caller, list_id, "withdraw", body.comment if body else None, if_match
    )
    return await _read(session, response, caller, approval_list)


@router.get(
    "/approval-lists/{list_id}/history",
    response_model=list[HistoryRead],
    operation_id="approvals-history",
    summary="State changes of a list / 拟立项清单流转记录",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_history(list_id: Id, session: DbSession, caller: Overseer) -> list[HistoryRead]:
    return await service.history(session, caller, list_id)


@router.get(
    "/programmes/{programme_id}/budget",
    response_model=BudgetRead,
    operation_id="approvals-budget",
    summary="A programme's budget, approved total and remainder / 计划预算使用情况",
    responses=problem_responses(401, 403, 404, 422),
)
async def programme_budget(programme_id: Id, session: DbSession, caller: Overseer) -> BudgetRead:
    return await service.budget(session, caller, programme_id)
