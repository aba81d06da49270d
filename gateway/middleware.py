"""STUB (to be replaced): the gateway's middleware stack."""

from fastapi import FastAPI

from gateway.settings import GatewaySettings
from shared.middleware import BodyLimitMiddleware, RequestContextMiddleware


def install_gateway_middleware(app: FastAPI, settings: GatewaySettings) -> None:
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics, log_requests=settings.access_log)
