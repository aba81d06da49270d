"""The whole platform in one process: the gateway and the five service shells, over ASGI.

Fixtures
--------
``platform``
    A running :class:`Platform`: the gateway app (lifespan run) with its own migrated, rolled-back
    database, and the five service apps (lifespans run, each on its own database), reached through
    a :class:`ServiceRouter` transport that routes by host name (``http://<name>.svc.test``).
    Attributes: ``client`` (an ``httpx.AsyncClient`` to the gateway, base ``http://testserver``),
    ``app`` (the gateway), ``services`` (``{name: app}``), ``router`` (the transport), ``settings``,
    ``admin_email`` / ``admin_password`` (the first administrator the gateway's bootstrap creates).
    Switches: ``platform.down("talent")`` (calls raise ``httpx.ConnectError``),
    ``platform.slow("talent")`` (they raise ``httpx.ReadTimeout``), ``platform.up("talent")``.
    ``platform.router.seen`` lists every request the gateway sent to a service (headers included).
``gateway_client``
    Just ``platform.client``.
``make_platform``
    ``await make_platform(rate_limit_anonymous="2/minute", cors_origins=[...])`` builds another
    platform with those ``GatewaySettings`` overrides (closed at the end of the test). One
    platform per test: on SQLite a second one would wait on the first one's write lock.
``fake_auth``
    Replaces ``gateway.security.authenticate`` for the test, so proxy tests need no accounts:
    ``fake_auth.bearer("tok", principal)`` makes ``Authorization: Bearer tok`` that principal,
    ``fake_auth.api_key("key", principal)`` the same for ``X-API-Key``; any other credential is a
    401, no credential is ``ANONYMOUS``. It reaches the proxy and the rate-limit middleware, which
    look ``authenticate`` up on the module at call time; the accounts router imported the name
    itself and keeps the real one. Login-flow tests leave it out and use the real one.
Helpers: ``gateway_settings(**overrides)`` (the test settings), ``service_app(name, db)``,
``start_services(stack, make_db)``, ``user(*roles)`` and ``agency_key(*scopes)`` principals.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request

from gateway.accounts.errors import InvalidApiKey, InvalidToken
from gateway.main import create_app
from gateway.settings import GatewaySettings
from shared.principal import ANONYMOUS, Principal
from shared.settings import SERVICES
from tests.conftest import TEST_SECRET

TEST_JWT_SECRET = "test-jwt-secret-0123456789abcdef-0123"
TEST_ADMIN_EMAIL = "admin@kjt.jl.gov.cn"
TEST_ADMIN_PASSWORD = "Test-admin-password-2026!"


def service_host(name: str) -> str:
    return f"{name.replace('_', '-')}.svc.test"


SERVICE_URLS = {name: f"http://{service_host(name)}" for name in SERVICES}


def service_app(name: str, database: Any) -> FastAPI:
    main = importlib.import_module(f"services.{name}.main")
    settings_module = importlib.import_module(f"services.{name}.settings")
    cls = next(
        v
        for k, v in vars(settings_module).items()
        if k.endswith("Settings") and k != "ServiceSettings" and isinstance(v, type)
    )
    app: FastAPI = main.create_app(cls(internal_secret=TEST_SECRET, env="test", access_log=False), database=database)
    return app


class ServiceRouter(httpx.AsyncBaseTransport):
    """Routes the gateway's upstream calls by host to in-process service apps; each can be made
    "down" (``httpx.ConnectError``) or "slow" (``httpx.ReadTimeout``)."""

    def __init__(self, apps: dict[str, FastAPI]) -> None:
        self.transports = {service_host(name): httpx.ASGITransport(app=app) for name, app in apps.items()}
        self.names = {service_host(name): name for name in apps}
        self.modes: dict[str, str] = {name: "up" for name in apps}
        self.seen: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        host = request.url.host
        name = self.names.get(host)
        if name is None or self.modes[name] == "down":
            raise httpx.ConnectError("connection refused", request=request)
        if self.modes[name] == "slow":
            raise httpx.ReadTimeout("timed out", request=request)
        return await self.transports[host].handle_async_request(request)

    def forwarded(self, service: str) -> list[httpx.Request]:
        """The requests sent to one service's API (health and docs fetches left out)."""
        return [r for r in self.seen if r.url.host == service_host(service) and r.url.path.startswith("/api/")]


