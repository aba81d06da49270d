"""Foundation review rounds through the API (NSF-2, NSF-3): set up by the plan's staff, drawn from the
projects service's reviewer pool over HTTP with every hard constraint met, reproducible (same seed and
pool, same assignments, in another database too; verify matches; a tampered row is named), every
exclusion with its rule, similar subjects sharing reviewers, the 503 when projects is down with
nothing half-written, roles and object-level access, If-Match and Idempotency-Key."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from services.foundation.applications.models import FoundationApplication
from services.foundation.db import common
from services.foundation.main import create_app as create_foundation
from services.foundation.review_rounds.models import ReviewAssignment, ReviewExclusion, ReviewRound, ReviewRoundInput
from shared.db import Database
from shared.http_client import InternalClient
from shared.review.conflicts import explain
from shared.review.draw import draw as pure_draw
from shared.review.model import RoundSettings
from shared.review.stored import application_from_snapshot, reviewer_from_snapshot
from tests.conftest import SCHEMA_PREFIX, TEST_SECRET, migrate, postgres_url, running
from tests.services.foundation.conftest import (
    AGENCY,
    APPLICANT,
    AUDITOR,
    OFFICIAL,
    OTHER_AGENCY,
    PROJECTS,
    UNIV_USCC,
    Platform,
    headers,
    settings,
)
from tests.services.foundation.review_world import (
    RR,
    TEAM_MEMBER_ID,
    TEAM_ORG_USCC,
    World,
    add_application,
    add_reviewer,
    applicant_id,
    create_round,
    draw,
    make_plan,
    pool_load,
    reviewer_id_number,
    slots,
)

SEED = 20260601


async def basic_world(p: Platform, *, applications: int = 3, free_reviewers: int = 9) -> World:
    """Applications 1..n (general); reviewer 1 at the applicants' university (same_institution),
    reviewer 2 the team member of every application (team_member), reviewer 3 declared applicant 1
    a co-author (declared_by_reviewer); reviewers 4.. free."""
    w = World()
    await make_plan(p.db, w)
    for n in range(1, applications + 1):
        await add_application(p.db, w, n)
    await add_reviewer(p.projects, w, 1, organisation_uscc=UNIV_USCC, organisation_name="吉林大学")
    await add_reviewer(p.projects, w, 2, id_number=TEAM_MEMBER_ID)
    await add_reviewer(
        p.projects, w, 3, declared_conflicts={"people": [{"id_number": applicant_id(1), "relation": "co_author"}]}
    )
    for n in range(4, 4 + free_reviewers):
        await add_reviewer(p.projects, w, n)
    return w


async def count(p: Platform, model: Any, *where: Any) -> int:
    async with p.db.sessionmaker() as session:
        return int((await session.execute(select(func.count()).select_from(model).where(*where))).scalar_one())


async def statuses(p: Platform, w: World) -> dict[int, str]:
    async with p.db.sessionmaker() as session:
        rows = (
            await session.execute(
                select(FoundationApplication.id, FoundationApplication.status).where(
                    FoundationApplication.id.in_(list(w.apps.values()))
                )
            )
        ).all()
    return {int(i): str(s) for i, s in rows}


async def test_nsf2_nsf3_draw_assigns_distinct_conflict_free_reviewers_and_sends_applications_to_review(
    platform: Platform,
) -> None:
    p = platform
    w = await basic_world(p)
    rnd = await create_round(p.c, w, load_cap=2)
    assert rnd["status"] == "draft" and rnd["allowed_actions"] == ["draw"]
    settings = rnd["settings"]
    assert {k: settings[k] for k in ("reviewers_per_application", "load_cap", "exclude_same_institution")} == {
        "reviewers_per_application": 3,
        "load_cap": 2,
        "exclude_same_institution": True,
    }
    # NSF-4 as the foundation applies it: the committee's form (grade, opinion, comments), the plain mean
    assert settings["min_valid"] == 3 and settings["graded"] is True and settings["trim_from"] is None
    assert [c["code"] for c in settings["criteria"]] == ["innovation", "feasibility", "foundation", "team", "overall"]
    assert [c["code"] for c in settings["criteria"] if c["comment_required"]] == ["overall"]
    drawn = await draw(p.c, rnd["id"])
    got = drawn["round"]
    assert got["status"] == "drawn" and got["allowed_actions"] == ["close"] and got["shortfalls"] == []
    assert drawn["applications"] == 3 and drawn["objective"]["slots_filled"] == 9
    info = got["draw"]
    assert info["seed"] == SEED and info["seed_generated"] is False and info["replacements"] == 0
    assert info["algorithm_version"] and len(info["pool_hash"]) == 64 and len(info["applications_hash"]) == 64
    chosen = slots(drawn)
    assert set(chosen) == set(w.apps.values())
    same_inst, team, declared = (w.reviewers[n] for n in (1, 2, 3))
    for ids in chosen.values():
        assert len(ids) == 3 and len(set(ids)) == 3  # NSF-2: 3 distinct reviewers (the category's figure)
        assert same_inst not in ids and team not in ids  # NSF-3
    assert declared not in chosen[w.apps[1]]  # NSF-3: declared by the reviewer
    loads = Counter(r for ids in chosen.values() for r in ids)
    assert max(loads.values()) <= 2  # the load cap
    # accepted → in_review, each with a history row by the agency
    assert set((await statuses(p, w)).values()) == {"in_review"}
    assert (
        await count(
            p,
            common.history,
            common.history.entity_type == "foundation_application",
            common.history.action == "start_review",
        )
        == 3
    )
    # the limits ledger in projects heard of each move; the pool's load counts the open assignments
    # (in one batch: PUT .../ledger/items/foundation, each item at its new revision)
    ledger_puts = [c for c in p.link.calls if c.method == "PUT" and "/internal/ledger/items/foundation" in str(c.url)]
    assert [str(c.url).rsplit("/", 1)[1] for c in ledger_puts] == ["foundation"]
    batch = json.loads(ledger_puts[0].content)["items"]
    assert {i["item_id"] for i in batch} == {str(i) for i in w.apps.values()}
    assert {i["status"] for i in batch} == {"open"}
    assert [c.method for c in p.link.calls if "/internal/reviewers/" in str(c.url) and "load" in str(c.url)] == [
        "PUT"
    ]  # the loads in one batch too
    for rid, n in loads.items():
        assert await pool_load(p, rid) == n
    # each row carries the reviewer's platform account, from the pool
    async with p.db.sessionmaker() as session:
        rows = (await session.execute(select(ReviewAssignment).where(ReviewAssignment.round_id == rnd["id"]))).scalars()
        assert all(r.reviewer_user_id == f"rv-{w.reviewer_of[r.reviewer_id]}" for r in rows)
    # the assignments list says the same, by application
    r = await p.c.get(f"{RR}/{rnd['id']}/assignments", headers=AGENCY)
    assert r.status_code == 200 and slots(r.json()) == chosen
    # a round is drawn once
    r = await p.c.post(f"{RR}/{rnd['id']}/draw", json={"seed": 1}, headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    history = (await p.c.get(f"{RR}/{rnd['id']}/history", headers=AUDITOR)).json()
    assert [(h["action"], h["to_state"]) for h in history] == [("create", "draft"), ("draw", "drawn")]


async def test_nsf2_same_seed_and_pool_give_the_same_assignments(platform: Platform) -> None:
    """NSF-2: re-drawn in process from the stored snapshot, the same seed gives the API's assignments."""
    p = platform
    w = await basic_world(p, applications=4)
    rnd = await create_round(p.c, w)
    drawn = await draw(p.c, rnd["id"])
    async with p.db.sessionmaker() as session:
        inputs = await session.get(ReviewRoundInput, rnd["id"])
        assert inputs is not None
        pool = [reviewer_from_snapshot(d) for d in inputs.pool]
        apps = [application_from_snapshot(d) for d in inputs.applications]
        assert inputs.accounts == {str(rid): f"rv-{n}" for n, rid in w.reviewers.items()}
    again = pure_draw(pool, apps, RoundSettings(reviewers_per_category={}), SEED)
    assert {int(k): [int(x) for x in v] for k, v in again.assignments.items()} == slots(drawn)
    assert again.record.pool_hash == drawn["round"]["draw"]["pool_hash"]
    for app in apps:  # every reviewer of the snapshot the NSF-3 rules exclude stays out
        for rv in pool:
            if explain(rv, app):
                assert int(rv.id) not in slots(drawn)[int(app.id)]


