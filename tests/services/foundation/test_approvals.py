"""Approval of a category's ranked list within its budget and project count (issue 4, "Ranking and
approval": "officials approve the list"; "a category's budget is never exceeded"), the grant per
application (fixed, or min(requested, cap)), the budget view, roles and the safety of writes."""

from __future__ import annotations

from typing import Any

from services.foundation.approvals import rules
from tests.services.foundation.approval_helpers import (
    Category,
    approve,
    budget,
    category_url,
    ledger_statuses,
    make_plan,
    make_ranked,
    statuses,
)
from tests.services.foundation.approval_helpers import application as load_application
from tests.services.foundation.conftest import (
    AGENCY,
    APPLICANT,
    AUDITOR,
    OFFICIAL,
    OTHER_AGENCY,
    PREFIX,
    Platform,
)

GENERAL = {"code": "general", "amount_mode": "fixed", "amount": "200000.00", "budget": "600000.00", "project_count": 3}
YOUTH = {
    "code": "youth",
    "kind": "youth",
    "name": "青年项目",
    "amount_mode": "cap",
    "amount": "100000.00",
    "budget": "250000.00",
    "project_count": 5,
}


async def _setup(platform: Platform, *categories: dict[str, Any]) -> list[Category]:
    _, cats = await make_plan(platform.db, categories=list(categories) or [GENERAL])
    return cats


# --- the pure rules --------------------------------------------------------------------------------


def test_grant_is_the_fixed_amount_or_the_request_up_to_the_cap() -> None:
    D = rules.Decimal
    assert rules.grant("fixed", D("200000"), D("150000")) == D("200000.00")
    assert rules.grant("cap", D("100000"), D("80000")) == D("80000.00")
    assert rules.grant("cap", D("100000"), D("120000")) == D("100000.00")


def test_funding_line_stops_at_the_first_that_does_not_fit() -> None:
    """Funded in rank order until the count or the budget runs out: a cheaper one further down is not
    pulled up past the first that does not fit; the exact remainder fits."""
    D = rules.Decimal
    cands = [rules.Candidate(1, 1, D("60")), rules.Candidate(2, 2, D("50")), rules.Candidate(3, 3, D("10"))]
    line = rules.funding_line(cands, "cap", D("100"), D("100"), 5)
    assert [(c.application_id, a) for c, a in line] == [(1, D("60.00"))]
    line = rules.funding_line(cands, "cap", D("100"), D("110"), 5)
    assert [c.application_id for c, _ in line] == [1, 2]
    assert [c.application_id for c, _ in rules.funding_line(cands, "cap", D("100"), D("1000"), 2)] == [1, 2]
    assert rules.funding_line(cands, "cap", D("100"), D("1000"), 0) == []


def test_overrun_at_both_sides_of_the_budget_and_the_count() -> None:
    D = rules.Decimal
    room = rules.Room(budget=D("100.00"), approved_total=D("40.00"), project_count=3, approved_count=1)
    assert rules.overrun(room, D("60.00"), 2) is None
    assert rules.overrun(room, D("60.01"), 1) == "category_budget_exceeded"
    assert rules.overrun(room, D("10.00"), 3) == "category_count_exceeded"


# --- approving through the API ---------------------------------------------------------------------


async def test_default_approval_takes_the_funding_line_and_declines_the_rest(platform: Platform) -> None:
    """Issue 4 "funded in order until the count or budget runs out"; the list is final by default: the
    other ranked applications become not_approved. Each move is reported to the limits ledger."""
    (cat,) = await _setup(platform)
    ids = await make_ranked(platform.db, cat, ["250000.00", "180000.00", "200000.00", "200000.00"])
    r = await approve(platform.c, cat)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["source"] == "funding_line" and body["final"] is True
    assert [(i["application_id"], i["decision"], i["amount"]) for i in body["items"]] == [
        (ids[0], "approve", "200000.00"),
        (ids[1], "approve", "200000.00"),
        (ids[2], "approve", "200000.00"),
        (ids[3], "decline", None),
    ]
    assert body["budget"]["approved_total"] == "600000.00"
    assert r.headers["ETag"] == f'"plan_category-{cat.id}-v2"'
    assert await statuses(platform.db, ids) == ["approved", "approved", "approved", "not_approved"]
    first = await load_application(platform.db, ids[0])
    assert first.approved_amount == rules.Decimal("200000.00")
    b = await budget(platform.c, cat)
    assert (
        b["budget"],
        b["approved_total"],
        b["remaining"],
        b["project_count"],
        b["approved_count"],
        b["remaining_count"],
    ) == ("600000.00", "600000.00", "0.00", 3, 3, 0)
    assert ("application", "open") in await ledger_statuses(platform.projects, first.applicant_id_number)
    listed = await platform.c.get(category_url(cat, "approvals"), headers=AUDITOR)
    assert listed.status_code == 200 and len(listed.json()["items"]) == 1


