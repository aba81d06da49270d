"""Routes every service has under its prefix: what it is, and the check of its audit chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from shared import audit
from shared.db import DbSession
from shared.errors import problem_responses
from shared.principal import PUBLIC, Principal, require_roles


class ServiceInfo(BaseModel):
    service: str
    title: str
    version: str


class AuditReport(BaseModel):
    valid: bool
    entries: int
    first_broken_id: int | None = None
    reason: str | None = None


def platform_router(tag: str) -> APIRouter:
    router = APIRouter(tags=[tag])

    @router.get(
        "/about",
        operation_id=f"{tag}-about",
        summary="What this service is / 服务简介",
        response_model=ServiceInfo,
        **PUBLIC,
    )
    async def about(request: Request) -> ServiceInfo:
        spec = request.app.state.spec
        return ServiceInfo(service=spec.name, title=spec.title, version=spec.version)

    @router.get(
        "/audit/verify",
        operation_id=f"{tag}-audit-verify",
        summary="Verify the SM3 audit chain / 校验审计链",
        response_model=AuditReport,
        responses=problem_responses(401, 403),
    )
    async def verify_audit(
        request: Request,
        session: DbSession,
        _: Annotated[Principal, Depends(require_roles("admin", "auditor"))],
    ) -> AuditReport:
        report = await audit.verify(session, request.app.state.common)
        return AuditReport(**report.__dict__)

    return router
