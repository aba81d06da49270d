"""The app factory every service uses: lifespan, middleware, errors, health, metrics, OpenAPI."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import Response

from shared.contract.document import describe
from shared.db import CommonTables, Database, database_url_for
from shared.error_handlers import install_error_handlers, problem_response
from shared.errors import DependencyUnavailable
from shared.http_client import InternalClient
from shared.idempotency import IdempotencyMiddleware
from shared.middleware import (
    BodyLimitMiddleware,
    ConditionalGetMiddleware,
    CurrentAppMiddleware,
    InternalAuthMiddleware,
    Metrics,
    RequestContextMiddleware,
)
from shared.schemas import PROBLEM_SCHEMA
from shared.settings import ServiceSettings, url_segment

log = logging.getLogger("kjt.app")

OPEN_PATHS = ("/healthz", "/readyz", "/metrics", "/openapi.json")


@dataclass
class ServiceSpec:
    """What makes one service: its name, routers and tables."""

    name: str
    title: str
    description: str
    routers: Sequence[APIRouter]
    common: CommonTables
    version: str = "0.1.0"
    tags: list[dict[str, Any]] = field(default_factory=list)
    on_startup: Sequence[Callable[[FastAPI], Any]] = ()


class ConsoleFormatter(logging.Formatter):
    """The message as it is (the access log's lines are JSON); a warning or worse starts with its level,
    so that it stands out on a console that shows every process's lines."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return text if record.levelno < logging.WARNING else f"{record.levelname}: {text}"


def log_level_number(level: str) -> int:
    """``KJT_LOG_LEVEL`` in any case (``debug``, ``INFO``) as a number; an unknown name is info."""
    return logging.getLevelNamesMapping().get(level.strip().upper(), logging.INFO)


def configure_logging(level: str) -> None:
    """The root logger at ``level`` (``KJT_LOG_LEVEL``), writing to stderr unless something (a test
    runner) already handles it. ``debug`` shows every line of ours, the services' access lines too;
    the libraries' own chatter (each internal HTTP call, each SQLite call) stays at warning."""
    numeric = log_level_number(level)
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(ConsoleFormatter("%(message)s"))
        root.addHandler(handler)
    root.setLevel(numeric)
    # One line per internal HTTP call (health polls included) is noise; our own access log covers it.
    for noisy in ("httpx", "httpcore", "aiosqlite"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, numeric))


# Building a document reads the code of every route (``shared.contract``): a second or two, once per app. The
# reading's caches are the process's, so one build at a time.
_OPENAPI_BUILD = threading.Lock()


def service_openapi(app: FastAPI, spec: ServiceSpec) -> dict[str, Any]:
    """The service's own document, with the Problem schema every error response refers to, each
    operation's problem codes and headers (``shared.contract``)."""
    if app.openapi_schema:
        return app.openapi_schema
    with _OPENAPI_BUILD:
        if not app.openapi_schema:
            app.openapi_schema = _build_openapi(app, spec)
    return app.openapi_schema


def _log_failed_build(future: asyncio.Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("openapi: the document could not be built", exc_info=future.exception())


def _build_openapi(app: FastAPI, spec: ServiceSpec) -> dict[str, Any]:
    doc = get_openapi(
        title=spec.title,
        version=spec.version,
        description=spec.description,
        routes=app.routes,
        tags=spec.tags or None,
    )
    doc.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    describe(doc, app.routes, service=True)
    return doc


def create_service_app(spec: ServiceSpec, settings: ServiceSettings, *, database: Database | None = None) -> FastAPI:
    """Build a service's ASGI app. ``database`` lets tests hand in their own."""
    configure_logging(settings.log_level)
    prefix = f"/api/v1/{url_segment(spec.name)}"

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_db = database is None
        db = database or Database(
            database_url_for(spec.name, settings.database_url, settings.var_dir),
            settings.db_schema,
            pool_size=settings.db_pool_size,
        )
        app.state.db = db
        app.state.http = InternalClient(
            settings.internal_secret, caller=spec.name, timeout=settings.dependency_timeout_seconds
        )
        for hook in spec.on_startup:
            result = hook(app)
            if hasattr(result, "__await__"):
                await result
        if settings.env != "test":  # built now, beside the first requests, rather than when the gateway asks
            warm = asyncio.get_running_loop().run_in_executor(None, app.openapi)
            warm.add_done_callback(_log_failed_build)
        try:
            yield
        finally:
            await app.state.http.aclose()
            if own_db:
                await db.dispose()

    app = FastAPI(
        title=spec.title,
        version=spec.version,
        description=spec.description,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served below, built off the event loop
        separate_input_output_schemas=False,
    )
    app.state.settings = settings
    app.state.spec = spec
    app.state.common = spec.common
    if database is not None:
        app.state.db = database
    metrics = Metrics(spec.name)
    app.state.metrics = metrics
    install_error_handlers(app)

    for router in spec.routers:
        app.include_router(router, prefix=prefix)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": spec.name}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> Response:
        try:
            await request.app.state.db.ping()
        except Exception:
            log.warning("readiness: database of %s is not answering", spec.name, exc_info=True)
            return problem_response(request, DependencyUnavailable(f"{spec.name} database"))
        return JSONResponse({"status": "ok", "service": spec.name, "database": "up"})

    @app.get("/metrics", include_in_schema=False)
    async def metrics_endpoint() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    app.openapi = lambda: service_openapi(app, spec)  # type: ignore[method-assign]

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi_document() -> JSONResponse:
        # In a thread: the first build takes a second or two, and the service keeps answering meanwhile.
        return JSONResponse(await asyncio.to_thread(app.openapi))

    # Outermost first: request id and metrics see everything, then the body limit, then auth; innermost,
    # a GET answered 304 when If-None-Match names its ETag, and the app known to the answer (its routes
    # give the URLs of a record's actions).
    app.add_middleware(CurrentAppMiddleware)
    app.add_middleware(ConditionalGetMiddleware)
    app.add_middleware(IdempotencyMiddleware, common=spec.common)
    app.add_middleware(InternalAuthMiddleware, secret_getter=lambda: settings.internal_secret, open_paths=OPEN_PATHS)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    # The gateway's access line is the one the console shows; a service's own is there at debug.
    app.add_middleware(
        RequestContextMiddleware, metrics=metrics, log_requests=settings.access_log, access_level=logging.DEBUG
    )
    return app
