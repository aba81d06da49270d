"""``/healthz`` (the gateway process), ``/readyz`` (its database and every service), ``/metrics``."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.responses import Response

from shared.errors import AppError
from shared.health import readiness_log
from shared.settings import SERVICES

log = logging.getLogger("kjt.gateway.health")

READY_TIMEOUT_SECONDS = 2.0
COMPONENTS: tuple[str, ...] = ("gateway", *SERVICES)


class GatewayMetrics:
    """What the gateway measures beyond the request metrics every app has."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.upstream_latency = Histogram(
            "kjt_gateway_upstream_duration_seconds",
            "Time until a service's response headers arrived",
            ["service", "method", "status"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.upstream_errors = Counter(
            "kjt_gateway_upstream_errors_total",
            "Proxied calls that got no response from a service",
            ["service", "reason"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "kjt_gateway_rate_limited_total", "Calls refused by a rate limit", ["category"], registry=self.registry
        )
        self.rate_limit_storage_errors = Counter(
            "kjt_gateway_rate_limit_storage_errors_total",
            "Rate-limit storage failures (the per-process fallback was used)",
            registry=self.registry,
        )
        self.docs_fetch_failures = Counter(
            "kjt_gateway_openapi_fetch_failures_total",
            "A service's OpenAPI document could not be fetched for the merged docs",
            ["service"],
            registry=self.registry,
        )


class NotReady(AppError):
    status = 503
    code = "not_ready"
    title_zh = "平台尚未就绪"
    title_en = "The platform is not ready"


health_router = APIRouter()


@health_router.get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    return {"status": "ok", "service": "gateway"}


# Each probe's findings go through ReadinessLog: a start-up wait is a debug line, a change a warning or info.
async def _gateway_db(request: Request, within: float) -> dict[str, str]:
    try:
        await asyncio.wait_for(request.app.state.db.ping(), within)
    except Exception as exc:
        return readiness_log(request.app, log).record(
            "gateway", {"status": "down", "reason": "database"}, type(exc).__name__
        )
    return readiness_log(request.app, log).record("gateway", {"status": "up"})


async def _service(request: Request, name: str, within: float) -> dict[str, str]:
    readiness = readiness_log(request.app, log)
    base = request.app.state.settings.service_urls.get(name)
    if not base:
        return readiness.record(name, {"status": "down", "reason": "not_configured"})
    client: httpx.AsyncClient = request.app.state.upstream
    try:
        response = await client.get(f"{base.rstrip('/')}/readyz", timeout=within)
    except httpx.TimeoutException as exc:
        return readiness.record(name, {"status": "down", "reason": "timeout"}, type(exc).__name__)
    except httpx.HTTPError as exc:
        return readiness.record(name, {"status": "down", "reason": "unreachable"}, type(exc).__name__)
    if response.status_code != 200:
        return readiness.record(name, {"status": "down", "reason": f"status_{response.status_code}"})
    return readiness.record(name, {"status": "up"})


@health_router.get("/readyz", include_in_schema=False)
async def readyz(request: Request) -> Response:
    """200 when the gateway's database and all five services answer; a 503 naming who does not."""
    timeout = min(READY_TIMEOUT_SECONDS, request.app.state.settings.upstream_timeout_seconds)
    results = await asyncio.gather(
        _gateway_db(request, timeout), *(_service(request, name, timeout) for name in SERVICES)
    )
    components: dict[str, Any] = dict(zip(COMPONENTS, results, strict=True))
    down = [name for name, state in components.items() if state["status"] != "up"]
    if down:
        raise NotReady(
            f"以下组件不可用：{'、'.join(down)}。",
            f"Not answering: {', '.join(down)}.",
            extra={"components": components},
            headers={"Retry-After": "5"},
        )
    return JSONResponse({"status": "ok", "components": components})


@health_router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
