"""An organisation's endorsements never exceed the call's cap, even when its administrators endorse at the
same moment: parallel endorsements over separate connections with real commits on PostgreSQL, where the
call's row lock (SELECT ... FOR UPDATE) serialises them and the losers get a clear 409 with nothing written.
(SQLite lets one writer in at a time, so the race cannot happen there.)"""

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
from tests.services.projects.conftest import headers, make_resident_id
from tests.services.talent.conftest import OFFICIAL, ORG_ADMIN, UNIV_ORG, Clock, Talent, programme_body, settings

pytestmark = pytest.mark.postgres
SCHEMA = SCHEMA_PREFIX + "race_talent_endorse"


async def _drop(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
    await engine.dispose()


def _clear(request: httpx.Request) -> httpx.Response:
    """The projects service's integrity check, answering clear for everyone (the race is not about it)."""
    return httpx.Response(200, json={"status": "clear", "on": "2027-03-10", "periods": []})


@pytest.fixture
async def committed() -> AsyncIterator[tuple[Talent, Database]]:
    """The talent service on its own migrated schema, every request committing for real."""
    url = await postgres_url()
    await _drop(url)
    await asyncio.to_thread(migrate, "talent", url, SCHEMA)
    db = Database(url, SCHEMA, pool_size=10)
    app = create_app(settings(), database=db)
    clock = Clock(datetime.combine(date(2027, 3, 10), time(10), SHANGHAI))
    app.state.clock = clock
    try:
        async with running(app) as client:
            await app.state.http.aclose()
            app.state.http = InternalClient(TEST_SECRET, caller="talent", transport=httpx.MockTransport(_clear))
            yield Talent(client, clock), db
    finally:
        await db.dispose()
        await _drop(url)


async def test_parallel_endorsements_never_exceed_the_cap_per_organisation(committed: tuple[Talent, Database]) -> None:
    talent, db = committed
    talent.clock.set(date(2027, 2, 15))
    programme = await talent.call("POST", "/programmes", OFFICIAL, 201, json=programme_body())
    call_body = {
        "programme_id": programme["id"],
        "code": "RACE2027",
        "year": 2027,
        "title": "并发推荐",
        "opens_on": "2027-03-01",
        "closes_on": "2027-03-31",
        "cap_per_org": 2,
    }
    call = await talent.call("POST", "/calls", OFFICIAL, 201, json=call_body)
    await talent.call("POST", f"/calls/{call['id']}/publish", OFFICIAL, json={})
    talent.clock.set(date(2027, 3, 10))
    ids = []
    for n in range(5):
        who = headers("applicant", subject=f"9{n}", org_id=UNIV_ORG)
        body = {
            "call_id": call["id"],
            "applicant_name": f"申请人{n}",
            "id_number": make_resident_id(date(1993, 5, 1 + n), seq="013"),
            "org_name": "吉林大学",
            "org_kind": "university",
            "title": "方向",
            "discipline_code": "C13",
            "summary": "成果",
            "works": [{"kind": "paper", "title": "论文", "own_contribution": "第一作者"}],
        }
        created = await talent.call("POST", "/applications", who, 201, json=body)
        await talent.call("POST", f"/applications/{created['id']}/submit", who, json={})
        ids.append(created["id"])
    responses = await asyncio.gather(
        *(talent.client.post(f"/api/v1/talent/applications/{i}/endorse", headers=ORG_ADMIN, json={}) for i in ids)
    )
    outcomes = Counter((r.status_code, r.json().get("code")) for r in responses)
    assert outcomes == Counter({(200, None): 2, (409, "endorsement_cap_reached"): 3}), outcomes
    async with db.engine.connect() as conn:
        rows = (await conn.execute(text(f'SELECT status, count(*) FROM "{SCHEMA}".applications GROUP BY status'))).all()
    assert dict(rows) == {"endorsed": 2, "submitted": 3}