async def _second_foundation_db(backend: str, tmp_path: Path) -> Database:
    """Another foundation database, migrated from scratch (SQLite file, or a PostgreSQL schema of this run)."""
    if backend == "sqlite":
        url, schema = f"sqlite+aiosqlite:///{tmp_path / 'foundation-b.db'}", "foundation"
    else:
        url, schema = await postgres_url(), SCHEMA_PREFIX + "foundation_b"
    await asyncio.to_thread(migrate, "foundation", url, schema)
    return Database(url, schema, pool_size=5)


async def test_nsf2_same_seed_and_pool_give_the_same_draw_in_two_databases(
    platform: Platform, backend: str, tmp_path: Path
) -> None:
    """NSF-2 reproducibility: two foundation databases holding the same applications draw from the same
    pool with the same seed and get the same assignments (and the same pool hash)."""
    p = platform
    w = await basic_world(p, applications=5)
    first = await draw(p.c, (await create_round(p.c, w))["id"])
    # the pool as it was: the first draw's load reports taken back (the foundation reports per reviewer)
    service = headers(kind="service", subject="foundation")
    for rid in w.reviewers.values():
        r = await p.projects.put(
            f"{PROJECTS}/internal/reviewers/{rid}/load", json={"open_assignments": 0}, headers=service
        )
        assert r.status_code == 200, r.text

    db_b = await _second_foundation_db(backend, tmp_path)
    app_b = create_foundation(settings(), database=db_b)
    try:
        async with running(app_b) as c_b:
            await app_b.state.http.aclose()
            app_b.state.http = InternalClient(TEST_SECRET, caller="foundation", transport=p.link, retries=0)
            app_b.state.settings = settings().model_copy(update={"projects_url": "http://projects"})
            w_b = World(reviewers=w.reviewers)
            await make_plan(db_b, w_b)
            for n in range(1, 6):
                await add_application(db_b, w_b, n)
            second = await draw(c_b, (await create_round(c_b, w_b))["id"])
    finally:
        await db_b.dispose()
    assert second["round"]["draw"]["pool_hash"] == first["round"]["draw"]["pool_hash"]
    assert second["round"]["draw"]["applications_hash"] == first["round"]["draw"]["applications_hash"]
    assert slots(second) == slots(first)


