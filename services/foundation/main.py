"""The foundation service: ``uvicorn services.foundation.main:create_app --factory``."""

from fastapi import FastAPI

from services.foundation.models import common
from services.foundation.settings import FoundationSettings
from shared.app import ServiceSpec, create_service_app
from shared.db import Database
from shared.routers import platform_router

SPEC = ServiceSpec(
    name="foundation",
    title="省自然科学基金 Provincial Natural Science Foundation",
    description="Under /api/v1/foundation. See ARCHITECTURE.md for what this service owns.",
    routers=[platform_router("foundation")],
    common=common,
)


def create_app(settings: FoundationSettings | None = None, *, database: Database | None = None) -> FastAPI:
    return create_service_app(SPEC, settings or FoundationSettings(), database=database)
