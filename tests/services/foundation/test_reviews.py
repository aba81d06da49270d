"""Reviews (NSF-4): the reviewer's draft and submission, who sees what, and closing a round."""

from __future__ import annotations

from typing import Any

from services.foundation.applications.models import FoundationApplication
from services.foundation.review_rounds.models import ReviewAssignment, ReviewRound
from tests.services.foundation.conftest import (
    AGENCY,
    APPLICANT,
    AUDITOR,
    OFFICIAL,
    OTHER_AGENCY,
    PREFIX,
    Platform,
)
from tests.services.foundation.review_seed import add_review, get_row, history, reviewer, seed, set_values

COMPLETE = {
    "grade": "A",
    "opinion": "priority",
    "comments": {"innovation": "选题新颖。", "feasibility": "方案可行。", "overall": "建议优先资助。"},
}


def review_url(assignment_id: int, tail: str = "") -> str:
    return f"{PREFIX}/review-assignments/{assignment_id}/review{tail}"


async def put(
    platform: Platform, assignment_id: int, body: dict[str, Any], who: dict[str, str], etag: str | None = None
) -> Any:
    extra = {"If-Match": etag} if etag else {}
    return await platform.c.put(review_url(assignment_id), json=body, headers=who | extra)


async def write_and_submit(
    platform: Platform, assignment_id: int, who: dict[str, str], body: dict[str, Any] = COMPLETE
) -> None:
    r = await put(platform, assignment_id, body, who)
    assert r.status_code == 200, r.text
    r = await platform.c.post(review_url(assignment_id, "/submit"), headers=who)
    assert r.status_code == 200, r.text


# --- the reviewer's draft and submission ----------------------------------------------------------


async def test_nsf4_reviewer_drafts_with_if_match_and_submits_a_complete_review_once(platform: Platform) -> None:
    """NSF-4: grade A-D, opinion, comments by criterion; the draft changes with If-Match; only a
    complete review is submitted; the same Idempotency-Key replays; then it never changes."""
    s = await seed(platform, n_apps=1)
    a = s.slots[s.apps[0]][0]
    me = s.reviewer_of(a)

    r = await put(platform, a, {"grade": "B", "comments": {"innovation": "有一定新意。"}}, me)
    assert r.status_code == 200, r.text
    first = r.json()
    assert first["status"] == "draft" and first["grade"] == "B" and first["opinion"] is None
    assert first["assignment_id"] == a and first["application_id"] == s.apps[0]
    etag = r.headers["ETag"]

    r = await platform.c.get(review_url(a), headers=me)
    assert r.status_code == 200 and r.json()["comments"] == {"innovation": "有一定新意。"}
    assert r.headers["ETag"] == etag

    r = await put(platform, a, COMPLETE, me)  # an update needs If-Match
    assert r.status_code == 428, r.text
    r = await put(platform, a, COMPLETE, me, etag='"review-1-v99"')
    assert r.status_code == 412, r.text

    # incomplete: no opinion, no overall comment → 422 naming them, nothing submitted
    r = await platform.c.post(review_url(a, "/submit"), headers=me)
    assert r.status_code == 422, r.text
    assert {e["field"] for e in r.json()["errors"]} == {"opinion", "comments.overall"}

    r = await put(platform, a, COMPLETE, me, etag=etag)
    assert r.status_code == 200, r.text
    assert r.json()["version"] == first["version"] + 1

    key = {"Idempotency-Key": "submit-review-1"}
    r = await platform.c.post(review_url(a, "/submit"), headers=me | key)
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "submitted" and done["submitted_at"] is not None
    assert done["grade"] == "A" and done["opinion"] == "priority"
    again = await platform.c.post(review_url(a, "/submit"), headers=me | key)
    assert again.status_code == 200 and again.headers.get("idempotent-replayed") == "true"
    assert again.json() == done
    assert (await get_row(platform, ReviewAssignment, a)).status == "submitted"

    # final: neither changed nor submitted again
    r = await put(platform, a, COMPLETE | {"grade": "D"}, me, etag=done and r.headers["ETag"])
    assert r.status_code == 409 and r.json()["code"] == "review_already_submitted"
    r = await platform.c.post(review_url(a, "/submit"), headers=me | {"Idempotency-Key": "another"})
    assert r.status_code == 409 and r.json()["code"] == "review_already_submitted"
    r = await platform.c.get(review_url(a), headers=me)
    assert r.json()["grade"] == "A"


