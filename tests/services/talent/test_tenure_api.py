"""A selected talent's tenure through the API (TAL-3): the support's tranches from the programme's shares,
paid in order by officials after the integrity check (PRJ-5; projects down: 503, nothing written; a new
debarment stops the support and ends the title, the reason recorded); the annual assessments filed by the
host organisation and graded by officials (a fail stops the support and ends the title; the other grades
keep it running), and the final evaluation that completes the tenure. Roles at every step; another's
application is a 404."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from tests.services.projects.conftest import headers
from tests.services.talent.conftest import (
    APPLICANT,
    AUDITOR,
    OFFICIAL,
    OTHER_ORG_ADMIN,
    PROJECTS_OFFICIAL,
    Talent,
    programme_body,
)
from tests.services.talent.year_support import ORG_ADMIN, applicant, applicant_id, selected_year


def assessment(year_no: int, kind: str = "annual") -> dict[str, Any]:
    return {"kind": kind, "year_no": year_no, "report": f"第{year_no}年度任务完成情况与绩效"}


async def file_and_grade(talent: Talent, app: int, year_no: int, grade: str, kind: str = "annual") -> dict[str, Any]:
    filed = await talent.call(
        "POST", f"/applications/{app}/assessments", ORG_ADMIN, 201, json=assessment(year_no, kind)
    )
    body = {"grade": grade, "comment": "评定意见"}
    graded: dict[str, Any] = await talent.call(
        "POST", f"/applications/{app}/assessments/{filed['id']}/grade", OFFICIAL, json=body
    )
    return graded


async def test_tal3_the_tenure_starts_at_selection_with_the_tranches_of_the_programme(talent: Talent) -> None:
    year = await selected_year(talent, n_apps=1, support_amount="100000.00", tranche_shares=["0.33", "0.33", "0.34"])
    (app,) = year.apps
    tenure = await talent.call("GET", f"/applications/{app}/tenure", applicant(0))
    assert (tenure["starts_on"], tenure["ends_on"], tenure["status"]) == ("2027-03-10", "2030-03-09", "running")
    tranches = await talent.call("GET", f"/applications/{app}/tranches", ORG_ADMIN)
    assert [(t["number"], Decimal(t["amount"]), t["status"]) for t in tranches] == [
        (1, Decimal("33000.00"), "due"),
        (2, Decimal("33000.00"), "due"),
        (3, Decimal("34000.00"), "due"),
    ]
    await talent.call("GET", f"/applications/{app}/tranches", OTHER_ORG_ADMIN, 404)
    await talent.call("GET", f"/applications/{app}/tranches", APPLICANT, 404)  # another applicant


async def test_tal3_tranches_are_paid_in_order_by_officials(talent: Talent) -> None:
    year = await selected_year(talent, n_apps=1)
    (app,) = year.apps
    out_of_order = await talent.call("POST", f"/applications/{app}/tranches/2/pay", OFFICIAL, 409, json={})
    assert out_of_order["code"] == "support_tranche_not_payable" and out_of_order["unpaid_before"] == [1]
    await talent.call("POST", f"/applications/{app}/tranches/1/pay", ORG_ADMIN, 403, json={})
    await talent.call("POST", f"/applications/{app}/tranches/9/pay", OFFICIAL, 404, json={})
    paid = await talent.call("POST", f"/applications/{app}/tranches/1/pay", OFFICIAL, json={})
    assert paid["paid"] is True and paid["tranche"]["status"] == "paid" and paid["application_status"] == "selected"
    again = await talent.call("POST", f"/applications/{app}/tranches/1/pay", OFFICIAL, 409, json={})
    assert again["code"] == "support_tranche_not_payable"
    await talent.call("POST", f"/applications/{app}/tranches/2/pay", OFFICIAL, json={})


async def test_tal3_projects_down_refuses_a_payment_with_503_and_writes_nothing(talent: Talent) -> None:
    year = await selected_year(talent, n_apps=1)
    (app,) = year.apps
    assert talent.link is not None
    talent.link.down = True
    r = await talent.client.post(f"/api/v1/talent/applications/{app}/tranches/1/pay", headers=OFFICIAL, json={})
    assert r.status_code == 503 and r.headers["Retry-After"]
    talent.link.down = False
    assert (await talent.call("GET", f"/applications/{app}/tranches", OFFICIAL))[0]["status"] == "due"


async def test_tal3_prj5_a_debarment_during_the_tenure_stops_support_and_ends_the_title(talent: Talent) -> None:
    year = await selected_year(talent, n_apps=1)
    (app,) = year.apps
    await talent.call("POST", f"/applications/{app}/tranches/1/pay", OFFICIAL, json={})
    record = {
        "subject_kind": "person",
        "id_number": applicant_id(0),
        "conduct": "代表作数据造假",
        "measure": "debarment",
        "severity": "general",
        "period_start": "2027-06-01",
        "period_end": "2029-06-01",
        "decision_no": "吉科诚〔2027〕9号",
    }
    assert talent.projects is not None
    r = await talent.projects.post("/api/v1/projects/integrity/records", json=record, headers=PROJECTS_OFFICIAL)
    assert r.status_code == 201, r.text
    talent.clock.set(date(2027, 5, 31))  # not yet in force: paid
    assert (await talent.call("POST", f"/applications/{app}/tranches/2/pay", OFFICIAL, json={}))["paid"] is True
    talent.clock.set(date(2027, 6, 1))
    stopped = await talent.call("POST", f"/applications/{app}/tranches/3/pay", OFFICIAL, json={})
    assert stopped["paid"] is False and stopped["application_status"] == "terminated"
    assert stopped["tranche"]["status"] == "cancelled" and stopped["debarment"]["clause"] == "PRJ-5"
    assert stopped["tenure"]["end_reason"] == "debarred_during_tenure" and stopped["tenure"]["ended_on"] == "2027-06-01"
    tranches = await talent.call("GET", f"/applications/{app}/tranches", AUDITOR)
    assert [t["status"] for t in tranches] == ["paid", "paid", "cancelled"]
    history = await talent.call("GET", f"/applications/{app}/history", AUDITOR)
    assert history[-1]["action"] == "terminate" and "debarred_during_tenure" in history[-1]["comment"]
    over = await talent.call("POST", f"/applications/{app}/tranches/3/pay", OFFICIAL, 409, json={})
    assert over["code"] == "tenure_not_running"


async def test_tal3_fail_ends_support(talent: Talent) -> None:
    year = await selected_year(talent, n_apps=1)
    (app,) = year.apps
    await talent.call("POST", f"/applications/{app}/tranches/1/pay", OFFICIAL, json={})
    filed = await talent.call("POST", f"/applications/{app}/assessments", ORG_ADMIN, 201, json=assessment(1))
    grade_path = f"/applications/{app}/assessments/{filed['id']}/grade"
    no_reason = await talent.call("POST", grade_path, OFFICIAL, 422, json={"grade": "fail"})
    assert no_reason["errors"][0]["field"] == "comment"
    await talent.call("POST", grade_path, ORG_ADMIN, 403, json={"grade": "pass"})
    graded = await talent.call("POST", grade_path, OFFICIAL, json={"grade": "fail", "comment": "年度任务未完成"})
    assert graded["grade"] == "fail" and graded["grade_label"]["zh"] == "不合格"
    seen = await talent.call("GET", f"/applications/{app}", applicant(0))
    assert seen["status"] == "terminated" and seen["status_label"]["zh"] == "已终止支持"
    tenure = await talent.call("GET", f"/applications/{app}/tenure", OFFICIAL)
    assert (tenure["status"], tenure["end_reason"], tenure["end_comment"]) == (
        "terminated",
        "annual_assessment_failed",
        "年度任务未完成",
    )
    tranches = await talent.call("GET", f"/applications/{app}/tranches", OFFICIAL)
    assert [(t["status"], t["cancel_reason"]) for t in tranches] == [
        ("paid", None),
        ("cancelled", "annual_assessment_failed"),
        ("cancelled", "annual_assessment_failed"),
    ]
    refused = await talent.call("POST", f"/applications/{app}/assessments", ORG_ADMIN, 409, json=assessment(2))
    assert refused["code"] == "tenure_not_running"


async def test_tal3_pass_grades_keep_the_tenure_and_the_final_evaluation_completes_it(talent: Talent) -> None:
    year = await selected_year(talent, n_apps=1)
    (app,) = year.apps
    early = await talent.call("POST", f"/applications/{app}/assessments", ORG_ADMIN, 409, json=assessment(2))
    assert early["code"] == "assessment_not_due" and early["begins_on"] == "2028-03-10"
    await talent.call("POST", f"/applications/{app}/assessments", applicant(0), 403, json=assessment(1))
    await talent.call("POST", f"/applications/{app}/assessments", OTHER_ORG_ADMIN, 404, json=assessment(1))
    assert (await file_and_grade(talent, app, 1, "excellent"))["status"] == "graded"
    duplicate = await talent.call("POST", f"/applications/{app}/assessments", ORG_ADMIN, 409, json=assessment(1))
    assert duplicate["code"] == "duplicate"
    talent.clock.set(date(2028, 3, 9))  # the last day of year 1: year 2 has not begun
    await talent.call("POST", f"/applications/{app}/assessments", ORG_ADMIN, 409, json=assessment(2))
    talent.clock.set(date(2028, 3, 10))
    await file_and_grade(talent, app, 2, "pass")
    talent.clock.set(date(2029, 3, 10))
    await file_and_grade(talent, app, 3, "basic_pass")
    assert (await talent.call("GET", f"/applications/{app}", OFFICIAL))["status"] == "selected"
    before_end = await talent.call(
        "POST", f"/applications/{app}/assessments", ORG_ADMIN, 409, json=assessment(3, "final")
    )
    assert before_end["code"] == "assessment_not_due" and before_end["ends_on"] == "2030-03-09"
    talent.clock.set(date(2030, 3, 9))
    final = await file_and_grade(talent, app, 3, "pass", kind="final")
    assert final["kind"] == "final"
    tenure = await talent.call("GET", f"/applications/{app}/tenure", AUDITOR)
    assert (tenure["status"], tenure["ended_on"]) == ("completed", "2030-03-09")
    assert (await talent.call("GET", f"/applications/{app}", OFFICIAL))["status"] == "completed"
    listed = await talent.call("GET", f"/applications/{app}/assessments", applicant(0))
    assert [(a["kind"], a["year_no"], a["grade"]) for a in listed] == [
        ("annual", 1, "excellent"),
        ("annual", 2, "pass"),
        ("annual", 3, "basic_pass"),
        ("final", 3, "pass"),
    ]


async def test_tal3_an_application_not_selected_has_no_tenure(talent: Talent) -> None:
    year = await selected_year(talent, n_apps=1)
    await talent.call("GET", "/applications/999999/tenure", OFFICIAL, 404)
    stranger = headers("applicant", subject="stranger", org_id=99)
    await talent.call("GET", f"/applications/{year.apps[0]}/assessments", stranger, 404)


async def _apply_elsewhere(talent: Talent, code: str, level: str) -> dict[str, Any]:
    """Applicant 0 drafts an application to another programme's 2027 call (open 1-31 March)."""
    p = await talent.call("POST", "/programmes", OFFICIAL, 201, json=programme_body(code=code, level=level))
    body = {
        "programme_id": p["id"],
        "code": f"{code}2027",
        "year": 2027,
        "title": "另一计划",
        "opens_on": "2027-03-01",
        "closes_on": "2027-03-31",
        "cap_per_org": 5,
    }
    call = await talent.call("POST", "/calls", OFFICIAL, 201, json=body)
    await talent.call("POST", f"/calls/{call['id']}/publish", OFFICIAL, json={})
    draft = {
        "call_id": call["id"],
        "applicant_name": "申请人0",
        "id_number": applicant_id(0),
        "org_name": "吉林大学",
        "org_kind": "university",
        "title": "另一方向",
        "discipline_code": "C1302",
        "summary": "成果",
        "works": [{"kind": "paper", "title": "论文", "own_contribution": "第一作者"}],
    }
    created: dict[str, Any] = await talent.call("POST", "/applications", applicant(0), 201, json=draft)
    return created


