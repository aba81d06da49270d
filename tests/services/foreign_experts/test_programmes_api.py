"""The bureau's foreign-expert programmes (引进外国专家项目) through the API: yearly calls with their window,
cap and budget as data; an employer's application from draft to completion (review opinions, a grant within
the request, the cap and the budget left, payment, the completion report); object-level access, If-Match,
Idempotency-Key."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from services.foreign_experts.programmes.models import ProgrammeApplication
from tests.services.foreign_experts.conftest import (
    ANONYMOUS,
    AUDITOR,
    CLERK,
    OFFICIAL,
    OTHER_CLERK,
    OTHER_USCC,
    make_employer,
)
from tests.services.foreign_experts.funding_helpers import (
    PROGRAMME_CALL,
    make_call,
    make_programme,
    plan,
    prog,
    review,
)


async def test_programme_from_call_to_completion(fe: Any) -> None:
    call = await make_call(fe)
    assert call["status"] == "published" and call["open_now"] is True and call["kind_label"]["zh"] == "引进外国专家项目"
    employer = await make_employer(fe)
    app = await make_programme(fe, call["id"], employer["id"])
    assert app["status"] == "draft" and app["expert"]["nationality_label"]["zh"] == "法国"
    assert app["requested_amount"] == "200000.00" and app["allowed_actions"] == ["submit", "withdraw"]
    await prog(fe, app["id"], "submit", OFFICIAL, 403)  # only the employer's clerks submit
    await prog(fe, app["id"], "submit", CLERK)
    await prog(fe, app["id"], "approve", OFFICIAL, 409)  # not under review yet: invalid transition
    await prog(fe, app["id"], "accept", OFFICIAL)
    problem = await prog(fe, app["id"], "approve", OFFICIAL, 409)
    assert problem["code"] == "reviews_missing"
    await review(fe, app["id"])
    duplicate = await review(fe, app["id"], expect=409)
    assert duplicate["code"] == "duplicate"
    await review(fe, app["id"], name="Prof. Kim（首尔大学）", score=78)
    await fe.call("GET", f"/programme-applications/{app['id']}/reviews", CLERK, 403)
    opinions = await fe.call("GET", f"/programme-applications/{app['id']}/reviews", AUDITOR)
    assert [o["score"] for o in opinions] == [86, 78] and opinions[0]["recommendation_label"]["zh"] == "同意资助"
    await prog(fe, app["id"], "approve", CLERK, 403)
    approved = await prog(fe, app["id"], "approve", OFFICIAL, granted_amount="150000.00")
    assert approved["granted_amount"] == "150000.00" and approved["mean_score"] == 82.0
    assert approved["review_count"] == 2 and approved["decided_on"] == "2026-03-02"
    after = await fe.call("GET", f"/programme-calls/{call['id']}", ANONYMOUS)
    assert (after["approved_amount"], after["remaining_budget"], after["approved_count"]) == (
        "150000.00",
        "850000.00",
        1,
    )
    await review(fe, app["id"], name="迟到的专家", expect=409)  # no more opinions once decided
    await prog(fe, app["id"], "fund", OFFICIAL, 422)  # the voucher's number is required
    funded = await prog(fe, app["id"], "fund", OFFICIAL, reference="吉财外专〔2026〕12号")
    assert funded["funded_on"] == "2026-03-02" and funded["report_due_on"] == "2026-11-30"  # 31 Oct + 30 days
    assert funded["report_overdue"] is False and funded["report_days_left"] == 273
    fe.clock.set(date(2026, 11, 30), hour=23)  # the due day, late in the evening: 0 days left (CAL-2)
    assert (await fe.call("GET", f"/programme-applications/{app['id']}", CLERK))["report_days_left"] == 0
    fe.clock.set(date(2026, 12, 1))
    late = await fe.call("GET", f"/programme-applications/{app['id']}", CLERK)
    assert (late["report_overdue"], late["report_days_left"]) == (True, -1)
    report = {"summary": "完成两次来华指导", "outcomes": "建立示范区2个，培训农技人员120人", "actual_days_in_china": 58}
    over = await prog(fe, app["id"], "submit-report", CLERK, 400, **report, grant_spent="150000.01")
    assert over["code"] == "spent_exceeds_grant"
    await prog(fe, app["id"], "submit-report", OFFICIAL, 403, **report, grant_spent="140000.00")
    reported = await prog(fe, app["id"], "submit-report", CLERK, **report, grant_spent="140000.00")
    assert reported["status"] == "report_submitted" and reported["report"]["unspent"] == "10000.00"
    await prog(fe, app["id"], "return-report", OFFICIAL, 422)  # a comment is required
    await prog(fe, app["id"], "return-report", OFFICIAL, comment="请补充经费决算表")
    await prog(fe, app["id"], "submit-report", CLERK, **report, grant_spent="150000.00")
    done = await prog(fe, app["id"], "accept-report", OFFICIAL)
    assert done["status"] == "completed" and done["status_label"]["en"] == "completed" and done["allowed_actions"] == []
    history = await fe.call("GET", f"/programme-applications/{app['id']}/history", CLERK)
    assert [h["action"] for h in history] == [
        "create",
        "submit",
        "accept",
        "approve",
        "fund",
        "submit_report",
        "return_report",
        "submit_report",
        "accept_report",
    ]


async def test_other_employers_clerk_sees_nothing(fe: Any) -> None:
    call = await make_call(fe)
    employer = await make_employer(fe)
    other = await make_employer(fe, OTHER_CLERK, uscc=OTHER_USCC, name="吉林市外国语学校", city_code="2202")
    app = await make_programme(fe, call["id"], employer["id"])
    await fe.call("GET", f"/programme-applications/{app['id']}", OTHER_CLERK, 404)
    await prog(fe, app["id"], "submit", OTHER_CLERK, 404)
    await fe.call(
        "PATCH",
        f"/programme-applications/{app['id']}",
        OTHER_CLERK,
        404,
        json={"plan": plan()},
        headers={"If-Match": "*"},
    )
    await fe.call("GET", f"/programme-applications/{app['id']}/history", OTHER_CLERK, 404)
    assert (await fe.call("GET", "/programme-applications", OTHER_CLERK))["items"] == []
    # nor may a clerk apply in another employer's name
    await make_programme(fe, call["id"], employer["id"], who=OTHER_CLERK, expect=404)
    own = await make_programme(fe, call["id"], other["id"], who=OTHER_CLERK)
    listed = await fe.call("GET", "/programme-applications", OFFICIAL, params={"call_id": call["id"]})
    assert {i["id"] for i in listed["items"]} == {app["id"], own["id"]}
    assert [i["id"] for i in (await fe.call("GET", "/programme-applications", CLERK))["items"]] == [app["id"]]


async def test_call_window_and_cap_are_the_calls_data(fe: Any) -> None:
    employer = await make_employer(fe)
    draft = await make_call(fe, publish=False)
    await fe.call("GET", f"/programme-calls/{draft['id']}", ANONYMOUS, 404)  # drafts are the officials'
    await fe.call("GET", f"/programme-calls/{draft['id']}", AUDITOR)
    await make_programme(fe, draft["id"], employer["id"], expect=404)
    await fe.call("POST", f"/programme-calls/{draft['id']}/publish", OFFICIAL)
    over = await make_programme(
        fe,
        draft["id"],
        employer["id"],
        expect=409,
        plan={"requested_amount": "300000.01", "budget_items": [{"item": "全部", "amount": "300000.01"}]},
    )
    assert over["code"] == "request_exceeds_cap" and over["max_amount"] == "300000.00"
    at_cap = await make_programme(
        fe,
        draft["id"],
        employer["id"],
        plan={"requested_amount": "300000.00", "budget_items": [{"item": "全部", "amount": "300000.00"}]},
    )
    fe.clock.set(date(2026, 5, 1))  # the day after the window closed
    closed = await prog(fe, at_cap["id"], "submit", CLERK, 409)
    assert closed["code"] == "call_not_open" and closed["closes_on"] == "2026-04-30"
    fe.clock.set(date(2026, 4, 30))  # the last day is still open
    assert (await prog(fe, at_cap["id"], "submit", CLERK))["status"] == "submitted"
    await fe.call("POST", f"/programme-calls/{draft['id']}/close", OFFICIAL)
    late = await make_programme(fe, draft["id"], employer["id"], expect=409)
    assert late["code"] == "call_not_open"


async def test_plan_must_add_up(fe: Any) -> None:
    """The budget items add up to the request, the days in China fit the period, the expert is a foreigner,
    and a work permit the expert holds is named by a WP-8 number whose check digit holds."""
    call = await make_call(fe)
    employer = await make_employer(fe)
    bad_items = await make_programme(
        fe, call["id"], employer["id"], expect=422, plan={"budget_items": [{"item": "国际旅费", "amount": "1.00"}]}
    )
    assert bad_items["code"] == "validation_failed"
    await make_programme(fe, call["id"], employer["id"], expect=422, plan={"days_in_china": 185})  # > 184 days
    await make_programme(fe, call["id"], employer["id"], expect=422, plan={"ends_on": "2026-04-30"})
    await make_programme(fe, call["id"], employer["id"], expect=422, expert={"nationality": "CHN"})
    bad_permit = await make_programme(
        fe, call["id"], employer["id"], expect=422, expert={"permit_number": "222026000000000012"}
    )
    assert bad_permit["errors"][0] == {
        "field": "expert.permit_number",
        "code": "invalid_permit_number",
        "message": bad_permit["errors"][0]["message"],
    }
    held = await make_programme(fe, call["id"], employer["id"], expert={"permit_number": "222026000000000011"})
    assert held["expert"]["permit_number"] == "222026000000000011"


async def _approvable(fe: Any, call_id: int, employer_id: int, amount: str) -> dict[str, Any]:
    app = await make_programme(
        fe,
        call_id,
        employer_id,
        plan={"requested_amount": amount, "budget_items": [{"item": "全部", "amount": amount}]},
    )
    await prog(fe, app["id"], "submit", CLERK)
    await prog(fe, app["id"], "accept", OFFICIAL)
    await review(fe, app["id"])
    return app


async def test_grants_never_exceed_request_cap_or_budget_left(fe: Any) -> None:
    call = await make_call(fe, budget="300000.00", max_amount="250000.00")
    employer = await make_employer(fe)
    first = await _approvable(fe, call["id"], employer["id"], "200000.00")
    second = await _approvable(fe, call["id"], employer["id"], "150000.00")
    too_much = await prog(fe, first["id"], "approve", OFFICIAL, 409, granted_amount="200000.01")
    assert too_much["code"] == "grant_exceeds_request"
    await prog(fe, first["id"], "approve", OFFICIAL)  # the request, by default
    short = await prog(fe, second["id"], "approve", OFFICIAL, 409)
    assert short["code"] == "call_budget_exhausted" and short["remaining_budget"] == "100000.00"
    unchanged = await fe.call("GET", f"/programme-applications/{second['id']}", OFFICIAL)
    assert unchanged["status"] == "under_review" and unchanged["granted_amount"] is None
    exact = await prog(fe, second["id"], "approve", OFFICIAL, granted_amount="100000.00")  # all that is left
    assert exact["granted_amount"] == "100000.00"
    full = await fe.call("GET", f"/programme-calls/{call['id']}", OFFICIAL)
    assert (full["remaining_budget"], full["approved_count"]) == ("0.00", 2)
    await prog(fe, first["id"], "cancel", OFFICIAL, 422)  # a comment is required
    called_off = await prog(fe, first["id"], "cancel", OFFICIAL, comment="用人单位放弃")
    assert called_off["status"] == "called_off"
    back = await fe.call("GET", f"/programme-calls/{call['id']}", OFFICIAL)
    assert (back["remaining_budget"], back["approved_count"]) == ("200000.00", 1)
    # a paid grant cannot be called off any more
    await prog(fe, second["id"], "fund", OFFICIAL, reference="V-1")
    await prog(fe, second["id"], "cancel", OFFICIAL, 409, comment="x")


async def test_call_edits_need_if_match_and_never_go_below_approvals(fe: Any) -> None:
    await fe.call("POST", "/programme-calls", CLERK, 403, json=PROGRAMME_CALL)
    call = await make_call(fe, budget="300000.00", max_amount="250000.00")
    await fe.call("POST", "/programme-calls", OFFICIAL, 409, json=PROGRAMME_CALL)  # the code is taken
    wrong = await fe.call(
        "POST", "/programme-calls", OFFICIAL, 422, json=PROGRAMME_CALL | {"code": "X1", "participant_quota": 5}
    )  # a training plan's figure
    assert wrong["errors"][0]["field"] == "participant_quota"
    await fe.call(
        "POST",
        "/programme-calls",
        OFFICIAL,
        422,
        json=PROGRAMME_CALL | {"code": "X2", "opens_on": "2026-05-01", "closes_on": "2026-04-30"},
    )
    await fe.call(
        "POST",
        "/programme-calls",
        OFFICIAL,
        422,
        json=PROGRAMME_CALL | {"code": "X3", "budget": "100.00", "max_amount": "200.00"},
    )
    employer = await make_employer(fe)
    app = await _approvable(fe, call["id"], employer["id"], "200000.00")
    await prog(fe, app["id"], "approve", OFFICIAL)
    path = f"/api/v1/foreign-experts/programme-calls/{call['id']}"
    await fe.call("PATCH", f"/programme-calls/{call['id']}", OFFICIAL, 428, json={"budget": "400000.00"})
    await fe.call(
        "PATCH",
        f"/programme-calls/{call['id']}",
        OFFICIAL,
        412,
        json={"budget": "400000.00"},
        headers={"If-Match": f'"funding_call-{call["id"]}-v{call["version"]}"'},
    )  # before the approval
    etag = (await fe.client.get(path, headers=OFFICIAL)).headers["etag"]
    below = await fe.call(
        "PATCH",
        f"/programme-calls/{call['id']}",
        OFFICIAL,
        409,
        json={"budget": "199999.99", "max_amount": "150000.00"},
        headers={"If-Match": etag},
    )
    assert below["code"] == "below_approved"
    raised = await fe.call(
        "PATCH", f"/programme-calls/{call['id']}", OFFICIAL, json={"budget": "500000.00"}, headers={"If-Match": etag}
    )
    assert raised["remaining_budget"] == "300000.00"
    await fe.call("POST", f"/programme-calls/{call['id']}/close", OFFICIAL)
    closed = await fe.call(
        "PATCH", f"/programme-calls/{call['id']}", OFFICIAL, 409, json={"title": "x"}, headers={"If-Match": "*"}
    )
    assert closed["code"] == "call_not_editable"
    assert [h["action"] for h in await fe.call("GET", f"/programme-calls/{call['id']}/history", AUDITOR)] == [
        "create",
        "publish",
        "close",
    ]
    listed = await fe.call("GET", "/programme-calls", ANONYMOUS, params={"year": 2026})
    assert [c["code"] for c in listed["items"]] == ["WZXM2026"]
    assert (await fe.call("GET", "/training-plans", ANONYMOUS))["items"] == []  # the other kind's collection


async def test_drafts_edit_with_if_match_and_create_is_idempotent(fe: Any) -> None:
    call = await make_call(fe)
    employer = await make_employer(fe)
    body = {
        "call_id": call["id"],
        "employer_id": employer["id"],
        "expert": {"name": "IVANOV, Sergei", "nationality": "RUS", "field": "光学", "position": "Professor, ITMO"},
        "plan": plan(),
    }
    key = {"Idempotency-Key": "programme-ivanov-1"}
    first = await fe.call("POST", "/programme-applications", CLERK, 201, json=body, headers=key)
    again = await fe.call("POST", "/programme-applications", CLERK, 201, json=body, headers=key)
    assert first["id"] == again["id"]
    await fe.call(
        "POST", "/programme-applications", CLERK, 409, json=body | {"plan": plan("100000.00")}, headers=key
    )  # the same key with another body
    async with fe.db.sessionmaker() as s:
        assert (await s.execute(select(func.count()).select_from(ProgrammeApplication))).scalar_one() == 1
    path = f"/programme-applications/{first['id']}"
    await fe.call("PATCH", path, CLERK, 428, json={"plan": plan("100000.00")})
    etag = (await fe.client.get("/api/v1/foreign-experts" + path, headers=CLERK)).headers["etag"]
    edited = await fe.call("PATCH", path, CLERK, json={"plan": plan("100000.00")}, headers={"If-Match": etag})
    assert edited["requested_amount"] == "100000.00" and edited["version"] == first["version"] + 1
    await fe.call("PATCH", path, CLERK, 412, json={"plan": plan()}, headers={"If-Match": etag})
    await fe.call("PATCH", path, OFFICIAL, 403, json={"plan": plan()}, headers={"If-Match": "*"})
    await prog(fe, first["id"], "submit", CLERK)
    locked = await fe.call("PATCH", path, CLERK, 409, json={"plan": plan()}, headers={"If-Match": "*"})
    assert locked["code"] == "application_not_editable"
    await prog(fe, first["id"], "return", OFFICIAL, comment="请补充专家履历")
    await fe.call(
        "PATCH",
        path,
        CLERK,
        json={"expert": body["expert"] | {"achievements": "俄罗斯科学院院士"}},
        headers={"If-Match": "*"},
    )
    assert (await prog(fe, first["id"], "resubmit", CLERK))["expert"]["achievements"] == "俄罗斯科学院院士"
    withdrawn = await prog(fe, first["id"], "withdraw", CLERK)
    assert withdrawn["status"] == "withdrawn"


async def test_suspended_employer_cannot_apply_for_programmes(fe: Any) -> None:
    call = await make_call(fe)
    employer = await make_employer(fe)
    app = await make_programme(fe, call["id"], employer["id"])
    await fe.call("POST", f"/employers/{employer['id']}/suspend", OFFICIAL, json={"comment": "核查中"})
    assert (await prog(fe, app["id"], "submit", CLERK, 409))["code"] == "employer_suspended"
    assert (await make_programme(fe, call["id"], employer["id"], expect=409))["code"] == "employer_suspended"


async def test_cal2_a_call_is_open_now_from_its_first_day_to_its_last_both_included(fe: Any) -> None:
    """CAL-2: open from the first instant of opens_on to the last of closes_on in Asia/Shanghai, 0 days left on
    closes_on; a call closed by hand is not open. The list shows the same as the record."""
    call = await make_call(fe, opens_on="2026-03-10", closes_on="2026-03-20")

    async def seen(day: date, hour: int) -> tuple[bool, int | None]:
        fe.clock.set(day, hour)
        one = await fe.call("GET", f"/programme-calls/{call['id']}", ANONYMOUS)
        listed = await fe.call("GET", "/programme-calls", ANONYMOUS)
        assert [(c["open_now"], c["days_left"]) for c in listed["items"]] == [(one["open_now"], one["days_left"])]
        return one["open_now"], one["days_left"]

    assert await seen(date(2026, 3, 9), 23) == (False, None)
    assert await seen(date(2026, 3, 10), 0) == (True, 10)  # the first day, from its first instant
    assert await seen(date(2026, 3, 19), 23) == (True, 1)
    assert await seen(date(2026, 3, 20), 0) == (True, 0)  # the last day: 0 days left
    assert await seen(date(2026, 3, 20), 23) == (True, 0)
    assert await seen(date(2026, 3, 21), 0) == (False, None)  # the day after: closed
    fe.clock.set(date(2026, 3, 15))
    closed = await fe.call("POST", f"/programme-calls/{call['id']}/close", OFFICIAL)
    assert (closed["status"], closed["open_now"], closed["days_left"]) == ("closed", False, None)
    draft = await make_call(fe, publish=False, code="WZXM2026B")
    assert (draft["open_now"], draft["days_left"]) == (False, None)
