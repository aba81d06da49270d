"""Nominations through the API (AW-2, PRJ-5, CAL-2): only registered nominators, no self-nomination, an expert
nominates once a year and is never a candidate, a person is on one nomination a year, last year's winners'
positions, a debarment, the window; ID numbers stored sealed and shown masked; formal review by officials."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from tests.services.talent.awards_support import (
    CITY_GOV,
    DEPARTMENT,
    EXPERT,
    EXPERT_ID,
    NOT_REGISTERED,
    UNRECOGNISED,
    Awards,
    nominate,
    nomination_body,
    open_cycle,
    person,
    register_nominators,
)
from tests.services.talent.conftest import AUDITOR, OFFICIAL, PROJECTS_OFFICIAL


async def ready(awards: Awards) -> dict:
    await register_nominators(awards)
    return await open_cycle(awards)


async def test_aw2_only_registered_nominators_file(awards: Awards) -> None:
    cycle = await ready(awards)
    refused = await awards.call("POST", "/nominations", NOT_REGISTERED, 403, json=nomination_body(cycle["id"]))
    assert refused["code"] == "nominator_not_registered"
    # an expert not recognised by the department is registered but may not nominate (AW-2)
    unrecognised = await nominate(awards, cycle["id"], person(7), who=UNRECOGNISED, expect=422)
    assert unrecognised["code"] == "nominator_not_allowed"


async def test_aw2_a_submission_formal_review_and_the_id_numbers_sealed(awards: Awards) -> None:
    cycle = await ready(awards)
    done = await nominate(awards, cycle["id"])
    assert done["status"] == "submitted" and done["submitted_at"]
    first = done["completers"][0]
    assert first["id_number"] == person(1)[:6] + "********" + person(1)[-4:]
    await awards.call("GET", f"/nominations/{done['id']}", DEPARTMENT, 404)  # another nominator's
    await awards.call("POST", f"/nominations/{done['id']}/reject", OFFICIAL, 422, json={})  # a reason needed
    accepted = await awards.call("POST", f"/nominations/{done['id']}/accept", OFFICIAL, json={})
    assert accepted["status"] == "accepted" and accepted["status_label"]["zh"] == "形式审查通过"
    history = await awards.call("GET", f"/nominations/{done['id']}/history", AUDITOR)
    assert [h["action"] for h in history] == ["create", "submit", "accept"]
    async with awards.app.state.db.sessionmaker() as session:
        stored = (await session.execute(text("SELECT id_number_sealed FROM award_nomination_people"))).scalars().all()
    assert stored and all(person(1) not in s and person(2) not in s for s in stored)
    # no ID number in any internal call's URL either (the integrity check goes by subject key)
    assert all(person(1) not in str(r.url) for r in awards.links.calls)


async def test_aw2_no_self_nomination(awards: Awards) -> None:
    cycle = await ready(awards)
    refused = await nominate(awards, cycle["id"], EXPERT_ID, person(3), who=EXPERT, expect=409)
    assert refused["code"] == "self_nomination" and refused["clause"] == "AW-2"


async def test_aw2_expert_nominates_once_a_year(awards: Awards) -> None:
    cycle = await ready(awards)
    await nominate(awards, cycle["id"], person(1), who=EXPERT)
    refused = await nominate(awards, cycle["id"], person(2), who=EXPERT, expect=409)
    assert refused["code"] == "expert_nomination_limit"


async def test_aw2_an_expert_nominator_cannot_be_a_candidate(awards: Awards) -> None:
    cycle = await ready(awards)
    await nominate(awards, cycle["id"], person(1), who=EXPERT)
    refused = await nominate(awards, cycle["id"], person(4), EXPERT_ID, expect=409)
    assert refused["code"] == "expert_nominator_is_candidate"


async def test_aw2_a_person_on_one_nomination_a_year(awards: Awards) -> None:
    cycle = await ready(awards)
    first = await nominate(awards, cycle["id"], person(1), person(2))
    refused = await nominate(awards, cycle["id"], person(5), person(2), who=DEPARTMENT, expect=409)
    assert refused["code"] == "person_nomination_limit"
    assert refused["findings"][0]["nomination_ids"] == [str(first["id"])]
    # once the first is withdrawn, the person is free again
    await awards.call("POST", f"/nominations/{first['id']}/withdraw", CITY_GOV, json={})
    await nominate(awards, cycle["id"], person(5), person(2), who=DEPARTMENT)


async def test_cal2_nominations_only_within_the_cycles_window(awards: Awards) -> None:
    cycle = await ready(awards)
    draft = await awards.call("POST", "/nominations", CITY_GOV, 201, json=nomination_body(cycle["id"]))
    awards.clock.set(date(2027, 5, 1), hour=0)
    refused = await awards.call("POST", f"/nominations/{draft['id']}/submit", CITY_GOV, 409, json={})
    assert refused["code"] == "call_not_open"
    awards.clock.set(date(2027, 4, 30), hour=23)
    await awards.call("POST", f"/nominations/{draft['id']}/submit", CITY_GOV, json={})


async def test_prj5_a_debarred_completer_cannot_be_nominated(awards: Awards) -> None:
    cycle = await ready(awards)
    record = {
        "subject_kind": "person",
        "id_number": person(2),
        "conduct": "抄袭他人科研成果",
        "measure": "debarment",
        "severity": "general",
        "period_start": "2027-01-01",
        "period_end": "2029-01-01",
        "decision_no": "吉科诚〔2027〕2号",
    }
    assert awards.projects is not None
    r = await awards.projects.post("/api/v1/projects/integrity/records", json=record, headers=PROJECTS_OFFICIAL)
    assert r.status_code == 201, r.text
    refused = await nominate(awards, cycle["id"], expect=409)
    assert refused["code"] == "debarred" and refused["clause"] == "PRJ-5"


async def test_prj5_projects_down_refuses_with_503_and_writes_nothing(awards: Awards) -> None:
    cycle = await ready(awards)
    draft = await awards.call("POST", "/nominations", CITY_GOV, 201, json=nomination_body(cycle["id"]))
    awards.links.down.add("projects")
    r = await awards.client.post(f"/api/v1/talent/nominations/{draft['id']}/submit", json={}, headers=CITY_GOV)
    assert r.status_code == 503 and "retry-after" in r.headers
    awards.links.down.clear()
    again = await awards.call("GET", f"/nominations/{draft['id']}", CITY_GOV)
    assert again["status"] == "draft" and again["version"] == draft["version"]


async def test_units_are_checked_by_their_uscc(awards: Awards) -> None:
    cycle = await ready(awards)
    body = nomination_body(cycle["id"], units=[{"name": "某单位", "uscc": "91220101123456780"}])
    refused = await awards.call("POST", "/nominations", CITY_GOV, 422, json=body)
    assert refused["code"] == "validation_failed"


async def test_the_register_is_the_officials_and_a_deactivated_nominator_no_longer_nominates(awards: Awards) -> None:
    cycle = await ready(awards)
    listed = await awards.call("GET", "/nominators?kind=expert", AUDITOR)
    assert sorted(n["name"] for n in listed["items"]) == ["刘院士", "未认定专家"]
    assert all("id_number" not in n for n in listed["items"])
    expert = next(n for n in listed["items"] if n["name"] == "刘院士")
    await awards.call("PATCH", f"/nominators/{expert['id']}", CITY_GOV, 403, json={"active": False})
    await awards.call(
        "PATCH", f"/nominators/{expert['id']}", OFFICIAL, json={"active": False}, headers={"If-Match": expert["etag"]}
    )
    refused = await awards.call("POST", "/nominations", EXPERT, 403, json=nomination_body(cycle["id"], person(8)))
    assert refused["code"] == "nominator_not_registered"
    twice = {"account": "722", "kind": "expert", "name": "重复", "id_number": EXPERT_ID}
    assert (await awards.call("POST", "/nominators", OFFICIAL, 409, json=twice))["code"] == "duplicate"
    no_id = {"account": "730", "kind": "expert", "name": "无证件专家"}
    assert (await awards.call("POST", "/nominators", OFFICIAL, 422, json=no_id))["code"] == "validation_failed"


async def test_an_idempotency_key_files_one_nomination(awards: Awards) -> None:
    cycle = await ready(awards)
    body = nomination_body(cycle["id"])
    key = {"Idempotency-Key": "nomination-once-1"}
    first = await awards.call("POST", "/nominations", CITY_GOV, 201, json=body, headers=key)
    again = await awards.call("POST", "/nominations", CITY_GOV, 201, json=body, headers=key)
    assert again["id"] == first["id"]
    other = await awards.call("POST", "/nominations", CITY_GOV, 409, json=body | {"title": "另一项"}, headers=key)
    assert other["code"] == "idempotency_key_reused"
    assert len((await awards.call("GET", "/nominations", CITY_GOV))["items"]) == 1


async def test_drafts_are_edited_with_the_etag_and_only_by_their_nominator(awards: Awards) -> None:
    cycle = await ready(awards)
    draft = await awards.call("POST", "/nominations", CITY_GOV, 201, json=nomination_body(cycle["id"]))
    path = f"/nominations/{draft['id']}"
    await awards.call("PATCH", path, CITY_GOV, 428, json={"title": "新名称"})
    edited = await awards.call(
        "PATCH",
        path,
        CITY_GOV,
        json={"title": "新名称", "completers": [{"name": "新完成人", "id_number": person(20)}]},
        headers={"If-Match": draft["etag"]},
    )
    assert edited["title"] == "新名称" and [c["name"] for c in edited["completers"]] == ["新完成人"]
    await awards.call("PATCH", path, DEPARTMENT, 404, json={"title": "x"}, headers={"If-Match": "*"})
    submitted = await awards.call("POST", f"{path}/submit", CITY_GOV, json={})
    refused = await awards.call("PATCH", path, CITY_GOV, 409, json={"title": "再改"}, headers={"If-Match": "*"})
    assert refused["code"] == "application_not_editable" and submitted["status"] == "submitted"
    # the completer dropped by the edit is free again (AW-2 reads what the nomination names now)
    await nominate(awards, cycle["id"], person(1), who=DEPARTMENT)


async def test_a_committee_vote_outside_the_rules_is_refused_not_a_500(awards: Awards) -> None:
    cycle = await ready(awards)
    done = await nominate(awards, cycle["id"])
    path = f"/nominations/{done['id']}/committee-vote"
    # not in review yet: the vote is an illegal move
    refused = await awards.call("POST", path, OFFICIAL, 409, json={"grade": 1, "present": 6, "in_favour": 6})
    assert refused["code"] == "invalid_transition"
    bad = await awards.call("POST", path, OFFICIAL, 422, json={"grade": 4, "present": 6, "in_favour": 6})
    assert bad["code"] == "validation_failed"
    await awards.call("GET", "/nominations?cursor=not-a-cursor", OFFICIAL, 422)
    await awards.call("GET", f"/nominations/{2**63}", OFFICIAL, 422)