async def test_cap_mode_grants_min_of_request_and_cap_and_an_official_may_lower_it(platform: Platform) -> None:
    _, youth = await _setup(platform, GENERAL, YOUTH)
    ids = await make_ranked(platform.db, youth, ["80000.00", "150000.00", "90000.00"], owner_base=5000)
    too_much = await approve(platform.c, youth, {"items": [{"application_id": ids[0], "amount": "80000.01"}]})
    assert too_much.status_code == 422 and too_much.json()["errors"][0]["code"] == "amount_over_grant"
    r = await approve(
        platform.c,
        youth,
        {"items": [{"application_id": ids[0]}, {"application_id": ids[1], "amount": "70000.00"}], "final": False},
    )
    assert r.status_code == 201, r.text
    assert [i["amount"] for i in r.json()["items"]] == ["80000.00", "70000.00"]
    assert await statuses(platform.db, ids) == ["approved", "approved", "ranked"]  # not final: the rest wait
    b = await budget(platform.c, youth, headers=AGENCY)
    assert (b["approved_total"], b["remaining"], b["approved_count"]) == ("150000.00", "100000.00", 2)
    # the remaining line: the third asks 90,000 and fits in 100,000
    r = await approve(platform.c, youth)
    assert r.status_code == 201 and [i["amount"] for i in r.json()["items"]] == ["90000.00"]
    assert (await budget(platform.c, youth))["approved_total"] == "240000.00"


async def test_budget_is_never_exceeded_exact_remainder_fits_one_fen_more_does_not(platform: Platform) -> None:
    """Issue 4 "a category's budget is never exceeded": a refused list writes nothing."""
    _, youth = await _setup(platform, GENERAL, YOUTH)
    ids = await make_ranked(platform.db, youth, ["100000.00", "100000.00", "60000.00"], owner_base=5000)
    over = await approve(platform.c, youth, {"items": [{"application_id": i} for i in ids]})
    assert over.status_code == 409, over.text
    problem = over.json()
    assert problem["code"] == "category_budget_exceeded"
    assert (problem["remaining"], problem["requested"]) == ("250000.00", "260000.00")
    assert await statuses(platform.db, ids) == ["ranked", "ranked", "ranked"]
    assert (await budget(platform.c, youth))["approved_total"] == "0.00"
    fen = await approve(
        platform.c,
        youth,
        {
            "items": [
                {"application_id": ids[0]},
                {"application_id": ids[1]},
                {"application_id": ids[2], "amount": "50000.01"},
            ]
        },
    )
    assert fen.status_code == 409 and fen.json()["code"] == "category_budget_exceeded"
    exact = await approve(
        platform.c,
        youth,
        {
            "items": [
                {"application_id": ids[0]},
                {"application_id": ids[1]},
                {"application_id": ids[2], "amount": "50000.00"},
            ]
        },
    )
    assert exact.status_code == 201, exact.text
    assert (await budget(platform.c, youth))["remaining"] == "0.00"


async def test_project_count_is_never_exceeded(platform: Platform) -> None:
    small = GENERAL | {"budget": "10000000.00", "project_count": 2}
    (cat,) = await _setup(platform, small)
    ids = await make_ranked(platform.db, cat, ["200000.00"] * 3)
    r = await approve(platform.c, cat, {"items": [{"application_id": i} for i in ids]})
    assert r.status_code == 409 and r.json()["code"] == "category_count_exceeded", r.text
    assert (r.json()["project_count"], r.json()["requested_count"]) == (2, 3)
    r = await approve(platform.c, cat, {"items": [{"application_id": i} for i in ids[:2]], "final": False})
    assert r.status_code == 201
    r = await approve(platform.c, cat, {"items": [{"application_id": ids[2]}]})
    assert r.status_code == 409 and r.json()["code"] == "category_count_exceeded"
    # the default line is empty once the count is used; final: the last one is declined
    r = await approve(platform.c, cat)
    assert r.status_code == 201 and [i["decision"] for i in r.json()["items"]] == ["decline"]
    assert await statuses(platform.db, ids) == ["approved", "approved", "not_approved"]
    r = await approve(platform.c, cat)
    assert r.status_code == 409 and r.json()["code"] == "nothing_to_approve"


