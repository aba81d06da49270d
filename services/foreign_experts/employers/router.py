"""HTTP of employers (用人单位)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts.deps import Actor, Official, Reader
from services.foreign_experts.employers import service
from services.foreign_experts.employers.models import Employer
from services.foreign_experts.employers.schemas import (
    CITY_CODES,
    ActionBody,
    EmployerCreate,
    EmployerRead,
    EmployerUpdate,
)
from shared.actions import add_action_routes
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import Principal
from shared.schemas import Id
from shared.workflow import HistoryRead

router = APIRouter(tags=["foreign-experts employers"])


def _read(response: Response, employer: Employer) -> EmployerRead:
    set_etag(response, service.KIND, employer.id, employer.version)
    return service.to_read(employer)


@router.post(
    "/employers",
    status_code=201,
    response_model=EmployerRead,
    operation_id="foreign-experts-employers-create",
    summary="Register an employer (a clerk its own organisation) / 用人单位登记",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_employer(body: EmployerCreate, session: DbSession, caller: Actor, response: Response) -> EmployerRead:
    return _read(response, await service.create(session, caller, body))


@router.get(
    "/employers",
    response_model=Page[EmployerRead],
    operation_id="foreign-experts-employers-list",
    summary="List employers (a clerk sees its own) / 用人单位列表",
    responses=problem_responses(401, 403, 422),
)
async def list_employers(
    session: DbSession,
    caller: Reader,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.SORTS.choices] = None,
    status: Annotated[Literal["registered", "suspended"] | None, Query()] = None,
    city_code: Annotated[str | None, Query(pattern="^(" + "|".join(CITY_CODES) + ")$")] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100, description="part of the name")] = None,
) -> Page[EmployerRead]:
    return await service.page(
        session, caller, status=status, city_code=city_code, q=q, limit=limit, cursor=cursor, sort=sort
    )


@router.get(
    "/employers/{employer_id}",
    response_model=EmployerRead,
    operation_id="foreign-experts-employers-get",
    summary="An employer / 用人单位详情",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_employer(employer_id: Id, session: DbSession, caller: Reader, response: Response) -> EmployerRead:
    return _read(response, await service.load(session, caller, employer_id))


@router.patch(
    "/employers/{employer_id}",
    response_model=EmployerRead,
    operation_id="foreign-experts-employers-update",
    summary="Edit an employer's details (If-Match required) / 修改用人单位信息",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_employer(
    employer_id: Id,
    body: EmployerUpdate,
    session: DbSession,
    caller: Actor,
    response: Response,
    if_match: IfMatch = None,
) -> EmployerRead:
    return _read(response, await service.update(session, caller, employer_id, body, if_match))


async def _act(
    session: AsyncSession,
    caller: Principal,
    employer_id: int,
    action: str,
    comment: str | None,
    if_match: str | None,
    _: None,
) -> Employer:
    return await service.act(session, caller, employer_id, action, comment, if_match)


add_action_routes(
    router,
    path="/employers",
    id_param="employer_id",
    op="foreign-experts-employers",
    actions={
        "suspend": ("Suspend an employer (comment required)", "暂停用人单位"),
        "reinstate": ("Reinstate a suspended employer (comment required)", "恢复用人单位"),
    },
    caller=Official,
    body=ActionBody,
    act=_act,
    read=lambda _session, response, employer, _caller, _context: _read(response, employer),
    response_model=EmployerRead,
)


@router.get(
    "/employers/{employer_id}/history",
    response_model=list[HistoryRead],
    operation_id="foreign-experts-employers-history",
    summary="State changes of an employer / 用人单位状态记录",
    responses=problem_responses(401, 403, 404, 422),
)
async def employer_history(employer_id: Id, session: DbSession, caller: Reader) -> list[HistoryRead]:
    return await service.history(session, caller, employer_id)
