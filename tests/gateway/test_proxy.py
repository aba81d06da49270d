"""The reverse proxy and the gateway's middleware: principal tokens, credentials stripped, trace
context, bodies streamed and limited, upstream failures as problems, security headers and CORS."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, StreamingResponse

from gateway.proxy import new_traceparent
from shared.principal import PRINCIPAL_HEADER, verify_principal
from tests.conftest import TEST_SECRET, principal_headers
from tests.gateway.conftest import FakeAuth, Platform, agency_key, user

TRACEPARENT_RE = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")


def add_test_routes(app: FastAPI) -> None:
    """Routes a service shell does not have: an echo, a redirect, a stream and a failure."""

    async def echo(request: Request) -> JSONResponse:
        body = await request.body()
        return JSONResponse(
            {
                "method": request.method,
                "raw_path": request.scope["raw_path"].decode(),
                "query": request.url.query,
                "headers": dict(request.headers),
                "length": len(body),
                "sha256": hashlib.sha256(body).hexdigest(),
            }
        )

    async def redirect(request: Request) -> RedirectResponse:
        # absolute, from the Host the gateway used: the service's internal name
        return RedirectResponse(f"{request.base_url}api/v1/projects/about", status_code=307)

    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for i in range(5):
                yield f"chunk-{i};".encode()

        return StreamingResponse(chunks(), media_type="text/plain")

    async def broken() -> JSONResponse:
        return JSONResponse(
            {
                "type": "https://kjt.jl.gov.cn/problems/internal-error",
                "title": "x",
                "status": 500,
                "code": "internal_error",
            },
            status_code=500,
            media_type="application/problem+json",
        )

    app.router.add_api_route("/api/v1/projects/echo/{rest:path}", echo, methods=["GET", "POST", "PUT", "DELETE"])
    app.router.add_api_route("/api/v1/projects/redirect", redirect, methods=["GET"])
    app.router.add_api_route("/api/v1/projects/stream", stream, methods=["GET"])
    app.router.add_api_route("/api/v1/projects/broken", broken, methods=["GET"])


def no_internal_host(response: httpx.Response) -> None:
    assert "svc.test" not in response.text
    assert all("svc.test" not in v for v in response.headers.values())


# ----------------------------------------------------------------------------- forwarding


async def test_forwards_a_signed_principal_with_the_callers_roles(platform: Platform, fake_auth: FakeAuth) -> None:
    headers = fake_auth.bearer("tok-auditor", user("auditor", subject="42", org_id=3, name="审计员"))
    response = await platform.client.get("/api/v1/projects/audit/verify", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["valid"] is True

    sent = platform.router.forwarded("projects")[-1]
    principal = verify_principal(sent.headers[PRINCIPAL_HEADER], TEST_SECRET)
    assert principal.kind == "user" and principal.subject == "42" and principal.org_id == 3
    assert principal.roles == frozenset({"auditor"})
    assert "authorization" not in sent.headers
    assert sent.headers["x-request-id"] == response.headers["x-request-id"]
    assert TRACEPARENT_RE.match(sent.headers["traceparent"])
    assert sent.headers["x-forwarded-for"] == "127.0.0.1"
    assert sent.headers["x-forwarded-proto"] == "http"
    assert response.headers["ratelimit-limit"] == "600"


async def test_agency_key_is_forwarded_with_its_scopes_and_never_the_key(
    platform: Platform, fake_auth: FakeAuth
) -> None:
    headers = fake_auth.api_key("agency-secret-key", agency_key("transfer:smes:read", subject="9"))
    response = await platform.client.get("/api/v1/transfer/about", headers=headers)
    assert response.status_code == 200
    sent = platform.router.forwarded("transfer")[-1]
    assert "x-api-key" not in sent.headers
    assert "agency-secret-key" not in str(sent.headers.raw)
    principal = verify_principal(sent.headers[PRINCIPAL_HEADER], TEST_SECRET)
    assert principal.kind == "api_key" and principal.scopes == frozenset({"transfer:smes:read"})


async def test_anonymous_callers_go_through_and_services_decide(platform: Platform, fake_auth: FakeAuth) -> None:
    about = await platform.client.get("/api/v1/foreign-experts/about")
    assert about.status_code == 200 and about.json()["service"] == "foreign_experts"
    sent = platform.router.forwarded("foreign_experts")[-1]
    assert verify_principal(sent.headers[PRINCIPAL_HEADER], TEST_SECRET).is_anonymous

    closed = await platform.client.get("/api/v1/foreign-experts/audit/verify")
    assert closed.status_code == 401 and closed.json()["code"] == "unauthorized"


async def test_a_forged_principal_header_from_a_client_is_replaced(platform: Platform, fake_auth: FakeAuth) -> None:
    # Even a token signed with the real secret is dropped: only the gateway's own one reaches a service.
    forged = principal_headers("admin", subject="1")
    response = await platform.client.get(
        "/api/v1/projects/audit/verify",
        headers={**forged, "Cookie": "session=abc", "Connection": "x-private", "X-Private": "secret"},
    )
    assert response.status_code == 401
    sent = platform.router.forwarded("projects")[-1]
    assert sent.headers[PRINCIPAL_HEADER] != forged[PRINCIPAL_HEADER]
    assert verify_principal(sent.headers[PRINCIPAL_HEADER], TEST_SECRET).is_anonymous
    assert "cookie" not in sent.headers and "x-private" not in sent.headers


async def test_bad_credentials_are_refused_at_the_gateway(platform: Platform, fake_auth: FakeAuth) -> None:
    response = await platform.client.get(
        "/api/v1/projects/about", headers={"Authorization": "Bearer nope", "Accept-Language": "en"}
    )
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "invalid_token"
    assert platform.router.forwarded("projects") == []


async def test_a_service_called_directly_refuses_and_through_the_gateway_answers(
    platform: Platform, fake_auth: FakeAuth
) -> None:
    direct_transport = httpx.ASGITransport(app=platform.services["talent"])
    async with httpx.AsyncClient(transport=direct_transport, base_url="http://talent") as direct:
        bypass = await direct.get("/api/v1/talent/about")
    assert bypass.status_code == 401 and bypass.json()["code"] == "invalid_internal_token"
    through = await platform.client.get("/api/v1/talent/about")
    assert through.status_code == 200


async def test_trace_context_keeps_a_valid_trace_id_with_a_new_span(platform: Platform) -> None:
    incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    await platform.client.get("/api/v1/projects/about", headers={"traceparent": incoming, "tracestate": "k=v"})
    sent = platform.router.forwarded("projects")[-1]
    _, trace_id, span, flags = sent.headers["traceparent"].split("-")
    assert trace_id == "4bf92f3577b34da6a3ce929d0e0e4736" and span != "00f067aa0ba902b7" and flags == "01"
    assert sent.headers["tracestate"] == "k=v"

    await platform.client.get("/api/v1/projects/about", headers={"traceparent": "00-" + "0" * 32 + "-1-01"})
    sent = platform.router.forwarded("projects")[-1]
    assert TRACEPARENT_RE.match(sent.headers["traceparent"])
    assert sent.headers["traceparent"].split("-")[1] != "0" * 32


def test_traceparent_rules() -> None:
    valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"
    assert new_traceparent(valid).split("-")[1] == "4bf92f3577b34da6a3ce929d0e0e4736"
    for bad in (
        "",
        "garbage",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E473Z-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
    ):
        out = new_traceparent(bad)
        assert TRACEPARENT_RE.match(out) and out.split("-")[1] != "4bf92f3577b34da6a3ce929d0e0e4736"


async def test_path_query_and_body_reach_the_service_as_sent(platform: Platform) -> None:
    add_test_routes(platform.services["projects"])
    body = ("申请书" * 5000).encode()
    response = await platform.client.post(
        "/api/v1/projects/echo/a%2Fb/%E4%B8%AD?q=%E5%90%89%E6%9E%97&x=1&x=2",
        content=body,
        headers={"Content-Type": "text/plain; charset=utf-8", "Idempotency-Key": "k-1"},
    )
    assert response.status_code == 200, response.text
    echoed = response.json()
    assert echoed["raw_path"] == "/api/v1/projects/echo/a%2Fb/%E4%B8%AD"
    assert echoed["query"] == "q=%E5%90%89%E6%9E%97&x=1&x=2"
    assert echoed["length"] == len(body) and echoed["sha256"] == hashlib.sha256(body).hexdigest()
    assert echoed["headers"]["idempotency-key"] == "k-1"


async def test_a_streamed_request_body_is_forwarded(platform: Platform) -> None:
    add_test_routes(platform.services["projects"])

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(4):
            yield b"x" * 1000

    response = await platform.client.put("/api/v1/projects/echo/s", content=chunks())
    assert response.status_code == 200 and response.json()["length"] == 4000


async def test_responses_stream_back_and_internal_redirects_are_made_relative(platform: Platform) -> None:
    add_test_routes(platform.services["projects"])
    streamed = await platform.client.get("/api/v1/projects/stream")
    assert streamed.status_code == 200 and streamed.text == "".join(f"chunk-{i};" for i in range(5))
    assert "x-request-id" in streamed.headers and len(streamed.headers.get_list("x-request-id")) == 1

    moved = await platform.client.get("/api/v1/projects/redirect")
    assert moved.status_code == 307 and moved.headers["location"] == "/api/v1/projects/about"
    no_internal_host(moved)


async def test_upstream_5xx_problem_is_passed_as_is(platform: Platform) -> None:
    add_test_routes(platform.services["projects"])
    response = await platform.client.get("/api/v1/projects/broken")
    assert response.status_code == 500 and response.json()["code"] == "internal_error"
    assert response.headers["content-type"] == "application/problem+json"


# ----------------------------------------------------------------------------- failures


async def test_a_service_that_is_down_is_a_503_with_retry_after(platform: Platform) -> None:
    platform.down("talent")
    response = await platform.client.get("/api/v1/talent/about", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) > 0
    problem = response.json()
    assert problem["code"] == "service_unavailable" and problem["service"] == "talent"
    assert problem["title"] == "Service unavailable"
    no_internal_host(response)
    # the others are unaffected
    assert (await platform.client.get("/api/v1/transfer/about")).status_code == 200
    platform.up("talent")
    assert (await platform.client.get("/api/v1/talent/about")).status_code == 200


async def test_a_slow_service_is_a_504(platform: Platform) -> None:
    platform.slow("foundation")
    response = await platform.client.get("/api/v1/foundation/about")
    assert response.status_code == 504
    assert response.json()["code"] == "upstream_timeout"
    assert response.json()["title"] == "上游服务响应超时"
    no_internal_host(response)


async def raw_get(app: FastAPI, path: str) -> tuple[int, bytes]:
    """A GET with the path exactly as given: httpx would normalise dot segments before sending."""
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(path),
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


async def test_unknown_services_and_dot_segments_are_404(platform: Platform) -> None:
    for path in (
        "/api/v1/nothing/here",
        "/api/v1/projectsx/about",
        "/api/v1/",
        "/api/v1/foreign_experts/about",
        "/api/v1/auth/nope",
    ):
        response = await platform.client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    for path in (
        "/api/v1/projects/../../metrics",
        "/api/v1/projects/./about",
        "/api/v1/projects/%2e%2e/readyz",
        "/api/v1/projects/a/../../../readyz",
    ):
        status, body = await raw_get(platform.app, path)
        assert status == 404 and b"not_found" in body, path
    assert platform.router.forwarded("projects") == []
    # a gateway route asked with the wrong method is a 405, not something for the proxy
    wrong = await platform.client.get("/api/v1/auth/token")
    assert wrong.status_code == 405 and wrong.json()["code"] == "method_not_allowed"


async def test_bodies_over_the_limit_are_413_declared_or_streamed(make_platform) -> None:  # type: ignore[no-untyped-def]
    platform: Platform = await make_platform(max_body_bytes=1000)
    add_test_routes(platform.services["projects"])
    declared = await platform.client.post("/api/v1/projects/echo/x", content=b"x" * 1001)
    assert declared.status_code == 413 and declared.json()["code"] == "payload_too_large"
    assert platform.router.forwarded("projects") == []

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"y" * 300

    streamed = await platform.client.post("/api/v1/projects/echo/x", content=chunks())
    assert streamed.status_code == 413 and streamed.json()["code"] == "payload_too_large"

    async def small() -> AsyncIterator[bytes]:
        for _ in range(3):
            yield b"z" * 300

    fits = await platform.client.post("/api/v1/projects/echo/x", content=small())
    assert fits.status_code == 200 and fits.json()["length"] == 900

    bad = await platform.client.post("/api/v1/projects/echo/x", content=b"{}", headers={"Content-Length": "abc"})
    assert bad.status_code == 400


async def test_streamed_oversize_on_a_gateway_route_is_413_too(make_platform) -> None:  # type: ignore[no-untyped-def]
    platform: Platform = await make_platform(max_body_bytes=200)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(4):
            yield b"username=a&password=" + b"p" * 100

    response = await platform.client.post(
        "/api/v1/auth/token", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413


# ----------------------------------------------------------------------------- security headers, CORS


async def test_security_headers_on_every_response(platform: Platform) -> None:
    for path in ("/healthz", "/api/v1/projects/about", "/api/v1/nothing", "/docs", "/openapi.json"):
        response = await platform.client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "strict-transport-security" not in response.headers
    api = await platform.client.get("/api/v1/projects/about")
    assert api.headers["content-security-policy"].startswith("default-src 'none'")
    docs = await platform.client.get("/docs")
    assert "script-src 'self'" in docs.headers["content-security-policy"]
    assert "'unsafe-inline'" not in docs.headers["content-security-policy"].split("script-src")[1].split(";")[0]


async def test_hsts_only_over_https(platform: Platform) -> None:
    transport = httpx.ASGITransport(app=platform.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://gateway.example") as secure:
        response = await secure.get("/healthz")
    assert response.headers["strict-transport-security"].startswith("max-age=")
    # X-Forwarded-Proto counts only behind a trusted proxy
    spoofed = await platform.client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "strict-transport-security" not in spoofed.headers


async def test_hsts_behind_a_trusted_proxy(make_platform) -> None:  # type: ignore[no-untyped-def]
    trusted: Platform = await make_platform(trust_forwarded_for=True)
    behind = await trusted.client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "strict-transport-security" in behind.headers
    plain = await trusted.client.get("/healthz", headers={"X-Forwarded-Proto": "http"})
    assert "strict-transport-security" not in plain.headers


async def test_cors_preflight_and_actual_request(make_platform) -> None:  # type: ignore[no-untyped-def]
    platform: Platform = await make_platform(cors_origins=["https://portal.kjt.jl.gov.cn"])
    preflight = await platform.client.options(
        "/api/v1/projects/about",
        headers={
            "Origin": "https://portal.kjt.jl.gov.cn",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, Content-Type, Idempotency-Key",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://portal.kjt.jl.gov.cn"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "idempotency-key" in preflight.headers["access-control-allow-headers"].lower()
    assert preflight.headers["x-frame-options"] == "DENY"
    assert platform.router.forwarded("projects") == []

    actual = await platform.client.get("/api/v1/projects/about", headers={"Origin": "https://portal.kjt.jl.gov.cn"})
    assert actual.headers["access-control-allow-origin"] == "https://portal.kjt.jl.gov.cn"
    assert "ratelimit-remaining" in actual.headers["access-control-expose-headers"].lower()

    stranger = await platform.client.options(
        "/api/v1/projects/about",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert stranger.status_code == 400
    assert "access-control-allow-origin" not in stranger.headers


async def test_hostile_requests_are_never_a_500(platform: Platform) -> None:
    # the real authenticate(), not fake_auth: garbage credentials must be 401s
    cases: list[tuple[str, str, dict[str, Any], bytes | None]] = [
        ("PROPFIND", "/api/v1/projects/about", {}, None),
        ("TRACE", "/api/v1/projects/about", {}, None),
        ("GET", "/api/v1/projects/%ff%fe/%00", {}, None),
        ("GET", "/api/v1/projects/about?q=%00&q=%ff", {}, None),
        ("GET", "/api/v1/projects/about", {"traceparent": "00-" + "z" * 500, "tracestate": "x" * 4000}, None),
        ("GET", "/api/v1/projects/about", {"X-Request-ID": "<script>" * 50, "Accept-Language": ";q=x,,;"}, None),
        ("GET", "/api/v1/projects/about", {"Authorization": "Bearer " + "a" * 5000}, None),
        ("GET", "/api/v1/projects/about", {"Authorization": "Basic Zm9vOmJhcg=="}, None),
        ("GET", "/api/v1/projects/about", {"Authorization": "Bearer x", "X-API-Key": "y"}, None),
        ("GET", "/api/v1/projects/about", {"X-API-Key": "吉林".encode()}, None),
        ("GET", "/api/v1/projects/about", {"Connection": "close, x-a, , ,", "X-Forwarded-For": "garbage"}, None),
        ("POST", "/api/v1/projects/audit/verify", {"Content-Type": "application/json"}, b"{not json"),
        ("POST", "/api/v1/projects/about", {"Content-Type": "application/json"}, b"\x00\xff" * 100),
    ]
    for method, path, headers, body in cases:
        response = await platform.client.request(method, path, headers=headers, content=body)
        assert response.status_code < 500, (method, path, headers, response.status_code, response.text[:300])
        no_internal_host(response)


async def test_over_real_http_connections(make_db) -> None:  # type: ignore[no-untyped-def]
    """The same rules with the gateway's real pooled client and a service behind a real socket."""
    import asyncio
    import socket
    from contextlib import AsyncExitStack

    import uvicorn

    from gateway.main import create_app
    from tests.gateway.conftest import gateway_settings, service_app

    service = service_app("projects", await make_db("projects"))
    add_test_routes(service)

    async def slow() -> JSONResponse:
        await asyncio.sleep(1.5)
        return JSONResponse({})

    service.router.add_api_route("/api/v1/projects/slow", slow, methods=["GET"])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()  # nothing listens there any more

    server = uvicorn.Server(uvicorn.Config(service, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        for _ in range(500):
            if server.started:
                break
            await asyncio.sleep(0.02)
        assert server.started
        urls = {"projects": f"http://127.0.0.1:{port}", "talent": f"http://127.0.0.1:{closed_port}"}
        gateway = create_app(
            gateway_settings(service_urls=urls, upstream_timeout_seconds=0.5, max_body_bytes=10_000),
            database=await make_db("gateway"),
        )
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(gateway.router.lifespan_context(gateway))
            client = await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway), base_url="http://testserver")
            )
            about = await client.get("/api/v1/projects/about")
            assert about.status_code == 200
            # The service's uvicorn wrote Date and Server: they stop here, the gateway's server sets its own
            # (a proxied answer once had two Date headers).
            assert about.headers.get_list("date") == [] and about.headers.get_list("server") == []

            async def chunks(n: int) -> AsyncIterator[bytes]:
                for _ in range(n):
                    yield b"q" * 3000

            fits = await client.post("/api/v1/projects/echo/x", content=chunks(3))
            assert fits.status_code == 200 and fits.json()["length"] == 9000
            too_big = await client.post("/api/v1/projects/echo/x", content=chunks(5))
            assert too_big.status_code == 413
            streamed = await client.get("/api/v1/projects/stream")
            assert streamed.text == "".join(f"chunk-{i};" for i in range(5))
            moved = await client.get("/api/v1/projects/redirect")
            assert moved.headers["location"] == "/api/v1/projects/about"

            timed_out = await client.get("/api/v1/projects/slow")
            assert timed_out.status_code == 504
            down = await client.get("/api/v1/talent/about")
            assert down.status_code == 503 and "retry-after" in down.headers
            assert str(closed_port) not in down.text and "127.0.0.1" not in down.text
            # the pool still works after all that
            assert (await client.get("/api/v1/projects/about")).status_code == 200
    finally:
        server.should_exit = True
        await task