async def test_nsf2_verify_passes_untouched_and_names_a_tampered_assignment(platform: Platform) -> None:
    p = platform
    w = await basic_world(p)
    drawn = await draw(p.c, (await create_round(p.c, w))["id"])
    rid = drawn["round"]["id"]
    for who in (AGENCY, OFFICIAL, AUDITOR):
        r = await p.c.post(f"{RR}/{rid}/verify", headers=who)
        assert r.status_code == 200, r.text
        report = r.json()
        assert report["ok"] is True and report["differences"] == []
        assert report["seed"] == SEED and report["pool_hash"] == drawn["round"]["draw"]["pool_hash"]

    victim = w.apps[2]
    original = slots(drawn)[victim]
    intruder = next(rv for n, rv in w.reviewers.items() if n > 3 and rv not in original)
    async with p.db.sessionmaker() as session:
        await session.execute(
            update(ReviewAssignment)
            .where(
                ReviewAssignment.round_id == rid,
                ReviewAssignment.application_id == victim,
                ReviewAssignment.slot == 0,
            )
            .values(reviewer_id=intruder)
        )
        await session.commit()
    report = (await p.c.post(f"{RR}/{rid}/verify", headers=AUDITOR)).json()
    assert report["ok"] is False
    assert report["differences"] == [
        {"kind": "assignment", "application_id": victim, "expected": [intruder, *original[1:]], "actual": original}
    ]


