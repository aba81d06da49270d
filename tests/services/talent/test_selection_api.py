"""Selection through the public notice (TAL-5) through the API: the call's proposed list is published for
the programme's working days with public facts only, in the ranked list's order; an objection upheld takes
an application off (``not_selected``, the reason in its history); the conclusion selects the rest and
starts each tenure (TAL-3)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from tests.services.talent.conftest import ANONYMOUS, APPLICANT, AUDITOR, OFFICIAL, Talent
from tests.services.talent.year_support import EVIDENCE, ORG_ADMIN, applicant, applicant_id, proposed_year


async def test_tal5_the_proposed_list_is_published_then_an_objection_upheld_and_the_rest_selected(
    talent: Talent,
) -> None:
    year = await proposed_year(talent, n_apps=3, notice_working_days=7)
    first, second, third = year.apps
    notice = await talent.call(
        "POST", "/notices", OFFICIAL, 201, json={"kind": "selection", "call_id": year.call["id"]}
    )
    assert (notice["days"], notice["day_count"], notice["kind"]) == (7, "working", "selection")
    public = await talent.call("GET", f"/notices/{notice['id']}", ANONYMOUS)
    assert [(e["subject_id"], e["rank"]) for e in public["entries"]] == [(first, 1), (second, 2), (third, 3)]
    entry = public["entries"][0]
    assert entry["person_name"] == "申请人0" and entry["organisation_name"] == "吉林大学"
    assert entry["details"]["programme"] == year.programme["name"] and entry["details"]["kind"] == "young_talent"
    text = json.dumps(public, ensure_ascii=False)
    assert applicant_id(0) not in text and applicant_id(0)[6:14] not in text and "id_number" not in text
    for app in year.apps:
        assert (await talent.call("GET", f"/applications/{app}", OFFICIAL))["noticed_at"] is not None

    objection = {
        "subject_id": second,
        "objector_name": "李明",
        "objector_contact": "13904310000",
        "grounds": "代表作与他人成果重复",
        "evidence": EVIDENCE,
    }
    raised = await talent.call("POST", f"/notices/{notice['id']}/objections", APPLICANT, 201, json=objection)
    upheld = await talent.call(
        "POST", f"/notice-objections/{raised['id']}/uphold", OFFICIAL, json={"comment": "经核查，代表作存在重复"}
    )
    assert upheld["status"] == "upheld"
    withdrawn = await talent.call("GET", f"/applications/{second}", OFFICIAL)
    assert withdrawn["status"] == "not_selected"
    history = await talent.call("GET", f"/applications/{second}/history", AUDITOR)
    assert history[-1]["action"] == "not_select" and "经核查，代表作存在重复" in history[-1]["comment"]

    talent.clock.set(date(2027, 3, 22))  # after the seven working days from 10 March
    await talent.call("POST", f"/notices/{notice['id']}/conclude", OFFICIAL, json={})
    for app in (first, third):
        seen = await talent.call("GET", f"/applications/{app}", applicant(year.apps.index(app)))
        assert seen["status"] == "selected"
        tenure = await talent.call("GET", f"/applications/{app}/tenure", OFFICIAL)
        assert (tenure["starts_on"], tenure["years"], tenure["status"]) == ("2027-03-22", 3, "running")
        tranches = await talent.call("GET", f"/applications/{app}/tranches", OFFICIAL)
        assert [Decimal(t["amount"]) for t in tranches] == [Decimal("240000"), Decimal("180000"), Decimal("180000")]
    await talent.call("GET", f"/applications/{second}/tenure", OFFICIAL, 404)
    listed = await talent.call("GET", f"/applications?call_id={year.call['id']}&status=selected", AUDITOR)
    assert sorted(a["id"] for a in listed["items"]) == sorted([first, third])


async def test_tal5_an_application_is_published_once(talent: Talent) -> None:
    year = await proposed_year(talent, n_apps=1)
    body = {"kind": "selection", "call_id": year.call["id"]}
    await talent.call("POST", "/notices", ORG_ADMIN, 403, json=body)
    await talent.call("POST", "/notices", OFFICIAL, 201, json=body)
    again = await talent.call("POST", "/notices", OFFICIAL, 409, json=body)
    assert again["code"] == "no_proposed_applications"
    missing = await talent.call("POST", "/notices", OFFICIAL, 404, json=body | {"call_id": 999999})
    assert missing["code"] == "not_found"