async def test_tal2_a_running_tenure_refuses_another_programme_of_the_same_level_only(talent: Talent) -> None:
    year = await selected_year(talent, n_apps=1)  # provincial_key, tenure from 10 March 2027
    (app,) = year.apps
    same = await _apply_elsewhere(talent, "JLLJ", "provincial_key")
    refused = await talent.call("POST", f"/applications/{same['id']}/submit", applicant(0), 409, json={})
    assert refused["code"] == "same_level_support_active" and refused["holdings"][0]["source"] == "tenure"
    other = await _apply_elsewhere(talent, "JLYB", "provincial_general")
    await talent.call("POST", f"/applications/{other['id']}/submit", applicant(0), json={})
    # the title ended: the level is free again
    await file_and_grade(talent, app, 1, "fail")
    assert (await talent.call("POST", f"/applications/{same['id']}/submit", applicant(0), json={}))["status"] == (
        "submitted"
    )


async def test_odd_tenure_input_is_a_problem_never_a_500(talent: Talent) -> None:
    year = await selected_year(talent, n_apps=1)
    (app,) = year.apps
    for number in ("0", "11", "x"):
        r = await talent.client.post(f"/api/v1/talent/applications/{app}/tranches/{number}/pay", headers=OFFICIAL)
        assert r.status_code == 422, r.text
    for body in (
        {"kind": "annual", "year_no": 0, "report": "x"},
        {"kind": "annual", "year_no": 4, "report": "x"},
        {"kind": "midterm", "year_no": 1, "report": "x"},
        {"kind": "final", "year_no": 2, "report": "x"},
        {"kind": "annual", "year_no": 1, "report": ""},
    ):
        r = await talent.client.post(f"/api/v1/talent/applications/{app}/assessments", headers=ORG_ADMIN, json=body)
        assert r.status_code == 422, (body, r.text)
    filed = await talent.call("POST", f"/applications/{app}/assessments", ORG_ADMIN, 201, json=assessment(1))
    r = await talent.client.post(
        f"/api/v1/talent/applications/{app}/assessments/{filed['id']}/grade", headers=OFFICIAL, json={"grade": "good"}
    )
    assert r.status_code == 422
    await talent.call("POST", f"/applications/{app}/assessments/999999/grade", OFFICIAL, 404, json={"grade": "pass"})
    again = await talent.call(
        "POST", f"/applications/{app}/assessments/{filed['id']}/grade", OFFICIAL, json={"grade": "pass"}
    )
    twice = await talent.call(
        "POST", f"/applications/{app}/assessments/{filed['id']}/grade", OFFICIAL, 409, json={"grade": "pass"}
    )
    assert again["status"] == "graded" and twice["code"] == "assessment_already_graded"
