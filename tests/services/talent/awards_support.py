"""What the awards' tests share: the talent app with a real projects app (integrity, the reviewer pool) and a
real foreign-experts app (the Friendship Award's permit check) in process, each behind a link a test can take
down; the registered nominators; a cycle's and a nomination's bodies; and a nomination walked to a state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import httpx
import pytest

from services.foreign_experts.main import create_app as create_foreign_experts
from services.foreign_experts.settings import ForeignExpertsSettings
from services.projects.main import create_app as create_projects
from services.projects.settings import ProjectsSettings
from services.talent.main import create_app
from services.talent.settings import TalentSettings
from shared.http_client import InternalClient
from shared.workdays import SHANGHAI
from tests.conftest import TEST_SECRET, running
from tests.services.projects.conftest import headers, make_resident_id, make_uscc
from tests.services.talent.conftest import OFFICIAL, Clock, Talent

FE_PII = "test-pii-secret-0123456789abcdef-foreign-experts"
UNIT_USCC = make_uscc("12220000412755413")
SECOND_UNIT_USCC = make_uscc("91220101123456789")
CITY_GOV = headers("org_admin", subject="720", org_id=90)
DEPARTMENT = headers("org_admin", subject="721", org_id=91)
EXPERT = headers("applicant", subject="722")
UNRECOGNISED = headers("applicant", subject="723")
NOT_REGISTERED = headers("org_admin", subject="729", org_id=99)
EXPERT_ID = make_resident_id(date(1965, 4, 1), seq="015")
COMMITTEE = ["801", "802", "803", "804", "805", "806"]


def person(n: int) -> str:
    """A distinct resident ID number per n (ID-2)."""
    return make_resident_id(date(1970, 1, 1 + n % 28), region="220102", seq=f"{100 + n:03d}")


class Links(httpx.AsyncBaseTransport):
    """The talent service's internal calls, each host to its app; a host in ``down`` refuses connections."""

    def __init__(self, apps: dict[str, Any]) -> None:
        self.inner = {host: httpx.ASGITransport(app=app) for host, app in apps.items()}
        self.down: set[str] = set()
        self.calls: list[httpx.Request] = []
        self.one_at_a_time = asyncio.Lock()  # each app runs a test on one connection

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        if request.url.host in self.down:
            raise httpx.ConnectError("connection refused", request=request)
        async with self.one_at_a_time:
            return await self.inner[request.url.host].handle_async_request(request)


@dataclass
class Awards(Talent):
    links: Links = field(default=None)  # type: ignore[assignment]
    fe: httpx.AsyncClient = field(default=None)  # type: ignore[assignment]
    app: Any = None


def settings() -> TalentSettings:
    return TalentSettings(
        internal_secret=TEST_SECRET,
        env="test",
        access_log=False,
        projects_url="http://projects",
        foreign_experts_url="http://foreign-experts",
    )


@pytest.fixture
async def awards(make_db: Callable[..., Any]) -> AsyncIterator[Awards]:
    db = await make_db("talent")
    projects_app = create_projects(
        ProjectsSettings(internal_secret=TEST_SECRET, env="test", access_log=False), database=await make_db("projects")
    )
    fe_app = create_foreign_experts(
        ForeignExpertsSettings(internal_secret=TEST_SECRET, env="test", access_log=False, pii_secret=FE_PII),
        database=await make_db("foreign_experts"),
    )
    app = create_app(settings(), database=db)
    clock = Clock(datetime.combine(date(2027, 2, 15), time(10), SHANGHAI))
    app.state.clock = clock
    fe_app.state.clock = clock
    async with running(projects_app) as projects, running(fe_app) as fe, running(app) as client:
        links = Links({"projects": projects_app, "foreign-experts": fe_app})
        await app.state.http.aclose()
        app.state.http = InternalClient(
            TEST_SECRET, caller="talent", transport=links, retries=0, breaker_threshold=10**6
        )
        yield Awards(client, clock, projects, None, links=links, fe=fe, app=app)


# --- bodies and steps ---------------------------------------------------------------------------------


def cycle_body(**overrides: Any) -> dict[str, Any]:
    return {
        "category": "st_progress",
        "year": 2027,
        "code": "JLSTA-2027-STP",
        "title": "2027年度吉林省科学技术进步奖",
        "opens_on": "2027-03-01",
        "closes_on": "2027-04-30",
        "quotas": {"1": 1, "2": 2, "3": 3},
        "votes": {"1": {"threshold": "2/3", "basis": "members"}},
        "committee": COMMITTEE,
        "panel_size": 2,
        "panel_disciplines": ["D"],
    } | overrides


async def open_cycle(t: Talent, **overrides: Any) -> dict[str, Any]:
    cycle = await t.call("POST", "/award-cycles", OFFICIAL, 201, json=cycle_body(**overrides))
    opened = await t.call("POST", f"/award-cycles/{cycle['id']}/open", OFFICIAL, json={})
    t.clock.set(date(2027, 3, 10))
    return opened


async def register_nominators(t: Talent) -> None:
    for who, kind, name, extra in (
        ("720", "city_government", "长春市人民政府", {"org_id": 90}),
        ("721", "provincial_department", "吉林省农业农村厅", {"org_id": 91}),
        ("722", "expert", "刘院士", {"id_number": EXPERT_ID, "recognised": True}),
        ("723", "expert", "未认定专家", {"id_number": make_resident_id(date(1966, 5, 1), seq="017")}),
    ):
        await t.call("POST", "/nominators", OFFICIAL, 201, json={"account": who, "kind": kind, "name": name, **extra})


def nomination_body(cycle_id: int, *people: str, **overrides: Any) -> dict[str, Any]:
    numbers = people or (person(1), person(2))
    return {
        "cycle_id": cycle_id,
        "title": "玉米耐密抗逆新品种选育与推广",
        "summary": "主要科技创新、应用推广及经济社会效益",
        "disciplines": ["D0101"],
        "keywords": ["玉米", "育种"],
        "units": [{"name": "吉林大学", "uscc": UNIT_USCC}, {"name": "吉林农业科技公司", "uscc": SECOND_UNIT_USCC}],
        "completers": [
            {"name": f"完成人{n}", "id_number": number, "unit_name": "吉林大学"} for n, number in enumerate(numbers, 1)
        ],
    } | overrides


async def nominate(
    t: Talent, cycle_id: int, *people: str, who: dict[str, str] = CITY_GOV, expect: int = 200, **overrides: Any
) -> dict[str, Any]:
    """A nomination drafted and submitted (``expect`` is the submission's answer)."""
    draft = await t.call("POST", "/nominations", who, 201, json=nomination_body(cycle_id, *people, **overrides))
    submitted: dict[str, Any] = await t.call("POST", f"/nominations/{draft['id']}/submit", who, expect, json={})
    return submitted if expect != 200 else submitted | {"draft": draft}
