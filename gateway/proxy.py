"""The reverse proxy: ``/api/v1/<service>/...`` to the five services.

One pure ASGI endpoint: it authenticates the caller, then streams the request body to the service and
the service's response back through the one pooled ``httpx.AsyncClient`` of the app, with a
short-lived signed principal token in place of the caller's credentials (rule 3: the gateway
authenticates, services authorise). The middleware has counted the call against its rate limit
(``RateLimitMiddleware``) and watches the body's size (``BodyLimitMiddleware``): it refuses a
declared one over the limit before the proxy runs, and answers 413 for one that runs over while the
proxy streams it.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote, unquote

import httpx
from fastapi import APIRouter
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from gateway import security
from gateway.health import GatewayMetrics
from gateway.middleware import request_scheme, route_path
from gateway.settings import GatewaySettings
from shared.errors import AppError, BadRequest, GatewayTimeout, NotFound
from shared.middleware import BodyTooLarge, header, send_problem
from shared.principal import PRINCIPAL_HEADER, Principal, sign_principal
from shared.route_templates import ServiceRoutes, committed_routes
from shared.settings import SERVICES, url_segment

log = logging.getLogger("kjt.gateway.proxy")

# RFC 9110 section 7.6.1, plus the proxy-era names still seen in the wild.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
# Credentials stop here (the principal token replaces them), and headers the gateway sets itself.
DROP_REQUEST = HOP_BY_HOP | {
    "host",
    "authorization",
    "x-api-key",
    PRINCIPAL_HEADER,
    "cookie",
    "expect",
    "x-request-id",
    "traceparent",
    "tracestate",
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-proto",
    "x-forwarded-host",
    "x-real-ip",
}
DROP_RESPONSE = HOP_BY_HOP | {"date", "server", "x-request-id"}  # the gateway's server sets its own Date
# W3C trace context: version (never ff), trace id and parent id (never all zeros), flags; version 00 has no more.
TRACEPARENT = re.compile(r"(?!ff)([0-9a-f]{2})-(?!0{32})([0-9a-f]{32})-(?!0{16})[0-9a-f]{16}-([0-9a-f]{2})(-.*)?")


class ServiceUnavailable(AppError):
    status = 503
    code = "service_unavailable"
    title_zh = "服务暂不可用"
    title_en = "Service unavailable"

    def __init__(self, service: str) -> None:
        super().__init__(
            f"服务“{url_segment(service)}”暂时不可用，请稍后重试。",
            f"The service '{url_segment(service)}' is unavailable; retry later.",
            extra={"service": url_segment(service)},
            headers={"Retry-After": "5"},
        )


class _ClientGone(Exception):
    pass


def new_traceparent(incoming: str | None) -> str:
    """A W3C trace context for the hop: the caller's trace id (when valid) and a new span id."""
    span = secrets.token_hex(8)
    parent = TRACEPARENT.fullmatch((incoming or "").strip().lower())
    if parent and not (parent[1] == "00" and parent[4]):
        return f"00-{parent[2]}-{span}-{parent[3]}"
    return f"00-{secrets.token_hex(16)}-{span}-01"


def _upstream_path(scope: Scope, path: str) -> str:
    """The path as the client sent it (percent-encoding kept), else re-encoded from the decoded one."""
    raw: bytes | None = scope.get("raw_path")
    if raw:
        text = raw.decode("latin-1").split("?", 1)[0].removeprefix(scope.get("root_path", ""))
        if unquote(text) == path:
            return text
    return quote(path, safe="/:@!$&'()*+,;=-._~")


