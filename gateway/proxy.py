"""The reverse proxy: ``/api/v1/<service>/...`` to the five services.

One pure ASGI endpoint: it authenticates the caller, counts the call against its rate limit, then
streams the request body to the service and the service's response back through the one pooled
``httpx.AsyncClient`` of the app, with a short-lived signed principal token in place of the
caller's credentials (rule 3: the gateway authenticates, services authorise).
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

import httpx
from fastapi import APIRouter
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from gateway import security
from gateway.health import GatewayMetrics
from gateway.middleware import request_scheme
from gateway.ratelimit import Decision, RateLimiter, client_ip
from gateway.settings import GatewaySettings
from shared.errors import AppError, BadRequest, GatewayTimeout, NotFound, PayloadTooLarge
from shared.middleware import BodyTooLarge, send_problem
from shared.middleware import header as _header
from shared.principal import PRINCIPAL_HEADER, Principal, sign_principal
from shared.settings import SERVICES, url_segment

log = logging.getLogger("kjt.gateway.proxy")

API_PREFIX = "/api/v1/"

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
_DROP_REQUEST = HOP_BY_HOP | {
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
_DROP_RESPONSE = HOP_BY_HOP | {"server", "x-request-id"}


@dataclass(frozen=True)
class _RouteLabel:
    path_format: str


class ServiceUnavailable(AppError):
    status = 503
    code = "service_unavailable"
    title_zh = "服务暂不可用"
    title_en = "Service unavailable"

    def __init__(self, service: str, retry_after: int = 5) -> None:
        super().__init__(
            f"服务“{url_segment(service)}”暂时不可用，请稍后重试。",
            f"The service '{url_segment(service)}' is unavailable; retry later.",
            extra={"service": url_segment(service)},
            headers={"Retry-After": str(retry_after)},
        )


def _too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"请求体不能超过 {max_bytes} 字节。", f"The request body may not exceed {max_bytes} bytes.")


class _ClientGone(Exception):
    pass


def new_traceparent(incoming: str | None) -> str:
    """A W3C trace context for the hop: the caller's trace id (when valid) and a new span id."""
    span = secrets.token_hex(8)
    if incoming:
        parts = incoming.strip().lower().split("-")
        if len(parts) >= 4 and _valid_parent(parts):
            return f"00-{parts[1]}-{span}-{parts[3]}"
    return f"00-{secrets.token_hex(16)}-{span}-01"


def _valid_parent(parts: list[str]) -> bool:
    version, trace_id, parent_id, flags = parts[:4]
    if len(version) != 2 or version == "ff" or not _hex(version):
        return False
    if version == "00" and len(parts) != 4:
        return False
    return (
        len(trace_id) == 32
        and _hex(trace_id)
        and trace_id != "0" * 32
        and len(parent_id) == 16
        and _hex(parent_id)
        and parent_id != "0" * 16
        and len(flags) == 2
        and _hex(flags)
    )


def _hex(value: str) -> bool:
    return all(c in "0123456789abcdef" for c in value)


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path


def _upstream_path(scope: Scope, path: str) -> str:
    """The path as the client sent it (percent-encoding kept), else re-encoded from the decoded one."""
    raw: bytes | None = scope.get("raw_path")
    if raw:
        text = raw.decode("latin-1").split("?", 1)[0]
        root = scope.get("root_path", "")
        if root and text.startswith(root):
            text = text[len(root) :]
        if unquote(text) == path:
            return text
    return quote(path, safe="/:@!$&'()*+,;=-._~")


def _has_dot_segment(path: str) -> bool:
    # ``/api/v1/projects/../../metrics`` must not reach a service's open paths.
    return any(seg in (".", "..") for seg in path.split("/"))