async def test_nsf3_exclusions_name_the_rule_that_matched(platform: Platform) -> None:
    """NSF-3, one rule each: the applicant themselves (self), a team member, the same institution as the
    applicant or a team member, declared by the reviewer, declared by the applicant (relations), and one
    of the applicant's (at most 3) exclusions."""
    p = platform
    w = World()
    await make_plan(p.db, w)
    self_, team, same, team_org, by_reviewer, by_applicant, excluded = range(1, 8)
    await add_reviewer(p.projects, w, self_, id_number=applicant_id(1))
    await add_reviewer(p.projects, w, team, id_number=TEAM_MEMBER_ID)
    await add_reviewer(p.projects, w, same, organisation_uscc=UNIV_USCC)
    await add_reviewer(p.projects, w, team_org, organisation_uscc=TEAM_ORG_USCC)
    await add_reviewer(
        p.projects,
        w,
        by_reviewer,
        declared_conflicts={"people": [{"id_number": applicant_id(1), "relation": "relative"}]},
    )
    await add_reviewer(p.projects, w, by_applicant)
    await add_reviewer(p.projects, w, excluded)
    for n in range(8, 14):
        await add_reviewer(p.projects, w, n)
    await add_application(
        p.db, w, 1, relations=[reviewer_id_number(by_applicant)], exclusions=[reviewer_id_number(excluded)]
    )
    drawn = await draw(p.c, (await create_round(p.c, w))["id"])
    rid = drawn["round"]["id"]
    r = await p.c.get(f"{RR}/{rid}/exclusions", headers=AGENCY)
    assert r.status_code == 200, r.text
    rules = {w.reviewer_of[e["reviewer_id"]]: e["rules"] for e in r.json()["items"]}
    assert rules == {
        self_: ["self"],
        team: ["team_member"],
        same: ["same_institution"],
        team_org: ["same_institution"],
        by_reviewer: ["declared_by_reviewer"],
        by_applicant: ["declared_by_applicant"],
        excluded: ["applicant_exclusion"],
    }
    assert not set(slots(drawn)[w.apps[1]]) & {w.reviewers[n] for n in rules}
    # filters and the auditor's read; another agency sees nothing of it
    r = await p.c.get(f"{RR}/{rid}/exclusions", params={"reviewer_id": w.reviewers[team]}, headers=AUDITOR)
    assert [e["rules"] for e in r.json()["items"]] == [["team_member"]]
    r = await p.c.get(f"{RR}/{rid}/exclusions", params={"limit": 3}, headers=OFFICIAL)
    page = r.json()
    assert len(page["items"]) == 3 and page["next_cursor"]
    r = await p.c.get(f"{RR}/{rid}/exclusions", params={"cursor": page["next_cursor"]}, headers=OFFICIAL)
    assert len(r.json()["items"]) == 4
    assert (await p.c.get(f"{RR}/{rid}/exclusions", headers=OTHER_AGENCY)).status_code == 404


async def test_nsf3_same_institution_rule_can_be_turned_off(platform: Platform) -> None:
    """NSF-3 (configurable): with exclude_same_institution off, a colleague of the applicant may review;
    the other rules still hold."""
    p = platform
    w = World()
    await make_plan(p.db, w)
    await add_reviewer(p.projects, w, 1, organisation_uscc=UNIV_USCC)
    await add_reviewer(p.projects, w, 2, id_number=TEAM_MEMBER_ID, organisation_uscc=UNIV_USCC)
    await add_reviewer(p.projects, w, 3)
    await add_reviewer(p.projects, w, 4)
    await add_application(p.db, w, 1)
    rnd = await create_round(p.c, w, exclude_same_institution=False)
    assert rnd["settings"]["exclude_same_institution"] is False
    drawn = await draw(p.c, rnd["id"])
    assert sorted(slots(drawn)[w.apps[1]]) == sorted(w.reviewers[n] for n in (1, 3, 4))
    rules = {
        w.reviewer_of[e["reviewer_id"]]: e["rules"]
        for e in (await p.c.get(f"{RR}/{rnd['id']}/exclusions", headers=AGENCY)).json()["items"]
    }
    assert rules == {2: ["team_member"]}


