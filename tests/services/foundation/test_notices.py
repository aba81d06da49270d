"""The public notice (公示) of a category's approved list for the plan's working days (CAL-1), read by
anyone without ID numbers, real-name objections within the period, their resolution (an upheld one
withdraws the approval and gives its amount back to the category) and the conclusion that funds the
listed applications (issue 4: "approved → public notice → funded")."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from tests.services.foundation.approval_helpers import (
    Category,
    Clock,
    application,
    approve,
    at,
    budget,
    ledger_statuses,
    make_plan,
    make_ranked,
    set_clock,
    statuses,
)
from tests.services.foundation.conftest import (
    AGENCY,
    ANONYMOUS,
    APPLICANT,
    AUDITOR,
    OFFICIAL,
    OTHER_AGENCY,
    OTHER_APPLICANT,
    PREFIX,
    Platform,
)

GENERAL = {"code": "general", "amount_mode": "fixed", "amount": "200000.00", "budget": "600000.00", "project_count": 3}
MONDAY = date(2026, 3, 2)
OBJECTION = {
    "subject_id": 0,
    "objector_name": "张伟",
    "objector_contact": "13800000000",
    "grounds": "申请书中的代表性成果与他人论文雷同。",
    "evidence": [{"name": "论文对比.pdf", "size": 1024, "sha256": "a" * 64}],
}


async def _approved(platform: Platform, n: int = 3, **plan: Any) -> tuple[Category, list[int], Clock]:
    clock = set_clock(platform.app, at(MONDAY))
    _, (cat,) = await make_plan(platform.db, categories=[GENERAL], **plan)
    ids = await make_ranked(platform.db, cat, ["200000.00"] * n)
    r = await approve(platform.c, cat, {"items": [{"application_id": i} for i in ids], "final": False})
    assert r.status_code == 201, r.text
    return cat, ids, clock


async def _open(
    c: httpx.AsyncClient, cat: Category, body: dict[str, Any] | None = None, headers: dict[str, str] = OFFICIAL
) -> httpx.Response:
    scope = {"plan_id": cat.plan_id, "category_id": cat.id}
    return await c.post(f"{PREFIX}/notices", json=scope | (body or {}), headers=headers)


async def _object(
    c: httpx.AsyncClient, notice_id: int, application_id: int, headers: dict[str, str] = APPLICANT
) -> httpx.Response:
    return await c.post(
        f"{PREFIX}/notices/{notice_id}/objections", headers=headers, json=OBJECTION | {"subject_id": application_id}
    )


async def test_cal1_notice_runs_the_plans_working_days_and_anyone_reads_it_without_id_numbers(
    platform: Platform,
) -> None:
    """CAL-1: 5 working days after Monday 2026-03-02 end on Monday 2026-03-09; the schedule of 2026 is
    official (calendar_confirmed). The public reads names, institutions, titles, amounts; never an ID."""
    cat, ids, _ = await _approved(platform)
    r = await _open(platform.c, cat)
    assert r.status_code == 201, r.text
    notice = r.json()
    assert (notice["starts_on"], notice["ends_on"], notice["days"], notice["calendar_confirmed"]) == (
        "2026-03-02",
        "2026-03-09",
        5,
        True,
    )
    assert notice["status"] == "open" and notice["accepting_objections"] is True
    assert r.headers["ETag"] == f'"public_notice-{notice["id"]}-v1"'
    for who in (ANONYMOUS, APPLICANT):
        one = await platform.c.get(f"{PREFIX}/notices/{notice['id']}", headers=who)
        assert one.status_code == 200, one.text
        entries = one.json()["entries"]
        assert [(e["subject_id"], e["amount"], e["organisation_name"]) for e in entries] == [
            (i, "200000.00", "吉林大学") for i in ids
        ]
        assert all(e["person_name"].startswith("申请人") and e["title"] for e in entries)
        assert all(e["details"] == {"discipline_code": "F0203"} for e in entries)
        first = await application(platform.db, ids[0])
        assert first.applicant_id_number not in one.text and "id_number" not in one.text
        listing = await platform.c.get(f"{PREFIX}/notices", params={"plan_id": cat.plan_id}, headers=who)
        assert listing.status_code == 200 and [n["id"] for n in listing.json()["items"]] == [notice["id"]]
    assert (await platform.c.get(f"{PREFIX}/notices/999999", headers=ANONYMOUS)).status_code == 404
    bad = await platform.c.get(f"{PREFIX}/notices", params={"status": "draft"}, headers=ANONYMOUS)
    assert bad.status_code == 422


async def test_cal1_period_skips_the_national_day_holiday(platform: Platform) -> None:
    """CAL-1: from Wednesday 2026-09-30, 5 working days skip the National Day holiday (10-01 to 10-07)
    and the adjusted working Saturday 2026-10-10 counts: 10-08, 10-09, 10-10, 10-12, 10-13 (the State
    Council schedule in chinese-calendar)."""
    cat, _, _ = await _approved(platform)
    set_clock(platform.app, at(date(2026, 9, 30)))
    r = await _open(platform.c, cat)
    assert r.status_code == 201, r.text
    assert (r.json()["starts_on"], r.json()["ends_on"], r.json()["calendar_confirmed"]) == (
        "2026-09-30",
        "2026-10-13",
        True,
    )


async def test_cal1_a_year_without_schedule_counts_monday_to_friday_and_says_so(platform: Platform) -> None:
    """CAL-1: for a year with no published schedule the platform counts Monday-Friday and shows
    calendar_confirmed false."""
    cat, _, _ = await _approved(platform)
    set_clock(platform.app, at(date(2031, 3, 3)))  # a Monday
    r = await _open(platform.c, cat)
    assert r.status_code == 201, r.text
    assert (r.json()["ends_on"], r.json()["calendar_confirmed"]) == ("2031-03-10", False)


async def test_only_an_official_publishes_and_only_approved_ones_are_listed(platform: Platform) -> None:
    cat, ids, _ = await _approved(platform, n=2)
    assert (await _open(platform.c, cat, headers=AGENCY)).status_code == 403
    assert (await _open(platform.c, cat, headers=APPLICANT)).status_code == 403
    wrong = Category(id=cat.id, plan_id=999999, code="x")
    assert (await _open(platform.c, wrong)).status_code == 404
    for bad in ({"starts_on": "9999-12-31"}, {"starts_on": "2026-02-30"}, {"status": "concluded"}):
        assert (await _open(platform.c, cat, bad)).status_code == 422, bad
    first = await _open(platform.c, cat)
    assert first.status_code == 201
    again = await _open(platform.c, cat)
    assert again.status_code == 409 and again.json()["code"] == "nothing_to_publish"
    # a later approval in the category goes on a notice of its own
    more = await make_ranked(platform.db, cat, ["200000.00"], owner_base=8000)
    assert (await approve(platform.c, cat, {"items": [{"application_id": more[0]}]})).status_code == 201
    second = await _open(platform.c, cat, {"title": "补充公示", "starts_on": "2026-03-04"})
    assert second.status_code == 201, second.text
    assert [e["subject_id"] for e in second.json()["entries"]] == more
    assert second.json()["title"] == "补充公示" and second.json()["starts_on"] == "2026-03-04"
    # it has not started: no objections yet
    early = await _object(platform.c, second.json()["id"], more[0])
    assert early.status_code == 409 and early.json()["code"] == "notice_not_started"
    assert ids  # the first notice still lists the first two


async def test_objections_are_real_name_and_only_while_the_notice_runs(platform: Platform) -> None:
    """AW-3 style: written, real-name (a logged-in person, name and contact), within the period."""
    cat, ids, clock = await _approved(platform)
    notice = (await _open(platform.c, cat)).json()
    assert (await _object(platform.c, notice["id"], ids[0], headers=ANONYMOUS)).status_code == 401
    nameless = await platform.c.post(
        f"{PREFIX}/notices/{notice['id']}/objections",
        headers=APPLICANT,
        json=OBJECTION | {"subject_id": ids[0], "objector_name": ""},
    )
    assert nameless.status_code == 422
    not_listed = await _object(platform.c, notice["id"], 999999)
    assert not_listed.status_code == 422 and not_listed.json()["errors"][0]["code"] == "not_on_notice"
    r = await _object(platform.c, notice["id"], ids[0])
    assert r.status_code == 201, r.text
    objection = r.json()
    assert (objection["status"], objection["objector_actor"]) == ("pending", "user:300")
    # the objector and the plan's staff see it; another person, an agency not on the plan: 404
    url = f"{PREFIX}/notice-objections/{objection['id']}"
    for who, status in (
        (APPLICANT, 200),
        (OFFICIAL, 200),
        (AGENCY, 200),
        (AUDITOR, 200),
        (OTHER_APPLICANT, 404),
        (OTHER_AGENCY, 404),
    ):
        assert (await platform.c.get(url, headers=who)).status_code == status, who
    listed = await platform.c.get(f"{PREFIX}/notices/{notice['id']}/objections", headers=AGENCY)
    assert listed.status_code == 200 and len(listed.json()["items"]) == 1
    assert (
        await platform.c.get(f"{PREFIX}/notices/{notice['id']}/objections", headers=OTHER_AGENCY)
    ).status_code == 404
    # the last instant of ends_on is in time; a moment later is late
    clock.set(at(date(2026, 3, 9), 23))
    assert (await _object(platform.c, notice["id"], ids[1])).status_code == 201
    clock.set(at(date(2026, 3, 10), 0))
    late = await _object(platform.c, notice["id"], ids[1])
    assert late.status_code == 409 and late.json()["code"] == "notice_closed"
    read = await platform.c.get(f"{PREFIX}/notices/{notice['id']}", headers=ANONYMOUS)
    assert read.json()["accepting_objections"] is False


async def test_upheld_objection_withdraws_the_approval_and_gives_the_budget_back(platform: Platform) -> None:
    cat, ids, _ = await _approved(platform)
    notice = (await _open(platform.c, cat)).json()
    upheld = (await _object(platform.c, notice["id"], ids[1])).json()
    dismissed = (await _object(platform.c, notice["id"], ids[2], headers=OTHER_APPLICANT)).json()
    url = f"{PREFIX}/notice-objections"
    assert (
        await platform.c.post(f"{url}/{upheld['id']}/uphold", json={"comment": "成果雷同属实"}, headers=AGENCY)
    ).status_code == 403
    no_reason = await platform.c.post(f"{url}/{upheld['id']}/uphold", json={"comment": ""}, headers=OFFICIAL)
    assert no_reason.status_code == 422
    stale = await platform.c.post(
        f"{url}/{upheld['id']}/uphold",
        json={"comment": "成果雷同属实"},
        headers=OFFICIAL | {"If-Match": f'"notice_objection-{upheld["id"]}-v9"'},
    )
    assert stale.status_code == 412
    r = await platform.c.post(
        f"{url}/{upheld['id']}/uphold",
        json={"comment": "成果雷同属实"},
        headers=OFFICIAL | {"If-Match": f'"notice_objection-{upheld["id"]}-v1"'},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["resolution"]) == ("upheld", "成果雷同属实")
    again = await platform.c.post(f"{url}/{upheld['id']}/dismiss", json={"comment": "x"}, headers=OFFICIAL)
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    r = await platform.c.post(f"{url}/{dismissed['id']}/dismiss", json={"comment": "经核查不属实"}, headers=OFFICIAL)
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    assert await statuses(platform.db, ids) == ["approved", "not_approved", "approved"]
    withdrawn = await application(platform.db, ids[1])
    assert withdrawn.approved_amount is None
    b = await budget(platform.c, cat)
    assert (b["approved_total"], b["approved_count"], b["remaining"]) == ("400000.00", 2, "200000.00")
    entries = (await platform.c.get(f"{PREFIX}/notices/{notice['id']}", headers=ANONYMOUS)).json()["entries"]
    assert [e["status"] for e in entries] == ["listed", "withdrawn", "listed"]
    history = await platform.c.get(f"{url}/{upheld['id']}/history", headers=APPLICANT)
    assert [h["action"] for h in history.json()] == ["create", "uphold"]
    app_history = await platform.c.get(f"{PREFIX}/applications/{ids[1]}/history", headers=OFFICIAL)
    assert app_history.status_code == 200, app_history.text
    last = app_history.json()[-1]
    assert last["action"] == "withdraw_approval" and "成果雷同属实" in last["comment"]
    # the withdrawn entry takes no more objections
    again = await _object(platform.c, notice["id"], ids[1])
    assert again.status_code == 422 and again.json()["errors"][0]["code"] == "not_on_notice"


async def test_conclude_after_ends_on_with_nothing_pending_funds_the_listed(platform: Platform) -> None:
    """Issue 4 "approved → public notice → funded": the ledger turns each into an active project."""
    cat, ids, clock = await _approved(platform, n=2)
    notice = (await _open(platform.c, cat)).json()
    conclude = f"{PREFIX}/notices/{notice['id']}/conclude"
    pending = (await _object(platform.c, notice["id"], ids[0])).json()
    early = await platform.c.post(conclude, headers=OFFICIAL)
    assert early.status_code == 409 and early.json()["code"] == "notice_period_running"
    assert early.json()["ends_on"] == "2026-03-09"
    clock.set(at(date(2026, 3, 10)))
    blocked = await platform.c.post(conclude, headers=OFFICIAL)
    assert blocked.status_code == 409 and blocked.json()["code"] == "objections_unresolved"
    assert blocked.json()["objection_ids"] == [pending["id"]]
    r = await platform.c.post(
        f"{PREFIX}/notice-objections/{pending['id']}/dismiss", json={"comment": "不属实"}, headers=OFFICIAL
    )
    assert r.status_code == 200
    assert (await platform.c.post(conclude, headers=AGENCY)).status_code == 403
    stale = await platform.c.post(conclude, headers=OFFICIAL | {"If-Match": f'"public_notice-{notice["id"]}-v7"'})
    assert stale.status_code == 412
    r = await platform.c.post(conclude, json={"comment": "公示无异议"}, headers=OFFICIAL)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "concluded" and [e["status"] for e in r.json()["entries"]] == ["funded"] * 2
    assert await statuses(platform.db, ids) == ["funded", "funded"]
    first = await application(platform.db, ids[0])
    assert ("project", "active") in await ledger_statuses(platform.projects, first.applicant_id_number)
    history = await platform.c.get(f"{PREFIX}/notices/{notice['id']}/history", headers=AUDITOR)
    assert [h["action"] for h in history.json()] == ["create", "conclude"]
    assert (await platform.c.get(f"{PREFIX}/notices/{notice['id']}/history", headers=OTHER_AGENCY)).status_code == 404
    twice = await platform.c.post(conclude, headers=OFFICIAL)
    assert twice.status_code == 409 and twice.json()["code"] == "invalid_transition"
    # a concluded notice is still public, and takes no objection
    assert (await platform.c.get(f"{PREFIX}/notices/{notice['id']}", headers=ANONYMOUS)).status_code == 200
    closed = await _object(platform.c, notice["id"], ids[1])
    assert closed.status_code == 409 and closed.json()["code"] == "notice_closed"


async def test_conclusion_is_refused_whole_when_projects_is_down(platform: Platform) -> None:
    """The ledger follows funding: with projects down the conclusion is a 503 and nothing moves."""
    cat, ids, clock = await _approved(platform, n=2)
    notice = (await _open(platform.c, cat)).json()
    clock.set(at(MONDAY + timedelta(days=14)))
    platform.link.down = True
    r = await platform.c.post(f"{PREFIX}/notices/{notice['id']}/conclude", headers=OFFICIAL)
    assert r.status_code == 503 and "Retry-After" in r.headers
    platform.link.down = False
    assert await statuses(platform.db, ids) == ["approved", "approved"]
    read = (await platform.c.get(f"{PREFIX}/notices/{notice['id']}", headers=OFFICIAL)).json()
    assert read["status"] == "open" and read["version"] == 1
    assert (await platform.c.post(f"{PREFIX}/notices/{notice['id']}/conclude", headers=OFFICIAL)).status_code == 200
