"""Approval lists proposed from a review round (NSF-4, PRJ-2): the list follows the closed round's
ranking — its order, each item's rank and score there — whatever order the agency typed; every
application named must be ranked in that round (not lacking reviews, not outside it); an open round
is a 409; bad references are 422."""

from __future__ import annotations

from typing import Any

import httpx

from tests.services.projects.approval_helpers import approve, reviewed
from tests.services.projects.conftest import AGENCY, OFFICIAL, PREFIX, create_call
from tests.services.projects.test_review_rounds import RR, create_round, drawn_round, slots, world
from tests.services.projects.test_reviews import assignment_id, review, who, write_and_submit

L = f"{PREFIX}/approval-lists"


async def reviewed_round(client: httpx.AsyncClient, *, close: bool = True) -> tuple[Any, dict[str, Any], list[int]]:
    """Three applications drawn in one round: a1 scored 60, a2 scored 90 (3 reviews each), a3 with 2
    reviews only (NSF-4: lacking reviews, no rank); the round closed unless ``close`` is off."""
    w = await world(client, applications=3)
    drawn = await drawn_round(client, w)
    chosen = slots(drawn)
    a1, a2, a3 = (a["id"] for a in w.apps)
    for app, score, count in ((a1, 60, 3), (a2, 90, 3), (a3, 80, 2)):
        for reviewer_id in chosen[app][:count]:
            me = who(w, reviewer_id)
            await write_and_submit(client, me, await assignment_id(client, me, app), review("A", "fundable", score))
    if close:
        r = await client.post(f"{RR}/{drawn['round']['id']}/close", headers=AGENCY)
        assert r.status_code == 200, r.text
    return w, drawn["round"], [a1, a2, a3]


def body(call_id: int, items: list[tuple[int, str]], **extra: Any) -> dict[str, Any]:
    return {"call_id": call_id, "items": [{"application_id": a, "amount": amount} for a, amount in items]} | extra


async def test_nsf4_prj2_a_list_from_a_review_round_follows_its_ranking(client) -> None:
    """NSF-4: the list takes the round's order and scores, not the order the agency typed."""
    w, rnd, (a1, a2, _) = await reviewed_round(client)
    r = await client.post(
        L,
        json=body(
            w.call["id"],
            [(a1, "300000.00"), (a2, "400000.00")],
            ranking_source="review_round",
            review_round_id=rnd["id"],
        ),
        headers=AGENCY,
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["review_round_id"] == rnd["id"] and made["ranking_reference"] == str(rnd["id"])
    expected = [(a2, 1, 1, "90.0000", "400000.00"), (a1, 2, 2, "60.0000", "300000.00")]
    assert [
        (i["application_id"], i["rank"], i["review_rank"], i["review_score"], i["amount"]) for i in made["items"]
    ] == expected
    shown = (await client.get(f"{L}/{made['id']}", headers=OFFICIAL)).json()
    assert [(i["application_id"], i["review_rank"], i["review_score"]) for i in shown["items"]] == [
        (a2, 1, "90.0000"),
        (a1, 2, "60.0000"),
    ]
    approved = await approve(client, made["id"])
    assert approved["status"] == "approved" and approved["total_amount"] == "700000.00"
    again = await client.post(
        L,
        json=body(w.call["id"], [(a1, "1.00")], ranking_source="review_round", review_round_id=rnd["id"]),
        headers=AGENCY,
    )
    assert again.status_code == 409 and again.json()["code"] == "application_not_reviewed"  # approved already


async def test_nsf4_only_applications_ranked_in_the_round(client) -> None:
    """NSF-4: an application lacking reviews has no rank (409); one outside the round is refused (422)."""
    w, rnd, (a1, a2, a3) = await reviewed_round(client)
    outsider = await reviewed(client, w.call, 40)  # an application of the call, reviewed, not in the round
    from_round = {"ranking_source": "review_round", "review_round_id": rnd["id"]}
    r = await client.post(L, json=body(w.call["id"], [(a1, "1.00"), (a3, "1.00")], **from_round), headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "application_not_ranked", r.text
    assert r.json()["application_ids"] == [a3]
    r = await client.post(
        L, json=body(w.call["id"], [(a2, "1.00"), (outsider["id"], "1.00")], **from_round), headers=AGENCY
    )
    assert r.status_code == 422 and r.json()["errors"] == [
        {
            "field": "items.1.application_id",
            "code": "not_in_round",
            "message": f"申报书 {outsider['id']} 不在该评审轮次中",
        }
    ]
    r = await client.post(
        L,
        json=body(
            w.call["id"],
            [(a2, "1.00")],
            **from_round,
            not_funded=[{"application_id": outsider["id"], "reason": "不在本轮"}],
        ),
        headers=AGENCY,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "not_funded.0.application_id"
    # without a round, the outsider may be proposed by hand
    manual = await client.post(L, json=body(w.call["id"], [(outsider["id"], "1.00")]), headers=AGENCY)
    assert manual.status_code == 201, manual.text
    assert manual.json()["items"][0]["review_rank"] is None and manual.json()["review_round_id"] is None


async def test_nsf4_an_open_round_and_bad_references(client) -> None:
    """NSF-4: the ranking exists once the round is closed (409 before); references are checked (422)."""
    w, rnd, (a1, a2, _) = await reviewed_round(client, close=False)
    items = [(a1, "1.00")]
    r = await client.post(
        L, json=body(w.call["id"], items, ranking_source="review_round", review_round_id=rnd["id"]), headers=AGENCY
    )
    assert r.status_code == 409 and r.json()["code"] == "review_round_not_closed", r.text
    other_call = await create_call(client, w.programme["id"], title="另一份指南")
    other_round = await create_round(client, other_call)
    cases = [
        ({"review_round_id": rnd["id"]}, "review_round_id", "not_with_manual_ranking"),
        ({"ranking_source": "review_round"}, "review_round_id", "required"),
        ({"ranking_source": "review_round", "ranking_reference": "第一轮"}, "review_round_id", "required"),
        ({"ranking_source": "review_round", "review_round_id": 2**62}, "review_round_id", "unknown_review_round"),
        (
            {"ranking_source": "review_round", "review_round_id": other_round["id"]},
            "review_round_id",
            "round_not_of_call",
        ),
        (
            {"ranking_source": "review_round", "review_round_id": rnd["id"], "ranking_reference": str(rnd["id"] + 1)},
            "ranking_reference",
            "round_mismatch",
        ),
    ]
    for extra, field, code in cases:
        r = await client.post(L, json=body(w.call["id"], items, **extra), headers=AGENCY)
        assert r.status_code == 422, (extra, r.text)
        assert (r.json()["errors"][0]["field"], r.json()["errors"][0]["code"]) == (field, code), extra
    # closed, the numeric ranking_reference alone names the round (as before review_round_id existed)
    assert (await client.post(f"{RR}/{rnd['id']}/close", headers=AGENCY)).status_code == 200
    r = await client.post(
        L,
        json=body(
            w.call["id"], [(a1, "1.00"), (a2, "2.00")], ranking_source="review_round", ranking_reference=str(rnd["id"])
        ),
        headers=AGENCY,
    )
    assert r.status_code == 201, r.text
    assert [i["application_id"] for i in r.json()["items"]] == [a2, a1]
