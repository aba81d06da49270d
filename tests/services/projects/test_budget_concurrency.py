"""The amount approved in a programme never exceeds its budget, even when officials approve lists at
the same moment (issue 3, "Approval"): parallel approval requests over separate connections with
real commits on PostgreSQL, where the programme's row lock (SELECT ... FOR UPDATE) serialises them.
(SQLite lets one writer in at a time with BEGIN IMMEDIATE, so the race cannot happen there.)"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.projects.main import create_app
from services.projects.settings import ProjectsSettings
from shared.db import Database
from tests.conftest import TEST_SECRET, migrate, postgres_url, running
from tests.services.projects.approval_helpers import propose, reviewed
from tests.services.projects.conftest import OFFICIAL, PREFIX, create_call, create_programme

pytestmark = pytest.mark.postgres
SCHEMA = "t_projects_budget_race"


async def _drop(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
    await engine.dispose()


@pytest.fixture
async def committed_client() -> AsyncIterator[httpx.AsyncClient]:
    """The projects app on a schema of its own, migrated for this test, committing for real (no
    rolled-back transaction), dropped afterwards so nothing leaks into other tests."""
    url = await postgres_url()
    await _drop(url)
    await asyncio.to_thread(migrate, "projects", url, SCHEMA)
    db = Database(url, SCHEMA, pool_size=10)
    app = create_app(ProjectsSettings(internal_secret=TEST_SECRET, env="test", access_log=False), database=db)
    try:
        async with running(app) as client:
            client.app, client.db = app, db  # type: ignore[attr-defined]
            yield client
    finally:
        await db.dispose()
        await _drop(url)


async def test_parallel_approvals_never_over_approve_the_budget(committed_client: httpx.AsyncClient) -> None:
    client = committed_client
    p = await create_programme(client, budget="1000000.00")
    call = await create_call(client, p["id"])
    lists = []
    for n in range(1, 8):
        app = await reviewed(client, call, n)
        lists.append(await propose(client, call["id"], [(app["id"], "250000.00")]))

    async def approve(list_id: int) -> httpx.Response:
        return await client.post(f"{PREFIX}/approval-lists/{list_id}/approve", headers=OFFICIAL)

    responses = await asyncio.gather(*(approve(lst["id"]) for lst in lists))
    outcomes = Counter((r.status_code, r.json().get("code")) for r in responses)
    # 7 lists of 250,000 against 1,000,000: exactly 4 fit, the other 3 are refused
    assert outcomes == Counter({(200, None): 4, (409, "budget_exceeded"): 3}), [r.text for r in responses]
    assert {r.json()["remaining"] for r in responses if r.status_code == 409} == {"0.00"}
    budget = (await client.get(f"{PREFIX}/programmes/{p['id']}/budget", headers=OFFICIAL)).json()
    assert budget["approved_total"] == "1000000.00" and budget["remaining"] == "0.00"
    approved = (
        await client.get(f"{PREFIX}/applications", params={"status": "approved", "limit": 100}, headers=OFFICIAL)
    ).json()["items"]
    assert len(approved) == 4
    async with client.db.engine.connect() as conn:  # type: ignore[attr-defined]
        total = (
            await conn.execute(
                text(
                    "SELECT coalesce(sum(amount), 0) FROM approval_items"
                    " WHERE programme_id = :p AND status = 'approved'"
                ),
                {"p": p["id"]},
            )
        ).scalar_one()
    assert total <= 1000000
