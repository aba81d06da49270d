"""A grade's quota (AW-1) is never exceeded, even when the committee's votes on several nominations are
recorded at the same moment: parallel votes over separate connections with real commits on PostgreSQL, where
the cycle's row lock (SELECT ... FOR UPDATE) serialises the count, and the losers get a clear 409 with nothing
written. (SQLite lets one writer in at a time, so the race cannot happen there.)"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date, datetime, time

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.talent.main import create_app
from shared.db import Database
from shared.http_client import InternalClient
from shared.workdays import SHANGHAI
from tests.conftest import SCHEMA_PREFIX, TEST_SECRET, migrate, postgres_url, running
from tests.services.projects.conftest import headers
from tests.services.talent.awards_support import (
    CITY_GOV,
    Awards,
    nominate,
    open_cycle,
    person,
    register_nominators,
    settings,
)
from tests.services.talent.conftest import OFFICIAL, Clock

pytestmark = pytest.mark.postgres
SCHEMA = SCHEMA_PREFIX + "race_talent_grade_quota"


def _candidate(n: int) -> dict[str, object]:
    return {
        "id": n + 1,
        "person_key": f"{n + 1:064x}",
        "institution_key": f"{n + 101:064x}",
        "discipline_codes": ["D0101"],
        "keywords": [],
        "declared_person_keys": [],
        "declared_institution_keys": [],
        "current_load": 0,
        "user_id": f"rv{n}",
    }


def _projects(request: httpx.Request) -> httpx.Response:
    """The projects service: everyone clear (PRJ-5), and a pool of two reviewers (the race is not about them)."""
    if request.url.path.endswith("/integrity/check"):
        return httpx.Response(200, json={"status": "clear", "on": "2027-03-10", "periods": []})
    page = {"items": [_candidate(0), _candidate(1)], "next_cursor": None, "as_of": "2027-04-10", "snapshot_sha256": "0"}
    return httpx.Response(200, json=page)


async def _drop(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
    await engine.dispose()


@pytest.fixture
async def committed() -> AsyncIterator[tuple[Awards, Database]]:
    """The talent service on its own migrated schema, every request committing for real."""
    url = await postgres_url()
    await _drop(url)
    await asyncio.to_thread(migrate, "talent", url, SCHEMA)
    db = Database(url, SCHEMA, pool_size=10)
    app = create_app(settings(), database=db)
    clock = Clock(datetime.combine(date(2027, 2, 15), time(10), SHANGHAI))
    app.state.clock = clock
    try:
        async with running(app) as client:
            await app.state.http.aclose()
            app.state.http = InternalClient(TEST_SECRET, caller="talent", transport=httpx.MockTransport(_projects))
            yield Awards(client, clock, app=app), db
    finally:
        await db.dispose()
        await _drop(url)


async def test_aw1_parallel_votes_never_exceed_a_grades_quota(committed: tuple[Awards, Database]) -> None:
    awards, db = committed
    await register_nominators(awards)
    cycle = await open_cycle(awards, quotas={"1": 2, "2": 5, "3": 5}, panel_size=2)
    ids = []
    for n in range(5):
        done = await nominate(awards, cycle["id"], person(10 + n), who=CITY_GOV)
        await awards.call("POST", f"/nominations/{done['id']}/accept", OFFICIAL, json={})
        ids.append(done["id"])
    notice = await awards.call(
        "POST", "/notices", OFFICIAL, 201, json={"kind": "award_acceptance", "cycle_id": cycle["id"]}
    )
    awards.clock.set(date(2027, 4, 10))
    await awards.call("POST", f"/notices/{notice['id']}/conclude", OFFICIAL, json={})
    await awards.call("POST", f"/award-cycles/{cycle['id']}/panel", OFFICIAL, 201, json={"seed": 1})
    for i in ids:
        for n in range(2):
            await awards.call(
                "POST",
                f"/nominations/{i}/panel-scores",
                headers("reviewer", subject=f"rv{n}"),
                json={"score": "90", "comment": "好"},
            )
    vote = {"grade": 1, "present": 6, "in_favour": 6}
    responses = await asyncio.gather(
        *(
            awards.client.post(f"/api/v1/talent/nominations/{i}/committee-vote", headers=OFFICIAL, json=vote)
            for i in ids
        )
    )
    outcomes = Counter((r.status_code, r.json().get("code")) for r in responses)
    assert outcomes == Counter({(200, None): 2, (409, "award_quota_exceeded"): 3}), outcomes
    async with db.engine.connect() as conn:
        rows = (
            await conn.execute(text(f'SELECT status, count(*) FROM "{SCHEMA}".award_nominations GROUP BY status'))
        ).all()
    assert dict(rows) == {"proposed": 2, "in_review": 3}