async def test_nsf4_submit_without_any_draft_names_the_missing_fields(platform: Platform) -> None:
    s = await seed(platform, n_apps=1)
    a = s.slots[s.apps[0]][0]
    r = await platform.c.post(review_url(a, "/submit"), headers=s.reviewer_of(a))
    assert r.status_code == 422, r.text
    assert {e["field"] for e in r.json()["errors"]} == {"grade", "opinion", "comments.overall"}
    r = await platform.c.get(review_url(a), headers=s.reviewer_of(a))
    assert r.status_code == 404


async def test_review_input_is_checked(platform: Platform) -> None:
    """Grades, opinions and criterion codes are the data's own; nothing else is taken (422)."""
    s = await seed(platform, n_apps=1)
    a = s.slots[s.apps[0]][0]
    me = s.reviewer_of(a)
    for body, field in [
        ({"grade": "E"}, "grade"),
        ({"opinion": "maybe"}, "opinion"),
        ({"comments": {"novelty": "?"}}, "comments.novelty"),
        ({"comments": {"overall": "x" * 5001}}, "comments.overall"),
        ({"grade": "A", "status": "submitted"}, "status"),
    ]:
        r = await put(platform, a, body, me)
        assert r.status_code == 422, (body, r.text)
        assert any(e["field"].startswith(field) for e in r.json()["errors"]), (body, r.json())
    # the form is the round's: a reviewer reads it with the assignment; the foundation's has no scores
    r = await platform.c.get(f"{PREFIX}/review-assignments/{a}", headers=me)
    assert r.status_code == 200
    assert [c["code"] for c in r.json()["criteria"]] == ["innovation", "feasibility", "foundation", "team", "overall"]
    r = await put(platform, a, {"scores": {"innovation": "90"}}, me | {"Accept-Language": "en"})
    assert r.status_code == 422 and r.json()["errors"][0] == {
        "field": "scores.innovation",
        "code": "unknown_criterion",
        "message": "not a scored criterion of this round: none",
    }
    r = await put(platform, a, {"scores": {"innovation": "90"}}, me)
    assert r.json()["errors"][0]["message"] == "不是本轮评审的计分指标；计分指标：无"


async def test_a_reviewer_reaches_only_their_own_assignments(platform: Platform) -> None:
    """Anyone else's assignment is a 404; a reviewer never sees another reviewer's review."""
    s = await seed(platform, n_apps=1)
    mine, theirs = s.slots[s.apps[0]][0], s.slots[s.apps[0]][1]
    me = s.reviewer_of(mine)
    await write_and_submit(platform, theirs, s.reviewer_of(theirs))

    r = await platform.c.get(review_url(theirs), headers=me)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = await put(platform, theirs, COMPLETE, me)
    assert r.status_code == 404
    r = await platform.c.post(review_url(theirs, "/submit"), headers=me)
    assert r.status_code == 404
    r = await put(platform, 999_999, COMPLETE, me)
    assert r.status_code == 404
    # a reviewer account with no assignment at all
    r = await put(platform, mine, COMPLETE, reviewer(9999))
    assert r.status_code == 404
    # only reviewers write reviews
    for who in (APPLICANT, OFFICIAL, AGENCY):
        r = await put(platform, mine, COMPLETE, who)
        assert r.status_code == 403, r.text


async def test_staff_of_the_plan_and_auditors_read_every_review(platform: Platform) -> None:
    s = await seed(platform, n_apps=1)
    a = s.slots[s.apps[0]][0]
    await write_and_submit(platform, a, s.reviewer_of(a))
    for who in (OFFICIAL, AGENCY, AUDITOR):
        r = await platform.c.get(review_url(a), headers=who)
        assert r.status_code == 200, r.text
        assert r.json()["grade"] == "A"
    r = await platform.c.get(review_url(a), headers=OTHER_AGENCY)  # not an agency of the plan
    assert r.status_code == 404
    r = await platform.c.get(review_url(a), headers=APPLICANT)
    assert r.status_code == 403


