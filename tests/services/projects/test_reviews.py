"""A reviewer's side of a round through the API (NSF-2, NSF-4): only their own assignments, never
the leader's ID number or another reviewer's scores; a decline re-draws that slot alone; drafts
with If-Match, a submitted review is final (409); close aggregates (mean, trimmed mean from 5,
lacking reviews under 3) and the ranking per call and topic shows the tie-break."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.services.projects.conftest import AGENCY, OFFICIAL, PREFIX, headers
from tests.services.projects.test_review_rounds import RR, drawn_round, leader_id, reviewer_caller, slots, world

ASG = f"{PREFIX}/review-assignments"
FULL = {
    "scores": {"innovation": "90", "feasibility": "80", "team": "70", "benefit": "60"},
    "grade": "A",
    "opinion": "priority",
    "comments": {"innovation": "选题新颖", "overall": "建议资助"},
}


def who(w: Any, reviewer_id: int) -> dict[str, str]:
    n = next(n for n, r in w.reviewers.items() if r["id"] == reviewer_id)
    return reviewer_caller(n)


async def assignment_id(client: httpx.AsyncClient, caller: dict[str, str], application_id: int) -> int:
    items = (await client.get(ASG, headers=caller)).json()["items"]
    return next(a["id"] for a in items if a["application_id"] == application_id)


async def write_and_submit(client: httpx.AsyncClient, caller: dict[str, str], aid: int, body: dict[str, Any]) -> None:
    r = await client.put(f"{ASG}/{aid}/review", json=body, headers=caller)
    assert r.status_code == 200, r.text
    r = await client.post(f"{ASG}/{aid}/review/submit", headers=caller | {"If-Match": r.headers["etag"]})
    assert r.status_code == 200, r.text


async def test_reviewer_sees_only_own_assignments_without_id_numbers(client) -> None:
    w = await world(client)
    drawn = await drawn_round(client, w)
    chosen = slots(drawn)
    first_app = w.apps[0]["id"]
    mine, other = chosen[first_app][0], chosen[first_app][1]
    me = who(w, mine)
    items = (await client.get(ASG, headers=me)).json()["items"]
    assert {a["application_id"] for a in items} == {a for a, ids in chosen.items() if mine in ids}
    view = items[0]
    assert view["status"] == "assigned" and view["round_status"] == "drawn" and "review" not in view
    assert [c["code"] for c in view["criteria"]] == ["innovation", "feasibility", "team", "benefit"]
    r = await client.get(f"{ASG}/{view['id']}/application", headers=me)
    assert r.status_code == 200, r.text
    assert set(r.json()) >= {"title", "abstract", "keywords", "requested_total", "budget_lines"}
    text = json.dumps([items, r.json()], ensure_ascii=False)
    for n in range(1, 4):
        assert leader_id(n) not in text and leader_id(n)[-4:] + '"' not in text  # no ID number, not even masked
    assert "id_number" not in text and "leader" not in text
    # another reviewer's assignment is a 404, whatever the action
    theirs = await assignment_id(client, who(w, other), first_app)
    for method, path in (
        ("GET", ""),
        ("GET", "/application"),
        ("GET", "/review"),
        ("PUT", "/review"),
        ("POST", "/review/submit"),
        ("POST", "/decline"),
    ):
        body = FULL if method == "PUT" else ({"reason": "x"} if path == "/decline" else None)
        r = await client.request(method, f"{ASG}/{theirs}{path}", json=body, headers=me)
        assert r.status_code == 404, (path, r.text)
    # a reviewer account with no pool entry sees nothing; other roles are refused
    assert (await client.get(ASG, headers=headers("reviewer", subject="nobody"))).json()["items"] == []
    assert (await client.get(ASG, headers=AGENCY)).status_code == 403
    assert (await client.get(f"{RR}/{drawn['round']['id']}", headers=me)).status_code == 403


async def test_nsf2_decline_draws_that_slot_alone_again(client) -> None:
    w = await world(client)
    drawn = await drawn_round(client, w)
    rid = drawn["round"]["id"]
    before = {a["application_id"]: a["reviewers"] for a in drawn["assignments"]}
    app = w.apps[1]["id"]
    leaving = before[app][1]
    me = who(w, leaving["reviewer_id"])
    aid = leaving["assignment_id"]
    assert (await client.post(f"{ASG}/{aid}/decline", json={}, headers=me)).status_code == 422  # reason required
    r = await client.post(f"{ASG}/{aid}/decline", json={"reason": "与申请人有合作关系"}, headers=me)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "declined" and r.json()["release_reason"] == "与申请人有合作关系"
    assert r.json()["replaced"] is True
    after = {
        a["application_id"]: a["reviewers"]
        for a in (await client.get(f"{RR}/{rid}/assignments", headers=AGENCY)).json()["items"]
    }
    for other_app, rows in before.items():
        if other_app != app:
            assert after[other_app] == rows  # every other slot stays as it was
    holding = [s for s in after[app] if s["status"] == "assigned"]
    assert [s["reviewer_id"] for s in holding if s["slot"] != 1] == [
        before[app][0]["reviewer_id"],
        before[app][2]["reviewer_id"],
    ]
    new = next(s for s in holding if s["slot"] == 1)
    assert new["replaces_id"] == aid and new["reviewer_id"] not in {s["reviewer_id"] for s in before[app]}
    assert new["reviewer_id"] not in {w.reviewers[n]["id"] for n in (1, 2)}  # still conflict-free (NSF-3)
    # the declined slot is no longer the reviewer's to review: shown as declined, the application and the
    # review closed to them; the draw still verifies with the replacement replayed
    assert (await client.get(f"{ASG}/{aid}", headers=me)).json()["status"] == "declined"
    r = await client.get(f"{ASG}/{aid}/application", headers=me)
    assert r.status_code == 409 and r.json()["code"] == "assignment_released"
    r = await client.put(f"{ASG}/{aid}/review", json=FULL, headers=me)
    assert r.status_code == 409 and r.json()["code"] == "assignment_not_open"
    report = (await client.post(f"{RR}/{rid}/verify", headers=AGENCY)).json()
    assert report["ok"] is True, report
    assert (await client.get(f"{RR}/{rid}", headers=AGENCY)).json()["draw"]["replacements"] == 1


async def test_nsf4_draft_with_if_match_then_a_submitted_review_is_final(client) -> None:
    w = await world(client, applications=1)
    drawn = await drawn_round(client, w)
    rid = drawn["round"]["id"]
    app = w.apps[0]["id"]
    first, second = slots(drawn)[app][:2]
    me = who(w, first)
    aid = await assignment_id(client, me, app)
    url = f"{ASG}/{aid}/review"
    assert (await client.get(url, headers=me)).status_code == 404  # nothing written yet
    r = await client.put(url, json={"scores": {"innovation": "85"}, "grade": "B"}, headers=me)
    assert r.status_code == 200 and r.json()["status"] == "draft" and r.json()["version"] == 1
    etag = r.headers["etag"]
    # bad content is a 422 with stable codes
    for bad, code in (
        ({"scores": {"novelty": "1"}}, "unknown_criterion"),
        ({"scores": {"innovation": "101"}}, "score_out_of_range"),
        ({"comments": {"nonsense": "x"}}, "unknown_criterion"),
    ):
        r = await client.put(url, json=bad, headers=me | {"If-Match": etag})
        assert r.status_code == 422 and r.json()["errors"][0]["code"] == code, r.text
    assert (await client.put(url, json={"grade": "E"}, headers=me | {"If-Match": etag})).status_code == 422
    # an existing draft needs If-Match; a stale one is a 412
    assert (await client.put(url, json=FULL, headers=me)).status_code == 428
    r = await client.put(url, json=FULL, headers=me | {"If-Match": f'"review-{aid}-v9"'})
    assert r.status_code == 412
    # an incomplete review cannot be submitted (NSF-4: only complete reviews count)
    r = await client.post(f"{url}/submit", headers=me)
    assert r.status_code == 422 and {e["field"] for e in r.json()["errors"]} >= {"opinion", "scores.benefit"}
    r = await client.put(url, json=FULL, headers=me | {"If-Match": etag})
    assert r.status_code == 200 and r.json()["version"] == 2
    r = await client.post(f"{url}/submit", headers=me | {"If-Match": r.headers["etag"]})
    assert r.status_code == 200 and r.json()["status"] == "submitted" and r.json()["submitted_at"].endswith("+08:00")
    etag = r.headers["etag"]
    for method, path, body in (("PUT", "", FULL), ("POST", "/submit", None)):
        r = await client.request(method, url + path, json=body, headers=me | {"If-Match": etag})
        assert r.status_code == 409 and r.json()["code"] == "review_already_submitted", r.text
    r = await client.post(f"{ASG}/{aid}/decline", json={"reason": "太忙"}, headers=me)
    assert r.status_code == 409 and r.json()["code"] == "assignment_not_open"
    # another reviewer of the same application never sees these scores
    peer = who(w, second)
    peer_aid = await assignment_id(client, peer, app)
    peer_view = (await client.get(f"{ASG}/{peer_aid}", headers=peer)).json()
    peer_app = (await client.get(f"{ASG}/{peer_aid}/application", headers=peer)).json()
    assert "选题新颖" not in json.dumps([peer_view, peer_app], ensure_ascii=False)
    assert (await client.get(url, headers=peer)).status_code == 404
    assert (await client.get(f"{ASG}/{aid}", headers=me)).json()["status"] == "submitted"
    assert (await client.get(url, headers=me)).json()["scores"]["innovation"] == "90"
    # after the close nothing changes any more
    assert (await client.post(f"{RR}/{rid}/close", headers=AGENCY)).status_code == 200
    r = await client.put(f"{ASG}/{peer_aid}/review", json=FULL, headers=peer)
    assert r.status_code == 409 and r.json()["code"] == "review_round_closed"


def review(grade: str, opinion: str, score: int) -> dict[str, Any]:
    return {
        "scores": dict.fromkeys(("innovation", "feasibility", "team", "benefit"), str(score)),
        "grade": grade,
        "opinion": opinion,
    }


async def test_nsf4_close_aggregates_and_ranks_per_call_and_topic_with_the_tie_break(client) -> None:
    w = await world(client, applications=4, free_reviewers=12)
    drawn = await drawn_round(client, w, category="key", load_cap=4)  # NSF-2: 5 reviewers each
    rid = drawn["round"]["id"]
    chosen = slots(drawn)
    a1, a2, a3, a4 = (a["id"] for a in w.apps)
    assert all(len(chosen[a]) == 5 for a in (a1, a2, a3, a4))
    r = await client.get(f"{RR}/{rid}/ranking", headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "review_round_not_closed"
    plan = {
        a1: [90, 80, 70, 60, 10],  # 5 valid: trimmed mean of 80, 70, 60 = 70 (the plain mean is 62)
        a2: [70, 70, 70],  # mean 70: ties a1 on score; a1 wins on priority opinions
        a3: [50, 50],  # 2 valid: lacking reviews (NSF-4 needs 3)
        a4: [40, 40, 40],
    }
    for app, scores in plan.items():
        for rank, (reviewer_id, score) in enumerate(zip(chosen[app], scores, strict=False)):
            me = who(w, reviewer_id)
            opinion = "priority" if app == a1 and rank < 2 else "fundable"
            await write_and_submit(client, me, await assignment_id(client, me, app), review("A", opinion, score))
    # a draft does not count
    spare = who(w, chosen[a3][2])
    r = await client.put(
        f"{ASG}/{await assignment_id(client, spare, a3)}/review", json=review("A", "priority", 99), headers=spare
    )
    assert r.status_code == 200
    r = await client.post(f"{RR}/{rid}/close", headers=AGENCY)
    assert r.status_code == 200, r.text
    closed = r.json()
    assert closed["round"]["status"] == "closed" and closed["round"]["allowed_actions"] == []
    assert sorted(closed["reviewed"]) == sorted([a1, a2, a4])
    assert [x["application_id"] for x in closed["lacking"]] == [a3]
    results = {x["application_id"]: x for x in closed["results"]}
    assert results[a1]["valid_reviews"] == 5 and results[a1]["trimmed"] is True
    assert results[a1]["score"] == "70.0000" and results[a1]["mean"] == "62.0000"
    assert results[a3]["status"] == "lacking_reviews" and results[a3]["ignored_reviews"] == 1
    assert results[a3]["rank"] is None
    for app, status in ((a1, "reviewed"), (a2, "reviewed"), (a3, "in_review"), (a4, "reviewed")):
        assert (await client.get(f"{PREFIX}/applications/{app}", headers=AGENCY)).json()["status"] == status
    ranking = (await client.get(f"{RR}/{rid}/ranking", headers=OFFICIAL)).json()
    assert ranking["tie_break"][:3] == ["score (desc)", "priority opinions (desc)", "valid reviews (desc)"]
    (group,) = ranking["groups"]
    assert group["group"]["call_id"] == w.call["id"] and group["group"]["topic_code"] == "T01"
    order = [(e["application_id"], e["rank"], e["tied_on_score"]) for e in group["entries"]]
    assert order == [(a1, 1, False), (a2, 2, True), (a4, 3, False), (a3, None, False)]
    assert (await client.post(f"{RR}/{rid}/close", headers=AGENCY)).status_code == 409
    # the pool's load from this round is released
    entry = (await client.get(f"{PREFIX}/reviewers/{chosen[a1][0]}", headers=OFFICIAL)).json()
    assert entry["current_load"] == 0
