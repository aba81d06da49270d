"""The permit check other services of the platform call (service principals only): the talent service's
Friendship Award asks whether a nominee's permit is in force and registered to the named employer. A POST,
so the number and the employer never sit in a URL or an access log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.foreign_experts.deps import Env
from services.foreign_experts.permits import service
from shared.clients.permits import CHECK_PATH, PermitCheck, PermitCheckRequest
from shared.db import DbSession
from shared.errors import Forbidden, problem_responses
from shared.principal import Principal, authenticated

router = APIRouter(tags=["foreign-experts internal"])
PREFIX = "/api/v1/foreign-experts"


async def _service(request: Request) -> Principal:
    principal = authenticated(request)
    if principal.kind != "service":
        raise Forbidden("仅供平台内部服务调用。", "For the platform's internal services only.")
    return principal


ServiceCaller = Annotated[Principal, Depends(_service)]


@router.post(
    CHECK_PATH.removeprefix(PREFIX),
    response_model=PermitCheck,
    operation_id="foreign-experts-internal-permit-checks",
    summary="Check a work permit for another service: in force, and the employer's (service principals) / "
    "服务间工作许可核验",
    description="Answers only found, the permit's state on the day, in force or not, and whether it is registered "
    "to the employer named. No personal data goes in or out; the number travels in the body.",
    responses=problem_responses(401, 403, 422),
)
async def check_permit(body: PermitCheckRequest, session: DbSession, caller: ServiceCaller, env: Env) -> PermitCheck:
    return await service.check_for_service(session, caller, body, env)
