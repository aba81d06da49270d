"""The projects service: ``uvicorn services.projects.main:create_app --factory``."""

from fastapi import FastAPI

from services.projects.applications.router import router as applications_router
from services.projects.approvals.router import router as approvals_router
from services.projects.calls.router import router as calls_router
from services.projects.challenges.router import router as challenges_router
from services.projects.contracts.router import router as contracts_router
from services.projects.integrity.router import router as integrity_router
from services.projects.ledger.router import router as ledger_router
from services.projects.models import common
from services.projects.notices.router import router as notices_router
from services.projects.pledges.router import router as pledges_router
from services.projects.programmes.router import router as programmes_router
from services.projects.review_rounds.router import router as review_rounds_router
from services.projects.reviewers.router import internal as reviewers_internal_router
from services.projects.reviewers.router import router as reviewers_router
from services.projects.screening.index import install as install_screening_index
from services.projects.screening.router import router as screening_router
from services.projects.settings import ProjectsSettings
from services.projects.statistics.router import router as statistics_router
from shared.app import ServiceSpec, create_service_app
from shared.db import Database
from shared.routers import platform_router

SPEC = ServiceSpec(
    name="projects",
    title="科技计划项目 S&T plan projects",
    description="Under /api/v1/projects. docs/projects.md says what this service owns.",
    routers=[
        platform_router("projects"),
        programmes_router,
        calls_router,
        applications_router,
        reviewers_router,
        reviewers_internal_router,
        screening_router,
        integrity_router,
        ledger_router,
        challenges_router,
        pledges_router,
        statistics_router,
        review_rounds_router,
        approvals_router,
        notices_router,
        contracts_router,
    ],
    common=common,
    on_startup=[install_screening_index],
)


def create_app(settings: ProjectsSettings | None = None, *, database: Database | None = None) -> FastAPI:
    return create_service_app(SPEC, settings or ProjectsSettings(), database=database)
