"""HTTP of the national S&T award nominations: officials set quotas, nominate and export the package."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.deps import Official, Overseer
from services.talent.national import service
from services.talent.national.models import NationalNomination
from services.talent.national.schemas import NationalNominationCreate, NationalNominationRead, QuotaRead, QuotasIn
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import problem_responses
from shared.schemas import Id

router = APIRouter(tags=["national award nominations"])
OP = "talent-national-nominations"
Year = Annotated[int, Path(ge=2000, le=2199)]
YearQuery = Annotated[int, Query(ge=2000, le=2199)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _read(session: AsyncSession, response: Response, row: NationalNomination) -> NationalNominationRead:
    set_etag(response, service.KIND, row.id, row.version)
    return await service.to_read(session, row)


@router.put(
    "/national-nominations/quotas/{year}",
    response_model=list[QuotaRead],
    operation_id=f"{OP}-quotas-set",
    summary="Set the year's nomination quota per national category (officials) / 设定国家奖提名名额",
    responses=problem_responses(401, 403, 409, 422),
)
async def set_quotas(year: Year, body: QuotasIn, session: DbSession, caller: Official) -> list[QuotaRead]:
    return await service.set_quotas(session, caller, year, body)


@router.get(
    "/national-nominations/quotas/{year}",
    response_model=list[QuotaRead],
    operation_id=f"{OP}-quotas-get",
    summary="The year's quotas and how many are used / 国家奖提名名额",
    responses=problem_responses(401, 403, 422),
)
async def get_quotas(year: Year, session: DbSession, caller: Overseer) -> list[QuotaRead]:
    return await service.quotas(session, year)


@router.post(
    "/national-nominations",
    status_code=201,
    response_model=NationalNominationRead,
    operation_id=f"{OP}-create",
    summary="Nominate a provincial winner for a national category within its quota (officials) / 提名国家科学技术奖",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create(
    body: NationalNominationCreate, session: DbSession, caller: Official, response: Response
) -> NationalNominationRead:
    return await _read(session, response, await service.create(session, caller, body))


@router.get(
    "/national-nominations",
    response_model=list[NationalNominationRead],
    operation_id=f"{OP}-list",
    summary="The year's national nominations / 国家奖提名列表",
    responses=problem_responses(401, 403, 422),
)
async def list_year(year: YearQuery, session: DbSession, caller: Overseer) -> list[NationalNominationRead]:
    return await service.of_year(session, year)


@router.get(
    "/national-nominations/export",
    operation_id=f"{OP}-export",
    summary="Export the year's nomination package as JSON or XLSX / 导出国家奖提名材料",
    responses={
        200: {"content": {"application/json": {}, XLSX: {}}, "description": "the package"},
        **problem_responses(401, 403, 422),
    },
)
async def export(
    year: YearQuery, session: DbSession, caller: Overseer, format: Annotated[Literal["json", "xlsx"], Query()] = "json"
) -> Response:
    package = await service.package(session, year)
    if format == "xlsx":
        headers = {"Content-Disposition": f'attachment; filename="national-nominations-{year}.xlsx"'}
        return Response(service.xlsx(package), media_type=XLSX, headers=headers)
    return Response(json.dumps(package, ensure_ascii=False), media_type="application/json")


@router.get(
    "/national-nominations/{national_id}",
    response_model=NationalNominationRead,
    operation_id=f"{OP}-get",
    summary="A national nomination / 国家奖提名详情",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_one(national_id: Id, session: DbSession, caller: Overseer, response: Response) -> NationalNominationRead:
    return await _read(session, response, await service.load(session, national_id))


@router.post(
    "/national-nominations/{national_id}/withdraw",
    response_model=NationalNominationRead,
    operation_id=f"{OP}-withdraw",
    summary="Withdraw a national nomination, freeing its place (officials) / 撤回国家奖提名",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def withdraw(
    national_id: Id, session: DbSession, caller: Official, response: Response, if_match: IfMatch = None
) -> NationalNominationRead:
    return await _read(session, response, await service.withdraw(session, caller, national_id, if_match))
