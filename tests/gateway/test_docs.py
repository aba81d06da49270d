"""The merged OpenAPI document and the offline Swagger UI / ReDoc pages."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import socket
import tempfile
from contextlib import AsyncExitStack
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
import uvicorn
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from gateway.docs import merge_documents
from gateway.main import create_app
from shared.settings import SERVICES, url_segment
from tests.gateway.conftest import Platform, ServiceRouter, gateway_settings, start_services

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def refs_of(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref" and isinstance(v, str)] + [
            r for k, v in node.items() if k != "$ref" for r in refs_of(v)
        ]
    if isinstance(node, list):
        return [r for item in node for r in refs_of(item)]
    return []


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in ("get", "put", "post", "delete", "patch", "head", "options", "trace")
    ]


# ----------------------------------------------------------------------------- the live document


async def test_merged_spec_is_valid_and_holds_every_service(platform: Platform) -> None:
    response = await platform.client.get("/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    validate(doc, cls=OpenAPIV31SpecValidator)
    assert doc["openapi"].startswith("3.1")
    for name in SERVICES:
        prefix = f"/api/v1/{url_segment(name)}"
        assert f"{prefix}/about" in doc["paths"] and f"{prefix}/audit/verify" in doc["paths"]
        assert any(t["name"] == url_segment(name) for t in doc["tags"])
    assert "x-kjt-missing" not in doc
    # every reference resolves to a component that exists
    for ref in refs_of(doc):
        _, _, ctype, name = ref.split("/")
        assert name in doc["components"][ctype], ref
    op_ids = [op["operationId"] for _, _, op in operations(doc)]
    assert len(op_ids) == len(set(op_ids))
    # security: the gateway's schemes, required globally, lifted for public operations
    schemes = doc["components"]["securitySchemes"]
    assert schemes["OAuth2PasswordBearer"]["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"
    assert schemes["ApiKeyAuth"] == {**schemes["ApiKeyAuth"], "type": "apiKey", "in": "header", "name": "X-API-Key"}
    assert {"OAuth2PasswordBearer": []} in doc["security"] and {"ApiKeyAuth": []} in doc["security"]
    assert doc["paths"]["/api/v1/projects/about"]["get"]["security"] == []
    assert "security" not in doc["paths"]["/api/v1/projects/audit/verify"]["get"]
    if "/api/v1/auth/token" in doc["paths"]:
        assert doc["paths"]["/api/v1/auth/token"]["post"]["security"] == []
    # one Problem, shared by all
    assert doc["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status", "code"]
    assert not any(name.endswith("__Problem") for name in doc["components"]["schemas"])


async def test_the_document_is_cached(platform: Platform) -> None:
    def fetches() -> int:
        return sum(1 for r in platform.router.seen if r.url.path == "/openapi.json")

    await platform.client.get("/openapi.json")
    assert fetches() == len(SERVICES)
    await platform.client.get("/openapi.json")
    assert fetches() == len(SERVICES)
    platform.app.state.openapi_cache.invalidate()
    await platform.client.get("/openapi.json")
    assert fetches() == 2 * len(SERVICES)


async def test_a_service_that_is_down_is_left_out_and_noted(platform: Platform) -> None:
    platform.down("talent")
    doc = (await platform.client.get("/openapi.json")).json()
    validate(doc, cls=OpenAPIV31SpecValidator)
    assert doc["x-kjt-missing"] == ["talent"]
    assert "talent" in doc["info"]["description"]
    assert not any(p.startswith("/api/v1/talent") for p in doc["paths"])
    assert "/api/v1/projects/about" in doc["paths"]

    # retried soon after a failure, not only after the full TTL
    platform.up("talent")
    platform.app.state.openapi_cache.expires = 0.0
    doc = (await platform.client.get("/openapi.json")).json()
    assert "x-kjt-missing" not in doc and "/api/v1/talent/about" in doc["paths"]


async def test_behind_a_path_prefix(platform: Platform) -> None:
    transport = httpx.ASGITransport(app=platform.app, root_path="/kjt")
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        doc = (await client.get("/kjt/openapi.json")).json()
        page = await client.get("/kjt/docs")
    assert doc["servers"] == [{"url": "/kjt"}]
    assert doc["components"]["securitySchemes"]["OAuth2PasswordBearer"]["flows"]["password"]["tokenUrl"] == (
        "/kjt/api/v1/auth/token"
    )
    assert page.status_code == 200 and 'src="docs/static/swagger-ui-bundle.js"' in page.text
    # the cached document for clients without a prefix is untouched
    plain = (await platform.client.get("/openapi.json")).json()
    assert "servers" not in plain


# ----------------------------------------------------------------------------- merging rules


def service_doc(title: str, paths: dict[str, Any], schemas: dict[str, Any], tags: list[Any] | None = None) -> dict:
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas},
    }
    if tags is not None:
        doc["tags"] = tags
    return doc


def op(op_id: str, ref: str, *, tags: list[str] | None = None, public: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "operationId": op_id,
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": ref}}}}},
    }
    if tags:
        body["tags"] = tags
    if public:
        body["x-kjt-public"] = True
    return body


PROBLEM = {"type": "object", "properties": {"code": {"type": "string"}}}


def test_components_are_namespaced_and_refs_rewritten() -> None:
    projects = service_doc(
        "Projects",
        {
            "/api/v1/projects/applications": {
                "get": op("applications-list", "#/components/schemas/Page", tags=["applications"], public=True)
            }
        },
        {
            "Page": {
                "type": "object",
                "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}},
            },
            "Item": {"type": "object", "properties": {"title": {"type": "string"}}},
            "Problem": PROBLEM,
            "Pet": {
                "oneOf": [{"$ref": "#/components/schemas/Item"}],
                "discriminator": {"propertyName": "kind", "mapping": {"item": "#/components/schemas/Item"}},
            },
        },
        tags=[{"name": "applications", "description": "Applications"}],
    )
    foundation = service_doc(
        "Foundation",
        {
            "/api/v1/foundation/applications": {
                "get": op("applications-list", "#/components/schemas/Page", tags=["applications"])
            }
        },
        {
            "Page": {
                "type": "object",
                "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}},
            },
            "Item": {"type": "object", "properties": {"score": {"type": "number"}}},
            "Problem": PROBLEM,
        },
    )
    gateway = service_doc(
        "gw",
        {"/api/v1/auth/me": {"get": op("auth-me", "#/components/schemas/Me", tags=["auth"])}},
        {"Me": {"type": "object"}},
    )
    doc = merge_documents(
        gateway,
        {"projects": projects, "foundation": foundation},
        ["talent", "transfer", "foreign_experts"],
        title="T",
        version="1",
    )
    validate(doc, cls=OpenAPIV31SpecValidator)
    schemas = doc["components"]["schemas"]
    # different definitions never clash; identical ones share one name
    assert schemas["projects__Item"]["properties"] == {"title": {"type": "string"}}
    assert schemas["foundation__Item"]["properties"] == {"score": {"type": "number"}}
    assert "Item" not in schemas and "Problem" in schemas and "projects__Problem" not in schemas
    # identical text, but pointing at different Items: must not be merged
    assert "Page" not in schemas
    assert schemas["projects__Page"]["properties"]["items"]["items"]["$ref"] == "#/components/schemas/projects__Item"
    assert schemas["foundation__Page"]["properties"]["items"]["items"]["$ref"] == (
        "#/components/schemas/foundation__Item"
    )
    assert schemas["projects__Pet"]["discriminator"]["mapping"]["item"] == "#/components/schemas/projects__Item"
    assert schemas["gateway__Me"] == {"type": "object"}

    p_op = doc["paths"]["/api/v1/projects/applications"]["get"]
    f_op = doc["paths"]["/api/v1/foundation/applications"]["get"]
    assert p_op["operationId"] == "projects-applications-list" and f_op["operationId"] == "foundation-applications-list"
    assert p_op["tags"] == ["projects-applications"] and f_op["tags"] == ["foundation-applications"]
    assert p_op["security"] == [] and "security" not in f_op
    assert p_op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] == (
        "#/components/schemas/projects__Page"
    )
    tags = {t["name"]: t for t in doc["tags"]}
    assert tags["projects-applications"]["description"] == "Applications"
    assert doc["paths"]["/api/v1/auth/me"]["get"]["operationId"] == "auth-me"
    assert doc["x-kjt-missing"] == ["talent", "transfer", "foreign-experts"]
    grouped = [t for group in doc["x-tagGroups"] for t in group["tags"]]
    assert sorted(grouped) == sorted(tags)


def test_stray_paths_malformed_documents_and_duplicate_ids() -> None:
    stray = service_doc(
        "Projects",
        {
            "/api/v1/projects/a": {"get": op("same", "#/components/schemas/X")},
            "/api/v1/projects/b": {"get": op("same", "#/components/schemas/X")},
            "/api/v1/talent/hijack": {"get": op("hijack", "#/components/schemas/X")},
            "/internal/metrics": {"get": op("metrics", "#/components/schemas/X")},
        },
        {"X": {"type": "string"}},
    )
    broken = {"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, "paths": {"/api/v1/talent/x": "nonsense"}}
    doc = merge_documents(service_doc("gw", {}, {}), {"projects": stray, "talent": broken}, [], title="T", version="1")
    validate(doc, cls=OpenAPIV31SpecValidator)
    assert sorted(doc["paths"]) == ["/api/v1/projects/a", "/api/v1/projects/b"]
    ids = sorted(o["operationId"] for _, _, o in operations(doc))
    assert ids == ["projects-same", "projects-same-2"]
    assert doc["x-kjt-missing"] == ["talent"]


# ----------------------------------------------------------------------------- pages and assets


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "spec-url", "action", "data") and value is not None:
                self.urls.append(value)


EXTERNAL = re.compile(r"^([a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


@pytest.mark.parametrize("page", ["/docs", "/redoc", "/docs/oauth2-redirect"])
async def test_docs_pages_load_only_local_assets(platform: Platform, page: str) -> None:
    response = await platform.client.get(page)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "fonts.googleapis" not in response.text and "cdn." not in response.text
    parser = _Assets()
    parser.feed(response.text)
    assert parser.urls
    page_url = f"http://testserver{page}"
    for url in parser.urls:
        assert not EXTERNAL.match(url), url
        asset = await platform.client.get(urljoin(page_url, url))
        assert asset.status_code == 200, url
        if url.endswith(".js"):
            assert "javascript" in asset.headers["content-type"]
            if "/static/" not in url:
                assert not re.search(r"https?://", asset.text), url


async def test_static_assets_are_whitelisted(platform: Platform) -> None:
    css = await platform.client.get("/docs/static/swagger-ui.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "max-age" in css.headers["cache-control"]
    for bad in ("/docs/static/core.py", "/docs/static/..%2F__init__.py", "/docs/static/%2e%2e"):
        assert (await platform.client.get(bad)).status_code == 404, bad


# ----------------------------------------------------------------------------- in a real browser


async def run_chromium(url: str) -> tuple[str, str]:
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as profile:
        proc = await asyncio.create_subprocess_exec(
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--log-level=0",
            "--virtual-time-budget=20000",
            "--dump-dom",
            url,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise
    return out.decode(errors="replace"), err.decode(errors="replace")


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
async def test_swagger_ui_and_redoc_render_in_a_browser(make_db) -> None:  # type: ignore[no-untyped-def]
    async with AsyncExitStack() as stack:
        services = await start_services(stack, make_db)
        app = create_app(
            gateway_settings(), database=await make_db("gateway"), upstream_transport=ServiceRouter(services)
        )
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            for _ in range(200):
                if server.started:
                    break
                await asyncio.sleep(0.05)
            assert server.started
            dom, log = await run_chromium(f"http://127.0.0.1:{port}/docs")
            assert dom.count("opblock") > 10, dom[:2000]
            assert 'data-path="/api/v1/foreign-experts/about"' in dom
            assert "violates the following Content Security Policy" not in log

            dom, log = await run_chromium(f"http://127.0.0.1:{port}/redoc")
            assert "Verify the SM3 audit chain" in dom and "/api/v1/transfer/about" in dom
            # ReDoc's bundle asks for its own vendor logo from a CDN; the policy blocks it, and
            # nothing else may be refused.
            violations = [line for line in log.splitlines() if "violates the following Content Security" in line]
            assert all("cdn.redoc.ly" in line for line in violations), violations
        finally:
            server.should_exit = True
            await task
            sock.close()


def test_merged_document_json_round_trips() -> None:
    doc = merge_documents(service_doc("gw", {}, {}), {}, list(SERVICES), title="吉林", version="1")
    assert json.loads(json.dumps(doc, ensure_ascii=False))["info"]["title"] == "吉林"
    validate(doc, cls=OpenAPIV31SpecValidator)


async def test_the_problem_catalogue_is_served_to_anyone(platform: Platform) -> None:
    """GET /api/v1/problems: every code of the platform, its status, titles and advice, without credentials."""
    response = await platform.client.get("/api/v1/problems")
    assert response.status_code == 200, response.text
    items = {item["code"]: item for item in response.json()["items"]}
    assert {"leader_too_old", "documents_incomplete", "limit_exceeded", "rate_limited", "invalid_token"} <= set(items)
    assert items["leader_too_old"]["status"] == 422 and items["rate_limited"]["status"] == 429
    assert "invalid_internal_token" not in items  # the gateway's business with its services, never a caller's
    for item in items.values():
        assert item["title_zh"] and item["title_en"] and item["advice_zh"] and item["advice_en"], item["code"]
    merged = (await platform.client.get("/openapi.json")).json()
    assert {e["code"] for e in merged["x-kjt-problems"]} == set(items)
