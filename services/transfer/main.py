"""The transfer service: ``uvicorn services.transfer.main:create_app --factory``."""

from fastapi import FastAPI

from services.transfer.models import common
from services.transfer.settings import TransferSettings
from shared.app import ServiceSpec, create_service_app
from shared.db import Database
from shared.routers import platform_router

SPEC = ServiceSpec(
    name="transfer",
    title="技术转移 Technology transfer",
    description="Under /api/v1/transfer. docs/architecture.md says what this service owns.",
    routers=[platform_router("transfer")],
    common=common,
)


def create_app(settings: TransferSettings | None = None, *, database: Database | None = None) -> FastAPI:
    return create_service_app(SPEC, settings or TransferSettings(), database=database)