async def test_nsf2_similar_subjects_go_to_the_same_reviewer_group(platform: Platform) -> None:
    """NSF-2: two applications of one discipline with overlapping keywords share reviewers where the
    pool allows; two of the same discipline on unrelated subjects do not (the load is spread)."""
    p = platform
    w = World()
    await make_plan(p.db, w)
    for n in range(1, 15):
        await add_reviewer(p.projects, w, n)
    await add_application(p.db, w, 1, keywords=["黑土地", "遥感", "深度学习"])
    await add_application(p.db, w, 2, keywords=["黑土地", "遥感", "作物"])
    await add_application(p.db, w, 3, discipline_code="F0205", keywords=["量子", "拓扑"])
    await add_application(p.db, w, 4, discipline_code="F0205", keywords=["湿地", "候鸟"])
    drawn = await draw(p.c, (await create_round(p.c, w))["id"])
    chosen = slots(drawn)
    assert drawn["subject_groups"] == 3
    assert set(chosen[w.apps[1]]) & set(chosen[w.apps[2]])  # one subject group: shared reviewers
    assert not set(chosen[w.apps[3]]) & set(chosen[w.apps[4]])  # unrelated subjects: no sharing


async def test_nsf2_key_category_draws_five_reviewers_and_reports_shortfalls(platform: Platform) -> None:
    """NSF-2 (configurable per category): 5 reviewers for a key project; what the pool cannot staff is a
    shortfall, never an error."""
    p = platform
    w = World()
    await make_plan(p.db, w)
    for n in range(1, 7):
        await add_reviewer(p.projects, w, n)
    await add_application(p.db, w, 1, category="key")
    await add_application(p.db, w, 2, category="key")
    rnd = await create_round(p.c, w, category="key", load_cap=1)
    assert rnd["settings"]["reviewers_per_application"] == 5
    drawn = await draw(p.c, rnd["id"])
    chosen = slots(drawn)
    assert sum(len(v) for v in chosen.values()) == 6  # every reviewer once (cap 1), 10 slots wanted
    short = {s["application_id"]: s for s in drawn["round"]["shortfalls"]}
    assert set(short) == {a for a, v in chosen.items() if len(v) < 5} and short
    for app_id, s in short.items():
        assert s["needed"] == 5 and s["assigned"] == len(chosen[app_id]) and s["reason"] == "load_cap_reached"


async def test_draw_refused_with_503_when_projects_is_down_and_nothing_is_written(platform: Platform) -> None:
    """ARCHITECTURE rule 1: the pool does not answer → 503 with Retry-After; the round stays a draft,
    no assignment, no exclusion, no frozen input, every application still accepted."""
    p = platform
    w = await basic_world(p)
    rnd = await create_round(p.c, w)
    p.link.down = True
    r = await p.c.post(f"{RR}/{rnd['id']}/draw", json={"seed": SEED}, headers=AGENCY)
    assert r.status_code == 503 and r.json()["code"] == "dependency_unavailable" and r.headers["Retry-After"]
    got = (await p.c.get(f"{RR}/{rnd['id']}", headers=AGENCY)).json()
    assert got["status"] == "draft" and got["draw"] is None and got["version"] == rnd["version"]
    assert await count(p, ReviewAssignment) == 0 and await count(p, ReviewExclusion) == 0
    assert await count(p, ReviewRoundInput) == 0
    assert set((await statuses(p, w)).values()) == {"accepted"}
    p.link.down = False
    assert (await draw(p.c, rnd["id"]))["round"]["status"] == "drawn"


