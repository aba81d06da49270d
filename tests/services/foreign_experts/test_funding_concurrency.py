"""A call's budget and a training plan's places are never exceeded, even when officials approve at the same
moment: parallel approvals over separate connections with real commits on PostgreSQL, where the call's row
lock (SELECT ... FOR UPDATE) serialises them and the losers get a clear 409 with nothing written.
(SQLite lets one writer in at a time, so the race cannot happen there.)"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.foreign_experts.main import create_app
from services.foreign_experts.settings import ForeignExpertsSettings
from shared.db import Database
from tests.conftest import SCHEMA_PREFIX, TEST_SECRET, migrate, postgres_url, running
from tests.services.foreign_experts.conftest import CLERK, FE, OFFICIAL, PII_SECRET, Clock, at, make_employer
from tests.services.foreign_experts.funding_helpers import make_call, make_programme, make_training, prog, review

pytestmark = pytest.mark.postgres
SCHEMA = SCHEMA_PREFIX + "race_fe_funding"


async def _drop(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
    await engine.dispose()


@pytest.fixture
async def committed() -> AsyncIterator[FE]:
    """The service on its own migrated schema, every request committing for real."""
    url = await postgres_url()
    await _drop(url)
    await asyncio.to_thread(migrate, "foreign_experts", url, SCHEMA)
    db = Database(url, SCHEMA, pool_size=10)
    app = create_app(
        ForeignExpertsSettings(internal_secret=TEST_SECRET, env="test", access_log=False, pii_secret=PII_SECRET),
        database=db,
    )
    clock = Clock(at(date(2026, 3, 2)))
    app.state.clock = clock
    try:
        async with running(app) as client:
            yield FE(client, app, db, clock)
    finally:
        await db.dispose()
        await _drop(url)


async def _race(fe: FE, path: str, ids: list[int]) -> Counter[tuple[int, Any]]:
    responses = await asyncio.gather(
        *(fe.client.post(f"/api/v1/foreign-experts/{path}/{i}/approve", headers=OFFICIAL) for i in ids)
    )
    return Counter((r.status_code, r.json().get("code")) for r in responses)


async def _row(fe: FE, sql: str, **params: Any) -> Any:
    async with fe.db.engine.connect() as conn:
        return (await conn.execute(text(sql.replace("{s}", f'"{SCHEMA}"')), params)).one()


async def test_parallel_grants_never_exceed_the_calls_budget(committed: FE) -> None:
    fe = committed
    call = await make_call(fe, budget="300000.00", max_amount="100000.00")
    employer = await make_employer(fe)
    ids = []
    for _ in range(5):
        app = await make_programme(
            fe,
            call["id"],
            employer["id"],
            plan={"requested_amount": "100000.00", "budget_items": [{"item": "全部", "amount": "100000.00"}]},
        )
        await prog(fe, app["id"], "submit", CLERK)
        await prog(fe, app["id"], "accept", OFFICIAL)
        await review(fe, app["id"])
        ids.append(app["id"])
    outcomes = await _race(fe, "programme-applications", ids)
    assert outcomes == Counter({(200, None): 3, (409, "call_budget_exhausted"): 2}), outcomes
    after = await fe.call("GET", f"/programme-calls/{call['id']}", OFFICIAL)
    assert (after["approved_amount"], after["remaining_budget"], after["approved_count"]) == ("300000.00", "0.00", 3)
    granted, count = await _row(
        fe,
        "SELECT coalesce(sum(granted_amount), 0), count(*) FROM {s}.programme_applications WHERE status = 'approved'",
    )
    assert (Decimal(granted), count) == (Decimal("300000.00"), 3)
    refused = await _row(
        fe, "SELECT count(*) FROM {s}.programme_applications WHERE status = 'under_review' AND granted_amount IS NULL"
    )
    assert refused[0] == 2  # the losers are untouched


async def test_parallel_approvals_never_exceed_the_plans_places(committed: FE) -> None:
    fe = committed
    plan = await make_call(fe, "training-plans", participant_quota=10, budget="10000000.00")
    ids = []
    for _ in range(4):
        app = await make_training(fe, plan["id"], people=3)
        await fe.call("POST", f"/training-applications/{app['id']}/submit", CLERK)
        ids.append(app["id"])
    outcomes = await _race(fe, "training-applications", ids)
    assert outcomes == Counter({(200, None): 3, (409, "participant_quota_exhausted"): 1}), outcomes
    after = await fe.call("GET", f"/training-plans/{plan['id']}", OFFICIAL)
    assert (after["approved_participants"], after["remaining_places"], after["approved_count"]) == (9, 1, 3)
    people = await _row(
        fe, "SELECT coalesce(sum(approved_participants), 0) FROM {s}.training_applications WHERE status = 'approved'"
    )
    assert people[0] == 9
