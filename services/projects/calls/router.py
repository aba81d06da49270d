"""HTTP for calls (申报指南): published calls and their topics are public."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from services.projects.calls import service
from services.projects.calls.models import Call
from services.projects.calls.schemas import CallCreate, CallRead, CallSummary, CallUpdate, TopicRead
from services.projects.deps import Staff
from services.projects.programmes.schemas import ActionBody
from shared.clock import Now
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import PUBLIC, Caller, MaybeCaller
from shared.schemas import Id
from shared.workflow import HistoryRead

router = APIRouter(tags=["calls"])

CallId = Id


def _read(response: Response, call: Call, now: datetime) -> CallRead:
    set_etag(response, service.KIND, call.id, call.version)
    return service.to_read(call, now)


@router.post(
    "/calls",
    status_code=201,
    response_model=CallRead,
    operation_id="calls-create",
    summary="Draft a call for proposals / 起草申报指南",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_call(body: CallCreate, session: DbSession, caller: Staff, response: Response, now: Now) -> CallRead:
    return _read(response, await service.create(session, caller, body), now)


@router.get(
    "/calls",
    response_model=Page[CallSummary],
    operation_id="calls-list",
    summary="List calls (published ones without logging in) / 申报指南列表",
    responses=problem_responses(422),
    **PUBLIC,
)
async def list_calls(
    session: DbSession,
    caller: MaybeCaller,
    now: Now,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.SORTS.choices] = None,
    programme_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    year: Annotated[int | None, Query(ge=2000, le=2200)] = None,
    status: Annotated[Literal["draft", "published", "closed"] | None, Query()] = None,
) -> Page[CallSummary]:
    return await service.page(
        session,
        caller,
        programme_id=programme_id,
        year=year,
        status=status,
        limit=limit,
        cursor=cursor,
        sort=sort,
        now=now,
    )


@router.get(
    "/calls/{call_id}",
    response_model=CallRead,
    operation_id="calls-get",
    summary="A call with its topics and eligibility / 申报指南详情",
    responses=problem_responses(404, 422),
    **PUBLIC,
)
async def get_call(call_id: CallId, session: DbSession, caller: MaybeCaller, response: Response, now: Now) -> CallRead:
    return _read(response, await service.load(session, caller, call_id), now)


@router.get(
    "/calls/{call_id}/topics",
    response_model=list[TopicRead],
    operation_id="calls-topics",
    summary="The topics of a call / 申报指南的方向",
    responses=problem_responses(404, 422),
    **PUBLIC,
)
async def call_topics(call_id: CallId, session: DbSession, caller: MaybeCaller) -> list[TopicRead]:
    call = await service.load(session, caller, call_id)
    return [TopicRead.model_validate(t) for t in call.topics]


@router.patch(
    "/calls/{call_id}",
    response_model=CallRead,
    operation_id="calls-update",
    summary="Edit a draft call (If-Match required) / 修改申报指南草稿",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_call(
    call_id: CallId,
    body: CallUpdate,
    session: DbSession,
    caller: Staff,
    response: Response,
    now: Now,
    if_match: IfMatch = None,
) -> CallRead:
    return _read(response, await service.update(session, caller, call_id, body, if_match), now)


@router.post(
    "/calls/{call_id}/publish",
    response_model=CallRead,
    operation_id="calls-publish",
    summary="Publish a call / 发布申报指南",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def publish_call(
    call_id: CallId,
    session: DbSession,
    caller: Staff,
    response: Response,
    now: Now,
    body: ActionBody | None = None,
    if_match: IfMatch = None,
) -> CallRead:
    call = await service.act(session, caller, call_id, "publish", body.comment if body else None, if_match)
    return _read(response, call, now)


@router.post(
    "/calls/{call_id}/close",
    response_model=CallRead,
    operation_id="calls-close",
    summary="Close a call / 关闭申报指南",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def close_call(
    call_id: CallId,
    session: DbSession,
    caller: Staff,
    response: Response,
    now: Now,
    body: ActionBody | None = None,
    if_match: IfMatch = None,
) -> CallRead:
    call = await service.act(session, caller, call_id, "close", body.comment if body else None, if_match)
    return _read(response, call, now)


@router.get(
    "/calls/{call_id}/history",
    response_model=list[HistoryRead],
    operation_id="calls-history",
    summary="State changes of a call / 申报指南状态变更记录",
    responses=problem_responses(401, 404, 422),
)
async def call_history(call_id: CallId, session: DbSession, caller: Caller) -> list[HistoryRead]:
    return await service.history(session, caller, call_id)
