"""HTTP of the bureau's yearly calls, one collection per kind over the same table:
``/programme-calls`` (引进外国专家项目申报) and ``/training-plans`` (出国(境)培训计划)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts.calls import service
from services.foreign_experts.calls.models import FundingCall
from services.foreign_experts.calls.schemas import CallCreate, CallRead, CallUpdate
from services.foreign_experts.deps import Env, Environment, Official, Overseer
from shared.actions import add_action_routes
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import PUBLIC, MaybeCaller, Principal
from shared.schemas import Id
from shared.workflow import HistoryRead

Status = Literal["draft", "published", "closed"]


def _read(response: Response, call: FundingCall, today: Any) -> CallRead:
    set_etag(response, service.KIND, call.id, call.version)
    return service.to_read(call, today)


def calls_router(kind: str, path: str, tag: str, zh: str, en: str) -> APIRouter:
    """The routes of one kind of call under ``/{path}``; operation ids ``foreign-experts-{path}-...``."""
    router = APIRouter(tags=[tag])
    op = f"foreign-experts-{path}"

    @router.post(
        f"/{path}",
        status_code=201,
        response_model=CallRead,
        operation_id=f"{op}-create",
        summary=f"Draft a {en} (officials) / 新建{zh}",
        responses=problem_responses(401, 403, 409, 422),
    )
    async def create_call(
        body: CallCreate, session: DbSession, caller: Official, env: Env, response: Response
    ) -> CallRead:
        return _read(response, await service.create(session, caller, kind, body), env.today)

    @router.get(
        f"/{path}",
        response_model=Page[CallRead],
        operation_id=f"{op}-list",
        summary=f"List {en}s: published for everyone, drafts for officials / {zh}列表",
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
        year: Annotated[int | None, Query(ge=2000, le=2199)] = None,
        status: Annotated[Status | None, Query()] = None,
    ) -> Page[CallRead]:
        return await service.page(
            session, caller, kind, env.today, year=year, status=status, limit=limit, cursor=cursor, sort=sort
        )

    @router.get(
        f"/{path}/{{call_id}}",
        response_model=CallRead,
        operation_id=f"{op}-get",
        summary=f"A {en} with its budget and places left / {zh}详情",
        responses=problem_responses(404, 422),
        **PUBLIC,
    )
    async def get_call(call_id: Id, session: DbSession, caller: MaybeCaller, env: Env, response: Response) -> CallRead:
        return _read(response, await service.load(session, caller, kind, call_id), env.today)

    @router.patch(
        f"/{path}/{{call_id}}",
        response_model=CallRead,
        operation_id=f"{op}-update",
        summary=f"Edit a {en} while draft or published (If-Match) / 修改{zh}",
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
        return _read(response, await service.update(session, caller, kind, call_id, body, if_match), env.today)

    async def act(
        session: AsyncSession,
        caller: Principal,
        call_id: int,
        action: str,
        comment: str | None,
        if_match: str | None,
        _: Environment,
    ) -> FundingCall:
        return await service.act(session, caller, kind, call_id, action, comment, if_match)

    add_action_routes(
        router,
        path=f"/{path}",
        id_param="call_id",
        op=op,
        actions={
            "publish": (f"Publish a {en}: applications are taken within its window", f"发布{zh}"),
            "close": (f"Close a {en}", f"结束{zh}"),
        },
        caller=Official,
        context=Env,
        act=act,
        read=lambda _session, response, call, _caller, env: _read(response, call, env.today),
        response_model=CallRead,
    )

    @router.get(
        f"/{path}/{{call_id}}/history",
        response_model=list[HistoryRead],
        operation_id=f"{op}-history",
        summary=f"State changes of a {en} / {zh}状态记录",
        responses=problem_responses(401, 403, 404, 422),
    )
    async def call_history(call_id: Id, session: DbSession, caller: Overseer) -> list[HistoryRead]:
        return await service.history(session, caller, kind, call_id)

    return router


programme_calls_router = calls_router(
    "programme",
    "programme-calls",
    "foreign-experts programme calls",
    "引进外国专家项目申报",
    "foreign-expert programme call",
)
training_plans_router = calls_router(
    "training", "training-plans", "foreign-experts training plans", "出国(境)培训计划", "outbound training plan"
)
