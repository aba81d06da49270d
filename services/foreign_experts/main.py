"""The foreign_experts service: ``uvicorn services.foreign_experts.main:create_app --factory``."""

from fastapi import FastAPI

from services.foreign_experts.models import common
from services.foreign_experts.settings import ForeignExpertsSettings
from shared.app import ServiceSpec, create_service_app
from shared.db import Database
from shared.routers import platform_router

SPEC = ServiceSpec(
    name="foreign_experts",
    title="外国专家局 Foreign Experts Bureau",
    description="Under /api/v1/foreign-experts. See ARCHITECTURE.md for what this service owns.",
    routers=[platform_router("foreign-experts")],
    common=common,
)


def create_app(settings: ForeignExpertsSettings | None = None, *, database: Database | None = None) -> FastAPI:
    return create_service_app(SPEC, settings or ForeignExpertsSettings(), database=database)
