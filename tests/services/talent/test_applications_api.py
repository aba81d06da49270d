"""Talent applications through the API: an applicant drafts and submits under a published call; the
guards at submit each answer their own code (CAL-2 window, the organisation's kind, TAL-4, TAL-1, TAL-2,
PRJ-5, the projects service down); the organisation endorses within its cap or returns; other people's
applications are a 404; the ID number is stored encrypted and shown masked."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import text

from tests.services.talent.conftest import (
    ANONYMOUS,
    APPLICANT,
    AUDITOR,
    MAN_35,
    MAN_36,
    OFFICIAL,
    ORG_ADMIN,
    OTHER_APPLICANT,
    OTHER_ORG_ADMIN,
    PROJECTS_OFFICIAL,
    SECOND_APPLICANT,
    WOMAN_39,
    Talent,
    programme_body,
)

WORKS = [{"kind": "paper", "title": "玉米耐旱基因挖掘", "own_contribution": "提出研究思路，第一作者"}]


async def open_call(talent: Talent, **programme: Any) -> dict[str, Any]:
    p = await talent.call("POST", "/programmes", OFFICIAL, 201, json=programme_body(**programme))
    body = {
        "programme_id": p["id"],
        "code": f"{p['code']}2027",
        "year": 2027,
        "title": "2027年度申报",
        "opens_on": "2027-03-01",
        "closes_on": "2027-03-31",
        "cap_per_org": 1,
    }
    call = await talent.call("POST", "/calls", OFFICIAL, 201, json=body)
    await talent.call("POST", f"/calls/{call['id']}/publish", OFFICIAL, json={})
    talent.clock.set(date(2027, 3, 10))
    return call


def application_body(call_id: int, **overrides: Any) -> dict[str, Any]:
    return {
        "call_id": call_id,
        "applicant_name": "张伟",
        "id_number": MAN_35,
        "org_name": "吉林大学",
        "org_kind": "university",
        "title": "作物抗逆分子育种",
        "discipline_code": "C13",
        "summary": "近五年主要创新成果与贡献",
        "works": WORKS,
    } | overrides


async def draft(talent: Talent, call_id: int, who: dict[str, str] = APPLICANT, **overrides: Any) -> dict[str, Any]:
    return await talent.call("POST", "/applications", who, 201, json=application_body(call_id, **overrides))


async def submit(talent: Talent, application: dict[str, Any], expect: int = 200, who: dict[str, str] = APPLICANT):
    return await talent.call("POST", f"/applications/{application['id']}/submit", who, expect, json={})


async def test_an_applicant_submits_and_the_organisation_endorses(talent: Talent) -> None:
    call = await open_call(talent)
    created = await draft(talent, call["id"])
    assert created["id_number"] == MAN_35[:6] + "********" + MAN_35[-4:]
    assert created["allowed_actions"] == ["submit", "withdraw"]
    assert [a["href"] for a in created["actions"]] == [
        f"/api/v1/talent/applications/{created['id']}/submit",
        f"/api/v1/talent/applications/{created['id']}/withdraw",
    ]
    # a draft is its author's alone
    await talent.call("GET", f"/applications/{created['id']}", ORG_ADMIN, 404)
    await talent.call("GET", f"/applications/{created['id']}", OFFICIAL, 404)
    submitted = await submit(talent, created)
    assert submitted["status"] == "submitted" and submitted["submitted_at"] is not None
    seen = await talent.call("GET", f"/applications/{created['id']}", ORG_ADMIN)
    assert seen["allowed_actions"] == ["return_by_org", "endorse"]
    endorsed = await talent.call("POST", f"/applications/{created['id']}/endorse", ORG_ADMIN, json={})
    assert endorsed["status"] == "endorsed" and endorsed["endorsed_at"] is not None
    assert (await talent.call("GET", f"/applications/{created['id']}", OFFICIAL))["allowed_actions"] == [
        "accept",
        "reject",
    ]
    await talent.call("POST", f"/applications/{created['id']}/accept", ORG_ADMIN, 403, json={})  # officials decide
    await talent.call("POST", f"/applications/{created['id']}/reject", OFFICIAL, 422, json={})  # a reason needed
    accepted = await talent.call("POST", f"/applications/{created['id']}/accept", OFFICIAL, json={})
    assert accepted["status"] == "accepted" and accepted["status_label"]["zh"] == "形式审查通过"
    history = await talent.call("GET", f"/applications/{created['id']}/history", AUDITOR)
    assert [h["action"] for h in history][-3:] == ["submit", "endorse", "accept"]


async def test_the_id_number_is_stored_encrypted(talent: Talent) -> None:
    call = await open_call(talent)
    created = await draft(talent, call["id"])
    async with talent.client._transport.app.state.db.sessionmaker() as session:  # type: ignore[attr-defined]
        stored = (
            await session.execute(text("SELECT id_number_sealed FROM applications WHERE id = :i"), {"i": created["id"]})
        ).scalar_one()
    assert MAN_35 not in stored and MAN_35[6:14] not in stored


async def test_others_applications_are_not_found(talent: Talent) -> None:
    call = await open_call(talent)
    created = await draft(talent, call["id"])
    await submit(talent, created)
    await talent.call("GET", f"/applications/{created['id']}", OTHER_APPLICANT, 404)
    await talent.call("GET", f"/applications/{created['id']}", OTHER_ORG_ADMIN, 404)
    await talent.call("POST", f"/applications/{created['id']}/endorse", OTHER_ORG_ADMIN, 404, json={})
    await talent.call("GET", f"/applications/{created['id']}", ANONYMOUS, 401)
    assert (await talent.call("GET", "/applications", OTHER_APPLICANT))["items"] == []
    # only officials decide formal review; the applicant cannot endorse their own
    await talent.call("POST", f"/applications/{created['id']}/accept", ORG_ADMIN, 409, json={})
    refused = await talent.call("POST", f"/applications/{created['id']}/endorse", APPLICANT, 403, json={})
    assert refused["code"] == "forbidden"


async def test_cal2_submission_only_within_the_window(talent: Talent) -> None:
    """CAL-2: from the first day to the last, both included, in Asia/Shanghai."""
    call = await open_call(talent)
    created = await draft(talent, call["id"])
    talent.clock.set(date(2027, 4, 1), hour=0)
    assert (await submit(talent, created, 409))["code"] == "call_not_open"
    talent.clock.set(date(2027, 3, 31), hour=23)
    await submit(talent, created)


async def test_tal4_a_man_of_35_on_1_january_is_in_one_of_36_is_out(talent: Talent) -> None:
    """TAL-4: at most 35 for men on 1 January of the call's year, from the ID number (ID-2)."""
    call = await open_call(talent)
    older = await draft(talent, call["id"], SECOND_APPLICANT, id_number=MAN_36)
    refused = await submit(talent, older, 422, who=SECOND_APPLICANT)
    assert refused["code"] == "over_programme_age_limit" and refused["age"] == 36 and refused["max_age"] == 35
    assert (await talent.call("GET", f"/applications/{older['id']}", SECOND_APPLICANT))["status"] == "draft"
    await submit(talent, await draft(talent, call["id"]))


