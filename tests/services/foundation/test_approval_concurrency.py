"""A category's budget and project count are never exceeded, even when officials approve at the same
moment (issue 4, "Ranking and approval": "a category's budget is never exceeded, even under concurrent
approvals"): parallel approval requests over separate connections with real commits on PostgreSQL,
where the category's row lock (SELECT ... FOR UPDATE) serialises them and the losers get a clear 409.
(SQLite lets one writer in at a time with BEGIN IMMEDIATE, so the race cannot happen there.)

Both services run on schemas of their own, migrated for the test and dropped afterwards, because the
foundation reports every move to the projects service's limits ledger while it holds the lock."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.foundation.main import create_app as create_foundation
from services.projects.main import create_app as create_projects
from services.projects.settings import ProjectsSettings
from shared.db import Database
from shared.http_client import InternalClient
from tests.conftest import SCHEMA_PREFIX, TEST_SECRET, migrate, postgres_url, running
from tests.services.foundation.approval_helpers import Category, approve, budget, make_plan, make_ranked
from tests.services.foundation.conftest import ProjectsSwitch, settings

pytestmark = pytest.mark.postgres
SCHEMAS = {"projects": SCHEMA_PREFIX + "race_f4_projects", "foundation": SCHEMA_PREFIX + "race_f4_foundation"}


async def _drop(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        for schema in SCHEMAS.values():
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await engine.dispose()


@dataclass
class Committed:
    c: httpx.AsyncClient
    db: Database


@pytest.fixture
async def committed() -> AsyncIterator[Committed]:
    """The foundation and projects apps on their own migrated schemas, committing for real."""
    url = await postgres_url()
    await _drop(url)
    for name, schema in SCHEMAS.items():
        await asyncio.to_thread(migrate, name, url, schema)
    projects_db = Database(url, SCHEMAS["projects"], pool_size=10)
    db = Database(url, SCHEMAS["foundation"], pool_size=10)
    projects_app = create_projects(
        ProjectsSettings(internal_secret=TEST_SECRET, env="test", access_log=False), database=projects_db
    )
    app = create_foundation(settings(), database=db)
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
            yield Committed(c, db)
    finally:
        await db.dispose()
        await projects_db.dispose()
        await _drop(url)


async def _race(c: httpx.AsyncClient, category: Category, ids: list[int]) -> Counter[tuple[int, str | None]]:
    """One approval request per application, all at once, each on its own connection."""
    responses = await asyncio.gather(
        *(approve(c, category, {"items": [{"application_id": i}], "final": False}) for i in ids)
    )
    return Counter((r.status_code, r.json().get("code")) for r in responses)


async def _granted(db: Database, category_id: int) -> tuple[Decimal, int]:
    async with db.engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    f'SELECT coalesce(sum(approved_amount), 0), count(*) FROM "{SCHEMAS["foundation"]}".applications '
                    "WHERE category_id = :c AND status = 'approved'"
                ),
                {"c": category_id},
            )
        ).one()
    return Decimal(row[0]), int(row[1])


async def test_parallel_approvals_never_exceed_the_category_budget(committed: Committed) -> None:
    _, (cat,) = await make_plan(
        committed.db,
        categories=[
            {
                "code": "general",
                "amount_mode": "fixed",
                "amount": "200000.00",
                "budget": "1000000.00",
                "project_count": 10,
            }
        ],
    )
    ids = await make_ranked(committed.db, cat, ["200000.00"] * 7)
    outcomes = await _race(committed.c, cat, ids)
    # 7 approvals of 200,000 against 1,000,000: exactly 5 fit, the other 2 are refused
    assert outcomes == Counter({(201, None): 5, (409, "category_budget_exceeded"): 2}), outcomes
    b = await budget(committed.c, cat)
    assert (b["approved_total"], b["remaining"], b["approved_count"]) == ("1000000.00", "0.00", 5)
    assert await _granted(committed.db, cat.id) == (Decimal("1000000.00"), 5)


async def test_parallel_approvals_never_exceed_the_category_project_count(committed: Committed) -> None:
    _, (cat,) = await make_plan(
        committed.db,
        categories=[
            {
                "code": "key",
                "kind": "key",
                "name": "重点项目",
                "amount_mode": "cap",
                "amount": "500000.00",
                "budget": "100000000.00",
                "project_count": 3,
            }
        ],
    )
    ids = await make_ranked(committed.db, cat, ["300000.00"] * 6)
    outcomes = await _race(committed.c, cat, ids)
    assert outcomes == Counter({(201, None): 3, (409, "category_count_exceeded"): 3}), outcomes
    b = await budget(committed.c, cat)
    assert (b["approved_total"], b["approved_count"], b["remaining_count"]) == ("900000.00", 3, 0)
    assert await _granted(committed.db, cat.id) == (Decimal("900000.00"), 3)
