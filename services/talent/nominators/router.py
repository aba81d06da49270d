"""HTTP of the nominators' register (提名者, AW-2), kept by officials."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.talent.deps import Env, Official, Overseer
from services.talent.nominators import service
from services.talent.nominators.models import Nominator
from services.talent.nominators.schemas import NominatorCreate, NominatorKind, NominatorRead, NominatorUpdate
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.schemas import Id

router = APIRouter(tags=["award nominators"])
OP = "talent-nominators"


def _read(response: Response, nominator: Nominator) -> NominatorRead:
    set_etag(response, service.KIND, nominator.id, nominator.version)
    return service.to_read(nominator)


@router.post(
    "/nominators",
    status_code=201,
    response_model=NominatorRead,
    operation_id=f"{OP}-create",
    summary="Register an account as a nominator of an AW-2 kind (officials) / 登记提名者",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_nominator(
    body: NominatorCreate, session: DbSession, caller: Official, env: Env, response: Response
) -> NominatorRead:
    return _read(response, await service.create(session, caller, body, env.subject_key_secret))


@router.get(
    "/nominators",
    response_model=Page[NominatorRead],
    operation_id=f"{OP}-list",
    summary="The nominators' register / 提名者名录",
    responses=problem_responses(401, 403, 422),
)
async def list_nominators(
    session: DbSession,
    caller: Overseer,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.SORTS.choices] = None,
    kind: Annotated[NominatorKind | None, Query()] = None,
    active: Annotated[bool | None, Query()] = None,
) -> Page[NominatorRead]:
    return await service.page(session, kind=kind, active=active, limit=limit, cursor=cursor, sort=sort)


@router.get(
    "/nominators/{nominator_id}",
    response_model=NominatorRead,
    operation_id=f"{OP}-get",
    summary="A registered nominator / 提名者详情",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_nominator(nominator_id: Id, session: DbSession, caller: Overseer, response: Response) -> NominatorRead:
    return _read(response, await service.load(session, nominator_id))


@router.patch(
    "/nominators/{nominator_id}",
    response_model=NominatorRead,
    operation_id=f"{OP}-update",
    summary="Rename, recognise or deactivate a nominator (If-Match) / 修改提名者",
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update_nominator(
    nominator_id: Id,
    body: NominatorUpdate,
    session: DbSession,
    caller: Official,
    response: Response,
    if_match: IfMatch = None,
) -> NominatorRead:
    return _read(response, await service.update(session, caller, nominator_id, body, if_match))
