"""The panel and the committee (AW-1, AW-3, NSF-2/NSF-3): a reviewer of a nomination's unit is never drawn
for it; a vote's figures outside the rules are refused; an objection upheld on the acceptance notice
disqualifies the nomination; the committee may decide not to award."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.services.talent.awards_support import (
    DEPARTMENT,
    UNIT_USCC,
    Awards,
    nominate,
    open_cycle,
    person,
    register_nominators,
)
from tests.services.talent.conftest import APPLICANT, OFFICIAL, PROJECTS_OFFICIAL
from tests.services.talent.test_national_nominations import EVIDENCE, add_reviewers, score_all


async def in_review(awards: Awards, count: int = 2) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    await register_nominators(awards)
    cycle = await open_cycle(awards)
    made = [await nominate(awards, cycle["id"], person(1 + n), who=DEPARTMENT) for n in range(count)]
    for n in made:
        await awards.call("POST", f"/nominations/{n['id']}/accept", OFFICIAL, json={})
    notice = await awards.call(
        "POST", "/notices", OFFICIAL, 201, json={"kind": "award_acceptance", "cycle_id": cycle["id"]}
    )
    return cycle, made, notice


async def conclude(awards: Awards, notice: dict[str, Any]) -> None:
    awards.clock.set(date(2027, 4, 10))
    await awards.call("POST", f"/notices/{notice['id']}/conclude", OFFICIAL, json={})


async def test_nsf3_a_reviewer_of_the_nominations_unit_is_never_drawn(awards: Awards) -> None:
    cycle, made, notice = await in_review(awards, 1)
    await conclude(awards, notice)
    await add_reviewers(awards, 2)
    assert awards.projects is not None
    body = {
        "name": "同单位专家",
        "id_number": person(60),
        "user_id": "rv-same",
        "organisation_name": "吉林大学",
        "organisation_uscc": UNIT_USCC,
        "title": "教授",
        "discipline_codes": ["D0101"],
        "keywords": ["玉米"],
    }
    r = await awards.projects.post("/api/v1/projects/reviewers", json=body, headers=PROJECTS_OFFICIAL)
    assert r.status_code == 201, r.text
    same = r.json()["id"]
    panel = await awards.call("POST", f"/award-cycles/{cycle['id']}/panel", OFFICIAL, 201, json={"seed": 3})
    assert len(panel["assignments"]) == 2 and same not in {a["reviewer_id"] for a in panel["assignments"]}
    assert (await awards.call("GET", f"/award-cycles/{cycle['id']}/panel", OFFICIAL))["seed"] == 3
    await awards.call("GET", f"/nominations/{made[0]['id']}", {"x-kjt-principal": ""}, 401)


async def test_aw1_vote_figures_outside_the_rules_are_refused(awards: Awards) -> None:
    cycle, made, notice = await in_review(awards, 1)
    await conclude(awards, notice)
    await add_reviewers(awards, 2)
    await awards.call("POST", f"/award-cycles/{cycle['id']}/panel", OFFICIAL, 201, json={"seed": 5})
    assert await score_all(awards, made[0]["id"], "80") == 2
    path = f"/nominations/{made[0]['id']}/committee-vote"
    more = await awards.call("POST", path, OFFICIAL, 422, json={"grade": 1, "present": 7, "in_favour": 7})
    assert more["code"] == "invalid_committee_vote"  # the committee has 6 members
    ungraded = await awards.call("POST", path, OFFICIAL, 422, json={"grade": None, "present": 6, "in_favour": 6})
    assert ungraded["code"] == "award_grade_not_allowed"
    # AW-1: a quorum of two thirds of the members: 3 of 6 present is not one
    no_quorum = await awards.call("POST", path, OFFICIAL, json={"grade": 3, "present": 3, "in_favour": 3})
    assert no_quorum["vote"]["reason"] == "quorum_not_met" and no_quorum["status"] == "in_review"
    await awards.call("POST", f"/nominations/{made[0]['id']}/not-award", OFFICIAL, 422, json={})
    declined = await awards.call(
        "POST", f"/nominations/{made[0]['id']}/not-award", OFFICIAL, json={"comment": "创新性不足"}
    )
    assert declined["status"] == "not_awarded"


async def test_aw3_an_objection_upheld_on_the_acceptance_notice_disqualifies(awards: Awards) -> None:
    cycle, made, notice = await in_review(awards, 2)
    assert notice["days"] == 30 and notice["ends_on"] == "2027-04-09"
    objection = {
        "subject_id": made[0]["id"],
        "objector_name": "王某",
        "objector_contact": "13800000000",
        "grounds": "项目完成人排序与实际贡献不符",
        "evidence": EVIDENCE,
    }
    raised = await awards.call("POST", f"/notices/{notice['id']}/objections", APPLICANT, 201, json=objection)
    await awards.call(
        "POST", f"/notice-objections/{raised['id']}/uphold", OFFICIAL, json={"comment": "经核实，排序不实"}
    )
    first = await awards.call("GET", f"/nominations/{made[0]['id']}", OFFICIAL)
    assert first["status"] == "disqualified"
    await conclude(awards, notice)
    assert (await awards.call("GET", f"/nominations/{made[1]['id']}", OFFICIAL))["status"] == "in_review"
    assert (await awards.call("GET", f"/nominations/{made[0]['id']}", OFFICIAL))["status"] == "disqualified"


async def test_aw3_one_notice_of_a_kind_at_a_time_per_cycle(awards: Awards) -> None:
    cycle, made, notice = await in_review(awards, 1)
    late = await nominate(awards, cycle["id"], person(30), who=DEPARTMENT)
    await awards.call("POST", f"/nominations/{late['id']}/accept", OFFICIAL, json={})
    running = await awards.call(
        "POST", "/notices", OFFICIAL, 409, json={"kind": "award_acceptance", "cycle_id": cycle["id"]}
    )
    assert running["code"] == "award_notice_running"
    await conclude(awards, notice)
    assert (await awards.call("GET", f"/nominations/{late['id']}", OFFICIAL))["status"] == "accepted"
    second = await awards.call(
        "POST", "/notices", OFFICIAL, 201, json={"kind": "award_acceptance", "cycle_id": cycle["id"]}
    )
    assert [e["subject_id"] for e in second["entries"]] == [late["id"]]
