"""The working example of docs/adding-a-service.md: a service mounts the shared review rounds and
public notices with its own tables, scope and form (``tests/shared/mounted_app.py``) and gets the
whole of both through HTTP: set up, draw (NSF-2, NSF-3), reviews on a form without grades (TAL-1
indicator scores), close and ranking (NSF-4), then the notice with a real-name objection upheld and
the conclusion (AW-3), each move in the history."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from shared.clients.reviewers import ReviewerCandidate
from shared.db import Database
from shared.subject_keys import organisation_key, person_key
from tests.conftest import SCHEMA_PREFIX, postgres_url, rolled_back, running
from tests.services.projects.conftest import headers, make_resident_id, make_uscc
from tests.shared import mounted_app as m

P = "/api/v1/talent"
OFFICIAL = headers("official", subject="100")
AGENCY = headers("agency", subject="200", org_id=5)
APPLICANT = headers("applicant", subject="300")
SECRET = "mounted-subject-key-secret"
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
_created: dict[str, tuple[str, str]] = {}


@pytest.fixture
async def db(backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Database]:
    if backend not in _created:
        if backend == "sqlite":
            url, schema = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('mounted') / 'm.db'}", "mounted"
        else:
            url, schema = await postgres_url(), SCHEMA_PREFIX + "mounted"
        setup = Database(url, schema)
        if setup.postgres:
            async with setup.engine.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await setup.ensure_schema()
        async with setup.engine.begin() as conn:
            if setup.postgres:
                await conn.execute(text(f'SET search_path TO "{schema}"'))
            await conn.run_sync(m.Base.metadata.create_all)
        await setup.dispose()
        _created[backend] = (url, schema)
    url, schema = _created[backend]
    database = Database(url, schema)
    async with rolled_back(database):
        yield database
    await database.dispose()


def reviewer(n: int, **overrides: object) -> ReviewerCandidate:
    values: dict[str, object] = {
        "id": 100 + n,
        "person_key": person_key(make_resident_id(datetime(1960, 1, n).date(), seq=f"{500 + n}"), SECRET),
        "institution_key": organisation_key(make_uscc(f"1222000041276{n:04d}"), SECRET),
        "discipline_codes": ["F0203"],
        "keywords": [],
        "declared_person_keys": [],
        "declared_institution_keys": [],
        "current_load": 0,
        "user_id": f"rv-{n}",
    } | overrides
    return ReviewerCandidate.model_validate(values)


async def nominations(db: Database) -> list[int]:
    async with db.sessionmaker() as session:
        rows = [
            m.Nomination(
                cycle=2026,
                title=f"黑土地保育技术{i}",
                candidate_key=person_key(make_resident_id(datetime(1975, 1, i).date(), seq=f"{300 + i}"), SECRET),
                unit_key=organisation_key(make_uscc("12220000412755413"), SECRET),
                candidate_name=f"候选人{i}",
                unit_name="吉林大学",
                status="accepted",
                submitted_at=T0 + timedelta(minutes=i),
                version=1,
            )
            for i in (1, 2)
        ]
        session.add_all(rows)
        await session.commit()
        return [r.id for r in rows]


def scores(value: int) -> dict[str, object]:
    return {
        "scores": dict.fromkeys(("ability", "quality", "contribution", "performance"), str(value)),
        "comments": {"ability": "创新能力突出"},
    }


async def test_tal1_nsf2_nsf4_aw3_a_service_mounts_review_rounds_and_notices(db: Database) -> None:
    """The mounted service runs a round on its own nominations (drawn conflict-free from its pool,
    reviewed on indicator scores without grades, closed and ranked) and a notice of the reviewed ones
    (an objection upheld withdraws one; the conclusion awards the other)."""
    # reviewer 1 works at the candidates' unit (NSF-3); 2..4 are free
    same_unit = organisation_key(make_uscc("12220000412755413"), SECRET)
    pool = m.InMemoryPool([reviewer(1, institution_key=same_unit), *(reviewer(n) for n in (2, 3, 4))])
    first, second = await nominations(db)
    app = m.create_app(db, pool)
    async with running(app) as c:
        r = await c.post(f"{P}/review-rounds", json={"cycle": 2026, "title": "2026年度专业评审"}, headers=AGENCY)
        assert r.status_code == 201, r.text
        rnd = r.json()
        assert rnd["cycle"] == 2026 and rnd["settings"]["graded"] is False and rnd["settings"]["trim_from"] is None
        r = await c.post(f"{P}/review-rounds/{rnd['id']}/draw", json={"seed": 7}, headers=AGENCY)
        assert r.status_code == 200, r.text
        drawn = r.json()
        panels = {a["application_id"]: sorted(s["reviewer_id"] for s in a["reviewers"]) for a in drawn["assignments"]}
        assert panels == {first: [102, 103, 104], second: [102, 103, 104]}  # reviewer 1 excluded (NSF-3)
        assert pool.loads == {102: 2, 103: 2, 104: 2}
        assert (await c.post(f"{P}/review-rounds/{rnd['id']}/verify", headers=AGENCY)).json()["ok"] is True

        for n, value in ((2, 90), (3, 80), (4, 70)):
            me = headers("reviewer", subject=f"rv-{n}")
            mine = (await c.get(f"{P}/review-assignments", headers=me)).json()["items"]
            assert {a["application_id"] for a in mine} == {first, second} and mine[0]["graded"] is False
            for a in mine:
                body = scores(value if a["application_id"] == first else value - 20)
                put = await c.put(f"{P}/review-assignments/{a['id']}/review", json=body | {"grade": "A"}, headers=me)
                assert put.status_code == 422 and put.json()["errors"][0]["code"] == "not_on_this_form"
                put = await c.put(f"{P}/review-assignments/{a['id']}/review", json=body, headers=me)
                assert put.status_code == 200, put.text
                done = await c.post(
                    f"{P}/review-assignments/{a['id']}/review/submit", headers=me | {"If-Match": put.headers["etag"]}
                )
                assert done.status_code == 200, done.text
        r = await c.post(f"{P}/review-rounds/{rnd['id']}/close", headers=AGENCY)
        assert r.status_code == 200, r.text
        assert r.json()["reviewed"] == [first, second] and r.json()["lacking"] == []
        ranking = (await c.get(f"{P}/review-rounds/{rnd['id']}/ranking", headers=OFFICIAL)).json()
        (group,) = ranking["groups"]
        assert group["group"] == {"cycle": 2026}
        assert [(e["application_id"], e["rank"], e["score"]) for e in group["entries"]] == [
            (first, 1, "80.0000"),
            (second, 2, "60.0000"),
        ]
        assert pool.loads == {102: 0, 103: 0, 104: 0}

        r = await c.post(f"{P}/notices", json={"cycle": 2026}, headers=OFFICIAL)
        assert r.status_code == 201, r.text
        notice = r.json()
        assert [(e["subject_id"], e["person_name"], e["status"]) for e in notice["entries"]] == [
            (first, "候选人1", "listed"),
            (second, "候选人2", "listed"),
        ]
        assert (
            await c.get(f"{P}/notices/{notice['id']}", headers=headers(kind="anonymous", subject="anonymous"))
        ).status_code == 200
        objection = {
            "subject_id": second,
            "objector_name": "张伟",
            "objector_contact": "13800000000",
            "grounds": "成果不实",
        }
        r = await c.post(f"{P}/notices/{notice['id']}/objections", json=objection, headers=APPLICANT)
        assert r.status_code == 201, r.text
        r = await c.post(
            f"{P}/notice-objections/{r.json()['id']}/uphold", json={"comment": "经核实成果不实"}, headers=OFFICIAL
        )
        assert r.status_code == 200 and r.json()["status"] == "upheld", r.text
        early = await c.post(f"{P}/notices/{notice['id']}/conclude", headers=OFFICIAL)
        assert early.status_code == 409 and early.json()["code"] == "notice_period_running"
        app.state.clock = lambda: datetime.fromisoformat(notice["closes_at"]) + timedelta(seconds=1)
        done = await c.post(f"{P}/notices/{notice['id']}/conclude", headers=OFFICIAL)
        assert done.status_code == 200, done.text
        assert [(e["subject_id"], e["status"]) for e in done.json()["entries"]] == [
            (first, "listed"),
            (second, "withdrawn"),
        ]
        history = (await c.get(f"{P}/notices/{notice['id']}/history", headers=OFFICIAL)).json()
        assert [h["action"] for h in history] == ["create", "conclude"]
    async with db.sessionmaker() as session:
        statuses = {n: (await session.get(m.Nomination, n)).status for n in (first, second)}  # type: ignore[union-attr]
    assert statuses == {first: "awarded", second: "withdrawn"}
