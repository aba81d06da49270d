"""One OpenAPI 3.1 document for the whole platform, and Swagger UI / ReDoc served from local assets.

``GET /openapi.json`` merges the gateway's own operations (auth, admin) with each service's
``/openapi.json``, fetched through the upstream client and cached. Component names are made unique
per source (``projects__ApplicationRead``); a component defined identically by every source that
defines it (``Problem``) keeps its plain name. A service that does not answer is left out, named in
``x-kjt-missing`` and ``info.description``, and retried soon: the merge never fails the request.

The HTML pages use relative URLs only (``openapi.json``, ``docs/static/...``), so they work behind
any path prefix, and load nothing from another origin: no CDN, no web fonts, no validator badge.
"""

from __future__ import annotations

import asyncio
import copy
import html
import json
import logging
import time
from collections.abc import Iterable
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from starlette.responses import FileResponse, HTMLResponse, Response

from shared.errors import NotFound
from shared.schemas import PROBLEM_SCHEMA
from shared.settings import SERVICES, url_segment

log = logging.getLogger("kjt.gateway.docs")

DOCS_HTML_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
LOGIN_PATH = "/api/v1/auth/token"
CACHE_TTL_SECONDS = 300.0
RETRY_MISSING_SECONDS = 15.0
FETCH_TIMEOUT_SECONDS = 5.0

COMPONENT_TYPES = (
    "schemas", "responses", "parameters", "examples", "requestBodies", "headers", "links", "callbacks",
    "pathItems",
)
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SECURITY_SCHEMES: dict[str, Any] = {
    "OAuth2PasswordBearer": {
        "type": "oauth2",
        "description": "People: log in with e-mail and password. 个人用户：以邮箱和密码登录获取令牌。",
        "flows": {"password": {"tokenUrl": LOGIN_PATH, "scopes": {}}},
    },
    "ApiKeyAuth": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "Other agencies: the API key issued to them. 其他机构：使用分配的 API 密钥。",
    },
}
GLOBAL_SECURITY: list[dict[str, list[str]]] = [{"OAuth2PasswordBearer": []}, {"ApiKeyAuth": []}]

STATIC_FILES: dict[str, str] = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}


# ---------------------------------------------------------------------------------------------
# merging


class _Source:
    """One input document: the gateway's or a service's."""

    def __init__(self, label: str, doc: dict[str, Any], prefix: str | None) -> None:
        self.label = label
        self.doc = doc
        self.prefix = prefix  # the URL prefix a service's paths must sit under; None for the gateway

    @property
    def segment(self) -> str:
        return url_segment(self.label)

    def components(self) -> dict[str, dict[str, Any]]:
        comps = self.doc.get("components") or {}
        if not isinstance(comps, dict):
            raise ValueError("components is not an object")
        return {t: comps[t] for t in COMPONENT_TYPES if isinstance(comps.get(t), dict)}


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _unescape(name: str) -> str:
    return name.replace("~1", "/").replace("~0", "~")


def _parse_ref(ref: str) -> tuple[str, str] | None:
    parts = ref.split("/")
    if len(parts) == 4 and parts[0] == "#" and parts[1] == "components":
        return parts[2], _unescape(parts[3])
    return None


