"""NSF-5 under concurrency: one applicant submits two applications of the same year at the same moment;
exactly one is accepted. Real commits on PostgreSQL over separate connections (both apps on schemas of
their own, dropped afterwards): the submission locks the applicant's applications of the year
(SELECT ... FOR UPDATE, in id order), so the second asks the projects ledger after the first is in it.
(SQLite lets one writer in at a time, so the race cannot happen there.)"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.foundation.main import create_app as create_foundation
from services.projects.main import create_app as create_projects
from services.projects.settings import ProjectsSettings
from shared.db import Database
from shared.http_client import InternalClient
from tests.conftest import TEST_SECRET, migrate, postgres_url, running
from tests.services.foundation.conftest import APPLICANT, PREFIX, ProjectsSwitch, settings
from tests.services.foundation.helpers import create_application, create_plan

pytestmark = pytest.mark.postgres
SCHEMAS = {"projects": "t_f1_submit_race_projects", "foundation": "t_f1_submit_race_foundation"}


async def _drop(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        for schema in SCHEMAS.values():
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await engine.dispose()


@dataclass
class Committed:
    c: httpx.AsyncClient


@pytest.fixture
async def committed() -> AsyncIterator[Committed]:
    url = await postgres_url()
    await _drop(url)
    for name, schema in SCHEMAS.items():
        await asyncio.to_thread(migrate, name, url, schema)
    projects_db = Database(url, SCHEMAS["projects"], pool_size=10)
    db = Database(url, SCHEMAS["foundation"], pool_size=10)
    projects_app = create_projects(
        ProjectsSettings(internal_secret=TEST_SECRET, env="test", access_log=False), database=projects_db
    )
    app: Any = create_foundation(settings(), database=db)
    try:
        async with running(projects_app), running(app) as c:
            await app.state.http.aclose()
            app.state.http = InternalClient(
                TEST_SECRET,
                caller="foundation",
                transport=ProjectsSwitch(projects_app),
                retries=0,
                breaker_threshold=10**6,
            )
            app.state.settings = settings().model_copy(update={"projects_url": "http://projects"})
            yield Committed(c)
    finally:
        await db.dispose()
        await projects_db.dispose()
        await _drop(url)


async def test_nsf5_parallel_submissions_of_one_applicant_accept_exactly_one(committed: Committed) -> None:
    c = committed.c
    plan = await create_plan(c)
    first = await create_application(c, plan)
    second = await create_application(c, plan, "key", budget={"equipment": "300000.00"})

    async def submit(application_id: int) -> httpx.Response:
        return await c.post(f"{PREFIX}/applications/{application_id}/submit", headers=APPLICANT)

    responses = await asyncio.gather(submit(first["id"]), submit(second["id"]))
    assert Counter(r.status_code for r in responses) == Counter({200: 1, 409: 1}), [r.text for r in responses]
    refused = next(r for r in responses if r.status_code == 409).json()
    assert refused["code"] == "limit_exceeded"
    statuses = sorted(
        [(await c.get(f"{PREFIX}/applications/{a['id']}", headers=APPLICANT)).json()["status"] for a in (first, second)]
    )
    assert statuses == ["draft", "submitted"]
