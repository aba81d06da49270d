"""Pure ASGI middleware: request id, JSON access log, Prometheus metrics, body limit, internal auth,
conditional GET.

``BaseHTTPMiddleware`` costs a large share of throughput, so each of these is a small ASGI class.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.concurrency import entity_tags
from shared.error_handlers import problem_response
from shared.errors import AppError, BadRequest, InvalidCharacters, InvalidInternalToken, PayloadTooLarge, Unauthorized
from shared.principal import PRINCIPAL_HEADER, verify_principal

access_log = logging.getLogger("kjt.access")

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def send_problem(scope: Scope, receive: Receive, send: Send, error: AppError) -> None:
    response = problem_response(Request(scope, receive), error)
    await response(scope, receive, send)


class Metrics:
    """The request metrics of one app, in its own registry (several apps may share a test process)."""

    def __init__(self, app_name: str) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "kjt_http_requests_total",
            "HTTP requests",
            ["app", "method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "kjt_http_request_duration_seconds",
            "HTTP request latency",
            ["app", "method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.app_name = app_name


class RequestContextMiddleware:
    """Gives every request an ``X-Request-ID``, logs it as one JSON line and counts it.

    The line is logged at ``access_level``: the gateway's at info, the one line per request the console
    shows; a service's at debug, since the gateway's line names the same request (its id, service, route
    template, status and time). Probes (``/healthz``, ``/readyz``, ``/metrics``) are logged at debug
    wherever they land: whoever polls them reads the answer. The inner app may name the service that
    answered in ``scope["state"]["service"]`` (the gateway's proxy does); the line then carries it.
    """

    plain_paths = frozenset({"/openapi.json", "/docs", "/redoc"})
    probe_paths = frozenset({"/healthz", "/readyz", "/metrics"})

    def __init__(
        self, app: ASGIApp, metrics: Metrics, *, log_requests: bool = True, access_level: int = logging.INFO
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.log_requests = log_requests
        self.access_level = access_level

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b""):
            await send_problem(
                scope,
                receive,
                send,
                InvalidCharacters(
                    "网址中不能含有 NUL 字符。",
                    "The URL may not contain NUL characters.",
                ),
            )
            return
        incoming = header(scope, b"x-request-id")
        request_id = incoming if incoming and _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        if incoming != request_id:
            scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"x-request-id"]
            scope["headers"].append((b"x-request-id", request_id.encode()))
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        started = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path_format", None) or getattr(route, "path", None)
            if template is None:
                # Plain Starlette routes (the OpenAPI document) leave no route in the scope; a path
                # that answered is one of those few, anything else stays "unmatched" (no label per URL).
                template = scope["path"] if status < 400 and scope["path"] in self.plain_paths else "unmatched"
            method = scope.get("method", "")
            self.metrics.requests.labels(self.metrics.app_name, method, template, str(status)).inc()
            self.metrics.latency.labels(self.metrics.app_name, method, template).observe(elapsed)
            level = logging.DEBUG if template in self.probe_paths else self.access_level
            if self.log_requests and access_log.isEnabledFor(level):
                line: dict[str, Any] = {"app": self.metrics.app_name, "request_id": request_id, "method": method}
                if service := scope["state"].get("service"):
                    line["service"] = service
                line.update(route=template, status=status, ms=round(elapsed * 1000, 2))
                access_log.log(level, json.dumps(line, ensure_ascii=False))


class BodyTooLarge(Exception):
    """Raised from ``receive`` once a body runs over the limit; code reading a body may catch it."""


class BodyLimitMiddleware:
    """Refuses bodies over ``max_bytes`` with a 413, whether declared or streamed, and a malformed
    Content-Length with a 400."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(
            f"请求体不能超过 {self.max_bytes} 字节。", f"The request body may not exceed {self.max_bytes} bytes."
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = header(scope, b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await send_problem(scope, receive, send, BadRequest("Content-Length 无效。", "Invalid Content-Length."))
                return
            if int(declared) > self.max_bytes:
                await send_problem(scope, receive, send, self._too_large())
                return
        received = 0
        exceeded = started = replaced = False

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
            # Once the body ran over, whatever the app answers (often a 400 from a broken read) is
            # replaced by the 413; an app that answers 413 itself is passed through.
            nonlocal started, replaced
            if replaced:
                return
            if message["type"] == "http.response.start":
                started = True
                if exceeded and message["status"] != 413:
                    replaced = True
                    await send_problem(scope, receive, send, self._too_large())
                    return
            await send(message)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, limited_receive, send_wrapper)
        if exceeded and not started:
            await send_problem(scope, receive, send, self._too_large())


class InternalAuthMiddleware:
    """Refuses every request that does not carry a valid internal principal token (rule 3)."""

    def __init__(self, app: ASGIApp, secret_getter: Callable[[], str], open_paths: Iterable[str]) -> None:
        self.app = app
        self.secret_getter = secret_getter
        self.open_paths = frozenset(open_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.open_paths:
            await self.app(scope, receive, send)
            return
        token = header(scope, PRINCIPAL_HEADER.encode())
        try:
            if not token:
                raise InvalidInternalToken(
                    "缺少内部身份令牌；请通过网关访问。", "No internal principal token; call through the gateway."
                )
            principal = verify_principal(token, self.secret_getter())
        except Unauthorized as exc:
            await send_problem(scope, receive, send, exc)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        state["principal"] = principal
        await self.app(scope, receive, send)


# What a 304 keeps of the 200 it replaces (RFC 9110 section 15.4.5): no body, so none of its description.
_NOT_MODIFIED_DROPS = frozenset({b"content-type", b"content-length", b"content-encoding", b"content-language"})


class ConditionalGetMiddleware:
    """A GET or HEAD whose ``If-None-Match`` names the ETag its answer carries is answered 304 Not Modified:
    no body, the ETag and the other headers kept. Any route that sets an ETag gets it, so none has to
    remember; the route still runs (access checks included), only the body is saved. Tags compare weakly,
    and a tag without its quotes is read as if quoted (``shared.concurrency.entity_tags``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        wanted = header(scope, b"if-none-match") if scope["type"] == "http" else None
        if not wanted or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        tags = entity_tags(wanted)
        not_modified = False

        async def send_wrapper(message: Message) -> None:
            nonlocal not_modified
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                current = next((v.decode("latin-1") for k, v in headers if k.lower() == b"etag"), None)
                if current is not None and ("*" in tags or current.removeprefix("W/") in tags):
                    not_modified = True
                    kept = [(k, v) for k, v in headers if k.lower() not in _NOT_MODIFIED_DROPS]
                    await send({"type": "http.response.start", "status": 304, "headers": kept})
                    return
            elif message["type"] == "http.response.body" and not_modified:
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, send_wrapper)


current_app: contextvars.ContextVar[Any] = contextvars.ContextVar("kjt_current_app", default=None)
"""The app answering the request being handled (None outside one): what the request's answer may need to
know of its routes, such as the URLs of a record's actions (``shared.actions.action_links``)."""


class CurrentAppMiddleware:
    """Sets ``current_app`` for the request's duration."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = current_app.set(scope.get("app"))
        try:
            await self.app(scope, receive, send)
        finally:
            current_app.reset(token)