class ProxyEndpoint:
    """The ASGI endpoint of ``/api/v1/<segment>`` and everything under it, for one service."""

    def __init__(self, service: str, routes: ServiceRoutes) -> None:
        self.service = service
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Metrics and the access log name the call by its route template (shared.route_templates) and service.
        scope["route"] = self.routes.label(route_path(scope))
        scope.setdefault("state", {})["service"] = url_segment(self.service)
        try:
            await self._forward(scope, receive, send)
        except AppError as error:
            await send_problem(scope, receive, send, error)

    async def _forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        settings: GatewaySettings = scope["app"].state.settings
        metrics: GatewayMetrics = scope["app"].state.gateway_metrics
        client: httpx.AsyncClient = scope["app"].state.upstream
        method, path = scope["method"], route_path(scope)
        if any(segment in (".", "..") for segment in path.split("/")):  # never /api/v1/projects/../../metrics
            raise NotFound("没有这个接口。", "No such endpoint.")
        base = settings.service_urls.get(self.service, "").rstrip("/")
        if not base:
            log.error("no URL configured for service %s", self.service)
            raise ServiceUnavailable(self.service)
        try:
            principal = await security.authenticate(Request(scope, receive))
        except AppError:
            raise
        except Exception:
            # The credential store failed, not the caller: refuse with a 503 rather than guess.
            log.exception("authentication failed unexpectedly")
            raise ServiceUnavailable("gateway") from None

        too_large = False

        async def body() -> AsyncIterator[bytes]:
            nonlocal too_large
            while True:
                try:
                    message = await receive()
                except BodyTooLarge:  # the body limit's receive: it answers the 413
                    too_large = True
                    raise
                if message["type"] == "http.disconnect":
                    raise _ClientGone
                if chunk := message.get("body", b""):
                    yield chunk
                if not message.get("more_body", False):
                    return

        has_body = (
            header(scope, b"content-length") not in (None, "0") or header(scope, b"transfer-encoding") is not None
        )
        query = scope.get("query_string", b"").decode("latin-1")
        url = f"{base}{_upstream_path(scope, path)}" + (f"?{query}" if query else "")
        try:
            headers = self._request_headers(scope, settings, principal)
            request = client.build_request(method, url, headers=headers, content=body() if has_body else None)
        except (httpx.InvalidURL, ValueError, TypeError) as exc:
            log.info("%s %s: not a URL that can be forwarded (%s)", method, path, type(exc).__name__)
            raise BadRequest("请求地址无效。", "The request URL is not valid.") from None
        started = time.perf_counter()
        try:
            response = await client.send(request, stream=True)
        except _ClientGone:
            return
        except Exception as exc:
            if too_large:  # whatever the transport made of it
                raise BodyTooLarge from None
            raise self._failed(metrics, method, path, exc) from None
        if too_large:  # the service answered before the body ran over
            await response.aclose()
            raise BodyTooLarge
        metrics.upstream_latency.labels(self.service, method, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        answer_headers = self._response_headers(response, base, scope.get("root_path", ""))
        try:
            await send({"type": "http.response.start", "status": response.status_code, "headers": answer_headers})
            try:
                async for chunk in response.aiter_raw():
                    if chunk:
                        await send({"type": "http.response.body", "body": chunk, "more_body": True})
            except httpx.HTTPError as exc:
                # Headers are gone already: end without completing, so the client sees a broken
                # response rather than a short one that looks whole.
                metrics.upstream_errors.labels(self.service, "broken_stream").inc()
                log.warning("%s %s: %s broke off its response (%s)", method, path, self.service, type(exc).__name__)
                return
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:
            # The client went away (ASGI 2.4 servers raise it from send): nothing left to tell it.
            log.debug("%s %s: the client disconnected", method, path)
        finally:
            await response.aclose()

    def _failed(self, metrics: GatewayMetrics, method: str, path: str, exc: Exception) -> AppError:
        """The problem for a call that got no answer: 504 when the service was too slow, else 503."""
        timeout = isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout)  # not a connect or pool timeout
        reason = "timeout" if timeout else "unreachable"
        metrics.upstream_errors.labels(self.service, reason).inc()
        if not isinstance(exc, httpx.HTTPError):
            log.exception("proxying to %s failed", self.service, exc_info=exc)
        else:
            log.warning("%s %s: %s %s (%s)", method, path, self.service, reason, type(exc).__name__)
        if timeout:
            segment = url_segment(self.service)
            return GatewayTimeout(f"服务“{segment}”响应超时。", f"The service '{segment}' timed out.")
        return ServiceUnavailable(self.service)

    def _request_headers(
        self, scope: Scope, settings: GatewaySettings, principal: Principal
    ) -> list[tuple[bytes, bytes]]:
        raw: list[tuple[bytes, bytes]] = scope.get("headers", [])
        dropped = DROP_REQUEST | {t.strip().lower() for t in (header(scope, b"connection") or "").split(",")}
        out = [(key, value) for key, value in raw if key.decode("latin-1") not in dropped]
        peer = scope["client"][0] if scope.get("client") else "unknown"
        forwarded_for = header(scope, b"x-forwarded-for") if settings.trust_forwarded_for else None
        state: dict[str, Any] = scope.get("state", {})
        request_id = state.get("request_id") or header(scope, b"x-request-id") or secrets.token_hex(16)
        incoming_trace = header(scope, b"traceparent")
        traceparent = new_traceparent(incoming_trace)
        token = sign_principal(principal, settings.internal_secret, settings.internal_token_ttl_seconds)
        out += [
            (PRINCIPAL_HEADER.encode(), token.encode()),
            (b"x-request-id", request_id.encode("latin-1")),
            (b"traceparent", traceparent.encode()),
            (b"x-forwarded-for", (f"{forwarded_for}, {peer}" if forwarded_for else peer).encode("latin-1")),
            (b"x-forwarded-proto", request_scheme(scope, settings.trust_forwarded_for).encode()),
        ]
        if host := header(scope, b"host"):
            out.append((b"x-forwarded-host", host.encode("latin-1")))
        tracestate = header(scope, b"tracestate")
        if tracestate and traceparent[3:35] == (incoming_trace or "").strip().lower()[3:35]:  # the trace kept
            out.append((b"tracestate", tracestate.encode("latin-1")))
        return out

    def _response_headers(self, response: httpx.Response, base: str, root_path: str) -> list[tuple[bytes, bytes]]:
        dropped = DROP_RESPONSE | {t.strip().lower() for t in response.headers.get("connection", "").split(",")}
        out: list[tuple[bytes, bytes]] = []
        for key, value in response.headers.raw:
            name = key.decode("latin-1").lower()
            if name in dropped:
                continue
            if name in ("location", "content-location"):
                # A service builds absolute redirects from its own host name: never show that host.
                text = value.decode("latin-1")
                if text.startswith(base):
                    value = (root_path + (text[len(base) :] or "/")).encode("latin-1")
            out.append((name.encode("latin-1"), value))
        return out


def _routes() -> list[Route]:
    # Routes per service, not one ``/api/v1/{rest:path}``: an unknown segment is then the router's
    # own 404, and a wrong method on a gateway route (GET /api/v1/auth/token) its 405.
    routes = []
    templates = committed_routes()
    for name in SERVICES:
        endpoint, prefix = ProxyEndpoint(name, templates[name]), f"/api/v1/{url_segment(name)}"
        routes += [Route(path, endpoint, include_in_schema=False) for path in (prefix, prefix + "/{rest:path}")]
    return routes


proxy_router = APIRouter()
proxy_router.routes.extend(_routes())
