"""The gateway app: ``uvicorn gateway.main:create_app --factory``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
from fastapi import FastAPI

from gateway.accounts.bootstrap import ensure_admin
from gateway.accounts.router import admin_router, auth_router
from gateway.docs import OpenAPICache, docs_router
from gateway.docs.cache import catalogue
from gateway.health import GatewayMetrics, health_router
from gateway.middleware import install_gateway_middleware
from gateway.models import common
from gateway.proxy import proxy_router
from gateway.ratelimit import RateLimiter
from gateway.settings import GatewaySettings
from shared.app import configure_logging
from shared.contract.catalogue import catalogue_router
from shared.db import Database, database_url_for
from shared.error_handlers import install_error_handlers
from shared.middleware import Metrics


def create_app(
    settings: GatewaySettings | None = None,
    *,
    database: Database | None = None,
    upstream_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """Build the gateway. Tests hand in a database and a transport that reaches in-process services."""
    settings = settings or GatewaySettings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:  # closes what it was given, last first, whatever fails
            if database is None:
                url = database_url_for("gateway", settings.database_url, settings.var_dir)
                app.state.db = Database(url, "gateway", pool_size=settings.db_pool_size)
                stack.push_async_callback(app.state.db.dispose)
            app.state.upstream = await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=upstream_transport,
                    timeout=httpx.Timeout(settings.upstream_timeout_seconds, connect=2.0),
                    limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
                    follow_redirects=False,
                )
            )
            app.state.ratelimiter = RateLimiter(settings, metrics=app.state.gateway_metrics)
            stack.push_async_callback(app.state.ratelimiter.close)
            await ensure_admin(app.state.db, settings)
            yield

    app = FastAPI(
        title="吉林省科学技术厅 科技管理平台 API",
        version="0.1.0",
        description=(
            "吉林省科学技术厅统一科技管理平台：网关与五个服务的全部接口。"
            "The Jilin S&T management platform: every operation of the gateway and its five services."
        ),
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # the merged document is served by gateway.docs
        separate_input_output_schemas=False,
    )
    app.state.settings = settings
    app.state.common = common
    app.state.metrics = Metrics("gateway")
    app.state.gateway_metrics = GatewayMetrics(app.state.metrics.registry)
    app.state.openapi_cache = OpenAPICache()
    if database is not None:
        app.state.db = database
    install_error_handlers(app)
    app.include_router(health_router)
    app.include_router(auth_router, prefix="/api/v1/auth")
    app.include_router(admin_router, prefix="/api/v1/admin")
    app.include_router(docs_router)
    app.include_router(catalogue_router(catalogue), prefix="/api/v1")
    app.include_router(proxy_router)  # last: the services' prefixes come after the gateway's own routes
    install_gateway_middleware(app, settings)
    return app
