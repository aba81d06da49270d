"""A running gateway with a movable clock, and helpers to log in and create records through the API.

Each test module declares its fixture with ``async with running_gateway(make_db) as gw: yield gw``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from gateway.main import create_app
from gateway.settings import GatewaySettings
from shared.db import Database
from tests.conftest import TEST_SECRET, running

JWT_SECRET = "test-jwt-secret-for-the-accounts-0123456789"
ADMIN_EMAIL = "admin@kjt.jl.gov.cn"
ADMIN_PASSWORD = "Admin-Passw0rd-Test"
GOOD_PASSWORD = "Zhang-San-2026"
# Valid unified social credit codes (check characters computed per GB 32100).
USCC_JLU = "12220000412755036W"
USCC_CHANGCHUN = "91220101MA0Y3N4P02"


def make_uscc(body: str) -> str:
    """``body`` (17 characters) with its GB 32100 check character."""
    from stdnum.cn import uscc

    return body + uscc.calc_check_digit(body)


def gateway_settings(**overrides: Any) -> GatewaySettings:
    values: dict[str, Any] = {
        "env": "test",
        "jwt_secret": JWT_SECRET,
        "internal_secret": TEST_SECRET,
        "access_log": False,
        "admin_email": ADMIN_EMAIL,
        "admin_password": ADMIN_PASSWORD,
        "rate_limit_login": "10000/minute",
        "rate_limit_user": "10000/minute",
        "rate_limit_anonymous": "10000/minute",
        "rate_limit_api_key": "10000/minute",
    }
    values.update(overrides)
    return GatewaySettings(**values)


class Clock:
    """The gateway's idea of now, moved by tests instead of sleeping."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Gateway:
    app: Any
    client: httpx.AsyncClient
    db: Database
    clock: Clock
    settings: GatewaySettings

    async def login(self, email: str, password: str) -> httpx.Response:
        return await self.client.post("/api/v1/auth/token", data={"username": email, "password": password})

    async def token(self, email: str, password: str) -> str:
        response = await self.login(email, password)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    async def bearer(self, email: str, password: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token(email, password)}"}

    async def admin(self) -> dict[str, str]:
        return await self.bearer(ADMIN_EMAIL, ADMIN_PASSWORD)

    async def create_org(
        self, headers: dict[str, str], uscc: str = USCC_JLU, name: str = "吉林大学", kind: str = "university"
    ) -> dict[str, Any]:
        response = await self.client.post(
            "/api/v1/admin/organizations", json={"name": name, "kind": kind, "uscc": uscc}, headers=headers
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def create_user(
        self,
        headers: dict[str, str],
        email: str,
        *roles: str,
        password: str = GOOD_PASSWORD,
        organization_id: int | None = None,
        name: str = "张三",
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "email": email,
            "display_name": name,
            "roles": list(roles or ("applicant",)),
            "password": password,
        }
        if organization_id is not None:
            body["organization_id"] = organization_id
        response = await self.client.post("/api/v1/admin/users", json=body, headers=headers)
        assert response.status_code == 201, response.text
        return dict(response.json())


@asynccontextmanager
async def running_gateway(make_db: Any, **settings_overrides: Any) -> AsyncIterator[Gateway]:
    """The gateway app on a migrated, rolled-back database, started, with a test clock."""
    db = await make_db("gateway")
    settings = gateway_settings(**settings_overrides)
    app = create_app(settings, database=db)
    async with running(app) as client:
        # Set after start, so the clock never runs behind the first administrator's creation.
        clock = Clock()
        app.state.clock = clock
        yield Gateway(app=app, client=client, db=db, clock=clock, settings=settings)
