"""The talent service's other guards raced on PostgreSQL, over separate connections with real commits (SQLite
lets one writer in at a time, so these races cannot happen there): AW-2's one nomination a year per person,
the certificate serials of a cycle's results, the national nominations' quota per category and one national
nomination per winner, and TAL-3's tranches paid once and in order. The losers get a clear 4xx, never a 500,
and the database agrees."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from shared.db import Database
from tests.services.talent.awards_support import (
    CITY_GOV,
    DEPARTMENT,
    Awards,
    nominate,
    nomination_body,
    open_cycle,
    person,
    register_nominators,
)
from tests.services.talent.conftest import OFFICIAL
from tests.services.talent.test_applications_api import draft, open_call
from tests.services.talent.test_grade_quota_concurrency import SCHEMA, committed  # noqa: F401 (the fixture)

pytestmark = pytest.mark.postgres
T = "/api/v1/talent"


def outcomes(responses: list[httpx.Response]) -> Counter[tuple[int, Any]]:
    return Counter((r.status_code, r.json().get("code")) for r in responses)


async def sql(db: Database, statement: str, **params: Any) -> list[Any]:
    async with db.engine.begin() as conn:
        result = await conn.execute(text(statement.replace("{S}", f'"{SCHEMA}"')), params)
        return list(result.all()) if result.returns_rows else []


async def test_aw2_parallel_submissions_never_put_a_person_on_two_nominations(
    committed: tuple[Awards, Database],  # noqa: F811
) -> None:
    awards, db = committed
    await register_nominators(awards)
    cycle = await open_cycle(awards)
    drafts = [
        await awards.call("POST", "/nominations", who, 201, json=nomination_body(cycle["id"], person(1), person(n)))
        for who, n in ((CITY_GOV, 2), (DEPARTMENT, 3))
    ]
    responses = await asyncio.gather(
        *(
            awards.client.post(f"{T}/nominations/{d['id']}/submit", headers=who, json={})
            for d, who in zip(drafts, (CITY_GOV, DEPARTMENT), strict=True)
        )
    )
    got = Counter(r.status_code for r in responses)
    assert got == Counter({200: 1, 409: 1}), [r.text for r in responses]
    assert {r.json().get("code") for r in responses if r.status_code == 409} == {"person_nomination_limit"}
    rows = await sql(db, "SELECT status, count(*) FROM {S}.award_nominations GROUP BY status")
    assert dict(rows) == {"submitted": 1, "draft": 1}


async def winners(awards: Awards, db: Database, n: int) -> tuple[dict[str, Any], list[int]]:
    """``n`` nominations of a closed cycle, confirmed at grade 1 (the steps before are tested elsewhere)."""
    await register_nominators(awards)
    cycle = await open_cycle(awards, quotas={"1": n, "2": 5, "3": 5})
    ids = [(await nominate(awards, cycle["id"], person(20 + k), who=CITY_GOV))["id"] for k in range(n)]
    await sql(db, "UPDATE {S}.award_nominations SET status = 'confirmed', grade = 1, score = 90")
    await sql(db, "UPDATE {S}.award_cycles SET status = 'closed'")
    return cycle, ids


async def test_aw1_results_published_twice_at_once_give_one_set_of_certificate_numbers(
    committed: tuple[Awards, Database],  # noqa: F811
) -> None:
    awards, db = committed
    cycle, ids = await winners(awards, db, 3)
    url = f"{T}/award-cycles/{cycle['id']}/publish-results"
    responses = await asyncio.gather(*(awards.client.post(url, headers=OFFICIAL, json={}) for _ in range(3)))
    assert Counter(r.status_code for r in responses) == Counter({200: 1, 409: 2}), [r.text for r in responses]
    numbers = await sql(db, "SELECT certificate_no FROM {S}.award_nominations ORDER BY certificate_no")
    assert [n for (n,) in numbers] == [f"JLSTA-2027-STP-1-00{k}" for k in (1, 2, 3)]


async def test_national_nominations_never_exceed_the_quota_or_name_a_winner_twice(
    committed: tuple[Awards, Database],  # noqa: F811
) -> None:
    awards, db = committed
    cycle, ids = await winners(awards, db, 3)
    await awards.call("POST", f"/award-cycles/{cycle['id']}/publish-results", OFFICIAL, json={})
    await awards.call(
        "PUT", "/national-nominations/quotas/2027", OFFICIAL, json={"quotas": {"st_progress": 2, "natural_science": 2}}
    )

    def body(nomination_id: int, category: str = "st_progress") -> dict[str, Any]:
        return {"nomination_id": nomination_id, "national_category": category, "statement": "推荐提名"}

    # three winners for a quota of two
    responses = await asyncio.gather(
        *(awards.client.post(f"{T}/national-nominations", headers=OFFICIAL, json=body(i)) for i in ids)
    )
    assert outcomes(responses) == Counter({(201, None): 2, (409, "national_quota_exceeded"): 1})
    # the third winner named under two categories at once: one nomination, never a 500
    left = next(i for i, r in zip(ids, responses, strict=True) if r.status_code == 409)
    await sql(db, "UPDATE {S}.national_quotas SET quota = 3 WHERE national_category = 'st_progress'")
    responses = await asyncio.gather(
        *(
            awards.client.post(f"{T}/national-nominations", headers=OFFICIAL, json=body(left, category))
            for category in ("st_progress", "natural_science")
        )
    )
    assert Counter(r.status_code for r in responses) == Counter({201: 1, 409: 1}), [r.text for r in responses]
    rows = await sql(db, "SELECT count(*) FROM {S}.national_nominations WHERE nomination_id = :i", i=left)
    assert rows == [(1,)]
    total = await sql(db, "SELECT national_category, count(*) FROM {S}.national_nominations GROUP BY 1")
    assert sum(n for _, n in total) == 3  # the two before, and the winner once, under whichever category won


async def test_tal3_a_tranche_paid_at_once_by_two_officials_is_paid_once(
    committed: tuple[Awards, Database],  # noqa: F811
) -> None:
    """TAL-3: the tranches are paid in order, each once, under the application's tranche rows' lock."""
    awards, db = committed
    call = await open_call(awards)
    application = await draft(awards, call["id"])
    await sql(db, "UPDATE {S}.applications SET status = 'selected' WHERE id = :i", i=application["id"])
    await sql(
        db,
        "INSERT INTO {S}.tenures (application_id, starts_on, ends_on, years, support_amount, status, version, "
        "created_at, updated_at) VALUES (:i, '2027-01-01', '2029-12-31', 3, 600000, 'running', 1, now(), now())",
        i=application["id"],
    )
    for n, amount in ((1, 240000), (2, 180000), (3, 180000)):
        await sql(
            db,
            "INSERT INTO {S}.tranches (application_id, number, share, amount, status, version, created_at, updated_at) "
            "VALUES (:i, :n, '0.3', :a, 'due', 1, now(), now())",
            i=application["id"],
            n=n,
            a=amount,
        )
    url = f"{T}/applications/{application['id']}/tranches"
    responses = await asyncio.gather(
        *(awards.client.post(f"{url}/{n}/pay", headers=OFFICIAL, json={}) for n in (1, 1, 1, 2))
    )
    ones, two = responses[:3], responses[3]
    assert outcomes(ones) == Counter({(200, None): 1, (409, "support_tranche_not_payable"): 2})
    # tranche 2 only after tranche 1: paid if it came after, refused if before
    assert (two.status_code, two.json().get("code")) in {(200, None), (409, "support_tranche_not_payable")}
    paid = await sql(db, "SELECT number, count(*) FROM {S}.tranches WHERE status = 'paid' GROUP BY number")
    assert dict(paid) == ({1: 1, 2: 1} if two.status_code == 200 else {1: 1})
