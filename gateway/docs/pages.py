"""Swagger UI and ReDoc served from local assets, and the routes of the documentation."""

from __future__ import annotations

import html
import json
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import FileResponse, HTMLResponse, Response

from gateway.docs.cache import OpenAPICache, with_root_path
from shared.errors import NotFound

DOCS_HTML_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
STATIC_FILES = frozenset({"swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png"})
# The Swagger UI and ReDoc bundles shipped in the installed fastapi_offline package.
STATIC_DIR = Path(str(files("fastapi_offline").joinpath("static")))


def _page(title: str, head: str, body: str, *, favicon: str = "docs/static/favicon.png") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n"
        f'<link rel="icon" type="image/png" href="{favicon}">\n'
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

# Hands an authorisation answer back to the Swagger UI window that opened this popup. The platform's
# documents declare only the OAuth2 password flow, which never opens one: no code flow is handled.
OAUTH2_REDIRECT_JS = """\
"use strict";
(function () {
  var pending = window.opener && window.opener.swaggerUIRedirectOauth2;
  if (!pending) {
    document.body.textContent = "No Swagger UI authorisation is waiting for this answer.";
    return;
  }
  var answer = {};
  new URLSearchParams((window.location.hash || window.location.search).substring(1)).forEach(function (value, key) {
    answer[key] = value;
  });
  pending.callback({auth: pending.auth, token: answer, isValid: answer.state === pending.state,
    redirectUrl: pending.redirectUrl});
  window.close();
})();
"""
SCRIPTS = {"swagger-init.js": SWAGGER_INIT_JS, "oauth2-redirect.js": OAUTH2_REDIRECT_JS}


# Served at /docs/oauth2-redirect, so its relative URLs resolve under /docs/.
OAUTH2_REDIRECT_HTML = _page(
    "Swagger UI: OAuth2", "", '<script src="oauth2-redirect.js"></script>\n', favicon="static/favicon.png"
)


docs_router = APIRouter(include_in_schema=False)


@docs_router.get("/openapi.json")
async def openapi_json(request: Request) -> Response:
    cache: OpenAPICache = request.app.state.openapi_cache
    document, body = await cache.get(request.app)
    root_path = request.scope.get("root_path", "")
    if root_path:
        body = json.dumps(with_root_path(document, root_path), ensure_ascii=False).encode()
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-cache"})


@docs_router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    return HTMLResponse(
        _page(
            f"{request.app.title} – Swagger UI",
            '<link rel="stylesheet" href="docs/static/swagger-ui.css">\n',
            '<div id="swagger-ui"></div>\n<script src="docs/static/swagger-ui-bundle.js"></script>\n'
            '<script src="docs/swagger-init.js"></script>\n',
        )
    )


@docs_router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    return HTMLResponse(
        _page(
            f"{request.app.title} – ReDoc",
            "<style>body { margin: 0; padding: 0; }</style>\n",
            '<redoc spec-url="openapi.json"></redoc>\n<script src="docs/static/redoc.standalone.js"></script>\n',
        )
    )


@docs_router.get("/docs/oauth2-redirect")
async def oauth2_redirect() -> HTMLResponse:
    return HTMLResponse(OAUTH2_REDIRECT_HTML)


@docs_router.get("/docs/{name}")
async def docs_script(name: str) -> Response:
    if name not in SCRIPTS:
        raise NotFound()
    return Response(SCRIPTS[name], media_type="text/javascript; charset=utf-8")


@docs_router.get("/docs/static/{name}")
async def docs_static(name: str) -> Response:
    path = STATIC_DIR / name
    if name not in STATIC_FILES or not path.is_file():
        raise NotFound()
    return FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})  # typed by its name