async def test_a_released_or_replaced_assignment_takes_no_review(platform: Platform) -> None:
    """Only an assignment still ``assigned`` is reviewed; a draft does not survive the release (409)."""
    s = await seed(platform, n_apps=1)
    a, b = s.slots[s.apps[0]][0], s.slots[s.apps[0]][1]
    r = await put(platform, a, {"grade": "B"}, s.reviewer_of(a))
    assert r.status_code == 200
    for row, status in ((a, "late"), (b, "declined")):
        await set_values(platform, ReviewAssignment, row, status=status)
    r = await put(platform, a, COMPLETE, s.reviewer_of(a), etag=r.headers["ETag"])
    assert r.status_code == 409 and r.json()["code"] == "assignment_not_open"
    r = await platform.c.post(review_url(a, "/submit"), headers=s.reviewer_of(a))
    assert r.status_code == 409 and r.json()["code"] == "assignment_not_open"
    r = await put(platform, b, COMPLETE, s.reviewer_of(b))
    assert r.status_code == 409 and r.json()["code"] == "assignment_not_open"


async def test_no_review_changes_once_the_round_is_closed(platform: Platform) -> None:
    s = await seed(platform, n_apps=1)
    a = s.slots[s.apps[0]][0]
    r = await put(platform, a, {"grade": "B"}, s.reviewer_of(a))
    await set_values(platform, ReviewRound, s.round_id, status="closed")
    r = await put(platform, a, COMPLETE, s.reviewer_of(a), etag=r.headers["ETag"])
    assert r.status_code == 409 and r.json()["code"] == "review_round_closed"
    r = await platform.c.post(review_url(a, "/submit"), headers=s.reviewer_of(a))
    assert r.status_code == 409 and r.json()["code"] == "review_round_closed"


# --- closing a round -------------------------------------------------------------------------------


def close_url(round_id: int) -> str:
    return f"{PREFIX}/review-rounds/{round_id}/close"


