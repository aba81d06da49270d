"""What the end-to-end tests share: valid identifiers, a platform per module on each backend, the people
who log in through the gateway and call the API as themselves, and the talent notices' clock."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from stdnum.cn import ric, uscc

from shared.db import Database
from shared.db.engine import database_url_for
from tests.e2e.conftest import _fresh_postgres
from tests.e2e.processes import Platform, running_platform


def make_uscc(body: str) -> str:
    """A USCC from its first 17 characters (the check character computed)."""
    return body + uscc.calc_check_digit(body)


def make_resident_id(birth: date, seq: str, region: str = "220104") -> str:
    """A resident ID of ``region`` (Changchun by default, ID-2); the last digit of ``seq`` odd for men."""
    body = f"{region}{birth:%Y%m%d}{seq}"
    return body + ric.calc_check_digit(body + "0")


def bare_platform(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, name: str
) -> Iterator[Platform]:
    """The body of a module's ``platform`` fixture (``params=backends()``): no demo data (exact figures),
    and a login limit that lets one test log in as a dozen people."""
    extra = {"KJT_DEMO": "false", "KJT_RATE_LIMIT_LOGIN": "1000/minute"}
    if request.param == "postgres":
        extra["KJT_DATABASE_URL"] = asyncio.run(_fresh_postgres())
    with running_platform(tmp_path_factory.mktemp(name), **extra) as started:
        yield started


class People:
    """Logs people in through the gateway and calls the API as them; ``add`` makes an account (through the
    administrator) and logs it in, and ``ids`` keeps each account's id as the services name it."""

    def __init__(self, client: httpx.Client, platform: Platform, *, domain: str, password: str) -> None:
        self.client = client
        self.domain, self.password = domain, password
        self.auth: dict[str, dict[str, str]] = {}
        self.ids: dict[str, str] = {}
        self.login("admin", platform.admin_email, platform.admin_password)

    def login(self, who: str, email: str, password: str) -> None:
        r = self.client.post("/api/v1/auth/token", data={"username": email, "password": password})
        assert r.status_code == 200, r.text
        self.auth[who] = {"Authorization": f"Bearer {r.json()['access_token']}"}

    def send(self, who: str | None, method: str, url: str, expect: int = 200, **kwargs: Any) -> httpx.Response:
        headers = {**(self.auth[who] if who else {}), **kwargs.pop("headers", {})}
        r = self.client.request(method, url, headers=headers, **kwargs)
        assert r.status_code == expect, f"{who} {method} {url}: {r.status_code} {r.text}"
        return r

    def call(self, who: str | None, method: str, url: str, expect: int = 200, **kwargs: Any) -> Any:
        r = self.send(who, method, url, expect, **kwargs)
        return r.json() if r.content else None

    def add(self, who: str, roles: list[str], org_id: int) -> int:
        user = self.call(
            "admin",
            "POST",
            "/api/v1/admin/users",
            201,
            json={
                "email": f"{who}@{self.domain}",
                "display_name": who,
                "roles": roles,
                "organization_id": org_id,
                "password": self.password,
            },
        )
        self.login(who, f"{who}@{self.domain}", self.password)
        self.ids[who] = str(user["id"])
        return int(user["id"])


def rewind_talent_notice(platform: Platform, notice_id: int, days: int) -> None:
    """A talent notice's period passes: moved ``days`` back in the talent database, as a clock would, so it
    can be concluded at once (the processes run on the wall clock; no sleeping)."""
    from services.talent.notices.models import TalentNotice

    async def run() -> None:
        url = database_url_for("talent", platform.env.get("KJT_DATABASE_URL"), Path(platform.env["KJT_VAR_DIR"]))
        db = Database(url, "talent", pool_size=1)
        try:
            async with db.sessionmaker() as session:
                now = datetime.now(UTC)
                await session.execute(
                    update(TalentNotice)
                    .where(TalentNotice.id == notice_id)
                    .values(starts_at=now - timedelta(days=days), closes_at=now - timedelta(seconds=1))
                )
                await session.commit()
        finally:
            await db.dispose()

    asyncio.run(run())
