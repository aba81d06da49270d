"""The foreign_experts service: ``uvicorn services.foreign_experts.main:create_app --factory``."""

from fastapi import FastAPI

from services.foreign_experts.applications.router import router as applications_router
from services.foreign_experts.assessments.router import router as assessments_router
from services.foreign_experts.calls.router import programme_calls_router, training_plans_router
from services.foreign_experts.deps import build_protector
from services.foreign_experts.employers.router import router as employers_router
from services.foreign_experts.models import common
from services.foreign_experts.parameters.router import router as parameters_router
from services.foreign_experts.permits.internal import router as permits_internal_router
from services.foreign_experts.permits.router import router as permits_router
from services.foreign_experts.programmes.router import router as programmes_router
from services.foreign_experts.settings import ForeignExpertsSettings
from services.foreign_experts.statistics.router import router as statistics_router
from services.foreign_experts.training.router import router as training_router
from shared.app import ServiceSpec, create_service_app
from shared.db import Database
from shared.routers import platform_router

SPEC = ServiceSpec(
    name="foreign_experts",
    title="外国专家局 Foreign Experts Bureau",
    description="Under /api/v1/foreign-experts: employers, the stateless points assessment (WP-1..WP-3), work-permit "
    "applications with WP-4's statutory deadlines, permits under lifelong numbers (WP-8) with their changes, "
    "verification for other agencies (WP-9) and statistics; the bureau's yearly calls for foreign-expert "
    "programmes (引进外国专家项目) and outbound training plans (出国(境)培训计划), with applications, review, "
    "grants within each call's budget, payment and reports. Passport numbers and birth dates are SM4-encrypted at "
    "rest. docs/foreign-experts.md says what this service owns.",
    routers=[
        platform_router("foreign-experts"),
        employers_router,
        assessments_router,
        parameters_router,
        applications_router,
        permits_router,
        permits_internal_router,
        statistics_router,
        programme_calls_router,
        programmes_router,
        training_plans_router,
        training_router,
    ],
    common=common,
)


def create_app(settings: ForeignExpertsSettings | None = None, *, database: Database | None = None) -> FastAPI:
    app = create_service_app(SPEC, settings or ForeignExpertsSettings(), database=database)
    build_protector(app)
    return app