async def test_nsf4_close_moves_applications_with_three_valid_reviews_and_lists_the_rest(platform: Platform) -> None:
    """NSF-4: valid reviews are submitted complete ones on assignments holding their slot; with >= 3
    an application becomes reviewed; with fewer it stays in review, listed with its open slots."""
    s = await seed(platform, n_apps=3)
    full, short, released = s.apps
    for a in s.slots[full]:
        await write_and_submit(platform, a, s.reviewer_of(a))
    # two submitted, the third only a draft
    for a in s.slots[short][:2]:
        await write_and_submit(platform, a, s.reviewer_of(a))
    r = await put(platform, s.slots[short][2], {"grade": "C"}, s.reviewer_of(s.slots[short][2]))
    assert r.status_code == 200
    # three submitted, but one on an assignment since released: it does not count
    for a in s.slots[released]:
        await add_review(platform, a, "B", "fundable")
    await set_values(platform, ReviewAssignment, s.slots[released][0], status="late")

    r = await platform.c.get(f"{PREFIX}/review-rounds/{s.round_id}/lacking", headers=AGENCY)
    assert r.status_code == 200, r.text
    before = r.json()
    assert before["round_status"] == "drawn" and before["min_valid"] == 3
    assert [(x["application_id"], x["valid_reviews"]) for x in before["items"]] == [(short, 2), (released, 2)]

    r = await platform.c.post(close_url(s.round_id), headers=AGENCY)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["round"]["status"] == "closed" and out["round"]["closed_at"] is not None and r.headers["ETag"]
    assert out["reviewed"] == [full]
    lacking = {x["application_id"]: x for x in out["lacking"]}
    assert set(lacking) == {short, released}
    assert lacking[short]["valid_reviews"] == 2 and lacking[short]["needed"] == 3
    assert lacking[short]["open_assignments"] == [
        {
            "assignment_id": s.slots[short][2],
            "reviewer_id": 5000 + s.holder[s.slots[short][2]],
            "slot": 2,
            "status": "assigned",
            "review_status": "draft",
        }
    ]
    assert lacking[released]["open_assignments"] == []  # the released slot is not open

    assert (await get_row(platform, FoundationApplication, full)).status == "reviewed"
    assert (await get_row(platform, FoundationApplication, short)).status == "in_review"
    assert ("complete_review", "in_review", "reviewed") in await history(platform, "foundation_application", full)
    assert ("close", "drawn", "closed") in await history(platform, "review_round", s.round_id)

    r = await platform.c.get(f"{PREFIX}/review-rounds/{s.round_id}/lacking", headers=AUDITOR)
    assert r.status_code == 200
    assert [x["application_id"] for x in r.json()["items"]] == [short, released]

    r = await platform.c.post(close_url(s.round_id), headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "review_round_closed"


async def test_nsf4_close_honours_the_rounds_min_valid(platform: Platform) -> None:
    """NSF-4's 3 is the round's figure: a round of 5 reviewers needing 4 moves only those with 4."""
    s = await seed(platform, n_apps=2, per_app=5, min_valid=4)
    four, three = s.apps
    for a in s.slots[four][:4]:
        await add_review(platform, a, "A", "fundable")
    for a in s.slots[three][:3]:
        await add_review(platform, a, "A", "fundable")
    r = await platform.c.post(close_url(s.round_id), headers=OFFICIAL)
    assert r.status_code == 200, r.text
    assert r.json()["reviewed"] == [four]
    assert [(x["application_id"], x["valid_reviews"], x["needed"]) for x in r.json()["lacking"]] == [(three, 3, 4)]


async def test_closing_a_round_is_for_the_plans_staff(platform: Platform) -> None:
    s = await seed(platform, n_apps=1)
    r = await platform.c.post(close_url(s.round_id), headers=OTHER_AGENCY)
    assert r.status_code == 404
    for who in (AUDITOR, APPLICANT, reviewer(0)):
        r = await platform.c.post(close_url(s.round_id), headers=who)
        assert r.status_code == 403, r.text
    r = await platform.c.get(f"{PREFIX}/review-rounds/{s.round_id}/lacking", headers=OTHER_AGENCY)
    assert r.status_code == 404
    r = await platform.c.post(close_url(999_999), headers=OFFICIAL)
    assert r.status_code == 404
    r = await platform.c.post(close_url(s.round_id), headers=AGENCY | {"If-Match": f'"review_round-{s.round_id}-v0"'})
    assert r.status_code == 412
    assert (await get_row(platform, ReviewRound, s.round_id)).status == "drawn"


async def test_a_round_not_drawn_cannot_close(platform: Platform) -> None:
    s = await seed(platform, n_apps=1, round_status="draft")
    r = await platform.c.post(close_url(s.round_id), headers=AGENCY)
    assert r.status_code == 409 and r.json()["code"] == "review_round_not_drawn"


async def test_close_with_the_projects_service_down_is_503_and_writes_nothing(platform: Platform) -> None:
    """Moving an application reports it to the limits ledger in projects: when projects is down the
    close is refused with 503 + Retry-After and nothing is half-written."""
    s = await seed(platform, n_apps=2)
    for app in s.apps:
        for a in s.slots[app]:
            await add_review(platform, a, "B", "fundable")
    platform.link.down = True
    r = await platform.c.post(close_url(s.round_id), headers=AGENCY)
    assert r.status_code == 503, r.text
    assert r.json()["code"] == "dependency_unavailable" and r.headers.get("Retry-After")
    rnd = await get_row(platform, ReviewRound, s.round_id)
    assert rnd.status == "drawn" and rnd.closed_at is None
    for app in s.apps:
        assert (await get_row(platform, FoundationApplication, app)).status == "in_review"
        assert await history(platform, "foundation_application", app) == []
    platform.link.down = False
    r = await platform.c.post(close_url(s.round_id), headers=AGENCY)
    assert r.status_code == 200, r.text
    assert r.json()["reviewed"] == s.apps