def _refs(node: Any) -> Iterable[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                parsed = _parse_ref(value)
                if parsed:
                    yield parsed
            elif key == "mapping" and isinstance(value, dict):
                for target in value.values():
                    if isinstance(target, str) and (parsed := _parse_ref(target)):
                        yield parsed
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _rewrite(node: Any, rename: dict[tuple[str, str], str]) -> Any:
    """A copy of ``node`` with every component reference renamed."""

    def new_ref(value: str) -> str:
        parsed = _parse_ref(value)
        if parsed and parsed in rename:
            return f"#/components/{parsed[0]}/{_escape(rename[parsed])}"
        return value

    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                out[key] = new_ref(value)
            elif key == "mapping" and isinstance(value, dict):
                out[key] = {k: new_ref(v) if isinstance(v, str) else v for k, v in value.items()}
            else:
                out[key] = _rewrite(value, rename)
        return out
    if isinstance(node, list):
        return [_rewrite(item, rename) for item in node]
    return node


def _component_names(sources: list[_Source]) -> dict[str, dict[tuple[str, str], str]]:
    """The final name of every component of every source.

    A name stays plain when every source defining it defines it identically and everything it
    refers to stays plain as well (else two identical texts would point at different things)."""
    definitions: dict[tuple[str, str], dict[str, str]] = {}
    refs: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for source in sources:
        for ctype, items in source.components().items():
            for name, body in items.items():
                key = (ctype, name)
                definitions.setdefault(key, {})[source.label] = json.dumps(body, sort_keys=True)
                refs.setdefault(key, set()).update(_refs(body))
    shared = {
        key for key, texts in definitions.items() if len(texts) > 1 and len(set(texts.values())) == 1
    }
    changed = True
    while changed:
        changed = False
        for key in list(shared):
            if any(target not in shared for target in refs.get(key, ())):
                shared.discard(key)
                changed = True
    names: dict[str, dict[tuple[str, str], str]] = {}
    for source in sources:
        rename: dict[tuple[str, str], str] = {}
        for ctype, items in source.components().items():
            for name in items:
                rename[(ctype, name)] = name if (ctype, name) in shared else f"{source.label}__{name}"
        names[source.label] = rename
    return names


def _tag_name(source: _Source, tag: str) -> str:
    if source.prefix is None or tag == source.segment or tag.startswith(f"{source.segment}-"):
        return tag
    return f"{source.segment}-{tag}"


def _operation_id(source: _Source, op_id: str) -> str:
    if source.prefix is None or op_id == source.segment or op_id.startswith(f"{source.segment}-"):
        return op_id
    return f"{source.segment}-{op_id}"


def _prepare(source: _Source, rename: dict[tuple[str, str], str]) -> dict[str, Any]:
    """A service's contribution (paths, components, tags), fully rewritten; raises on a malformed
    document so that nothing half-merged ever lands."""
    doc = source.doc
    paths = doc.get("paths") or {}
    if not isinstance(paths, dict):
        raise ValueError("paths is not an object")
    out_paths: dict[str, Any] = {}
    used_tags: list[str] = []
    for path, item in paths.items():
        if not isinstance(item, dict):
            raise ValueError(f"path item {path} is not an object")
        if source.prefix is not None and not (path == source.prefix or path.startswith(source.prefix + "/")):
            log.warning("openapi: %s declares %s outside its prefix; left out", source.label, path)
            continue
        item = _rewrite(item, rename)
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            op_tags = [_tag_name(source, t) for t in op.get("tags") or [] if isinstance(t, str)]
            op["tags"] = op_tags or [source.segment]
            used_tags += [t for t in op["tags"] if t not in used_tags]
            if isinstance(op.get("operationId"), str):
                op["operationId"] = _operation_id(source, op["operationId"])
            public = op.get("x-kjt-public") is True or (source.prefix is None and path == LOGIN_PATH)
            if public:
                op["security"] = []
            else:
                # Whatever a source named its schemes, the platform's global requirement applies.
                op.pop("security", None)
        out_paths[path] = item
    components: dict[str, dict[str, Any]] = {}
    for ctype, items in source.components().items():
        for name, body in items.items():
            components.setdefault(ctype, {})[rename[(ctype, name)]] = _rewrite(body, rename)
    declared = {
        t["name"]: t for t in doc.get("tags") or [] if isinstance(t, dict) and isinstance(t.get("name"), str)
    }
    tags: list[dict[str, Any]] = []
    for name, tag in declared.items():
        renamed = {**tag, "name": _tag_name(source, name)}
        tags.append(renamed)
    for name in used_tags:
        if name not in {t["name"] for t in tags}:
            tags.append({"name": name})
    return {"paths": out_paths, "components": components, "tags": tags}


def merge_documents(
    gateway_doc: dict[str, Any],
    service_docs: dict[str, dict[str, Any]],
    missing: list[str],
    *,
    title: str,
    version: str,
    description: str = "",
) -> dict[str, Any]:
    """The platform's document from the gateway's own and the services' (``{name: document}``)."""
    sources = [_Source("gateway", gateway_doc, None)]
    sources += [
        _Source(name, service_docs[name], f"/api/v1/{url_segment(name)}") for name in SERVICES if name in service_docs
    ]
    missing = list(missing)
    names = _component_names(sources)
    paths: dict[str, Any] = {}
    components: dict[str, dict[str, Any]] = {}
    tags: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    seen_ids: set[str] = set()
    for source in sources:
        try:
            part = _prepare(source, names[source.label])
        except Exception as exc:
            log.warning("openapi: the document of %s is malformed (%s); left out", source.label, exc)
            if source.prefix is not None:
                missing.append(source.label)
            continue
        for path, item in part["paths"].items():
            if path in paths:
                log.warning("openapi: %s repeats the path %s; the first one is kept", source.label, path)
                continue
            for method in HTTP_METHODS:
                op = item.get(method)
                if isinstance(op, dict) and isinstance(op.get("operationId"), str):
                    op_id, n = op["operationId"], 2
                    while op["operationId"] in seen_ids:
                        op["operationId"] = f"{op_id}-{n}"
                        n += 1
                    seen_ids.add(op["operationId"])
            paths[path] = item
        for ctype, items in part["components"].items():
            components.setdefault(ctype, {}).update(items)
        known = {t["name"] for t in tags}
        new_tags = [t for t in part["tags"] if t["name"] not in known]
        if source.prefix is not None and not any(t["name"] == source.segment for t in tags + new_tags):
            new_tags.insert(0, {"name": source.segment})
        raw_info = source.doc.get("info")
        info: dict[str, Any] = raw_info if isinstance(raw_info, dict) else {}
        for tag in new_tags:
            if tag["name"] == source.segment and "description" not in tag and info.get("title"):
                tag["description"] = str(info["title"])
        tags += new_tags
        if new_tags:
            groups.append(
                {
                    "name": str(info.get("title") or source.label) if source.prefix else "网关 Gateway",
                    "tags": [t["name"] for t in new_tags],
                }
            )
    components.setdefault("schemas", {}).setdefault("Problem", PROBLEM_SCHEMA)
    components["securitySchemes"] = copy.deepcopy(SECURITY_SCHEMES)
    note = ""
    if missing:
        missing_segments = [url_segment(m) for m in missing]
        note = (
            f"\n\n**暂缺 / Missing:** {', '.join(missing_segments)} — these services did not answer; "
            "their operations are left out until they do."
        )
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description + note},
        "paths": paths,
        "components": components,
        "security": GLOBAL_SECURITY,
        "tags": tags,
        "x-tagGroups": groups,
    }
    if missing:
        doc["x-kjt-missing"] = [url_segment(m) for m in missing]
    return doc


