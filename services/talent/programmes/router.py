"""HTTP of talent programmes (科技人才计划): public to read, kept by officials."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.deps import Official, Overseer
from services.talent.programmes import service
from services.talent.programmes.models import Programme
from services.talent.programmes.schemas import Kind, Level, ProgrammeCreate, ProgrammeRead, ProgrammeUpdate
from shared.actions import add_action_routes
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import PUBLIC, Principal
from shared.schemas import Id
from shared.workflow import HistoryRead

router = APIRouter(tags=["talent programmes"])
OP = "talent-programmes"


def _read(response: Response, programme: Programme) -> ProgrammeRead:
    set_etag(response, service.KIND, programme.id, programme.version)
    return service.to_read(programme)


@router.post(
    "/programmes",
    status_code=201,
    response_model=ProgrammeRead,
    operation_id=f"{OP}-create",
    summary="Create a talent programme with its indicators, tenure and support (officials) / 新建人才计划",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_programme(
    body: ProgrammeCreate, session: DbSession, caller: Official, response: Response
) -> ProgrammeRead:
    return _read(response, await service.create(session, caller, body))


@router.get(
    "/programmes",
    response_model=Page[ProgrammeRead],
    operation_id=f"{OP}-list",
    summary="List talent programmes / 人才计划列表",
    responses=problem_responses(422),
    **PUBLIC,
)
async def list_programmes(
    session: DbSession,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.SORTS.choices] = None,
    level: Annotated[Level | None, Query()] = None,
    kind: Annotated[Kind | None, Query()] = None,
    status: Annotated[Literal["active", "retired"] | None, Query()] = None,
) -> Page[ProgrammeRead]:
    return await service.page(session, level=level, kind=kind, status=status, limit=limit, cursor=cursor, sort=sort)


@router.get(
    "/programmes/{programme_id}",
    response_model=ProgrammeRead,
    operation_id=f"{OP}-get",
    summary="A talent programme: who may apply, how talent is judged, what selection brings / 人才计划详情",
    responses=problem_responses(404, 422),
    **PUBLIC,
)
async def get_programme(programme_id: Id, session: DbSession, response: Response) -> ProgrammeRead:
    return _read(response, await service.load(session, programme_id))


@router.patch(
    "/programmes/{programme_id}",
    response_model=ProgrammeRead,
    operation_id=f"{OP}-update",
    summary="Edit a talent programme (If-Match) / 修改人才计划",
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


async def _act(
    session: AsyncSession,
    caller: Principal,
    programme_id: int,
    action: str,
    comment: str | None,
    if_match: str | None,
    _: None,
) -> Programme:
    return await service.act(session, caller, programme_id, action, comment, if_match)


add_action_routes(
    router,
    path="/programmes",
    id_param="programme_id",
    op=OP,
    actions={
        "retire": ("Retire a programme: no new call under it (a reason is required)", "停用人才计划"),
        "reinstate": ("Reinstate a retired programme (a reason is required)", "恢复人才计划"),
    },
    caller=Official,
    act=_act,
    read=lambda _session, response, programme, _caller, _context: _read(response, programme),
    response_model=ProgrammeRead,
)


@router.get(
    "/programmes/{programme_id}/history",
    response_model=list[HistoryRead],
    operation_id=f"{OP}-history",
    summary="State changes of a talent programme / 人才计划状态记录",
    responses=problem_responses(401, 403, 404, 422),
)
async def programme_history(programme_id: Id, session: DbSession, caller: Overseer) -> list[HistoryRead]:
    return await service.history(session, programme_id)
