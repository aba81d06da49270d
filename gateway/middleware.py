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
from shared.errors import AppError, BadRequest, PayloadTooLarge
from shared.middleware import RequestContextMiddleware, header, send_problem

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
    "Authorization", "Content-Type", "Accept", "Accept-Language", "X-API-Key", "X-Request-ID",
    "Idempotency-Key", "If-Match", "If-None-Match", "traceparent", "tracestate",
]
CORS_EXPOSE_HEADERS = [
    "ETag", "Location", "Retry-After", "X-Request-ID",
    "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset",
]


class BodyTooLarge(Exception):
    """Raised from ``receive`` when a streamed body passes the limit."""


def route_path(scope: Scope) -> str:
    path: str = scope.get("path", "")
    root = scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


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


class BodyLimitMiddleware:
    """413 for a body over ``max_bytes``, declared or counted while it streams.

    When a handler turns the failed read into some other error (FastAPI makes it a 400), the 413
    replaces that answer."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _error(self) -> PayloadTooLarge:
        return PayloadTooLarge(
            f"请求体不能超过 {self.max_bytes} 字节。", f"The request body may not exceed {self.max_bytes} bytes."
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = header(scope, b"content-length")
        if declared is not None:
            error: AppError | None = None
            if not declared.isdigit():
                error = BadRequest("Content-Length 无效。", "Invalid Content-Length.")
            elif int(declared) > self.max_bytes:
                error = self._error()
            if error is not None:
                await send_problem(scope, receive, send, error)
                return
        received = 0
        exceeded = False
        started = False
        replaced = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def send_wrapper(message: Message) -> None:
            nonlocal started, replaced
            if replaced:
                return
            if message["type"] == "http.response.start":
                started = True
                if exceeded and message["status"] != 413:
                    replaced = True
                    await send_problem(scope, receive, send, self._error())
                    return
            await send(message)

        try:
            await self.app(scope, limited_receive, send_wrapper)
        except BodyTooLarge:
            if not started:
                await send_problem(scope, receive, send, self._error())


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