# ---------------------------------------------------------------------------------------------
# fetching and caching


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
    doc = get_openapi(
        title=app.title, version=app.version, routes=app.routes, separate_input_output_schemas=False
    )
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
        gateway_document(app), docs, missing, title=app.title, version=app.version,
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


# ---------------------------------------------------------------------------------------------
# pages


@lru_cache(maxsize=1)
def static_dir() -> Path:
    """The Swagger UI and ReDoc bundles shipped in the installed ``fastapi_offline`` package."""
    return Path(str(files("fastapi_offline").joinpath("static")))


def _page(title: str, head: str, body: str, *, favicon: str = "docs/static/favicon.png") -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n"
        f"<link rel=\"icon\" type=\"image/png\" href=\"{favicon}\">\n"
        f"{head}</head>\n<body>\n{body}</body>\n</html>\n"
    )


SWAGGER_INIT_JS = """\
"use strict";
// Relative URLs: the page works under any path prefix.
(function () {
  var here = window.location.href.split("#")[0].split("?")[0];
  window.ui = SwaggerUIBundle({
    url: new URL("openapi.json", here).href,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    deepLinking: true,
    displayRequestDuration: true,
    showExtensions: true,
    validatorUrl: null,
    oauth2RedirectUrl: new URL("docs/oauth2-redirect", here).href
  });
})();
"""