class ProxyEndpoint:
    """The ASGI endpoint of ``/api/v1/<segment>`` and everything under it, for one service."""

    def __init__(self, service: str) -> None:
        self.service = service
        # The request metrics label a call by its route: one label per service, never per URL.
        self.label = _RouteLabel(f"{API_PREFIX}{url_segment(service)}/{{path}}")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self._handle(scope, receive, send)
        except AppError as error:
            await send_problem(scope, receive, send, error)

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = scope["app"]
        settings: GatewaySettings = app.state.settings
        scope["route"] = self.label
        service = self.service
        path = _route_path(scope)
        if _has_dot_segment(path):
            raise NotFound("没有这个接口。", "No such endpoint.")
        base = settings.service_urls.get(service)
        if not base:
            log.error("no URL configured for service %s", service)
            raise ServiceUnavailable(service)

        declared = _header(scope, b"content-length")
        if declared is not None:
            if not declared.isdigit():
                raise BadRequest("Content-Length 无效。", "Invalid Content-Length.")
            if int(declared) > settings.max_body_bytes:
                raise _too_large(settings.max_body_bytes)

        principal = await self._authenticate(scope, receive)
        limiter: RateLimiter = app.state.ratelimiter
        decision = await limiter.check(principal, client_ip(scope, settings.trust_forwarded_for))
        if not decision.allowed:
            raise decision.error()

        await self._forward(scope, receive, send, service, base.rstrip("/"), path, principal, decision)

    async def _authenticate(self, scope: Scope, receive: Receive) -> Principal:
        try:
            return await security.authenticate(Request(scope, receive))
        except AppError:
            raise
        except Exception:
            # The credential store failed, not the caller: refuse with a 503 rather than guess.
            log.exception("authentication failed unexpectedly")
            raise ServiceUnavailable("gateway") from None

    async def _forward(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        service: str,
        base: str,
        path: str,
        principal: Principal,
        decision: Decision,
    ) -> None:
        app = scope["app"]
        settings: GatewaySettings = app.state.settings
        metrics: GatewayMetrics = app.state.gateway_metrics
        client: httpx.AsyncClient = app.state.upstream
        max_bytes = settings.max_body_bytes
        too_large = False

        async def body() -> AsyncIterator[bytes]:
            nonlocal too_large
            received = 0
            while True:
                try:
                    message = await receive()
                except BodyTooLarge:
                    too_large = True
                    raise
                if message["type"] == "http.disconnect":
                    raise _ClientGone
                chunk: bytes = message.get("body", b"")
                received += len(chunk)
                if received > max_bytes:
                    too_large = True
                    raise BodyTooLarge
                if chunk:
                    yield chunk
                if not message.get("more_body", False):
                    return

        has_body = _header(scope, b"content-length") not in (None, "0") or (
            _header(scope, b"transfer-encoding") is not None
        )
        query = scope.get("query_string", b"").decode("latin-1")
        url = f"{base}{_upstream_path(scope, path)}" + (f"?{query}" if query else "")
        try:
            request = client.build_request(
                scope["method"],
                url,
                headers=self._request_headers(scope, settings, principal),
                content=body() if has_body else None,
            )
        except (httpx.InvalidURL, ValueError, TypeError) as exc:
            log.info("%s %s: not a URL that can be forwarded (%s)", scope["method"], path, type(exc).__name__)
            raise BadRequest("请求地址无效。", "The request URL is not valid.") from None
        started = time.perf_counter()
        try:
            response = await client.send(request, stream=True)
        except _ClientGone:
            return
        except (httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise self._failed(metrics, service, "unreachable", exc, too_large, max_bytes) from None
        except httpx.TimeoutException as exc:
            if too_large:
                raise _too_large(max_bytes) from None
            metrics.upstream_errors.labels(service, "timeout").inc()
            log.warning("%s %s: %s timed out (%s)", scope["method"], path, service, type(exc).__name__)
            raise GatewayTimeout(
                f"服务“{url_segment(service)}”响应超时。", f"The service '{url_segment(service)}' timed out."
            ) from None
        except Exception as exc:
            raise self._failed(metrics, service, "unreachable", exc, too_large, max_bytes) from None

        if too_large:
            await response.aclose()
            raise _too_large(max_bytes)
        metrics.upstream_latency.labels(service, scope["method"], str(response.status_code)).observe(
            time.perf_counter() - started
        )
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": response.status_code,
                    "headers": self._response_headers(response, base, scope.get("root_path", ""), decision),
                }
            )
            try:
                async for chunk in response.aiter_raw():
                    if chunk:
                        await send({"type": "http.response.body", "body": chunk, "more_body": True})
            except httpx.HTTPError as exc:
                # Headers are gone already: end without completing, so the client sees a broken
                # response rather than a short one that looks whole.
                metrics.upstream_errors.labels(service, "broken_stream").inc()
                log.warning("%s %s: %s broke off its response (%s)", scope["method"], path, service, type(exc).__name__)
                return
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:
            # The client went away (ASGI 2.4 servers raise it from send): nothing left to tell it.
            log.debug("%s %s: the client disconnected", scope["method"], path)
        finally:
            await response.aclose()

    def _failed(
        self, metrics: GatewayMetrics, service: str, reason: str, exc: Exception, too_large: bool, max_bytes: int
    ) -> AppError:
        if too_large or isinstance(exc, BodyTooLarge):
            return _too_large(max_bytes)
        if not isinstance(exc, httpx.HTTPError):
            log.exception("proxying to %s failed", service, exc_info=exc)
        else:
            log.warning("%s unreachable: %s", service, type(exc).__name__)
        metrics.upstream_errors.labels(service, reason).inc()
        return ServiceUnavailable(service)

    def _request_headers(
        self, scope: Scope, settings: GatewaySettings, principal: Principal
    ) -> list[tuple[bytes, bytes]]:
        raw: list[tuple[bytes, bytes]] = scope.get("headers", [])
        named_in_connection = {
            token.strip().lower()
            for key, value in raw
            if key == b"connection"
            for token in value.decode("latin-1").split(",")
        }
        out = [
            (key, value)
            for key, value in raw
            if key.decode("latin-1") not in _DROP_REQUEST and key.decode("latin-1") not in named_in_connection
        ]
        peer = scope["client"][0] if scope.get("client") else "unknown"
        forwarded_for = _header(scope, b"x-forwarded-for") if settings.trust_forwarded_for else None
        state: dict[str, Any] = scope.get("state", {})
        request_id = state.get("request_id") or _header(scope, b"x-request-id") or secrets.token_hex(16)
        incoming_trace = _header(scope, b"traceparent")
        traceparent = new_traceparent(incoming_trace)
        out += [
            (
                PRINCIPAL_HEADER.encode(),
                sign_principal(principal, settings.internal_secret, settings.internal_token_ttl_seconds).encode(),
            ),
            (b"x-request-id", request_id.encode("latin-1")),
            (b"traceparent", traceparent.encode()),
            (b"x-forwarded-for", (f"{forwarded_for}, {peer}" if forwarded_for else peer).encode("latin-1")),
            (b"x-forwarded-proto", request_scheme(scope, settings.trust_forwarded_for).encode()),
        ]
        host = _header(scope, b"host")
        if host:
            out.append((b"x-forwarded-host", host.encode("latin-1")))
        tracestate = _header(scope, b"tracestate")
        if tracestate and incoming_trace and traceparent.split("-")[1] == incoming_trace.strip().lower()[3:35]:
            out.append((b"tracestate", tracestate.encode("latin-1")))
        return out

    def _response_headers(
        self, response: httpx.Response, base: str, root_path: str, decision: Decision
    ) -> list[tuple[bytes, bytes]]:
        named_in_connection = {t.strip().lower() for t in response.headers.get("connection", "").split(",")}
        out: list[tuple[bytes, bytes]] = []
        for key, value in response.headers.raw:
            name = key.decode("latin-1").lower()
            if name in _DROP_RESPONSE or name in named_in_connection:
                continue
            if name in ("location", "content-location"):
                # A service builds absolute redirects from its own host name: never show that host.
                text = value.decode("latin-1")
                if text.startswith(base):
                    value = (root_path + (text[len(base) :] or "/")).encode("latin-1")
            out.append((name.encode("latin-1"), value))
        out += [(k.lower().encode(), v.encode()) for k, v in decision.headers().items()]
        return out


def _routes() -> list[Route]:
    # Routes per service, not one ``/api/v1/{rest:path}``: an unknown segment is then the router's
    # own 404, and a wrong method on a gateway route (GET /api/v1/auth/token) its 405.
    routes = []
    for name in SERVICES:
        endpoint = ProxyEndpoint(name)
        prefix = f"{API_PREFIX}{url_segment(name)}"
        routes += [
            Route(prefix, endpoint, include_in_schema=False),
            Route(prefix + "/{rest:path}", endpoint, include_in_schema=False),
        ]
    return routes


proxy_router = APIRouter()
proxy_router.routes.extend(_routes())
