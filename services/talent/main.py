"""The talent service: ``uvicorn services.talent.main:create_app --factory``."""

from fastapi import FastAPI

from services.talent.applications import selection  # registers the selection notice (TAL-5)
from services.talent.applications.router import router as applications_router
from services.talent.award_cycles.router import router as award_cycles_router
from services.talent.calls.router import router as calls_router
from services.talent.committee.router import router as committee_router
from services.talent.deps import build_cipher
from services.talent.models import common
from services.talent.national.router import router as national_router
from services.talent.nominations import notices as award_notices  # noqa: F401 - registers the award notices
from services.talent.nominations.router import router as nominations_router
from services.talent.nominators.router import router as nominators_router
from services.talent.notices.router import router as notices_router
from services.talent.programmes.router import router as programmes_router
from services.talent.review_rounds.router import router as review_rounds_router
from services.talent.settings import TalentSettings
from services.talent.statistics.router import router as statistics_router
from services.talent.tenure.router import router as tenure_router
from shared.app import ServiceSpec, create_service_app
from shared.db import Database
from shared.routers import platform_router

__all__ = ["SPEC", "create_app", "selection"]

SPEC = ServiceSpec(
    name="talent",
    title="科技人才与奖励 Talent programmes and awards",
    description="Under /api/v1/talent. docs/architecture.md says what this service owns.",
    routers=[
        platform_router("talent"),
        programmes_router,
        calls_router,
        applications_router,
        review_rounds_router,
        committee_router,
        tenure_router,
        award_cycles_router,
        nominators_router,
        nominations_router,
        national_router,
        notices_router,
        statistics_router,
    ],
    common=common,
    on_startup=[build_cipher],
)


def create_app(settings: TalentSettings | None = None, *, database: Database | None = None) -> FastAPI:
    return create_service_app(SPEC, settings or TalentSettings(), database=database)
