"""HTTP of award cycles (评审周期): opened ones are public, officials keep them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.award_cycles import service
from services.talent.award_cycles.models import AwardCycle
from services.talent.award_cycles.schemas import Category, CategoryRead, CycleCreate, CycleRead, CycleUpdate
from services.talent.deps import Env, Environment, Official, Overseer
from services.talent.nominations import results
from shared.actions import add_action_routes
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import PUBLIC, MaybeCaller, Principal
from shared.schemas import CommentBody, Id
from shared.workflow import HistoryRead

router = APIRouter(tags=["award cycles"])
OP = "talent-award-cycles"


async def _read(
    session: AsyncSession, response: Response, cycle: AwardCycle, caller: Principal, env: Environment
) -> CycleRead:
    set_etag(response, service.KIND, cycle.id, cycle.version)
    return await service.to_read(session, cycle, caller, env.today)


@router.get(
    "/award-categories",
    response_model=list[CategoryRead],
    operation_id="talent-award-categories-list",
    summary="The AW-1 award categories and their standing rules / 奖励类别",
    responses=problem_responses(),
    **PUBLIC,
)
async def list_categories() -> list[CategoryRead]:
    return service.categories()


@router.post(
    "/award-cycles",
    status_code=201,
    response_model=CycleRead,
    operation_id=f"{OP}-create",
    summary="Draft a year's cycle of one category with its quotas, votes and committee (officials) / 新建评审周期",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_cycle(
    body: CycleCreate, session: DbSession, caller: Official, env: Env, response: Response
) -> CycleRead:
    return await _read(session, response, await service.create(session, caller, body), caller, env)


@router.get(
    "/award-cycles",
    response_model=Page[CycleRead],
    operation_id=f"{OP}-list",
    summary="Award cycles: opened ones for everyone, drafts for officials / 评审周期列表",
    responses=problem_responses(422),
    **PUBLIC,
)
async def list_cycles(
    session: DbSession,
    caller: MaybeCaller,
    env: Env,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.SORTS.choices] = None,
    year: Annotated[int | None, Query(ge=2000, le=2199)] = None,
    category: Annotated[Category | None, Query()] = None,
    status: Annotated[Literal["draft", "open", "closed", "results_published"] | None, Query()] = None,
) -> Page[CycleRead]:
    return await service.page(
        session, caller, env.today, year=year, category=category, status=status, limit=limit, cursor=cursor, sort=sort
    )


@router.get(
    "/award-cycles/{cycle_id}",
    response_model=CycleRead,
    operation_id=f"{OP}-get",
    summary="An award cycle: its window, grades, quotas taken and vote rules / 评审周期详情",
    responses=problem_responses(404, 422),
    **PUBLIC,
)
async def get_cycle(cycle_id: Id, session: DbSession, caller: MaybeCaller, env: Env, response: Response) -> CycleRead:
    return await _read(session, response, await service.load(session, caller, cycle_id), caller, env)


@router.patch(
    "/award-cycles/{cycle_id}",
    response_model=CycleRead,
    operation_id=f"{OP}-update",
    summary="Edit a cycle's window, quotas, votes or committee (If-Match) / 修改评审周期",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_cycle(
    cycle_id: Id,
    body: CycleUpdate,
    session: DbSession,
    caller: Official,
    env: Env,
    response: Response,
    if_match: IfMatch = None,
) -> CycleRead:
    cycle = await service.update(session, caller, cycle_id, body, if_match)
    return await _read(session, response, cycle, caller, env)


async def _act(
    session: AsyncSession,
    caller: Principal,
    cycle_id: int,
    action: str,
    comment: str | None,
    if_match: str | None,
    _: Environment,
) -> AwardCycle:
    return await service.act(session, caller, cycle_id, action, comment, if_match)


add_action_routes(
    router,
    path="/award-cycles",
    id_param="cycle_id",
    op=OP,
    actions={
        "open": ("Open the cycle: nominations are taken within its window", "开始提名"),
        "close": ("Close the cycle to new nominations", "提名截止"),
    },
    caller=Official,
    context=Env,
    act=_act,
    read=_read,
    response_model=CycleRead,
)


@router.post(
    "/award-cycles/{cycle_id}/publish-results",
    response_model=CycleRead,
    operation_id=f"{OP}-publish-results",
    summary="Publish the results: every confirmed winner awarded with a certificate number, once the "
    "proposed-winners notice is concluded and no objection is open (officials) / 公布授奖结果",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def publish_results(
    cycle_id: Id,
    session: DbSession,
    caller: Official,
    env: Env,
    response: Response,
    body: CommentBody | None = None,
    if_match: IfMatch = None,
) -> CycleRead:
    comment = body.comment if body else None
    cycle = await results.publish(session, caller, cycle_id, comment, if_match, env)
    return await _read(session, response, cycle, caller, env)


@router.get(
    "/award-cycles/{cycle_id}/history",
    response_model=list[HistoryRead],
    operation_id=f"{OP}-history",
    summary="State changes of an award cycle / 评审周期状态记录",
    responses=problem_responses(401, 403, 404, 422),
)
async def cycle_history(cycle_id: Id, session: DbSession, caller: Overseer) -> list[HistoryRead]:
    return await service.history(session, caller, cycle_id)