async def test_tal4_a_woman_of_39_is_within_the_limit_of_40(talent: Talent) -> None:
    call = await open_call(talent)
    await submit(talent, await draft(talent, call["id"], id_number=WOMAN_39))


async def test_tal1_works_beyond_the_programmes_number_are_refused(talent: Talent) -> None:
    """TAL-1: the programme takes up to max_works representative works (here 2)."""
    call = await open_call(talent, max_works=2)
    refused = await submit(talent, await draft(talent, call["id"], works=WORKS * 3), 422)
    assert refused["code"] == "invalid_representative_works"
    nothing = await submit(talent, await draft(talent, call["id"], works=[]), 422)
    assert nothing["code"] == "invalid_representative_works"


async def test_tal2_a_running_title_of_the_same_level_blocks_and_one_of_another_does_not(talent: Talent) -> None:
    call = await open_call(talent)  # provincial_key
    same = [{"title": "省级重点人才", "level": "provincial_key", "ends_on": "2027-12-31"}]
    refused = await submit(talent, await draft(talent, call["id"], national_titles=same), 409)
    assert refused["code"] == "same_level_support_active"
    other = [{"title": "省级一般人才", "level": "provincial_general", "ends_on": "2027-12-31"}]
    await submit(talent, await draft(talent, call["id"], national_titles=other))


