"""HTTP for programmes (科技计划/专项)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from services.projects.deps import Official, Overseer
from services.projects.programmes import service
from services.projects.programmes.models import Programme
from services.projects.programmes.schemas import ActionBody, ProgrammeCreate, ProgrammeRead, ProgrammeUpdate
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.schemas import Id
from shared.workflow import HistoryRead

router = APIRouter(tags=["programmes"])


def _read(response: Response, programme: Programme) -> ProgrammeRead:
    set_etag(response, service.KIND, programme.id, programme.version)
    return ProgrammeRead.model_validate(programme)


@router.post(
    "/programmes",
    status_code=201,
    response_model=ProgrammeRead,
    operation_id="programmes-create",
    summary="Create a programme / 新建科技计划（专项）",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_programme(
    body: ProgrammeCreate, session: DbSession, caller: Official, response: Response
) -> ProgrammeRead:
    return _read(response, await service.create(session, caller, body))


@router.get(
    "/programmes",
    response_model=Page[ProgrammeRead],
    operation_id="programmes-list",
    summary="List programmes (an agency sees its entrusted ones) / 计划列表",
    responses=problem_responses(401, 403, 422),
)
async def list_programmes(
    session: DbSession,
    caller: Overseer,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.SORTS.choices] = None,
    year: Annotated[int | None, Query(ge=2000, le=2200)] = None,
    status: Annotated[Literal["active", "closed"] | None, Query()] = None,
) -> Page[ProgrammeRead]:
    return await service.page(session, caller, year=year, status=status, limit=limit, cursor=cursor, sort=sort)


@router.get(
    "/programmes/{programme_id}",
    response_model=ProgrammeRead,
    operation_id="programmes-get",
    summary="A programme / 计划详情",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_programme(programme_id: Id, session: DbSession, caller: Overseer, response: Response) -> ProgrammeRead:
    return _read(response, await service.load(session, caller, programme_id))


@router.patch(
    "/programmes/{programme_id}",
    response_model=ProgrammeRead,
    operation_id="programmes-update",
    summary="Edit a programme (If-Match required) / 修改计划",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_programme(
    programme_id: Id,
    body: ProgrammeUpdate,
    session: DbSession,
    caller: Official,
    response: Response,
    if_match: IfMatch = None,
) -> ProgrammeRead:
    return _read(response, await service.update(session, caller, programme_id, body, if_match))


@router.post(
    "/programmes/{programme_id}/close",
    response_model=ProgrammeRead,
    operation_id="programmes-close",
    summary="Close a programme / 关闭计划",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def close_programme(
    programme_id: Id,
    session: DbSession,
    caller: Official,
    response: Response,
    body: ActionBody | None = None,
    if_match: IfMatch = None,
) -> ProgrammeRead:
    programme = await service.act(session, caller, programme_id, "close", body.comment if body else None, if_match)
    return _read(response, programme)


@router.post(
    "/programmes/{programme_id}/reopen",
    response_model=ProgrammeRead,
    operation_id="programmes-reopen",
    summary="Reopen a closed programme (comment required) / 重新启用计划",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def reopen_programme(
    programme_id: Id,
    session: DbSession,
    caller: Official,
    response: Response,
    body: ActionBody | None = None,
    if_match: IfMatch = None,
) -> ProgrammeRead:
    programme = await service.act(session, caller, programme_id, "reopen", body.comment if body else None, if_match)
    return _read(response, programme)


@router.get(
    "/programmes/{programme_id}/history",
    response_model=list[HistoryRead],
    operation_id="programmes-history",
    summary="State changes of a programme / 计划状态变更记录",
    responses=problem_responses(401, 403, 404, 422),
)
async def programme_history(programme_id: Id, session: DbSession, caller: Overseer) -> list[HistoryRead]:
    return await service.history(session, caller, programme_id)
