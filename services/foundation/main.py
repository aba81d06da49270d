"""The foundation service: ``uvicorn services.foundation.main:create_app --factory``."""

from fastapi import FastAPI

from services.foundation.applications.router import router as applications_router
from services.foundation.approvals.router import router as approvals_router
from services.foundation.funded.router import router as funded_router
from services.foundation.models import common
from services.foundation.notices.router import router as notices_router
from services.foundation.plans.router import router as plans_router
from services.foundation.ranking.router import router as ranking_router
from services.foundation.review_rounds.router import router as review_rounds_router
from services.foundation.settings import FoundationSettings
from services.foundation.statistics.router import router as statistics_router
from shared.app import ServiceSpec, create_service_app
from shared.db import Database
from shared.routers import platform_router

SPEC = ServiceSpec(
    name="foundation",
    title="省自然科学基金 Provincial Natural Science Foundation",
    description="Under /api/v1/foundation. docs/foundation.md says what this service owns.",
    routers=[
        platform_router("foundation"),
        plans_router,
        applications_router,
        review_rounds_router,
        ranking_router,
        approvals_router,
        notices_router,
        funded_router,
        statistics_router,
    ],
    common=common,
)


def create_app(settings: FoundationSettings | None = None, *, database: Database | None = None) -> FastAPI:
    return create_service_app(SPEC, settings or FoundationSettings(), database=database)
