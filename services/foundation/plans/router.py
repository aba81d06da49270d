"""HTTP of yearly funding plans (年度资助计划): published and closed plans are public."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from services.foundation.deps import Official
from services.foundation.plans import service
from services.foundation.plans.models import FundingPlan
from services.foundation.plans.schemas import ActionBody, PlanCreate, PlanRead, PlanSummary, PlanUpdate
from shared.clock import Now
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import PUBLIC, Caller, MaybeCaller
from shared.schemas import Id
from shared.workflow import HistoryRead

router = APIRouter(tags=["foundation plans"])


def _read(response: Response, plan: FundingPlan, now: datetime) -> PlanRead:
    set_etag(response, service.KIND, plan.id, plan.version)
    return service.to_read(plan, now)


@router.post(
    "/plans",
    status_code=201,
    response_model=PlanRead,
    operation_id="foundation-plans-create",
    summary="Draft a yearly funding plan with its categories / 起草年度资助计划",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_plan(body: PlanCreate, session: DbSession, caller: Official, response: Response, now: Now) -> PlanRead:
    return _read(response, await service.create(session, caller, body), now)


@router.get(
    "/plans",
    response_model=Page[PlanSummary],
    operation_id="foundation-plans-list",
    summary="List funding plans (published ones without logging in) / 年度资助计划列表",
    responses=problem_responses(422),
    **PUBLIC,
)
async def list_plans(
    session: DbSession,
    caller: MaybeCaller,
    now: Now,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.SORTS.choices] = None,
    year: Annotated[int | None, Query(ge=2000, le=2200)] = None,
    status: Annotated[Literal["draft", "published", "closed"] | None, Query()] = None,
) -> Page[PlanSummary]:
    return await service.page(session, caller, year=year, status=status, limit=limit, cursor=cursor, sort=sort, now=now)


@router.get(
    "/plans/{plan_id}",
    response_model=PlanRead,
    operation_id="foundation-plans-get",
    summary="A funding plan with its categories / 年度资助计划详情",
    responses=problem_responses(404, 422),
    **PUBLIC,
)
async def get_plan(plan_id: Id, session: DbSession, caller: MaybeCaller, response: Response, now: Now) -> PlanRead:
    return _read(response, await service.load(session, caller, plan_id), now)


@router.patch(
    "/plans/{plan_id}",
    response_model=PlanRead,
    operation_id="foundation-plans-update",
    summary="Edit a draft plan (If-Match required) / 修改资助计划草稿",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_plan(
    plan_id: Id,
    body: PlanUpdate,
    session: DbSession,
    caller: Official,
    response: Response,
    now: Now,
    if_match: IfMatch = None,
) -> PlanRead:
    return _read(response, await service.update(session, caller, plan_id, body, if_match), now)


@router.post(
    "/plans/{plan_id}/publish",
    response_model=PlanRead,
    operation_id="foundation-plans-publish",
    summary="Publish a plan: it becomes public and takes applications in its window / 发布资助计划",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def publish_plan(
    plan_id: Id,
    session: DbSession,
    caller: Official,
    response: Response,
    now: Now,
    body: ActionBody | None = None,
    if_match: IfMatch = None,
) -> PlanRead:
    plan = await service.act(session, caller, plan_id, "publish", body.comment if body else None, if_match, now)
    return _read(response, plan, now)


@router.post(
    "/plans/{plan_id}/close",
    response_model=PlanRead,
    operation_id="foundation-plans-close",
    summary="Close a plan: no more applications / 关闭资助计划",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def close_plan(
    plan_id: Id,
    session: DbSession,
    caller: Official,
    response: Response,
    now: Now,
    body: ActionBody | None = None,
    if_match: IfMatch = None,
) -> PlanRead:
    plan = await service.act(session, caller, plan_id, "close", body.comment if body else None, if_match, now)
    return _read(response, plan, now)


@router.get(
    "/plans/{plan_id}/history",
    response_model=list[HistoryRead],
    operation_id="foundation-plans-history",
    summary="State changes of a plan / 资助计划状态变更记录",
    responses=problem_responses(401, 404, 422),
)
async def plan_history(plan_id: Id, session: DbSession, caller: Caller) -> list[HistoryRead]:
    return await service.history(session, caller, plan_id)
