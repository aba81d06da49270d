"""HTTP of a year's figures (年度参数)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from services.foreign_experts.deps import Official
from services.foreign_experts.parameters import service
from services.foreign_experts.parameters.schemas import ParametersRead, ParametersUpdate
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import problem_responses
from shared.principal import PUBLIC

router = APIRouter(tags=["foreign-experts parameters"])
Year = Annotated[int, Path(ge=2000, le=2200)]


@router.get(
    "/parameters/{year}",
    response_model=ParametersRead,
    operation_id="foreign-experts-parameters-get",
    summary="A year's figures: thresholds, average wage, C quota, validity caps / 年度参数",
    description="What the points assessment, the classes and the deadlines of the year apply (WP-1, WP-2, WP-4, "
    "WP-5). Public: employers check before they apply. `defaults` is true until an official sets the year.",
    responses=problem_responses(422),
    **PUBLIC,
)
async def get_parameters(year: Year, session: DbSession, response: Response) -> ParametersRead:
    read, row = await service.read(session, year)
    if row is not None:
        set_etag(response, service.KIND, year, row.version)
    return read


@router.put(
    "/parameters/{year}",
    response_model=ParametersRead,
    operation_id="foreign-experts-parameters-put",
    summary="Set a year's figures (If-Match once the year exists) / 设置年度参数",
    responses=problem_responses(400, 401, 403, 412, 422, 428),
)
async def put_parameters(
    year: Year,
    body: ParametersUpdate,
    session: DbSession,
    caller: Official,
    response: Response,
    if_match: IfMatch = None,
) -> ParametersRead:
    row = await service.put(session, caller, year, body, if_match)
    set_etag(response, service.KIND, year, row.version)
    return service.to_read(year, row)
