"""Expert review of talent applications through the API (NSF-2 to NSF-4 with TAL-1): officials set up a
round of a call, draw the experts from the projects service's reviewer pool over HTTP (conflicts excluded
with their rule; a 503 there writes nothing), each expert scores every indicator 0..100 with a comment,
the weighted score comes from the programme's weights, closing moves the applications on and the call's
ranked list orders them. Roles at every step; another's assignment is a 404."""

from __future__ import annotations

from decimal import Decimal

from tests.services.talent.conftest import APPLICANT, AUDITOR, OFFICIAL, Talent
from tests.services.talent.year_support import (
    ORG_ADMIN,
    UNIV_USCC,
    add_reviewer,
    drawn,
    open_year,
    review,
    reviewer,
    score_all,
)


async def test_nsf2_the_draw_sends_the_calls_accepted_applications_to_review(talent: Talent) -> None:
    year = await open_year(talent, 3)
    await add_reviewer(talent, year, 9, organisation_uscc=UNIV_USCC, organisation_name="吉林大学")
    body = await drawn(talent, year, reviewers=5)
    assert body["applications"] == 3 and body["round"]["status"] == "drawn"
    assert body["round"]["call_id"] == year.call["id"] and body["round"]["settings"]["graded"] is False
    # TAL-1: the programme's indicators are the form, each with its weight and a comment required
    criteria = body["round"]["settings"]["criteria"]
    assert [(c["code"], Decimal(c["weight"]), c["comment_required"]) for c in criteria] == [
        ("i0", Decimal("0.35"), True),
        ("i1", Decimal("0.25"), True),
        ("i2", Decimal("0.25"), True),
        ("i3", Decimal("0.15"), True),
    ]
    for entry in body["assignments"]:
        chosen = [s["reviewer_id"] for s in entry["reviewers"]]
        assert len(chosen) == 3 and year.reviewers[9] not in chosen  # NSF-3: the applicants' university
    excluded = await talent.call(
        "GET", f"/review-rounds/{year.round['id']}/exclusions?reviewer_id={year.reviewers[9]}", AUDITOR
    )
    assert {e["application_id"] for e in excluded["items"]} == set(year.apps)
    assert all("same_institution" in e["rules"] for e in excluded["items"])
    for app in year.apps:
        seen = await talent.call("GET", f"/applications/{app}", OFFICIAL)
        assert seen["status"] == "in_review" and seen["allowed_actions"] == []
        history = await talent.call("GET", f"/applications/{app}/history", AUDITOR)
        assert history[-1]["action"] == "start_review"
    verified = await talent.call("POST", f"/review-rounds/{year.round['id']}/verify", AUDITOR, json={})
    assert verified["ok"] is True
    # nothing left to draw: a second round of the call is refused
    again = await talent.call("POST", "/review-rounds", OFFICIAL, 201, json={"call_id": year.call["id"], "title": "二"})
    refused = await talent.call("POST", f"/review-rounds/{again['id']}/draw", OFFICIAL, 409, json={})
    assert refused["code"] == "review_round_no_applications"


async def test_nsf2_projects_down_is_a_503_and_nothing_is_written(talent: Talent) -> None:
    year = await open_year(talent, 1)
    for n in range(1, 4):
        await add_reviewer(talent, year, n)
    rnd = await talent.call("POST", "/review-rounds", OFFICIAL, 201, json={"call_id": year.call["id"], "title": "轮"})
    assert talent.link is not None
    talent.link.down = True
    r = await talent.client.post(f"/api/v1/talent/review-rounds/{rnd['id']}/draw", headers=OFFICIAL, json={})
    assert r.status_code == 503 and r.headers["Retry-After"] and r.json()["code"] == "dependency_unavailable"
    talent.link.down = False
    assert (await talent.call("GET", f"/review-rounds/{rnd['id']}", OFFICIAL))["status"] == "draft"
    assert (await talent.call("GET", f"/applications/{year.apps[0]}", OFFICIAL))["status"] == "accepted"


async def test_tal1_an_expert_scores_every_indicator_0_to_100_with_a_comment(talent: Talent) -> None:
    year = await open_year(talent, 1)
    await drawn(talent, year, reviewers=3)
    mine = await talent.call("GET", "/review-assignments", reviewer(1))
    (assignment,) = mine["items"]
    path = f"/review-assignments/{assignment['id']}/review"
    view = await talent.call("GET", f"/review-assignments/{assignment['id']}/application", reviewer(1))
    assert view["applicant_name"] == "申请人0" and "id_number" not in view and view["discipline_code"] == "C1301"
    over = await talent.call("PUT", path, reviewer(1), 422, json=review((101, 80, 80, 80)))
    assert over["errors"][0]["field"] == "scores.i0" and over["errors"][0]["code"] == "score_out_of_range"
    graded = await talent.call("PUT", path, reviewer(1), 422, json=review(80) | {"grade": "A"})
    assert graded["errors"][0]["field"] == "grade"
    unknown = await talent.call("PUT", path, reviewer(1), 422, json={"scores": {"x9": "80"}, "comments": {}})
    assert unknown["errors"][0]["code"] == "unknown_criterion"
    no_comment = review(80) | {"comments": {"i0": "好"}}
    await talent.call("PUT", path, reviewer(1), json=no_comment)
    missing = await talent.call("POST", f"{path}/submit", reviewer(1), 422, json={})
    assert {e["field"] for e in missing["errors"]} == {"comments.i1", "comments.i2", "comments.i3"}
    r = await talent.client.put(
        f"/api/v1/talent{path}", headers={**reviewer(1), "If-Match": '"stale"'}, json=review(80)
    )
    assert r.status_code == 412  # the draft is replaced whole, with its ETag
    r = await talent.client.get(f"/api/v1/talent{path}", headers=reviewer(1))
    await talent.call("PUT", path, reviewer(1), json=review(80), headers={"If-Match": r.headers["ETag"]})
    submitted = await talent.call("POST", f"{path}/submit", reviewer(1), json={})
    assert submitted["status"] == "submitted"
    # someone else's assignment is a 404, to another expert and to the applicant alike
    await talent.call("GET", f"/review-assignments/{assignment['id']}", reviewer(2), 404)
    await talent.call("GET", f"/review-assignments/{assignment['id']}", APPLICANT, 403)


