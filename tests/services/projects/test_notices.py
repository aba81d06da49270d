"""Public notice (公示) of an approved list: a period of working days (CAL-1) from the start in
Asia/Shanghai (CAL-2), across National Day; public while open; written, real-name objections only
within the period (one second late is refused) and never anonymous; an unresolved objection blocks
the conclusion; an upheld one withdraws the approval and releases its amount."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from shared.notices import rules
from shared.workdays import WorkingCalendar
from tests.services.projects.approval_helpers import approve, propose, reviewed, set_clock, status_of
from tests.services.projects.conftest import (
    AGENCY,
    ANONYMOUS,
    APPLICANT,
    AUDITOR,
    OFFICIAL,
    OTHER_AGENCY,
    OTHER_APPLICANT,
    PREFIX,
    create_call,
    create_programme,
)

N = f"{PREFIX}/notices"
SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 9, 30, 10, 0, tzinfo=SH)
CLOSES = datetime(2026, 10, 13, 23, 59, 59, 999999, tzinfo=SH)


def test_cal1_notice_period_across_national_day() -> None:
    period = rules.notice_period(WorkingCalendar(), START, rules.DEFAULTS.working_days)
    # 10-01..10-07 are the National Day holiday, Saturday 10-10 an adjusted working day (调休):
    # 10-08, 10-09, 10-10, 10-12, 10-13
    assert period.closes_at == CLOSES and period.calendar_confirmed
    assert rules.DEFAULTS.working_days == 5


def test_cal1_a_year_without_a_schedule_is_counted_monday_to_friday_and_says_so() -> None:
    period = rules.notice_period(WorkingCalendar(use_package=False), datetime(2031, 3, 3, 9, tzinfo=SH), 5)
    assert period.closes_at.date().isoformat() == "2031-03-10" and not period.calendar_confirmed


def test_objection_window_edges_and_conclusion_blockers() -> None:
    assert rules.objection_window(START, START, CLOSES) is None
    assert rules.objection_window(CLOSES, START, CLOSES) is None
    assert rules.objection_window(CLOSES + timedelta(seconds=1), START, CLOSES) == "closed"
    assert rules.objection_window(START - timedelta(seconds=1), START, CLOSES) == "not_started"
    assert rules.conclusion_blockers(CLOSES, CLOSES, []) == ["period_running"]
    assert rules.conclusion_blockers(CLOSES + timedelta(seconds=1), CLOSES, [7]) == ["objections_unresolved"]


async def on_notice(client, n_apps: int = 2, budget: str = "1000000.00"):
    """An approved list of ``n_apps`` applications (400,000 each) put on notice on 2026-09-30 10:00."""
    p = await create_programme(client, budget=budget)
    call = await create_call(client, p["id"])
    apps = [await reviewed(client, call, n) for n in range(1, n_apps + 1)]
    lst = await propose(client, call["id"], [(a["id"], "400000.00") for a in apps])
    await approve(client, lst["id"])
    set_clock(client, START)
    r = await client.post(N, json={"approval_list_id": lst["id"]}, headers=OFFICIAL)
    assert r.status_code == 201, r.text
    return p, lst, apps, r.json()


def objection(application_id: int, **overrides):
    return {
        "subject_id": application_id,
        "objector_name": "张伟",
        "objector_contact": "13800000000",
        "grounds": "该项目与本人2024年已结题项目内容高度重复。",
        "evidence": [{"name": "对比材料.pdf", "size": 2048, "sha256": "b" * 64, "content_type": "application/pdf"}],
    } | overrides


async def test_cal1_cal2_notice_period_in_working_days_and_public_while_open(client) -> None:
    _, lst, apps, notice = await on_notice(client)
    assert notice["starts_at"] == "2026-09-30T10:00:00+08:00"
    assert notice["closes_at"] == "2026-10-13T23:59:59.999999+08:00"
    assert notice["days"] == 5 and notice["day_count"] == "working" and notice["calendar_confirmed"] is True
    assert notice["accepting_objections"] is True and notice["status"] == "open"
    assert [(e["subject_id"], e["amount"], e["status"]) for e in notice["entries"]] == [
        (a["id"], "400000.00", "listed") for a in apps
    ]
    assert notice["starts_on"] == "2026-09-30" and notice["ends_on"] == "2026-10-13"
    assert "id_number" not in str(notice)
    # public: no login needed to read it or find it
    r = await client.get(f"{N}/{notice['id']}", headers=ANONYMOUS)
    assert r.status_code == 200 and r.json()["entries"][0]["person_name"] == "负责人1"
    listed = (await client.get(N, headers=ANONYMOUS)).json()["items"]
    assert [x["id"] for x in listed] == [notice["id"]]
    # one notice per list; only an official opens it; only approved lists
    r = await client.post(N, json={"approval_list_id": lst["id"]}, headers=OFFICIAL)
    assert r.status_code == 409 and r.json()["code"] == "duplicate"
    assert (await client.post(N, json={"approval_list_id": lst["id"]}, headers=AGENCY)).status_code == 403
    assert (await client.post(N, json={"approval_list_id": 10**12}, headers=OFFICIAL)).status_code == 404
    r = await client.post(N, json={"approval_list_id": lst["id"], "starts_at": "2026-09-30T10:00:00"}, headers=OFFICIAL)
    assert r.status_code in (409, 422)
    r = await client.post(N, json={"approval_list_id": lst["id"], "working_days": 0}, headers=OFFICIAL)
    assert r.status_code == 422


async def test_objections_within_the_period_only_one_second_late_is_refused(client) -> None:
    _, _, apps, notice = await on_notice(client)
    url = f"{N}/{notice['id']}/objections"
    set_clock(client, CLOSES)
    r = await client.post(url, json=objection(apps[0]["id"]), headers=OTHER_APPLICANT)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["status"] == "pending" and made["objector_actor"] == "user:301" and made["objector_name"] == "张伟"
    set_clock(client, CLOSES + timedelta(seconds=1))
    r = await client.post(url, json=objection(apps[0]["id"]), headers=OTHER_APPLICANT)
    assert r.status_code == 409 and r.json()["code"] == "notice_closed"
    assert r.json()["closes_at"] == "2026-10-13T23:59:59.999999+08:00"
    assert (await client.get(f"{N}/{notice['id']}", headers=ANONYMOUS)).json()["accepting_objections"] is False
    set_clock(client, START - timedelta(seconds=1))
    r = await client.post(url, json=objection(apps[0]["id"]), headers=OTHER_APPLICANT)
    assert r.status_code == 409 and r.json()["code"] == "notice_not_started"


async def test_anonymous_and_nameless_objections_are_refused(client) -> None:
    _, _, apps, notice = await on_notice(client)
    url = f"{N}/{notice['id']}/objections"
    r = await client.post(url, json=objection(apps[0]["id"]), headers=ANONYMOUS)
    assert r.status_code == 401
    for bad in ({"objector_name": ""}, {"objector_contact": ""}, {"grounds": ""}, {"objector_name": None}):
        r = await client.post(url, json=objection(apps[0]["id"], **bad), headers=APPLICANT)
        assert r.status_code == 422, bad
    r = await client.post(url, json=objection(10**12), headers=APPLICANT)
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_on_notice"
    assert (await client.post(f"{N}/{10**12}/objections", json=objection(1), headers=APPLICANT)).status_code == 404


async def test_an_unresolved_objection_blocks_the_conclusion(client) -> None:
    _, _, apps, notice = await on_notice(client)
    made = (
        await client.post(f"{N}/{notice['id']}/objections", json=objection(apps[1]["id"]), headers=OTHER_APPLICANT)
    ).json()
    conclude = f"{N}/{notice['id']}/conclude"
    r = await client.post(conclude, headers=OFFICIAL)
    assert r.status_code == 409 and r.json()["code"] == "notice_period_running"
    set_clock(client, CLOSES + timedelta(seconds=1))
    r = await client.post(conclude, headers=OFFICIAL)
    assert r.status_code == 409 and r.json()["code"] == "objections_unresolved"
    assert r.json()["objection_ids"] == [made["id"]]
    # who sees the objection: the objector and the staff of the programme; others get 404
    o = f"{PREFIX}/notice-objections/{made['id']}"
    for who in (OTHER_APPLICANT, OFFICIAL, AGENCY, AUDITOR):
        assert (await client.get(o, headers=who)).status_code == 200, who
    for who in (APPLICANT, OTHER_AGENCY):
        assert (await client.get(o, headers=who)).status_code == 404, who
    assert (await client.get(f"{N}/{notice['id']}/objections", headers=OTHER_AGENCY)).status_code == 404
    assert [x["id"] for x in (await client.get(f"{N}/{notice['id']}/objections", headers=AGENCY)).json()["items"]] == [
        made["id"]
    ]
    # dismissed with reasons by an official (the agency may not; reasons are required)
    assert (await client.post(f"{o}/dismiss", json={"comment": "理由不成立"}, headers=AGENCY)).status_code == 403
    assert (await client.post(f"{o}/dismiss", json={}, headers=OFFICIAL)).status_code == 422
    r = await client.post(
        f"{o}/dismiss",
        json={"comment": "经核查，研究内容不重复"},
        headers=OFFICIAL | {"If-Match": f'"notice_objection-{made["id"]}-v0"'},
    )
    assert r.status_code == 412
    r = await client.post(f"{o}/dismiss", json={"comment": "经核查，研究内容不重复"}, headers=OFFICIAL)
    assert r.status_code == 200 and r.json()["status"] == "dismissed" and r.json()["resolved_by"] == "user:100"
    r = await client.post(f"{o}/uphold", json={"comment": "再议"}, headers=OFFICIAL)
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    r = await client.post(conclude, headers=OFFICIAL)
    assert r.status_code == 200 and r.json()["status"] == "concluded"
    # concluded: no longer public; the staff still read it; no more objections
    assert (await client.get(f"{N}/{notice['id']}", headers=ANONYMOUS)).status_code == 404
    assert (await client.get(f"{N}/{notice['id']}", headers=AGENCY)).status_code == 200
    r = await client.post(f"{N}/{notice['id']}/objections", json=objection(apps[0]["id"]), headers=APPLICANT)
    assert r.status_code in (404, 409)
    hist = (await client.get(f"{N}/{notice['id']}/history", headers=AUDITOR)).json()
    assert [(h["action"], h["to_state"]) for h in hist] == [("create", "open"), ("conclude", "concluded")]
    hist = (await client.get(f"{o}/history", headers=OFFICIAL)).json()
    assert [(h["action"], h["to_state"], h["comment"]) for h in hist] == [
        ("create", "pending", None),
        ("dismiss", "dismissed", "经核查，研究内容不重复"),
    ]


async def test_an_upheld_objection_withdraws_the_approval_and_releases_the_amount(client) -> None:
    p, _, apps, notice = await on_notice(client)
    budget = f"{PREFIX}/programmes/{p['id']}/budget"
    assert (await client.get(budget, headers=OFFICIAL)).json()["remaining"] == "200000.00"
    made = (
        await client.post(f"{N}/{notice['id']}/objections", json=objection(apps[0]["id"]), headers=OTHER_APPLICANT)
    ).json()
    r = await client.post(
        f"{PREFIX}/notice-objections/{made['id']}/uphold",
        json={"comment": "经核查，与已结题项目重复，撤销立项"},
        headers=OFFICIAL,
    )
    assert r.status_code == 200 and r.json()["status"] == "upheld"
    assert await status_of(client, apps[0]["id"]) == "not_approved"
    assert await status_of(client, apps[1]["id"]) == "approved"
    after = (await client.get(budget, headers=OFFICIAL)).json()
    assert after["approved_total"] == "400000.00" and after["remaining"] == "600000.00"
    entries = (await client.get(f"{N}/{notice['id']}", headers=ANONYMOUS)).json()["entries"]
    assert [e["status"] for e in entries] == ["withdrawn", "listed"]
    lst = (await client.get(f"{PREFIX}/approval-lists/{notice['list_id']}", headers=OFFICIAL)).json()
    assert [i["status"] for i in lst["items"]] == ["withdrawn", "approved"] and lst["items"][0]["released_at"]
    hist = (await client.get(f"{PREFIX}/applications/{apps[0]['id']}/history", headers=AUDITOR)).json()
    assert (hist[-1]["action"], hist[-1]["from_state"], hist[-1]["to_state"]) == (
        "withdraw_approval",
        "approved",
        "not_approved",
    )
    set_clock(client, CLOSES + timedelta(days=1))
    assert (await client.post(f"{N}/{notice['id']}/conclude", headers=OFFICIAL)).status_code == 200