# Hands the authorisation answer back to the Swagger UI window that opened this popup.
OAUTH2_REDIRECT_JS = """\
"use strict";
(function () {
  var opener = window.opener;
  var pending = opener && opener.swaggerUIRedirectOauth2;
  if (!pending) {
    document.body.textContent = "No Swagger UI authorisation is waiting for this answer.";
    return;
  }
  var fromHash = /(code|token|error)=/.test(window.location.hash);
  var query = new URLSearchParams((fromHash ? window.location.hash : window.location.search).substring(1));
  var answer = {};
  query.forEach(function (value, key) { answer[key] = value; });
  var auth = pending.auth;
  var stateMatches = answer.state === pending.state;
  var flow = auth.schema.get("flow");
  var codeFlow = flow === "accessCode" || flow === "authorizationCode" || flow === "authorization_code";
  if (codeFlow && !auth.code) {
    if (!stateMatches) {
      pending.errCb({authId: auth.name, source: "auth", level: "warning",
        message: "The state returned does not match the state sent; the answer may not be genuine."});
    }
    if (answer.code) {
      delete pending.state;
      auth.code = answer.code;
      pending.callback({auth: auth, redirectUrl: pending.redirectUrl});
    } else {
      pending.errCb({authId: auth.name, source: "auth", level: "error",
        message: answer.error ? answer.error + ": " + (answer.error_description || "") : "No code was returned."});
    }
  } else {
    pending.callback({auth: auth, token: answer, isValid: stateMatches, redirectUrl: pending.redirectUrl});
  }
  window.close();
})();
"""


def swagger_html(title: str) -> str:
    return _page(
        f"{title} – Swagger UI",
        "<link rel=\"stylesheet\" href=\"docs/static/swagger-ui.css\">\n",
        "<div id=\"swagger-ui\"></div>\n"
        "<script src=\"docs/static/swagger-ui-bundle.js\"></script>\n"
        "<script src=\"docs/swagger-init.js\"></script>\n",
    )


def redoc_html(title: str) -> str:
    return _page(
        f"{title} – ReDoc",
        "<style>body { margin: 0; padding: 0; }</style>\n",
        "<redoc spec-url=\"openapi.json\"></redoc>\n"
        "<script src=\"docs/static/redoc.standalone.js\"></script>\n",
    )


# Served at /docs/oauth2-redirect, so its relative URLs resolve under /docs/.
OAUTH2_REDIRECT_HTML = _page(
    "Swagger UI: OAuth2", "", "<script src=\"oauth2-redirect.js\"></script>\n", favicon="static/favicon.png"
)


docs_router = APIRouter(include_in_schema=False)


@docs_router.get("/openapi.json")
async def openapi_json(request: Request) -> Response:
    cache: OpenAPICache = request.app.state.openapi_cache
    document, body = await cache.get(request.app)
    root_path = request.scope.get("root_path", "")
    if root_path:
        body = json.dumps(_with_root_path(document, root_path), ensure_ascii=False).encode()
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-cache"})


@docs_router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    return HTMLResponse(swagger_html(request.app.title))


@docs_router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    return HTMLResponse(redoc_html(request.app.title))


@docs_router.get("/docs/oauth2-redirect")
async def oauth2_redirect() -> HTMLResponse:
    return HTMLResponse(OAUTH2_REDIRECT_HTML)


@docs_router.get("/docs/swagger-init.js")
async def swagger_init() -> Response:
    return Response(SWAGGER_INIT_JS, media_type="text/javascript; charset=utf-8")


@docs_router.get("/docs/oauth2-redirect.js")
async def oauth2_redirect_js() -> Response:
    return Response(OAUTH2_REDIRECT_JS, media_type="text/javascript; charset=utf-8")


@docs_router.get("/docs/static/{name}")
async def docs_static(name: str) -> Response:
    media_type = STATIC_FILES.get(name)
    path = static_dir() / name
    if media_type is None or not path.is_file():
        raise NotFound()
    return FileResponse(
        path, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"}
    )
