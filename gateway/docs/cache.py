"""Fetching the services' documents through the upstream client, and caching the merged one.

A service that does not answer is left out, named in ``x-kjt-missing`` and ``info.description``,
and retried soon: the merge never fails the request.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import time
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from gateway.docs.merge import LOGIN_PATH, merge_documents
from shared.schemas import PROBLEM_SCHEMA
from shared.settings import SERVICES

log = logging.getLogger("kjt.gateway.docs")

CACHE_TTL_SECONDS = 300.0
RETRY_MISSING_SECONDS = 15.0
FETCH_TIMEOUT_SECONDS = 5.0


class OpenAPICache:
    """The merged document, rebuilt after ``ttl`` seconds, or sooner while a service is missing."""

    def __init__(self, ttl: float = CACHE_TTL_SECONDS, retry_missing: float = RETRY_MISSING_SECONDS) -> None:
        self.ttl = ttl
        self.retry_missing = retry_missing
        self.document: dict[str, Any] | None = None
        self.body: bytes | None = None
        self.expires = 0.0
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        self.expires = 0.0

    async def get(self, app: FastAPI) -> tuple[dict[str, Any], bytes]:
        if self.document is not None and self.body is not None and time.monotonic() < self.expires:
            return self.document, self.body
        async with self._lock:
            if self.document is None or self.body is None or time.monotonic() >= self.expires:
                try:
                    document = await build_document(app)
                except Exception:
                    log.exception("openapi: the merge failed")
                    if self.document is None or self.body is None:
                        document = merge_documents(
                            gateway_document(app), {}, list(SERVICES), title=app.title, version=app.version
                        )
                    else:
                        document = self.document
                self.document = document
                self.body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
                self.expires = time.monotonic() + (self.retry_missing if document.get("x-kjt-missing") else self.ttl)
            return self.document, self.body


def gateway_document(app: FastAPI) -> dict[str, Any]:
    doc = get_openapi(title=app.title, version=app.version, routes=app.routes, separate_input_output_schemas=False)
    doc.setdefault("components", {}).setdefault("schemas", {}).setdefault("Problem", PROBLEM_SCHEMA)
    return doc


async def _fetch(app: FastAPI, name: str) -> dict[str, Any] | None:
    base = app.state.settings.service_urls.get(name)
    if not base:
        return None
    client: httpx.AsyncClient = app.state.upstream
    try:
        response = await client.get(f"{base.rstrip('/')}/openapi.json", timeout=FETCH_TIMEOUT_SECONDS)
        if response.status_code != 200:
            raise ValueError(f"status {response.status_code}")
        doc = response.json()
        if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
            raise ValueError("not an OpenAPI document")
        return doc
    except Exception as exc:
        log.warning("openapi: could not fetch the document of %s (%s)", name, type(exc).__name__)
        metrics = getattr(app.state, "gateway_metrics", None)
        if metrics is not None:
            metrics.docs_fetch_failures.labels(name).inc()
        return None


async def build_document(app: FastAPI) -> dict[str, Any]:
    fetched = await asyncio.gather(*(_fetch(app, name) for name in SERVICES))
    docs = {name: doc for name, doc in zip(SERVICES, fetched, strict=True) if doc is not None}
    missing = [name for name in SERVICES if name not in docs]
    return merge_documents(
        gateway_document(app),
        docs,
        missing,
        title=app.title,
        version=app.version,
        description=app.description or "",
    )


def _with_root_path(document: dict[str, Any], root_path: str) -> dict[str, Any]:
    """The document as seen behind a path prefix: a server entry and a token URL under it."""
    doc = dict(document)
    doc["servers"] = [{"url": root_path}]
    components = dict(doc["components"])
    schemes = copy.deepcopy(components["securitySchemes"])
    schemes["OAuth2PasswordBearer"]["flows"]["password"]["tokenUrl"] = root_path + LOGIN_PATH
    components["securitySchemes"] = schemes
    doc["components"] = components
    return doc
