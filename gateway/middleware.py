"""The gateway's middleware stack, all pure ASGI.

Outermost first: security headers (so every answer carries them, errors included), request id /
access log / metrics, CORS (so 413 and 429 answers are readable by browser clients too), the rate
limits of every API call (login per IP), the body limit, and innermost the 304 of a GET whose
If-None-Match names the ETag of the gateway's own record (the services answer theirs themselves).
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import security
from gateway.docs import DOCS_HTML_PATHS
from gateway.ratelimit import RateLimiter, client_ip
from gateway.settings import GatewaySettings
from shared.middleware import (
    BodyLimitMiddleware,
    ConditionalGetMiddleware,
    RequestContextMiddleware,
    header,
    send_problem,
)
from shared.principal import ANONYMOUS

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Swagger UI and ReDoc from our own assets: both inject inline styles, ReDoc runs its search in a
# worker built from a blob: URL, and Swagger draws its logo as a data: image. No inline script.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; child-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"
# Starlette always adds the safelisted Accept, Accept-Language, Content-Language and Content-Type.
CORS_ALLOW_HEADERS = ["Authorization", "X-API-Key", "X-Request-ID", "Idempotency-Key", "If-Match", "If-None-Match"]
CORS_ALLOW_HEADERS += ["traceparent", "tracestate"]
CORS_EXPOSE_HEADERS = ["ETag", "Idempotent-Replayed", "Location", "Retry-After", "X-Request-ID"]
CORS_EXPOSE_HEADERS += ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"]
LOGIN_PATH = "/api/v1/auth/token"
API_PREFIX = "/api/v1/"


def route_path(scope: Scope) -> str:
    """The path below the app's mount point (``root_path``)."""
    return str(scope.get("path", "")).removeprefix(scope.get("root_path", ""))


def request_scheme(scope: Scope, trust_forwarded: bool) -> str:
    """``https`` or ``http`` as the client used it; ``X-Forwarded-Proto`` only behind a trusted proxy."""
    proto = (header(scope, b"x-forwarded-proto") or "").split(",")[-1].strip().lower() if trust_forwarded else ""
    return proto if proto in ("http", "https") else str(scope.get("scheme", "http"))


def with_headers(send: Send, headers: Mapping[str, str]) -> Send:
    """``send`` that sets ``headers`` on the response, in place of any the app set under those names."""
    added = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    names = {name for name, _ in added}

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
            message["headers"] = kept + added
        await send(message)

    return send_with_headers


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, trust_forwarded: bool = False) -> None:
        self.app = app
        self.trust_forwarded = trust_forwarded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": DOCS_CSP if route_path(scope) in DOCS_HTML_PATHS else API_CSP,
        }
        if request_scheme(scope, self.trust_forwarded) == "https":
            headers["Strict-Transport-Security"] = HSTS
        await self.app(scope, receive, with_headers(send, headers))


class RateLimitMiddleware:
    """Rate limits of every API call, the gateway's own and those proxied to the services.

    ``POST /api/v1/auth/token`` counts per client IP against the login limit, before any password is
    checked. Every other ``/api/v1/`` call counts per caller; ``authenticate`` remembers its answer on
    the request, so the handler's or the proxy's own call is free, and a bad credential is counted as
    an anonymous call from its IP (its 401 comes after, from the handler or the proxy).
    """

    def __init__(self, app: ASGIApp, *, trust_forwarded_for: bool = False) -> None:
        self.app = app
        self.trust_forwarded_for = trust_forwarded_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = route_path(scope)
        limiter: RateLimiter | None = getattr(scope["app"].state, "ratelimiter", None) if "app" in scope else None
        if scope["type"] != "http" or limiter is None or not path.startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        ip = client_ip(scope, self.trust_forwarded_for)
        if path == LOGIN_PATH and scope["method"] == "POST":
            decision = await limiter.hit("login", ip)
        else:
            try:
                principal = await security.authenticate(Request(scope, receive))
            except Exception:
                principal = ANONYMOUS
            decision = await limiter.check(principal, ip)
        if not decision.allowed:
            await send_problem(scope, receive, send, decision.error())
            return
        await self.app(scope, receive, with_headers(send, decision.headers()))


def install_gateway_middleware(app: FastAPI, settings: GatewaySettings) -> None:
    # add_middleware puts each one outside the previous: the last added runs first.
    app.add_middleware(ConditionalGetMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RateLimitMiddleware, trust_forwarded_for=settings.trust_forwarded_for)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_origin_regex=settings.cors_origin_regex,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=CORS_ALLOW_HEADERS,
        expose_headers=CORS_EXPOSE_HEADERS,
        allow_credentials=False,  # bearer tokens and API keys, never cookies
        max_age=600,
    )
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics, log_requests=settings.access_log)
    app.add_middleware(SecurityHeadersMiddleware, trust_forwarded=settings.trust_forwarded_for)
