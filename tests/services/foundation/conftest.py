"""Fixtures of the foundation service: the foundation app on its migrated database, talking to a real
projects app (its own migrated database) in process for the integrity check, the limits ledger and
the reviewer pool; callers per role; and a switch that takes the projects service down (503)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from services.foundation.main import create_app as create_foundation
from services.foundation.settings import FoundationSettings
from services.projects.main import create_app as create_projects
from services.projects.settings import ProjectsSettings
from shared.http_client import InternalClient
from tests.conftest import TEST_SECRET, running
from tests.services.projects.conftest import headers as headers  # re-exported for the tests
from tests.services.projects.conftest import make_resident_id, make_uscc

PREFIX = "/api/v1/foundation"
PROJECTS = "/api/v1/projects"

UNIV_USCC = make_uscc("12220000412755413")  # 吉林大学 stand-in (事业单位)
OTHER_USCC = make_uscc("12220000412755421")
AGENCY_ORG, OTHER_AGENCY_ORG, UNIV_ORG, OTHER_ORG = 60, 61, 70, 71

OFFICIAL = headers("official", subject="100")
AGENCY = headers("agency", subject="210", org_id=AGENCY_ORG)  # the foundation committee's office
OTHER_AGENCY = headers("agency", subject="211", org_id=OTHER_AGENCY_ORG)
APPLICANT = headers("applicant", subject="300", org_id=UNIV_ORG, org_uscc=UNIV_USCC)
OTHER_APPLICANT = headers("applicant", subject="301", org_id=UNIV_ORG, org_uscc=UNIV_USCC)
ORG_ADMIN = headers("org_admin", subject="400", org_id=UNIV_ORG, org_uscc=UNIV_USCC)
OTHER_ORG_ADMIN = headers("org_admin", subject="401", org_id=OTHER_ORG, org_uscc=OTHER_USCC)
AUDITOR = headers("auditor", subject="500")
ANONYMOUS = headers(kind="anonymous", subject="anonymous")

APPLICANT_ID = make_resident_id(date(1985, 3, 14), seq="123")  # odd 17th digit: male (ID-2)


def settings() -> FoundationSettings:
    return FoundationSettings(internal_secret=TEST_SECRET, env="test", access_log=False)


class ProjectsSwitch(httpx.AsyncBaseTransport):
    """Routes the foundation's internal calls to the projects app, or refuses them when ``down``."""

    def __init__(self, app: Any) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.down = False
        self.calls: list[httpx.Request] = []
        # The projects app runs each test on one connection (rolled back at the end): concurrent
        # calls into it (the draw reports loads a few at a time) are passed one at a time.
        self.one_at_a_time = asyncio.Lock()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        async with self.one_at_a_time:
            return await self.inner.handle_async_request(request)


@dataclass
class Platform:
    """The foundation client (``c``), a client of the projects app (``projects``), both databases and
    the switch of the projects link."""

    c: httpx.AsyncClient
    projects: httpx.AsyncClient
    app: Any
    projects_app: Any
    db: Any
    projects_db: Any
    link: ProjectsSwitch


@pytest.fixture
async def platform(make_db: Any) -> AsyncIterator[Platform]:
    projects_db = await make_db("projects")
    db = await make_db("foundation")
    projects_app = create_projects(
        ProjectsSettings(internal_secret=TEST_SECRET, env="test", access_log=False), database=projects_db
    )
    app = create_foundation(settings(), database=db)
    async with running(projects_app) as pc, running(app) as c:
        link = ProjectsSwitch(projects_app)
        await app.state.http.aclose()
        # no retries and a breaker that never opens: each test sees each call's own outcome
        app.state.http = InternalClient(
            TEST_SECRET, caller="foundation", transport=link, retries=0, breaker_threshold=10**6
        )
        app.state.settings = settings().model_copy(update={"projects_url": "http://projects"})
        yield Platform(c=c, projects=pc, app=app, projects_app=projects_app, db=db, projects_db=projects_db, link=link)


@pytest.fixture
async def client(platform: Platform) -> httpx.AsyncClient:
    """The foundation app's client (``client.platform`` reaches the rest)."""
    platform.c.platform = platform  # type: ignore[attr-defined]
    return platform.c


def now() -> datetime:
    return datetime.now(UTC)