class Platform:
    def __init__(
        self, app: FastAPI, client: httpx.AsyncClient, services: dict[str, FastAPI], router: ServiceRouter
    ) -> None:
        self.app = app
        self.client = client
        self.services = services
        self.router = router
        self.settings: GatewaySettings = app.state.settings
        self.admin_email = TEST_ADMIN_EMAIL
        self.admin_password = TEST_ADMIN_PASSWORD

    def down(self, name: str) -> None:
        self.router.modes[name] = "down"

    def slow(self, name: str) -> None:
        self.router.modes[name] = "slow"

    def up(self, name: str) -> None:
        self.router.modes[name] = "up"


def gateway_settings(**overrides: Any) -> GatewaySettings:
    values: dict[str, Any] = {
        "env": "test",
        "internal_secret": TEST_SECRET,
        "jwt_secret": TEST_JWT_SECRET,
        "access_log": False,
        "admin_email": TEST_ADMIN_EMAIL,
        "admin_password": TEST_ADMIN_PASSWORD,
        "service_urls": dict(SERVICE_URLS),
        "redis_url": None,
        "upstream_timeout_seconds": 5.0,
    }
    values.update(overrides)
    return GatewaySettings(**values)


async def start_services(stack: AsyncExitStack, make_db: Callable[..., Any]) -> dict[str, FastAPI]:
    apps: dict[str, FastAPI] = {}
    for name in SERVICES:
        app = service_app(name, await make_db(name))
        await stack.enter_async_context(app.router.lifespan_context(app))
        await _warm(app)
        apps[name] = app
    return apps


async def _warm(app: FastAPI) -> None:
    """One request before the tests': FastAPI builds its routes' matching state on a service's first request
    (a few tenths of a second for a large service). Each service is its own process in production; here all
    share one event loop, so without this the gateway's first readiness probe would wait for every service's
    build in turn and could pass its own timeout on a busy machine."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service") as client:
        assert (await client.get("/healthz")).status_code == 200


@pytest.fixture
async def make_platform(make_db: Callable[..., Any]) -> AsyncIterator[Callable[..., Awaitable[Platform]]]:
    async with AsyncExitStack() as stack:

        async def factory(**overrides: Any) -> Platform:
            services = await start_services(stack, make_db)
            router = ServiceRouter(services)
            app = create_app(
                gateway_settings(**overrides), database=await make_db("gateway"), upstream_transport=router
            )
            await stack.enter_async_context(app.router.lifespan_context(app))
            client = await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
            )
            return Platform(app, client, services, router)

        yield factory


@pytest.fixture
async def platform(make_platform: Callable[..., Awaitable[Platform]]) -> Platform:
    return await make_platform()


@pytest.fixture
async def gateway_client(platform: Platform) -> httpx.AsyncClient:
    return platform.client


class FakeAuth:
    def __init__(self) -> None:
        self.bearers: dict[str, Principal] = {}
        self.keys: dict[str, Principal] = {}

    def bearer(self, token: str, principal: Principal) -> dict[str, str]:
        self.bearers[token] = principal
        return {"Authorization": f"Bearer {token}"}

    def api_key(self, key: str, principal: Principal) -> dict[str, str]:
        self.keys[key] = principal
        return {"X-API-Key": key}

    async def authenticate(self, request: Request) -> Principal:
        auth = request.headers.get("authorization")
        key = request.headers.get("x-api-key")
        if auth is not None:
            scheme, _, token = auth.partition(" ")
            if scheme.lower() == "bearer" and token in self.bearers:
                return self.bearers[token]
            raise InvalidToken("令牌无效。", "Invalid token.")
        if key is not None:
            if key in self.keys:
                return self.keys[key]
            raise InvalidApiKey()
        return ANONYMOUS


@pytest.fixture
def fake_auth(monkeypatch: pytest.MonkeyPatch) -> FakeAuth:
    import gateway.security

    fake = FakeAuth()
    monkeypatch.setattr(gateway.security, "authenticate", fake.authenticate)
    return fake


def user(*roles: str, subject: str = "7", **kwargs: Any) -> Principal:
    return Principal(kind="user", subject=subject, roles=frozenset(roles), **kwargs)


def agency_key(*scopes: str, subject: str = "k1", **kwargs: Any) -> Principal:
    return Principal(kind="api_key", subject=subject, scopes=frozenset(scopes), roles=frozenset({"agency"}), **kwargs)
