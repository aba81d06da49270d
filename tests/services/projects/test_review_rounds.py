"""Review rounds through the API (NSF-2, NSF-3): set up by officials or the entrusted agency, drawn
by the agency with every hard constraint met, reproducible (same seed and pool, same assignments;
verify matches; a tampered row is reported), exclusions shown with their rule ids, roles and
object-level access (PRJ-2), If-Match and Idempotency-Key on the draw."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import httpx
from sqlalchemy import select, update

from services.projects.review_rounds.models import ReviewAssignment, ReviewRoundInput
from shared.review.conflicts import explain
from shared.review.draw import draw
from shared.review.model import RoundSettings
from shared.review.stored import application_from_snapshot, reviewer_from_snapshot
from tests.services.projects.conftest import (
    AGENCY,
    APPLICANT,
    AUDITOR,
    OFFICIAL,
    ORG_ADMIN,
    OTHER_AGENCY,
    PREFIX,
    UNIV_USCC,
    act,
    create_application,
    create_call,
    create_programme,
    headers,
    make_resident_id,
    make_uscc,
)

RR = f"{PREFIX}/review-rounds"
TEAM_MEMBER_ID = make_resident_id(date(1990, 1, 2), seq="456")  # the team member of application_body


def leader_id(n: int) -> str:
    return make_resident_id(date(1975, 1, 1 + n), seq=f"{300 + n}")


def reviewer_user(n: int) -> str:
    return f"rv-{n}"


def reviewer_caller(n: int) -> dict[str, str]:
    return headers("reviewer", subject=reviewer_user(n))


async def add_reviewer(client: httpx.AsyncClient, n: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": f"专家{n}",
        "id_number": make_resident_id(date(1960, 1, 1 + n), region="220104", seq=f"{500 + n}"),
        "user_id": reviewer_user(n),
        "organisation_name": f"评审单位{n}",
        "organisation_uscc": make_uscc(f"1222000041276{n:04d}"),
        "title": "研究员",
        "discipline_codes": ["F0203"],
        "keywords": ["黑土地"],
    } | overrides
    r = await client.post(f"{PREFIX}/reviewers", json=body, headers=OFFICIAL)
    assert r.status_code == 201, r.text
    return r.json()


async def accepted_application(
    client: httpx.AsyncClient, call: dict[str, Any], n: int, **overrides: Any
) -> dict[str, Any]:
    leader = {"name": f"申请人{n}", "id_number": leader_id(n), "title": "教授"}
    app = await create_application(client, call, leader=leader, title=f"黑土地保育关键技术研究{n}", **overrides)
    for action, who in (("submit", APPLICANT), ("endorse", ORG_ADMIN), ("accept", AGENCY)):
        app = await act(client, app["id"], action, who)
    return app


class World:
    """A programme, a published call, accepted applications and a reviewer pool with conflicts:
    reviewer 1 works at the applicants' university (same_institution), reviewer 2 is the team
    member of every application (team_member), reviewer 3 declared the leader of the first
    application a co-author (declared_by_reviewer); the rest are free."""

    def __init__(self) -> None:
        self.programme: dict[str, Any] = {}
        self.call: dict[str, Any] = {}
        self.apps: list[dict[str, Any]] = []
        self.reviewers: dict[int, dict[str, Any]] = {}


async def world(client: httpx.AsyncClient, *, applications: int = 3, free_reviewers: int = 9) -> World:
    w = World()
    w.programme = await create_programme(client)
    w.call = await create_call(client, w.programme["id"])
    w.apps = [await accepted_application(client, w.call, n) for n in range(1, applications + 1)]
    w.reviewers[1] = await add_reviewer(client, 1, organisation_uscc=UNIV_USCC, organisation_name="吉林大学")
    w.reviewers[2] = await add_reviewer(client, 2, id_number=TEAM_MEMBER_ID)
    w.reviewers[3] = await add_reviewer(
        client, 3, declared_conflicts={"people": [{"id_number": leader_id(1), "relation": "co_author"}]}
    )
    for n in range(4, 4 + free_reviewers):
        w.reviewers[n] = await add_reviewer(client, n)
    return w


async def create_round(
    client: httpx.AsyncClient, call: dict[str, Any], who: dict[str, str] = AGENCY, **overrides: Any
) -> dict[str, Any]:
    body = {"call_id": call["id"], "title": "2026年度会评", "discipline_codes": ["F0203"]} | overrides
    r = await client.post(RR, json=body, headers=who)
    assert r.status_code == 201, r.text
    return r.json()


async def drawn_round(
    client: httpx.AsyncClient, w: World, seed: int | None = 20261126, **overrides: Any
) -> dict[str, Any]:
    rnd = await create_round(client, w.call, **overrides)
    r = await client.post(f"{RR}/{rnd['id']}/draw", json={"seed": seed} if seed is not None else {}, headers=AGENCY)
    assert r.status_code == 200, r.text
    return r.json()


def slots(draw_body: dict[str, Any]) -> dict[int, list[int]]:
    return {
        a["application_id"]: [s["reviewer_id"] for s in a["reviewers"] if s["status"] in ("assigned", "submitted")]
        for a in draw_body["assignments"]
    }


async def test_nsf2_nsf3_draw_meets_every_hard_constraint_and_moves_applications_to_review(client) -> None:
    w = await world(client)
    drawn = await drawn_round(client, w, load_cap=2)
    rnd = drawn["round"]
    assert rnd["status"] == "drawn" and rnd["allowed_actions"] == ["close"] and rnd["shortfalls"] == []
    assert rnd["settings"]["reviewers_per_application"] == 3 and rnd["settings"]["trim_from"] == 5
    assert rnd["settings"]["min_valid"] == 3 and rnd["settings"]["exclude_same_institution"] is True
    assert [c["code"] for c in rnd["settings"]["criteria"]] == ["innovation", "feasibility", "team", "benefit"]
    info = rnd["draw"]
    assert info["seed"] == 20261126 and info["seed_generated"] is False
    assert info["algorithm_version"] and len(info["pool_hash"]) == 64 and len(info["applications_hash"]) == 64
    chosen = slots(drawn)
    assert set(chosen) == {a["id"] for a in w.apps}
    same_inst, team, declared = (w.reviewers[n]["id"] for n in (1, 2, 3))
    for app_id, ids in chosen.items():
        assert len(ids) == 3 and len(set(ids)) == 3  # NSF-2: k distinct reviewers
        assert same_inst not in ids and team not in ids  # NSF-3
    assert declared not in chosen[w.apps[0]["id"]]  # NSF-3: declared by the reviewer
    loads = Counter(r for ids in chosen.values() for r in ids)
    assert max(loads.values()) <= 2  # the load cap
    for app in w.apps:  # accepted → in_review, with a history row by the agency
        got = (await client.get(f"{PREFIX}/applications/{app['id']}", headers=AGENCY)).json()
        assert got["status"] == "in_review"
    # the pool's load now counts the round's open assignments
    pool_entry = (await client.get(f"{PREFIX}/reviewers/{next(iter(loads))}", headers=OFFICIAL)).json()
    assert pool_entry["current_load"] == loads[next(iter(loads))]
    # a round is drawn once
    r = await client.post(f"{RR}/{rnd['id']}/draw", json={"seed": 1}, headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"


async def test_nsf2_draw_is_reproducible_and_verify_matches(client) -> None:
    w = await world(client)
    drawn = await drawn_round(client, w)
    rid = drawn["round"]["id"]
    r = await client.post(f"{RR}/{rid}/verify", headers=OFFICIAL)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["ok"] is True and report["differences"] == []
    assert report["pool_hash"] == drawn["round"]["draw"]["pool_hash"] and report["seed"] == 20261126
    # same seed, same pool → same assignments: a fresh draw from the stored snapshot
    async with client.db.sessionmaker() as session:  # type: ignore[attr-defined]
        inputs = await session.get(ReviewRoundInput, rid)
        assert inputs is not None
        pool = [reviewer_from_snapshot(d) for d in inputs.pool]
        apps = [application_from_snapshot(d) for d in inputs.applications]
    again = draw(pool, apps, RoundSettings(), 20261126)
    assert {int(k): [int(x) for x in v] for k, v in again.assignments.items()} == slots(drawn)
    assert again.record.pool_hash == drawn["round"]["draw"]["pool_hash"]
    # every reviewer in the snapshot the NSF-3 rules exclude stays out
    for app in apps:
        for rv in pool:
            if explain(rv, app):
                assert int(rv.id) not in slots(drawn)[int(app.id)]
    # the auditor may verify too; the round is unchanged by it
    assert (await client.post(f"{RR}/{rid}/verify", headers=AUDITOR)).json()["ok"] is True


async def test_nsf2_verify_reports_a_tampered_assignment_row(client) -> None:
    w = await world(client)
    drawn = await drawn_round(client, w)
    rid = drawn["round"]["id"]
    victim_app = w.apps[1]["id"]
    used = {r for ids in slots(drawn).values() for r in ids}
    intruder = next(r["id"] for n, r in w.reviewers.items() if n > 3 and r["id"] not in slots(drawn)[victim_app])
    original = slots(drawn)[victim_app]
    async with client.db.sessionmaker() as session:  # type: ignore[attr-defined]
        row_id = (
            await session.execute(
                select(ReviewAssignment.id).where(
                    ReviewAssignment.round_id == rid,
                    ReviewAssignment.application_id == victim_app,
                    ReviewAssignment.slot == 0,
                )
            )
        ).scalar_one()
        await session.execute(
            update(ReviewAssignment).where(ReviewAssignment.id == row_id).values(reviewer_id=intruder)
        )
        await session.commit()
    report = (await client.post(f"{RR}/{rid}/verify", headers=AGENCY)).json()
    assert report["ok"] is False
    assert report["differences"] == [
        {
            "kind": "assignment",
            "application_id": victim_app,
            "expected": [intruder, *original[1:]],
            "actual": original,
        }
    ]
    assert used  # the rest of the draw is untouched: one difference only


async def test_nsf3_exclusions_are_visible_with_their_rule_ids(client) -> None:
    w = await world(client)
    drawn = await drawn_round(client, w)
    rid = drawn["round"]["id"]
    r = await client.get(f"{RR}/{rid}/exclusions", headers=AGENCY)
    assert r.status_code == 200, r.text
    found = {(e["application_id"], e["reviewer_id"]): e["rules"] for e in r.json()["items"]}
    first = w.apps[0]["id"]
    for app in w.apps:
        assert found[(app["id"], w.reviewers[1]["id"])] == ["same_institution"]
        assert found[(app["id"], w.reviewers[2]["id"])] == ["team_member"]
    assert found[(first, w.reviewers[3]["id"])] == ["declared_by_reviewer"]
    assert (w.apps[1]["id"], w.reviewers[3]["id"]) not in found
    only_first = (
        await client.get(f"{RR}/{rid}/exclusions", params={"application_id": first}, headers=OFFICIAL)
    ).json()["items"]
    assert {e["application_id"] for e in only_first} == {first} and len(only_first) == 3


async def test_nsf3_same_institution_rule_can_be_switched_off(client) -> None:
    w = await world(client, free_reviewers=1)
    drawn = await drawn_round(client, w, exclude_same_institution=False, load_cap=3)
    rules = {
        (e["application_id"], e["reviewer_id"]): e["rules"]
        for e in (await client.get(f"{RR}/{drawn['round']['id']}/exclusions", headers=AGENCY)).json()["items"]
    }
    assert all("same_institution" not in v for v in rules.values())
    # with only 3 conflict-free candidates besides reviewer 1, reviewer 1 is drawn
    assert any(w.reviewers[1]["id"] in ids for ids in slots(drawn).values())


async def test_nsf2_key_category_draws_five_and_a_generated_seed_is_recorded(client) -> None:
    w = await world(client, applications=1)
    drawn = await drawn_round(client, w, seed=None, category="key")
    assert [len(v) for v in slots(drawn).values()] == [5]
    info = drawn["round"]["draw"]
    assert info["seed_generated"] is True and 0 <= info["seed"] < 2**63
    assert (await client.post(f"{RR}/{drawn['round']['id']}/verify", headers=AGENCY)).json()["ok"] is True


async def test_draw_without_applications_and_bad_input(client) -> None:
    p = await create_programme(client)
    call = await create_call(client, p["id"])
    rnd = await create_round(client, call)
    r = await client.post(f"{RR}/{rnd['id']}/draw", headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "review_round_no_applications"
    for bad in (
        {"discipline_codes": ["f02"]},
        {"discipline_codes": []},
        {"reviewers_per_application": 0},
        {"trim_from": 2},
        {"status": "closed"},
        {"topic_id": 999999},
        {"criteria": [{"code": "a", "name": "A", "weight": "1"}, {"code": "a", "name": "B", "weight": "1"}]},
    ):
        r = await client.post(
            RR, json={"call_id": call["id"], "title": "x", "discipline_codes": ["F02"]} | bad, headers=AGENCY
        )
        assert r.status_code == 422, (bad, r.text)
    r = await client.post(f"{RR}/{rnd['id']}/draw", json={"seed": -1}, headers=AGENCY)
    assert r.status_code == 422
    assert (
        await client.post(RR, json={"call_id": 999999, "title": "x", "discipline_codes": ["F02"]}, headers=AGENCY)
    ).status_code == 404


async def test_prj2_roles_and_object_level_access(client) -> None:
    w = await world(client, applications=1)
    rnd = await create_round(client, w.call, who=OFFICIAL)  # officials set rounds up too
    rid = rnd["id"]
    url = f"{RR}/{rid}"
    # another programme's agency: the round and the call do not exist for it
    for method, path in (
        ("GET", ""),
        ("POST", "/draw"),
        ("POST", "/verify"),
        ("GET", "/exclusions"),
        ("POST", "/close"),
        ("GET", "/ranking"),
        ("GET", "/history"),
        ("GET", "/assignments"),
    ):
        r = await client.request(method, url + path, headers=OTHER_AGENCY)
        assert r.status_code == 404, (path, r.text)
    assert (await client.get(RR, headers=OTHER_AGENCY)).json()["items"] == []
    r = await client.post(
        RR, json={"call_id": w.call["id"], "title": "x", "discipline_codes": ["F02"]}, headers=OTHER_AGENCY
    )
    assert r.status_code == 404
    # applicants, org admins and reviewers are refused outright
    for who in (APPLICANT, ORG_ADMIN, reviewer_caller(4)):
        assert (await client.get(url, headers=who)).status_code == 403
        assert (await client.post(f"{url}/draw", headers=who)).status_code == 403
        assert (
            await client.post(
                RR, json={"call_id": w.call["id"], "title": "x", "discipline_codes": ["F02"]}, headers=who
            )
        ).status_code == 403
    # officials supervise but do not run the draw (PRJ-2); auditors only read
    assert (await client.post(f"{url}/draw", headers=OFFICIAL)).status_code == 403
    assert (await client.post(f"{url}/draw", headers=AUDITOR)).status_code == 403
    assert (await client.get(url, headers=AUDITOR)).status_code == 200
    r = await client.post(f"{url}/verify", headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "review_round_not_drawn"
    # a stale If-Match is a 412
    got = await client.get(url, headers=AGENCY)
    assert got.json()["allowed_actions"] == ["draw"]
    etag = got.headers["etag"]
    r = await client.post(f"{url}/draw", json={"seed": 7}, headers=AGENCY | {"If-Match": f'"review_round-{rid}-v9"'})
    assert r.status_code == 412
    r = await client.post(f"{url}/draw", json={"seed": 7}, headers=AGENCY | {"If-Match": etag})
    assert r.status_code == 200, r.text
    r = await client.post(f"{url}/close", headers=AGENCY | {"If-Match": etag})
    assert r.status_code == 412
    history = (await client.get(f"{url}/history", headers=AUDITOR)).json()
    assert [h["action"] for h in history] == ["create", "draw"]


async def test_idempotency_key_on_draw(client) -> None:
    w = await world(client, applications=1)
    rnd = await create_round(client, w.call)
    url = f"{RR}/{rnd['id']}/draw"
    key = {"Idempotency-Key": "draw-2026-0001"}
    first = await client.post(url, json={"seed": 42}, headers=AGENCY | key)
    assert first.status_code == 200, first.text
    again = await client.post(url, json={"seed": 42}, headers=AGENCY | key)
    assert again.status_code == 200 and again.headers.get("idempotent-replayed") == "true"
    assert again.json() == first.json()
    other = await client.post(url, json={"seed": 43}, headers=AGENCY | key)
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    rows = (await client.get(f"{RR}/{rnd['id']}/assignments", headers=AGENCY)).json()["items"]
    assert sum(len(a["reviewers"]) for a in rows) == 3  # drawn once
