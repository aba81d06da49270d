"""The ranking of a category through the API (NSF-4): mean score, tie-break, the funding line, and
what cannot be ranked."""

from __future__ import annotations

from typing import Any

from services.foundation.applications.models import FoundationApplication
from services.foundation.review_rounds.models import ReviewAssignment
from tests.services.foundation.conftest import (
    AGENCY,
    APPLICANT,
    AUDITOR,
    OFFICIAL,
    OTHER_AGENCY,
    PREFIX,
    Platform,
)
from tests.services.foundation.review_seed import Seeded, add_review, get_row, history, reviewer, seed, set_values


def url(s: Seeded, category_id: int | None = None, plan_id: int | None = None) -> str:
    return f"{PREFIX}/plans/{plan_id or s.plan_id}/categories/{category_id or s.category_id}/ranking"


async def give(platform: Platform, s: Seeded, app_index: int, *reviews: tuple[str, str]) -> None:
    """Submitted reviews on the application's slots, in slot order."""
    app = s.apps[app_index]
    for assignment_id, (grade, opinion) in zip(s.slots[app], reviews, strict=False):
        await add_review(platform, assignment_id, grade, opinion)


def summary(body: dict[str, Any]) -> list[tuple[int, int, str, bool]]:
    return [(r["application_id"], r["rank"], r["score"], r["within_quota"]) for r in body["rows"]]


async def test_nsf4_ranking_by_mean_score_with_the_tie_break_and_the_count_line(platform: Platform) -> None:
    """NSF-4: by mean score; equal means go to more priority opinions; funded in order until the
    category's count (2) runs out."""
    s = await seed(platform, n_apps=4, status="reviewed", project_count=2, budget="200000.00")
    await give(platform, s, 0, ("B", "fundable"), ("B", "fundable"), ("B", "fundable"))  # 5
    await give(platform, s, 1, ("A", "priority"), ("A", "priority"), ("A", "priority"))  # 8
    await give(platform, s, 2, ("A", "fundable"), ("A", "fundable"), ("A", "fundable"))  # 6
    await give(platform, s, 3, ("A", "priority"), ("A", "fundable"), ("A", "not_fundable"))  # 6, 1 priority
    a0, a1, a2, a3 = s.apps

    r = await platform.c.post(url(s), headers=AGENCY)
    assert r.status_code == 200, r.text
    body = r.json()
    assert summary(body) == [
        (a1, 1, "8.0000", True),
        (a3, 2, "6.0000", True),
        (a2, 3, "6.0000", False),
        (a0, 4, "5.0000", False),
    ]
    assert [row["tied_on_score"] for row in body["rows"]] == [False, False, True, False]
    assert [row["priority_count"] for row in body["rows"]] == [3, 1, 0, 0]
    assert [row["cumulative"] for row in body["rows"]] == ["100000.00", "200000.00", "300000.00", "400000.00"]
    assert (
        body["funding"]["funded_count"],
        body["funding"]["funded_total"],
        body["funding"]["stopped_by"],
        body["funding"]["first_outside"],
    ) == (2, "200000.00", "count", a2)
    assert body["tie_break"][:2] == ["score (desc)", "priority opinions (desc)"]
    assert body["lacking"] == [] and body["awaiting"] == []

    stored = await get_row(platform, FoundationApplication, a3)
    assert (stored.status, stored.rank, stored.valid_reviews, str(stored.score)) == ("ranked", 2, 3, "6.0000")
    assert ("rank", "reviewed", "ranked") in await history(platform, "foundation_application", a3)

    for who in (OFFICIAL, AGENCY, AUDITOR):
        r = await platform.c.get(url(s), headers=who)
        assert r.status_code == 200, r.text
        assert r.json() == body


