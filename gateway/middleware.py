"""The gateway's middleware stack, all pure ASGI.

Outermost first: security headers (so every answer carries them, errors included), request id /
access log / metrics, CORS (so 413 and 429 answers are readable by browser clients too), the rate
limits of the gateway's own routes (login per IP), the body limit.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.docs import DOCS_HTML_PATHS
from gateway.ratelimit import GatewayRateLimitMiddleware
from gateway.settings import GatewaySettings
from shared.middleware import BodyLimitMiddleware, RequestContextMiddleware, header

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Swagger UI and ReDoc from our own assets: both inject inline styles, ReDoc runs its search in a
# worker built from a blob: URL, and Swagger draws its logo as a data: image. No inline script.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; child-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"

CORS_ALLOW_HEADERS = [
    "Authorization",
    "Content-Type",
    "Accept",
    "Accept-Language",
    "X-API-Key",
    "X-Request-ID",
    "Idempotency-Key",
    "If-Match",
    "If-None-Match",
    "traceparent",
    "tracestate",
]
CORS_EXPOSE_HEADERS = [
    "ETag",
    "Location",
    "Retry-After",
    "X-Request-ID",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
]


def route_path(scope: Scope) -> str:
    path: str = scope.get("path", "")
    root = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def request_scheme(scope: Scope, trust_forwarded: bool) -> str:
    """``https`` or ``http`` as the client used it; ``X-Forwarded-Proto`` only behind a trusted proxy."""
    if trust_forwarded:
        forwarded = header(scope, b"x-forwarded-proto")
        if forwarded:
            proto = forwarded.split(",")[-1].strip().lower()
            if proto in ("http", "https"):
                return proto
    return str(scope.get("scheme", "http"))


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, trust_forwarded: bool = False) -> None:
        self.app = app
        self.trust_forwarded = trust_forwarded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if route_path(scope) in DOCS_HTML_PATHS else API_CSP
        added: list[tuple[bytes, bytes]] = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"content-security-policy", csp.encode()),
        ]
        if request_scheme(scope, self.trust_forwarded) == "https":
            added.append((b"strict-transport-security", HSTS.encode()))
        names = {name for name, _ in added}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message["headers"] = kept + added
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_gateway_middleware(app: FastAPI, settings: GatewaySettings) -> None:
    # add_middleware puts each one outside the previous: the last added runs first.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(GatewayRateLimitMiddleware, trust_forwarded_for=settings.trust_forwarded_for)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=CORS_ALLOW_HEADERS,
        expose_headers=CORS_EXPOSE_HEADERS,
        allow_credentials=False,  # bearer tokens and API keys, never cookies
        max_age=600,
    )
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics, log_requests=settings.access_log)
    app.add_middleware(SecurityHeadersMiddleware, trust_forwarded=settings.trust_forwarded_for)
