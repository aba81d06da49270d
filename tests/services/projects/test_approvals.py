"""Approval (批准立项): the entrusted agency proposes a list of reviewed applications with amounts
within the request and the caps; an official approves or returns it; the programme's budget is never
over-approved (exactly the remainder fits, one fen more is refused with the remainder named);
roles, object-level 404s (PRJ-2), If-Match and history."""

from __future__ import annotations

from decimal import Decimal

from services.projects.approvals import rules
from tests.services.projects.approval_helpers import approve, propose, reviewed, status_of
from tests.services.projects.conftest import (
    AGENCY,
    APPLICANT,
    AUDITOR,
    OFFICIAL,
    OTHER_AGENCY,
    PREFIX,
    create_call,
    create_programme,
)

L = f"{PREFIX}/approval-lists"


async def setup(client, budget: str = "1000000.00"):
    p = await create_programme(client, budget=budget)
    call = await create_call(client, p["id"])
    return p, call


def test_budget_rule_exactly_the_remainder_fits_one_fen_more_does_not() -> None:
    assert rules.fits_budget(Decimal("1000000.00"), Decimal("400000.00"), Decimal("600000.00"))
    assert not rules.fits_budget(Decimal("1000000.00"), Decimal("400000.00"), Decimal("600000.01"))
    assert rules.remaining(Decimal("1000000.00"), Decimal("400000.00")) == Decimal("600000.00")


def test_amount_rules_request_and_tightest_cap() -> None:
    c = rules.Candidate(1, Decimal("500000.00"), Decimal("450000.00"), Decimal("1500000.00"))
    assert rules.amount_problems(0, Decimal("450000.00"), c) == []
    codes = [p["code"] for p in rules.amount_problems(2, Decimal("500000.01"), c)]
    assert codes == ["amount_over_requested", "amount_over_cap"]
    assert rules.duplicates([1, 2, 1, 3, 2, 1]) == [1, 2]


async def test_budget_edge_exactly_the_remaining_budget_vs_one_fen_over(client) -> None:
    p, call = await setup(client)
    a1, a2, a3 = [await reviewed(client, call, n) for n in (1, 2, 3)]
    first = await propose(client, call["id"], [(a1["id"], "400000.00")])
    await approve(client, first["id"])
    budget = (await client.get(f"{PREFIX}/programmes/{p['id']}/budget", headers=AGENCY)).json()
    assert budget["approved_total"] == "400000.00" and budget["remaining"] == "600000.00"
    # one fen over the remainder: refused, with the remainder in the problem; nothing moved
    over = await propose(client, call["id"], [(a2["id"], "500000.00"), (a3["id"], "100000.01")])
    problem = await approve(client, over["id"], expect=409)
    assert problem["code"] == "budget_exceeded"
    assert problem["remaining"] == "600000.00" and problem["requested"] == "600000.01"
    assert await status_of(client, a2["id"]) == "reviewed"
    assert (await client.get(f"{L}/{over['id']}", headers=OFFICIAL)).json()["status"] == "proposed"
    r = await client.post(f"{L}/{over['id']}/return", json={"comment": "超出预算，请调整"}, headers=OFFICIAL)
    assert r.status_code == 200 and r.json()["status"] == "returned"
    assert {i["status"] for i in r.json()["items"]} == {"returned"}
    # exactly the remainder: approved, nothing left
    exact = await propose(client, call["id"], [(a2["id"], "500000.00"), (a3["id"], "100000.00")])
    approved = await approve(client, exact["id"])
    assert approved["status"] == "approved" and approved["total_amount"] == "600000.00"
    assert {i["status"] for i in approved["items"]} == {"approved"}
    budget = (await client.get(f"{PREFIX}/programmes/{p['id']}/budget", headers=OFFICIAL)).json()
    assert budget == budget | {"budget": "1000000.00", "approved_total": "1000000.00", "remaining": "0.00"}


async def test_approval_moves_only_the_applications_the_list_names(client) -> None:
    _, call = await setup(client)
    funded, declined, untouched = [await reviewed(client, call, n) for n in (1, 2, 3)]
    proposed = await propose(client, call["id"], [(funded["id"], "450000.00")], not_funded=[declined["id"]])
    assert proposed["status"] == "proposed" and proposed["allowed_actions"] == ["withdraw"]
    assert [(i["application_id"], i["rank"], i["decision"], i["amount"]) for i in proposed["items"]] == [
        (funded["id"], 1, "fund", "450000.00"),
        (declined["id"], 2, "not_fund", None),
    ]
    seen = (await client.get(f"{L}/{proposed['id']}", headers=OFFICIAL)).json()
    assert seen["allowed_actions"] == ["approve", "return"]
    await approve(client, proposed["id"])
    assert await status_of(client, funded["id"]) == "approved"
    assert await status_of(client, declined["id"]) == "not_approved"
    assert await status_of(client, untouched["id"]) == "reviewed"
    hist = (await client.get(f"{PREFIX}/applications/{funded['id']}/history", headers=AUDITOR)).json()
    assert (hist[-1]["action"], hist[-1]["from_state"], hist[-1]["to_state"], hist[-1]["actor_role"]) == (
        "approve",
        "reviewed",
        "approved",
        "official",
    )
    hist = (await client.get(f"{PREFIX}/applications/{declined['id']}/history", headers=AUDITOR)).json()
    assert hist[-1]["action"] == "decline" and hist[-1]["comment"] == "排名靠后"
    lhist = (await client.get(f"{L}/{proposed['id']}/history", headers=AUDITOR)).json()
    assert [(h["action"], h["to_state"]) for h in lhist] == [("create", "proposed"), ("approve", "approved")]
    # approving twice is an illegal move
    r = await client.post(f"{L}/{proposed['id']}/approve", headers=OFFICIAL)
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"


