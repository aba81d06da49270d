"""Fixtures of the talent service: the app on its migrated database with a clock tests move, callers per
role, and the body of a programme."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import httpx
import pytest

from services.talent.main import create_app
from services.talent.settings import TalentSettings
from shared.workdays import SHANGHAI
from tests.conftest import TEST_SECRET, running
from tests.services.projects.conftest import headers

PREFIX = "/api/v1/talent"
OFFICIAL = headers("official", subject="100")
AUDITOR = headers("auditor", subject="500")
APPLICANT = headers("applicant", subject="300", org_id=80)
ANONYMOUS = headers(kind="anonymous", subject="anonymous")


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def set(self, day: date, hour: int = 10) -> None:
        self.now = datetime.combine(day, time(hour), SHANGHAI)


@dataclass
class Talent:
    client: httpx.AsyncClient
    clock: Clock

    async def call(self, method: str, path: str, who: dict[str, str], expect: int = 200, **kw: Any) -> Any:
        r = await self.client.request(method, PREFIX + path, headers={**who, **kw.pop("headers", {})}, **kw)
        assert r.status_code == expect, f"{method} {path}: {r.status_code} {r.text}"
        return r.json() if r.content else None


@pytest.fixture
async def talent(make_db: Callable[..., Any]) -> AsyncIterator[Talent]:
    db = await make_db("talent")
    app = create_app(TalentSettings(internal_secret=TEST_SECRET, env="test", access_log=False), database=db)
    clock = Clock(datetime.combine(date(2027, 2, 15), time(10), SHANGHAI))
    app.state.clock = clock
    async with running(app) as client:
        yield Talent(client, clock)


def indicators(*weights: str) -> list[dict[str, str]]:
    w = weights or ("0.35", "0.25", "0.25", "0.15")
    dims = ("innovation_ability", "quality", "contribution", "performance")
    return [{"code": f"i{n}", "name": f"指标{n}", "dimension": d, "weight": x} for n, (d, x) in enumerate(zip(dims, w))]


def programme_body(**overrides: Any) -> dict[str, Any]:
    return {
        "code": "JLQN",
        "name": "吉林省青年科技人才托举计划",
        "level": "provincial_key",
        "kind": "young_talent",
        "org_kinds": ["university", "research_institute"],
        "max_age_male": 35,
        "max_age_female": 40,
        "indicators": indicators(),
        "support_amount": "600000.00",
        "tranche_shares": ["0.4", "0.3", "0.3"],
    } | overrides