async def test_draw_rolled_back_when_the_load_report_fails(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    """The load reported to the pool after the database work fails → 503, and the whole draw is rolled
    back (round, rows, application moves)."""
    p = platform
    w = await basic_world(p)
    rnd = await create_round(p.c, w)
    inner = p.link.handle_async_request

    async def failing_loads(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT" and request.url.path.endswith(("/load", "/loads")):
            raise httpx.ConnectError("connection refused", request=request)
        return await inner(request)

    monkeypatch.setattr(p.link, "handle_async_request", failing_loads)
    r = await p.c.post(f"{RR}/{rnd['id']}/draw", json={"seed": SEED}, headers=AGENCY)
    assert r.status_code == 503 and r.headers["Retry-After"]
    assert (await p.c.get(f"{RR}/{rnd['id']}", headers=AGENCY)).json()["status"] == "draft"
    assert await count(p, ReviewAssignment) == 0 and await count(p, ReviewRoundInput) == 0
    assert set((await statuses(p, w)).values()) == {"accepted"}
    assert await count(p, common.history, common.history.action == "start_review") == 0
    monkeypatch.setattr(p.link, "handle_async_request", inner)
    assert (await draw(p.c, rnd["id"]))["round"]["status"] == "drawn"


async def test_roles_and_object_level_access(platform: Platform) -> None:
    p = platform
    w = await basic_world(p)
    # only the plan's staff set a round up; an agency the plan does not list finds no plan
    r = await p.c.post(
        RR, json={"plan_id": w.plan_id, "category_id": w.categories["general"], "title": "x"}, headers=OTHER_AGENCY
    )
    assert r.status_code == 404
    for who in (APPLICANT, AUDITOR, headers("reviewer", subject="rv-4")):
        r = await p.c.post(
            RR, json={"plan_id": w.plan_id, "category_id": w.categories["general"], "title": "x"}, headers=who
        )
        assert r.status_code == 403, who
    rnd = await create_round(p.c, w, who=OFFICIAL)
    rid = rnd["id"]
    # another agency: as if it did not exist; applicants and reviewers: not for them
    for path in (f"{RR}/{rid}", f"{RR}/{rid}/history", f"{RR}/{rid}/assignments", f"{RR}/{rid}/exclusions"):
        assert (await p.c.get(path, headers=OTHER_AGENCY)).status_code == 404, path
        assert (await p.c.get(path, headers=APPLICANT)).status_code == 403, path
    assert (await p.c.get(RR, headers=OTHER_AGENCY)).json()["items"] == []
    assert (await p.c.post(f"{RR}/{rid}/draw", json={}, headers=OTHER_AGENCY)).status_code == 404
    # the auditor reads but does not draw
    got = await p.c.get(f"{RR}/{rid}", headers=AUDITOR)
    assert got.status_code == 200 and got.json()["allowed_actions"] == []
    r = await p.c.post(f"{RR}/{rid}/draw", json={}, headers=AUDITOR)
    assert r.status_code == 403
    # verify before the draw: nothing to verify
    r = await p.c.post(f"{RR}/{rid}/verify", headers=AUDITOR)
    assert r.status_code == 409 and r.json()["code"] == "review_round_not_drawn"
    # the official draws too
    assert (await draw(p.c, rid, who=OFFICIAL))["round"]["status"] == "drawn"
    listed = (await p.c.get(RR, params={"plan_id": w.plan_id, "status": "drawn"}, headers=AGENCY)).json()
    assert [x["id"] for x in listed["items"]] == [rid]
    assert (await p.c.get(RR, params={"status": "drafted"}, headers=AGENCY)).status_code == 422


async def test_round_settings_are_validated(platform: Platform) -> None:
    """NSF-4: at least 3 valid reviews and never more than the category's reviewers; bad input is a 4xx."""
    p = platform
    w = World()
    await make_plan(p.db, w)
    other = World()
    await make_plan(p.db, other, status="draft", plan_id=None)
    base = {"plan_id": w.plan_id, "category_id": w.categories["general"], "title": "轮次"}
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"min_valid": 4}, 422, "above_reviewers_per_application"),
        ({"min_valid": 2}, 422, "greater_than_equal"),
        ({"discipline_prefixes": ["f02"]}, 422, "string_pattern_mismatch"),
        ({"load_cap": 0}, 422, "greater_than_equal"),
        ({"review_due_at": "2026-07-01T00:00:00"}, 422, "timezone_aware"),  # no offset
        ({"category_id": other.categories["general"]}, 422, "unknown_category"),
        ({"plan_id": other.plan_id, "category_id": other.categories["general"]}, 409, "plan_not_published"),
        ({"plan_id": 2**62}, 404, "not_found"),
        ({"status": "drawn"}, 422, "unknown_field"),  # mass assignment
    ]
    for change, status, code in cases:
        r = await p.c.post(RR, json=base | change, headers=AGENCY)
        assert r.status_code == status, (change, r.text)
        problem = r.json()
        codes = [e["code"] for e in problem.get("errors", [])] if status == 422 else [problem["code"]]
        assert code in codes, (change, problem)
    assert (await p.c.get(f"{RR}/{2**62}", headers=AGENCY)).status_code == 404
    assert (await p.c.get(f"{RR}/0", headers=AGENCY)).status_code == 422
    rnd = await create_round(
        p.c,
        w,
        category="key",
        min_valid=5,
        review_due_at="2026-07-01T17:00:00+08:00",
        discipline_prefixes=["F02", "F02"],
    )
    assert rnd["settings"]["min_valid"] == 5 and rnd["discipline_prefixes"] == ["F02"]
    assert rnd["review_due_at"].startswith("2026-07-01T17:00:00")