async def test_tal1_the_weighted_score_comes_from_the_programmes_weights(talent: Talent) -> None:
    year = await open_year(talent, 2)
    await drawn(talent, year, reviewers=6)
    by_app = {a: i for i, a in enumerate(year.apps)}
    for n in year.reviewers:
        for a in (await talent.call("GET", "/review-assignments", reviewer(n)))["items"]:
            # application 0: 100, 80, 60, 40 -> 0.35*100 + 0.25*80 + 0.25*60 + 0.15*40 = 76
            given = (100, 80, 60, 40) if by_app[a["application_id"]] == 0 else (40, 60, 80, 100)  # = 64
            path = f"/review-assignments/{a['id']}/review"
            await talent.call("PUT", path, reviewer(n), json=review(given))
            await talent.call("POST", f"{path}/submit", reviewer(n), json={})
    closed = await talent.call("POST", f"/review-rounds/{year.round['id']}/close", OFFICIAL, json={})
    assert sorted(closed["reviewed"]) == sorted(year.apps)
    scores = {r["application_id"]: Decimal(r["score"]) for r in closed["results"]}
    assert scores == {year.apps[0]: Decimal("76"), year.apps[1]: Decimal("64")}
    ranking = await talent.call("GET", f"/calls/{year.call['id']}/ranking", OFFICIAL)
    assert [(e["rank"], e["application_id"], Decimal(e["score"])) for e in ranking["entries"]] == [
        (1, year.apps[0], Decimal("76")),
        (2, year.apps[1], Decimal("64")),
    ]
    assert all(e["status"] == "reviewed" and e["valid_reviews"] == 3 for e in ranking["entries"])


async def test_nsf4_closing_moves_on_only_applications_with_enough_valid_reviews(talent: Talent) -> None:
    year = await open_year(talent, 2)
    await drawn(talent, year, reviewers=6)
    first = year.apps[0]
    for n in year.reviewers:  # only application 0's experts submit
        for a in (await talent.call("GET", "/review-assignments", reviewer(n)))["items"]:
            if a["application_id"] == first:
                path = f"/review-assignments/{a['id']}/review"
                await talent.call("PUT", path, reviewer(n), json=review(70))
                await talent.call("POST", f"{path}/submit", reviewer(n), json={})
    closed = await talent.call("POST", f"/review-rounds/{year.round['id']}/close", OFFICIAL, json={})
    assert closed["reviewed"] == [first] and [x["application_id"] for x in closed["lacking"]] == [year.apps[1]]
    assert (await talent.call("GET", f"/applications/{year.apps[1]}", OFFICIAL))["status"] == "in_review"
    ranking = await talent.call("GET", f"/calls/{year.call['id']}/ranking", AUDITOR)
    assert [e["application_id"] for e in ranking["entries"]] == [first]


async def test_review_rounds_are_the_officials_to_run(talent: Talent) -> None:
    year = await open_year(talent, 1)
    body = {"call_id": year.call["id"], "title": "轮"}
    await talent.call("POST", "/review-rounds", APPLICANT, 403, json=body)
    await talent.call("POST", "/review-rounds", ORG_ADMIN, 403, json=body)
    await talent.call("POST", "/review-rounds", AUDITOR, 403, json=body)
    await talent.call("GET", "/review-rounds", APPLICANT, 403)
    missing = await talent.call("POST", "/review-rounds", OFFICIAL, 404, json=body | {"call_id": 999999})
    assert missing["code"] == "not_found"
    rnd = await talent.call("POST", "/review-rounds", OFFICIAL, 201, json=body)
    await talent.call("POST", f"/review-rounds/{rnd['id']}/draw", AUDITOR, 403, json={})
    listed = await talent.call("GET", f"/review-rounds?call_id={year.call['id']}", AUDITOR)
    assert [r["id"] for r in listed["items"]] == [rnd["id"]]
    await talent.call("GET", f"/calls/{year.call['id']}/ranking", APPLICANT, 403)
    await talent.call("GET", f"/calls/{year.call['id']}/ranking", reviewer(1), 404)  # not a member


async def test_a_round_needs_a_published_call(talent: Talent) -> None:
    year = await open_year(talent, 0)
    body = {
        "programme_id": year.programme["id"],
        "code": "JLQN2028",
        "year": 2028,
        "title": "2028",
        "opens_on": "2028-03-01",
        "closes_on": "2028-03-31",
        "cap_per_org": 2,
    }
    draft = await talent.call("POST", "/calls", OFFICIAL, 201, json=body)
    refused = await talent.call("POST", "/review-rounds", OFFICIAL, 409, json={"call_id": draft["id"], "title": "轮"})
    assert refused["code"] == "call_not_published"


async def test_score_all_helper_reviews_every_slot(talent: Talent) -> None:
    year = await open_year(talent, 2)
    await drawn(talent, year, reviewers=4)
    await score_all(talent, year, {0: 90, 1: 80})
    lacking = await talent.call("GET", f"/review-rounds/{year.round['id']}/lacking", OFFICIAL)
    assert lacking["items"] == []