async def test_nsf4_cap_mode_budget_line_stops_at_the_first_that_does_not_fit(platform: Platform) -> None:
    """Cap mode: each gets min(requested, cap); the budget runs out at the third (one over), and the
    fourth, cheaper one stays below the line though it would fit in what is left."""
    s = await seed(
        platform,
        n_apps=4,
        status="reviewed",
        project_count=10,
        amount_mode="cap",
        amount="100000.00",
        budget="250000.00",
        requested=["100000.00", "150000.00", "60000.00", "40000.00"],
    )
    for i, grade in enumerate("ABCD"):
        await give(platform, s, i, *[(grade, "fundable")] * 3)
    r = await platform.c.post(url(s), headers=OFFICIAL)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [(x["amount"], x["cumulative"], x["within_quota"]) for x in body["rows"]] == [
        ("100000.00", "100000.00", True),
        ("100000.00", "200000.00", True),
        ("60000.00", "260000.00", False),
        ("40000.00", "300000.00", False),
    ]
    assert body["rows"][1]["requested_total"] == "150000.00"
    assert (body["funding"]["stopped_by"], body["funding"]["first_outside"], body["funding"]["remaining_budget"]) == (
        "budget",
        s.apps[2],
        "50000.00",
    )


async def test_nsf4_budget_used_exactly_is_within_the_line(platform: Platform) -> None:
    s = await seed(
        platform,
        n_apps=3,
        status="reviewed",
        project_count=10,
        amount_mode="fixed",
        amount="100000.00",
        budget="200000.00",
    )
    for i, grade in enumerate("ABC"):
        await give(platform, s, i, *[(grade, "fundable")] * 3)
    body = (await platform.c.post(url(s), headers=AGENCY)).json()
    assert [x["within_quota"] for x in body["rows"]] == [True, True, False]
    assert body["funding"]["remaining_budget"] == "0.00" and body["funding"]["stopped_by"] == "budget"


async def test_nsf4_only_valid_reviews_on_holding_assignments_count(platform: Platform) -> None:
    """A review on a released (late) assignment and a draft do not count toward the mean."""
    s = await seed(platform, n_apps=1, status="reviewed", per_app=5)
    slots = s.slots[s.apps[0]]
    for a in slots[:3]:
        await add_review(platform, a, "A", "priority")
    await add_review(platform, slots[3], "D", "not_fundable")
    await set_values(platform, ReviewAssignment, slots[3], status="late")
    await add_review(platform, slots[4], "D", "not_fundable", submitted=False)
    body = (await platform.c.post(url(s), headers=AGENCY)).json()
    assert [(x["score"], x["valid_reviews"]) for x in body["rows"]] == [("8.0000", 3)]


async def test_nsf4_a_reviewed_application_lacking_valid_reviews_cannot_be_ranked(platform: Platform) -> None:
    """NSF-4: fewer than 3 valid reviews cannot be ranked: the ranking is refused, naming it, and
    nothing is written."""
    s = await seed(platform, n_apps=2, status="reviewed")
    await give(platform, s, 0, *[("A", "priority")] * 3)
    await give(platform, s, 1, ("A", "priority"), ("A", "priority"))
    r = await platform.c.post(url(s), headers=AGENCY)
    assert r.status_code == 409, r.text
    problem = r.json()
    assert problem["code"] == "ranking_lacking_reviews"
    assert problem["applications"] == [{"application_id": s.apps[1], "valid_reviews": 2, "needed": 3}]
    first = await get_row(platform, FoundationApplication, s.apps[0])
    assert (first.status, first.rank, first.score) == ("reviewed", None, None)
    r = await platform.c.get(url(s), headers=AGENCY)
    assert r.json()["rows"] == [] and [x["application_id"] for x in r.json()["awaiting"]] == s.apps