async def test_amounts_within_the_request_and_the_caps(client) -> None:
    p, call = await setup(client)
    a = await reviewed(client, call, 1)
    r = await client.post(
        L, json={"call_id": call["id"], "items": [{"application_id": a["id"], "amount": "500000.01"}]}, headers=AGENCY
    )
    assert r.status_code == 422 and r.json()["errors"][0] == r.json()["errors"][0] | {
        "field": "items.0.amount",
        "code": "amount_over_requested",
    }
    # the official lowers the programme's cap per project after submission: the proposal must follow it
    etag = (await client.get(f"{PREFIX}/programmes/{p['id']}", headers=OFFICIAL)).headers["etag"]
    r = await client.patch(
        f"{PREFIX}/programmes/{p['id']}",
        json={"max_project_budget": "300000.00"},
        headers=OFFICIAL | {"If-Match": etag},
    )
    assert r.status_code == 200, r.text
    r = await client.post(
        L, json={"call_id": call["id"], "items": [{"application_id": a["id"], "amount": "300000.01"}]}, headers=AGENCY
    )
    assert r.status_code == 422 and [e["code"] for e in r.json()["errors"]] == ["amount_over_cap"]
    for amount in ("0", "-1", "1.001", "abc"):
        r = await client.post(
            L, json={"call_id": call["id"], "items": [{"application_id": a["id"], "amount": amount}]}, headers=AGENCY
        )
        assert r.status_code == 422, amount
    await propose(client, call["id"], [(a["id"], "300000.00")])


async def test_bad_lists_roles_and_404s(client) -> None:
    _, call = await setup(client)
    a, b = await reviewed(client, call, 1), await reviewed(client, call, 2)
    # twice in one list; an application of another call; one still in review
    r = await client.post(
        L,
        json={
            "call_id": call["id"],
            "items": [{"application_id": a["id"], "amount": "1.00"}],
            "not_funded": [{"application_id": a["id"], "reason": "x"}],
        },
        headers=AGENCY,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "duplicate_application"
    other_call = await create_call(client, call["programme_id"], title="另一指南")
    r = await client.post(
        L, json={"call_id": other_call["id"], "items": [{"application_id": a["id"], "amount": "1.00"}]}, headers=AGENCY
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_in_call"
    r = await client.post(
        L, json={"call_id": call["id"], "items": [{"application_id": 10**12, "amount": "1.00"}]}, headers=AGENCY
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_in_call"
    # who may propose: the entrusted agency only (another agency does not see the call: 404)
    body = {"call_id": call["id"], "items": [{"application_id": a["id"], "amount": "100.00"}]}
    assert (await client.post(L, json=body, headers=OTHER_AGENCY)).status_code == 404
    for who in (APPLICANT, OFFICIAL, AUDITOR):
        assert (await client.post(L, json=body, headers=who)).status_code == 403
    assert (await client.post(L, json=body | {"call_id": 10**12}, headers=AGENCY)).status_code == 404
    first = await propose(client, call["id"], [(a["id"], "100.00")])
    # an application is on one list awaiting approval at a time
    r = await client.post(L, json=body, headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "already_proposed" and r.json()["application_ids"] == [a["id"]]
    # another agency: 404 on the list; the agency may not approve (403); an applicant may not read (403)
    assert (await client.get(f"{L}/{first['id']}", headers=OTHER_AGENCY)).status_code == 404
    assert (await client.post(f"{L}/{first['id']}/approve", headers=OTHER_AGENCY)).status_code == 403
    assert (await client.post(f"{L}/{first['id']}/approve", headers=AGENCY)).status_code == 403
    assert (await client.get(f"{L}/{first['id']}", headers=APPLICANT)).status_code == 403
    assert (await client.get(f"{L}/{10**12}", headers=OFFICIAL)).status_code == 404
    listed = (await client.get(L, params={"call_id": call["id"]}, headers=AGENCY)).json()
    assert [x["id"] for x in listed["items"]] == [first["id"]]
    assert (await client.get(L, headers=OTHER_AGENCY)).json()["items"] == []
    assert (await client.get(L, params={"status": "nope"}, headers=OFFICIAL)).status_code == 422
    assert (
        await client.get(f"{PREFIX}/programmes/{call['programme_id']}/budget", headers=OTHER_AGENCY)
    ).status_code == 404
    # a return needs a comment; the agency withdraws its list instead
    r = await client.post(f"{L}/{first['id']}/return", json={}, headers=OFFICIAL)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "comment"
    r = await client.post(f"{L}/{first['id']}/withdraw", headers=AGENCY)
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    await propose(client, call["id"], [(a["id"], "100.00"), (b["id"], "200.00")])


async def test_stale_if_match_is_412_and_no_approval_of_a_list_no_longer_reviewed(client) -> None:
    _, call = await setup(client)
    a = await reviewed(client, call, 1)
    lst = await propose(client, call["id"], [(a["id"], "1000.00")])
    r = await client.get(f"{L}/{lst['id']}", headers=OFFICIAL)
    assert r.headers["etag"] == f'"approval_list-{lst["id"]}-v1"'
    stale = {"If-Match": f'"approval_list-{lst["id"]}-v0"'}
    r = await client.post(f"{L}/{lst['id']}/approve", headers=OFFICIAL | stale)
    assert r.status_code == 412
    approved = await approve(client, lst["id"], **{"If-Match": f'"approval_list-{lst["id"]}-v1"'})
    assert approved["version"] == 2
