"""Award cycles through the API (AW-1, AW-3, CAL-2): officials draft one per year and category with its
quotas, votes, committee and notice periods as data; the biennial outstanding-contribution award is refused in
an off year; opened cycles are public."""

from __future__ import annotations

from tests.services.talent.awards_support import Awards, cycle_body, open_cycle
from tests.services.talent.conftest import ANONYMOUS, APPLICANT, AUDITOR, OFFICIAL


async def test_aw1_a_cycle_with_its_grades_quotas_and_votes_as_data(awards: Awards) -> None:
    cycle = await awards.call("POST", "/award-cycles", OFFICIAL, 201, json=cycle_body())
    assert cycle["status"] == "draft" and cycle["allowed_actions"] == ["open"]
    assert [(g["grade"], g["quota"], g["taken"]) for g in cycle["grades"]] == [(1, 1, 0), (2, 2, 0), (3, 3, 0)]
    assert cycle["grades"][0]["vote"] == {"threshold": "2/3", "basis": "members", "at_least": True, "quorum": "2/3"}
    assert cycle["grades"][1]["vote"]["basis"] == "present"  # the category's default for grade 2
    assert cycle["acceptance_days"] == 30 and cycle["winners_days"] == 15  # AW-3 defaults
    assert cycle["category_label"]["zh"] == "科学技术进步奖"
    await awards.call("GET", f"/award-cycles/{cycle['id']}", ANONYMOUS, 404)  # a draft is the officials'
    await awards.call("POST", "/award-cycles", APPLICANT, 403, json=cycle_body(code="X"))
    duplicate = await awards.call("POST", "/award-cycles", OFFICIAL, 409, json=cycle_body(code="OTHER"))
    assert duplicate["code"] == "duplicate"


async def test_aw1_outstanding_contribution_refused_in_an_off_year(awards: Awards) -> None:
    body = cycle_body(category="outstanding_contribution", code="JLSTA-2027-OC", quotas={"none": 2}, votes={})
    refused = await awards.call("POST", "/award-cycles", OFFICIAL, 409, json=body)
    assert refused["code"] == "award_cycle_not_allowed" and refused["next_year"] == 2028
    allowed = await awards.call("POST", "/award-cycles", OFFICIAL, 201, json=body | {"year": 2028})
    assert allowed["grades"] == [{"grade": None, "quota": 2, "taken": 0, "vote": allowed["grades"][0]["vote"]}]


async def test_aw1_quotas_name_only_the_categorys_grades(awards: Awards) -> None:
    refused = await awards.call("POST", "/award-cycles", OFFICIAL, 422, json=cycle_body(quotas={"none": 3}))
    assert refused["code"] == "award_grade_not_allowed"
    friendship = cycle_body(category="friendship", code="JLFA-2027", quotas={"1": 3}, votes={})
    assert (await awards.call("POST", "/award-cycles", OFFICIAL, 422, json=friendship))["code"] == (
        "award_grade_not_allowed"
    )
    bad_fraction = cycle_body(votes={"1": {"threshold": "3/0"}})
    assert (await awards.call("POST", "/award-cycles", OFFICIAL, 422, json=bad_fraction))["code"] in (
        "validation_failed",
        "invalid_award_rules",
    )


async def test_cal2_an_opened_cycle_is_public_with_its_window(awards: Awards) -> None:
    cycle = await open_cycle(awards)  # today 2027-03-10, window 03-01 .. 04-30
    seen = await awards.call("GET", f"/award-cycles/{cycle['id']}", ANONYMOUS)
    assert seen["open_now"] is True and seen["days_left"] == 51 and seen["status_label"]["en"] == "open for nominations"
    listed = await awards.call("GET", "/award-cycles?year=2027", ANONYMOUS)
    assert [c["id"] for c in listed["items"]] == [cycle["id"]]
    categories = await awards.call("GET", "/award-categories", ANONYMOUS)
    assert {c["code"] for c in categories} >= {"friendship", "transformation_contribution", "outstanding_contribution"}
    edited = await awards.call(
        "PATCH", f"/award-cycles/{cycle['id']}", OFFICIAL, json={"quotas": {"1": 2}}, headers={"If-Match": seen["etag"]}
    )
    assert edited["grades"][0]["quota"] == 2
    closed = await awards.call("POST", f"/award-cycles/{cycle['id']}/close", OFFICIAL, json={})
    assert closed["status"] == "closed" and closed["open_now"] is False
    history = await awards.call("GET", f"/award-cycles/{cycle['id']}/history", AUDITOR)
    assert [h["action"] for h in history] == ["create", "open", "close"]


async def test_a_stale_etag_is_refused_and_an_edit_needs_one(awards: Awards) -> None:
    cycle = await awards.call("POST", "/award-cycles", OFFICIAL, 201, json=cycle_body())
    path = f"/award-cycles/{cycle['id']}"
    await awards.call("PATCH", path, OFFICIAL, 428, json={"title": "新标题"})
    edited = await awards.call("PATCH", path, OFFICIAL, json={"title": "新标题"}, headers={"If-Match": cycle["etag"]})
    stale = await awards.call("PATCH", path, OFFICIAL, 412, json={"title": "再改"}, headers={"If-Match": cycle["etag"]})
    assert stale["code"] == "precondition_failed" and edited["version"] == cycle["version"] + 1
    refused = await awards.call("PATCH", path, OFFICIAL, 422, json={"quotas": None}, headers={"If-Match": "*"})
    assert refused["code"] == "validation_failed"