async def test_nsf4_applications_still_in_review_are_shown_lacking_not_ranked(platform: Platform) -> None:
    s = await seed(platform, n_apps=3, status="reviewed")
    await give(platform, s, 0, *[("B", "fundable")] * 3)
    await give(platform, s, 1, *[("A", "fundable")] * 3)
    await give(platform, s, 2, ("A", "priority"))
    await set_values(platform, FoundationApplication, s.apps[2], status="in_review")
    body = (await platform.c.post(url(s), headers=AGENCY)).json()
    assert [x["application_id"] for x in body["rows"]] == [s.apps[1], s.apps[0]]
    assert body["lacking"] == [
        {
            "application_id": s.apps[2],
            "title": body["lacking"][0]["title"],
            "status": "in_review",
            "valid_reviews": 1,
            "needed": 3,
        }
    ]
    assert (await get_row(platform, FoundationApplication, s.apps[2])).rank is None


async def test_a_later_reviewed_application_joins_the_ranking(platform: Platform) -> None:
    """Ranking again after another application is reviewed ranks the whole category anew."""
    s = await seed(platform, n_apps=3, status="reviewed")
    await give(platform, s, 0, *[("B", "fundable")] * 3)
    await give(platform, s, 1, *[("C", "fundable")] * 3)
    await give(platform, s, 2, *[("A", "priority")] * 3)
    await set_values(platform, FoundationApplication, s.apps[2], status="in_review")
    assert (await platform.c.post(url(s), headers=AGENCY)).status_code == 200
    r = await platform.c.post(url(s), headers=AGENCY)  # nothing new
    assert r.status_code == 409 and r.json()["code"] == "nothing_to_rank"
    await set_values(platform, FoundationApplication, s.apps[2], status="reviewed")
    r = await platform.c.post(url(s), headers=AGENCY)
    assert r.status_code == 200, r.text
    assert [(x["application_id"], x["rank"]) for x in r.json()["rows"]] == [
        (s.apps[2], 1),
        (s.apps[0], 2),
        (s.apps[1], 3),
    ]
    assert (await get_row(platform, FoundationApplication, s.apps[1])).rank == 3


async def test_ranking_is_frozen_once_approval_begins(platform: Platform) -> None:
    s = await seed(platform, n_apps=2, status="reviewed")
    for i in range(2):
        await give(platform, s, i, *[("B", "fundable")] * 3)
    await set_values(platform, FoundationApplication, s.apps[0], status="approved", rank=1)
    r = await platform.c.post(url(s), headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "ranking_frozen"
    assert (await get_row(platform, FoundationApplication, s.apps[1])).status == "reviewed"


async def test_nothing_to_rank_in_a_category_still_in_review(platform: Platform) -> None:
    s = await seed(platform, n_apps=1)
    r = await platform.c.post(url(s), headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "nothing_to_rank"
    r = await platform.c.get(url(s), headers=AGENCY)
    assert r.status_code == 200
    assert r.json()["rows"] == [] and r.json()["funding"]["funded_count"] == 0
    assert [x["valid_reviews"] for x in r.json()["lacking"]] == [0]


async def test_the_ranking_is_for_the_plans_staff(platform: Platform) -> None:
    s = await seed(platform, n_apps=1, status="reviewed")
    await give(platform, s, 0, *[("B", "fundable")] * 3)
    for method in ("get", "post"):
        r = await getattr(platform.c, method)(url(s), headers=OTHER_AGENCY)
        assert r.status_code == 404, r.text
        r = await getattr(platform.c, method)(url(s, plan_id=999_999), headers=OFFICIAL)
        assert r.status_code == 404
        r = await getattr(platform.c, method)(url(s, category_id=999_999), headers=OFFICIAL)
        assert r.status_code == 404
        for who in (APPLICANT, reviewer(0)):
            r = await getattr(platform.c, method)(url(s), headers=who)
            assert r.status_code == 403
    r = await platform.c.post(url(s), headers=AUDITOR)
    assert r.status_code == 403
    assert (await get_row(platform, FoundationApplication, s.apps[0])).status == "reviewed"
    other = await seed(platform, n_apps=1, status="reviewed", plan_code="JJ2026-B")
    r = await platform.c.post(url(s, category_id=other.category_id), headers=OFFICIAL)  # not this plan's
    assert r.status_code == 404