async def test_named_list_is_checked(platform: Platform) -> None:
    general, youth = await _setup(platform, GENERAL, YOUTH)
    ids = await make_ranked(platform.db, general, ["200000.00"] * 3)
    other = await make_ranked(platform.db, youth, ["50000.00"], owner_base=5000)
    reviewed = await make_ranked(platform.db, general, ["200000.00"], owner_base=7000, status="reviewed")
    cases = [
        ({"items": [{"application_id": ids[0]}, {"application_id": ids[0]}]}, 422, "duplicate_application"),
        ({"items": [{"application_id": other[0]}]}, 422, "not_in_category"),
        ({"items": [{"application_id": 999999}]}, 422, "not_in_category"),
        ({"items": [{"application_id": ids[1]}, {"application_id": ids[0]}]}, 422, "not_in_rank_order"),
        ({"items": [{"application_id": ids[0], "amount": "0"}]}, 422, None),
        ({"items": [{"application_id": ids[0]}], "status": "approved"}, 422, None),
    ]
    for body, status, code in cases:
        r = await approve(platform.c, general, body)
        assert r.status_code == status, (body, r.text)
        if code:
            assert code in [e["code"] for e in r.json().get("errors", [])], r.text
    r = await approve(platform.c, general, {"items": [{"application_id": reviewed[0]}]})
    assert r.status_code == 409 and r.json()["code"] == "application_not_ranked"
    assert r.json()["application_ids"] == reviewed
    # skipping a higher-ranked one is the official's call; final: it is declined
    r = await approve(platform.c, general, {"items": [{"application_id": ids[0]}, {"application_id": ids[2]}]})
    assert r.status_code == 201, r.text
    assert await statuses(platform.db, ids) == ["approved", "not_approved", "approved"]
    history = await platform.c.get(f"{PREFIX}/applications/{ids[1]}/history", headers=OFFICIAL)
    assert history.status_code == 200, history.text
    assert [h["action"] for h in history.json()][-1] == "decline"


async def test_roles_and_plan_scope(platform: Platform) -> None:
    """Only an official approves (an agency: 403); an agency not on the plan sees no budget (404);
    a category of another plan is a 404."""
    (cat,) = await _setup(platform)
    _, (other,) = await make_plan(platform.db, categories=[GENERAL], code="JJ2026B")
    await make_ranked(platform.db, cat, ["200000.00"])
    assert (await approve(platform.c, cat, headers=AGENCY)).status_code == 403
    assert (await approve(platform.c, cat, headers=APPLICANT)).status_code == 403
    assert (await approve(platform.c, cat, headers=AUDITOR)).status_code == 403
    wrong = Category(id=other.id, plan_id=cat.plan_id, code="x")
    assert (await approve(platform.c, wrong)).status_code == 404
    assert (await approve(platform.c, Category(id=cat.id, plan_id=999999, code="x"))).status_code == 404
    assert (await platform.c.get(category_url(cat, "budget"), headers=OTHER_AGENCY)).status_code == 404
    assert (await platform.c.get(category_url(cat, "approvals"), headers=OTHER_AGENCY)).status_code == 404
    assert (await platform.c.get(category_url(cat, "budget"), headers=APPLICANT)).status_code == 403
    assert (await platform.c.get(category_url(cat, "budget"), headers=AGENCY)).status_code == 200


async def test_stale_if_match_is_412(platform: Platform) -> None:
    (cat,) = await _setup(platform)
    ids = await make_ranked(platform.db, cat, ["200000.00"] * 3)
    r = await platform.c.get(category_url(cat, "budget"), headers=OFFICIAL)
    etag = r.headers["ETag"]
    first = await approve(
        platform.c, cat, {"items": [{"application_id": ids[0]}], "final": False}, extra={"If-Match": etag}
    )
    assert first.status_code == 201, first.text
    stale = await approve(
        platform.c, cat, {"items": [{"application_id": ids[1]}], "final": False}, extra={"If-Match": etag}
    )
    assert stale.status_code == 412 and stale.json()["code"] == "precondition_failed"
    assert await statuses(platform.db, ids) == ["approved", "ranked", "ranked"]


async def test_idempotency_key_approves_once(platform: Platform) -> None:
    (cat,) = await _setup(platform)
    ids = await make_ranked(platform.db, cat, ["200000.00"] * 2)
    body = {"items": [{"application_id": ids[0]}], "final": False}
    one = await approve(platform.c, cat, body, extra={"Idempotency-Key": "approve-general-1"})
    two = await approve(platform.c, cat, body, extra={"Idempotency-Key": "approve-general-1"})
    assert one.status_code == two.status_code == 201
    assert one.json()["id"] == two.json()["id"]
    assert (await budget(platform.c, cat))["approved_count"] == 1
    reused = await approve(
        platform.c, cat, {"items": [{"application_id": ids[1]}]}, extra={"Idempotency-Key": "approve-general-1"}
    )
    assert reused.status_code == 409 and reused.json()["code"] == "idempotency_key_reused"


async def test_projects_down_is_503_and_nothing_is_written(platform: Platform) -> None:
    """The limits ledger (PRJ-1, NSF-5) in the projects service follows every move: when it does not
    answer the approval is refused with 503 and Retry-After, and nothing is half-written."""
    (cat,) = await _setup(platform)
    ids = await make_ranked(platform.db, cat, ["200000.00"] * 2)
    platform.link.down = True
    r = await approve(platform.c, cat)
    assert r.status_code == 503 and "Retry-After" in r.headers, r.text
    platform.link.down = False
    assert await statuses(platform.db, ids) == ["ranked", "ranked"]
    assert all(a.approved_amount is None for a in [await load_application(platform.db, i) for i in ids])
    b = await budget(platform.c, cat)
    assert (b["approved_total"], b["approved_count"], b["version"]) == ("0.00", 0, 1)
    assert (await platform.c.get(category_url(cat, "approvals"), headers=OFFICIAL)).json()["items"] == []
    assert (await approve(platform.c, cat)).status_code == 201
