"""Fetching the services' documents through the upstream client, and caching the merged one."""

from __future__ import annotations

import asyncio
import copy
import functools
import json
import logging
import time
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi

from gateway.docs.merge import LOGIN_PATH, merge_documents
from shared.contract.document import CATALOGUE_KEY, behind_gateway, describe, reachable_problems
from shared.errors import AppError, InvalidCharacters, NotFound, PayloadTooLarge, TooManyRequests
from shared.schemas import PROBLEM_SCHEMA
from shared.settings import SERVICES

log = logging.getLogger("kjt.gateway.docs")

CACHE_TTL_SECONDS = 300.0
RETRY_MISSING_SECONDS = 15.0
FETCH_TIMEOUT_SECONDS = 5.0


class OpenAPICache:
    """The merged document and its JSON, rebuilt after ``ttl`` seconds, or sooner while a service is missing."""

    def __init__(self, ttl: float = CACHE_TTL_SECONDS, retry_missing: float = RETRY_MISSING_SECONDS) -> None:
        self.ttl = ttl
        self.retry_missing = retry_missing
        self.cached: tuple[dict[str, Any], bytes] | None = None
        self.expires = 0.0
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        self.expires = 0.0

    async def get(self, app: FastAPI) -> tuple[dict[str, Any], bytes]:
        async with self._lock:
            if self.cached is None or time.monotonic() >= self.expires:
                try:
                    document = await build_document(app)
                except Exception:
                    log.exception("openapi: the merge failed")
                    # The last good document, else the gateway's own operations alone.
                    document = self.cached[0] if self.cached else await build_document(app, fetch=False)
                body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
                self.cached = document, body
                self.expires = time.monotonic() + (self.retry_missing if document.get("x-kjt-missing") else self.ttl)
            return self.cached


async def _fetch(app: FastAPI, name: str) -> dict[str, Any] | None:
    base = app.state.settings.service_urls.get(name)
    if not base:
        return None
    client: httpx.AsyncClient = app.state.upstream
    try:
        response = await client.get(f"{base.rstrip('/')}/openapi.json", timeout=FETCH_TIMEOUT_SECONDS)
        doc = response.raise_for_status().json()
        if isinstance(doc, dict) and isinstance(doc.get("paths"), dict):
            return doc
        problem = "not an OpenAPI document"
    except Exception as exc:
        problem = type(exc).__name__
    log.warning("openapi: could not fetch the document of %s (%s)", name, problem)
    app.state.gateway_metrics.docs_fetch_failures.labels(name).inc()
    return None


async def build_document(app: FastAPI, *, fetch: bool = True) -> dict[str, Any]:
    """The gateway's document merged with every service's that answers (none unless ``fetch``)."""
    fetched = await asyncio.gather(*(_fetch(app, name) for name in SERVICES)) if fetch else [None] * len(SERVICES)
    proxied = proxy_problems()
    docs = {n: behind_gateway(d, proxied) for n, d in zip(SERVICES, fetched, strict=True) if d}
    missing = [name for name in SERVICES if name not in docs]
    own = get_openapi(title=app.title, version=app.version, routes=app.routes, separate_input_output_schemas=False)
    own.setdefault("components", {}).setdefault("schemas", {}).setdefault("Problem", PROBLEM_SCHEMA)
    behind_gateway(describe(own, app.routes, service=False), [TooManyRequests])
    return merge_documents(own, docs, missing, title=app.title, version=app.version, description=app.description)


async def catalogue(request: Request) -> list[dict[str, Any]]:
    """The problem catalogue of the merged document (``GET /api/v1/problems``)."""
    document, _ = await request.app.state.openapi_cache.get(request.app)
    return list(document.get(CATALOGUE_KEY) or [])


@functools.cache
def proxy_problems() -> list[type[AppError]]:
    """What the gateway itself answers on a proxied call: bad credentials, a service down or slow, too
    many calls, too large a body (a ``..`` in the path is no documented operation's 404)."""
    from gateway.proxy import proxy_router  # here: the proxy's middleware imports the docs package

    found = reachable_problems(*(getattr(route, "endpoint", None) for route in proxy_router.routes)) - {NotFound}
    return sorted(found | {InvalidCharacters, TooManyRequests, PayloadTooLarge}, key=lambda p: (p.status, p.code))


def with_root_path(document: dict[str, Any], root_path: str) -> dict[str, Any]:
    """The document as seen behind a path prefix: a server entry and a token URL under it."""
    schemes = copy.deepcopy(document["components"]["securitySchemes"])
    schemes["OAuth2PasswordBearer"]["flows"]["password"]["tokenUrl"] = root_path + LOGIN_PATH
    components = {**document["components"], "securitySchemes": schemes}
    return {**document, "servers": [{"url": root_path}], "components": components}