async def test_a_programme_takes_only_its_organisation_kinds(talent: Talent) -> None:
    call = await open_call(talent)
    refused = await submit(talent, await draft(talent, call["id"], org_kind="enterprise"), 422)
    assert refused["code"] == "org_kind_not_allowed" and refused["allowed"] == ["research_institute", "university"]


async def test_prj5_a_debarred_applicant_cannot_submit(talent: Talent) -> None:
    call = await open_call(talent)
    record = {
        "subject_kind": "person",
        "id_number": MAN_35,
        "conduct": "伪造论文发表情况",
        "measure": "debarment",
        "severity": "general",
        "period_start": "2027-01-01",
        "period_end": "2029-01-01",
        "decision_no": "吉科诚〔2027〕1号",
    }
    assert talent.projects is not None
    r = await talent.projects.post("/api/v1/projects/integrity/records", json=record, headers=PROJECTS_OFFICIAL)
    assert r.status_code == 201, r.text
    refused = await submit(talent, await draft(talent, call["id"]), 409)
    assert refused["code"] == "debarred" and refused["clause"] == "PRJ-5"


async def test_the_projects_service_down_refuses_with_503_and_writes_nothing(talent: Talent) -> None:
    call = await open_call(talent)
    created = await draft(talent, call["id"])
    assert talent.link is not None
    talent.link.down = True
    r = await talent.client.post(f"/api/v1/talent/applications/{created['id']}/submit", json={}, headers=APPLICANT)
    assert r.status_code == 503 and "retry-after" in r.headers
    talent.link.down = False
    again = await talent.call("GET", f"/applications/{created['id']}", APPLICANT)
    assert again["status"] == "draft" and again["version"] == created["version"]


async def test_the_cap_per_organisation_is_counted_at_endorsement(talent: Talent) -> None:
    call = await open_call(talent)  # cap_per_org 1
    first = await submit(talent, await draft(talent, call["id"]))
    second = await submit(talent, await draft(talent, call["id"], SECOND_APPLICANT), who=SECOND_APPLICANT)
    await talent.call("POST", f"/applications/{first['id']}/endorse", ORG_ADMIN, json={})
    refused = await talent.call("POST", f"/applications/{second['id']}/endorse", ORG_ADMIN, 409, json={})
    assert refused["code"] == "endorsement_cap_reached" and refused["cap_per_org"] == 1
    returned = await talent.call(
        "POST", f"/applications/{second['id']}/return-by-org", ORG_ADMIN, json={"comment": "名额已满"}
    )
    assert returned["status"] == "returned" and returned["allowed_actions"] == []


async def test_edits_only_while_draft_or_returned_with_the_etag(talent: Talent) -> None:
    call = await open_call(talent)
    created = await draft(talent, call["id"])
    path = f"/applications/{created['id']}"
    await talent.call("PATCH", path, APPLICANT, 428, json={"title": "新方向"})
    edited = await talent.call(
        "PATCH", path, APPLICANT, json={"title": "新方向"}, headers={"If-Match": created["etag"]}
    )
    assert edited["title"] == "新方向"
    submitted = await submit(talent, edited)
    refused = await talent.call(
        "PATCH", path, APPLICANT, 409, json={"title": "再改"}, headers={"If-Match": submitted["etag"]}
    )
    assert refused["code"] == "application_not_editable"
    withdrawn = await talent.call("POST", f"{path}/withdraw", APPLICANT, json={})
    assert withdrawn["status"] == "withdrawn"


async def test_no_application_under_a_draft_call(talent: Talent) -> None:
    p = await talent.call("POST", "/programmes", OFFICIAL, 201, json=programme_body())
    body = {
        "programme_id": p["id"],
        "code": "D2027",
        "year": 2027,
        "title": "草稿",
        "opens_on": "2027-03-01",
        "closes_on": "2027-03-31",
        "cap_per_org": 1,
    }
    call = await talent.call("POST", "/calls", OFFICIAL, 201, json=body)
    await talent.call("POST", "/applications", APPLICANT, 404, json=application_body(call["id"]))
