"""HTTP of the talent programmes' yearly calls (年度申报): published ones are public."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.calls import service
from services.talent.calls.models import TalentCall
from services.talent.calls.schemas import CallCreate, CallRead, CallUpdate
from services.talent.deps import Env, Environment, Official, Overseer
from shared.actions import add_action_routes
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import PUBLIC, MaybeCaller, Principal
from shared.schemas import Id
from shared.workflow import HistoryRead

router = APIRouter(tags=["talent calls"])
OP = "talent-calls"


async def _read(session: AsyncSession, response: Response, call: TalentCall, today: date) -> CallRead:
    set_etag(response, service.KIND, call.id, call.version)
    return await service.read(session, call, today)


@router.post(
    "/calls",
    status_code=201,
    response_model=CallRead,
    operation_id=f"{OP}-create",
    summary="Draft a programme's yearly call (officials) / 新建人才计划年度申报",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_call(body: CallCreate, session: DbSession, caller: Official, env: Env, response: Response) -> CallRead:
    return await _read(session, response, await service.create(session, caller, body), env.today)


@router.get(
    "/calls",
    response_model=Page[CallRead],
    operation_id=f"{OP}-list",
    summary="List the yearly calls: published for everyone, drafts for officials / 年度申报列表",
    responses=problem_responses(422),
    **PUBLIC,
)
async def list_calls(
    session: DbSession,
    caller: MaybeCaller,
    env: Env,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.SORTS.choices] = None,
    programme_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    year: Annotated[int | None, Query(ge=2000, le=2199)] = None,
    status: Annotated[Literal["draft", "published", "closed"] | None, Query()] = None,
) -> Page[CallRead]:
    return await service.page(
        session,
        caller,
        env.today,
        programme_id=programme_id,
        year=year,
        status=status,
        limit=limit,
        cursor=cursor,
        sort=sort,
    )


@router.get(
    "/calls/{call_id}",
    response_model=CallRead,
    operation_id=f"{OP}-get",
    summary="A yearly call, whether it is open now and its days left / 年度申报详情",
    responses=problem_responses(404, 422),
    **PUBLIC,
)
async def get_call(call_id: Id, session: DbSession, caller: MaybeCaller, env: Env, response: Response) -> CallRead:
    return await _read(session, response, await service.load(session, caller, call_id), env.today)


@router.patch(
    "/calls/{call_id}",
    response_model=CallRead,
    operation_id=f"{OP}-update",
    summary="Edit a yearly call while draft or published (If-Match) / 修改年度申报",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_call(
    call_id: Id,
    body: CallUpdate,
    session: DbSession,
    caller: Official,
    env: Env,
    response: Response,
    if_match: IfMatch = None,
) -> CallRead:
    return await _read(session, response, await service.update(session, caller, call_id, body, if_match), env.today)


async def _act(
    session: AsyncSession,
    caller: Principal,
    call_id: int,
    action: str,
    comment: str | None,
    if_match: str | None,
    _: Environment,
) -> TalentCall:
    return await service.act(session, caller, call_id, action, comment, if_match)


async def _read_acted(
    session: AsyncSession, response: Response, call: TalentCall, _caller: Principal, env: Environment
) -> CallRead:
    return await _read(session, response, call, env.today)


add_action_routes(
    router,
    path="/calls",
    id_param="call_id",
    op=OP,
    actions={
        "publish": ("Publish a call: applications are taken within its window", "发布年度申报"),
        "close": ("Close a call", "结束年度申报"),
    },
    caller=Official,
    context=Env,
    act=_act,
    read=_read_acted,
    response_model=CallRead,
)


@router.get(
    "/calls/{call_id}/history",
    response_model=list[HistoryRead],
    operation_id=f"{OP}-history",
    summary="State changes of a yearly call / 年度申报状态记录",
    responses=problem_responses(401, 403, 404, 422),
)
async def call_history(call_id: Id, session: DbSession, caller: Overseer) -> list[HistoryRead]:
    return await service.history(session, caller, call_id)