async def test_no_application_to_draw_is_a_409(platform: Platform) -> None:
    p = platform
    w = World()
    await make_plan(p.db, w)
    await add_application(p.db, w, 1, status="endorsed")  # not yet accepted at formal review
    rnd = await create_round(p.c, w)
    r = await p.c.post(f"{RR}/{rnd['id']}/draw", json={}, headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "review_round_no_applications"


async def test_discipline_prefixes_narrow_the_round_and_the_pool(platform: Platform) -> None:
    p = platform
    w = World()
    await make_plan(p.db, w)
    for n in range(1, 5):
        await add_reviewer(p.projects, w, n)
    for n in range(5, 9):
        await add_reviewer(p.projects, w, n, discipline_codes=["H0101"])
    await add_application(p.db, w, 1)
    await add_application(p.db, w, 2, discipline_code="H0101")
    drawn = await draw(p.c, (await create_round(p.c, w, discipline_prefixes=["F02"]))["id"])
    assert list(slots(drawn)) == [w.apps[1]]
    assert set(slots(drawn)[w.apps[1]]) <= {w.reviewers[n] for n in range(1, 5)}
    assert await statuses(p, w) == {w.apps[1]: "in_review", w.apps[2]: "accepted"}
    # the rest of the category in another round
    drawn = await draw(p.c, (await create_round(p.c, w, discipline_prefixes=["H"]))["id"])
    assert set(slots(drawn)[w.apps[2]]) <= {w.reviewers[n] for n in range(5, 9)}


async def test_draw_seed_generated_if_match_and_idempotency_key(platform: Platform) -> None:
    p = platform
    w = await basic_world(p)
    key = {"Idempotency-Key": "round-create-1"}
    body = {"plan_id": w.plan_id, "category_id": w.categories["general"], "title": "通讯评审"}
    first = await p.c.post(RR, json=body, headers=AGENCY | key)
    again = await p.c.post(RR, json=body, headers=AGENCY | key)
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert (await p.c.post(RR, json=body | {"title": "另一个"}, headers=AGENCY | key)).status_code == 409
    rid = first.json()["id"]
    etag = (await p.c.get(f"{RR}/{rid}", headers=AGENCY)).headers["ETag"]
    r = await p.c.post(f"{RR}/{rid}/draw", json={}, headers=AGENCY | {"If-Match": f'"review_round-{rid}-v9"'})
    assert r.status_code == 412
    dkey = {"Idempotency-Key": "draw-1", "If-Match": etag}
    r1 = await p.c.post(f"{RR}/{rid}/draw", json={}, headers=AGENCY | dkey)
    r2 = await p.c.post(f"{RR}/{rid}/draw", json={}, headers=AGENCY | dkey)
    assert r1.status_code == r2.status_code == 200 and r1.json() == r2.json()
    info = r1.json()["round"]["draw"]
    assert info["seed_generated"] is True and 0 <= info["seed"] < 2**63
    assert await count(p, ReviewRound, ReviewRound.status == "drawn") == 1
    assert r1.headers["ETag"] != etag
