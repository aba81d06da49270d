"""Fixtures of the talent service: the app on its migrated database with a clock tests move, talking to a
real projects app in process for the integrity check (PRJ-5) through a switch that takes it down; callers
per role; the body of a programme."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import httpx
import pytest

from services.projects.main import create_app as create_projects
from services.projects.settings import ProjectsSettings
from services.talent.main import create_app
from services.talent.settings import TalentSettings
from shared.http_client import InternalClient
from shared.workdays import SHANGHAI
from tests.conftest import TEST_SECRET, running
from tests.services.foundation.conftest import ProjectsSwitch
from tests.services.projects.conftest import headers, make_resident_id

PREFIX = "/api/v1/talent"
OFFICIAL = headers("official", subject="100")
AUDITOR = headers("auditor", subject="500")
UNIV_ORG, OTHER_ORG = 80, 81
APPLICANT = headers("applicant", subject="300", org_id=UNIV_ORG)
SECOND_APPLICANT = headers("applicant", subject="301", org_id=UNIV_ORG)
OTHER_APPLICANT = headers("applicant", subject="310", org_id=OTHER_ORG)
ORG_ADMIN = headers("org_admin", subject="400", org_id=UNIV_ORG)
OTHER_ORG_ADMIN = headers("org_admin", subject="401", org_id=OTHER_ORG)
PROJECTS_OFFICIAL = headers("official", subject="100")
# TAL-4 on 1 January 2027 (the call's year): a man born 1991-01-02 is still 35, the limit; one born
# 1991-01-01 turns 36 that very day. A woman's limit is 40.
MAN_35 = make_resident_id(date(1991, 1, 2), seq="013")  # odd 17th digit: male (ID-2)
MAN_36 = make_resident_id(date(1991, 1, 1), seq="013")
WOMAN_39 = make_resident_id(date(1987, 6, 1), seq="024")  # even: female
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
    projects: httpx.AsyncClient | None = None
    link: ProjectsSwitch | None = None

    async def call(self, method: str, path: str, who: dict[str, str], expect: int = 200, **kw: Any) -> Any:
        r = await self.client.request(method, PREFIX + path, headers={**who, **kw.pop("headers", {})}, **kw)
        assert r.status_code == expect, f"{method} {path}: {r.status_code} {r.text}"
        return r.json() if r.content else None


def settings() -> TalentSettings:
    return TalentSettings(internal_secret=TEST_SECRET, env="test", access_log=False, projects_url="http://projects")


@pytest.fixture
async def talent(make_db: Callable[..., Any]) -> AsyncIterator[Talent]:
    db = await make_db("talent")
    projects_db = await make_db("projects")
    projects_app = create_projects(
        ProjectsSettings(internal_secret=TEST_SECRET, env="test", access_log=False), database=projects_db
    )
    app = create_app(settings(), database=db)
    clock = Clock(datetime.combine(date(2027, 2, 15), time(10), SHANGHAI))
    app.state.clock = clock
    async with running(projects_app) as projects, running(app) as client:
        link = ProjectsSwitch(projects_app)
        await app.state.http.aclose()
        # no retries and a breaker that never opens: each test sees each call's own outcome
        app.state.http = InternalClient(
            TEST_SECRET, caller="talent", transport=link, retries=0, breaker_threshold=10**6
        )
        yield Talent(client, clock, projects, link)


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


# The awards' fixture (talent with projects and foreign-experts in process), for every test module here.
from tests.services.talent.awards_support import awards  # noqa: E402, F401
