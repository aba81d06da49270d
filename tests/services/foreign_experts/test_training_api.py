"""Outbound training plans (出国(境)培训计划) through the API: the year's plan with its budget, cap, places
and longest stay as data; a unit's application from draft to the report on return; places and budget taken
at approval and given back when a trip is called off before departure; object-level access."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.services.foreign_experts.conftest import ANONYMOUS, AUDITOR, CLERK, CLERK_ADMIN, OFFICIAL, OTHER_CLERK
from tests.services.foreign_experts.funding_helpers import TRAINING_PLAN, make_call, make_training, train, trip
from tests.services.projects.conftest import headers

PLANS = "training-plans"
REPORT = {"summary": "系统学习了数字孪生工厂的管理方法", "follow_up": "在本单位推广两条示范产线"}


async def test_training_from_plan_to_report_on_return(fe: Any) -> None:
    plan = await make_call(fe, PLANS)
    assert plan["kind_label"]["en"] == "outbound training plan" and plan["remaining_places"] == 10
    app = await make_training(fe, plan["id"])
    assert app["days"] == 14 and app["destination_label"]["zh"] == "德国" and app["unit_name"]
    assert app["report_due_on"] is None and app["allowed_actions"] == ["submit", "withdraw"]
    await train(fe, app["id"], "submit", CLERK)
    await train(fe, app["id"], "approve", CLERK, 403)
    approved = await train(fe, app["id"], "approve", OFFICIAL, approved_amount="100000.00")
    assert (approved["approved_amount"], approved["approved_participants"]) == ("100000.00", 3)
    assert approved["report_due_on"] == "2026-07-14"  # return on 14 June + 30 days
    after = await fe.call("GET", f"/{PLANS}/{plan['id']}", ANONYMOUS)
    assert (after["remaining_budget"], after["remaining_places"], after["approved_participants"]) == ("400000.00", 7, 3)
    early = await train(
        fe, app["id"], "submit-report", CLERK, 422, returned_on="2026-06-14", travelled=3, spent="1.00", **REPORT
    )  # today is 2 March: nobody has come back yet
    assert early["errors"][0]["field"] == "returned_on"
    assert approved["report_days_left"] == 134  # from 2 March
    fe.clock.set(date(2026, 7, 14), hour=0)  # the due day from its first instant: 0 days left
    assert (await fe.call("GET", f"/training-applications/{app['id']}", CLERK))["report_days_left"] == 0
    fe.clock.set(date(2026, 7, 15))
    late = await fe.call("GET", f"/training-applications/{app['id']}", CLERK)
    assert (late["report_overdue"], late["report_days_left"]) == (True, -1)
    more = await train(
        fe, app["id"], "submit-report", CLERK, 422, returned_on="2026-06-14", travelled=4, spent="1.00", **REPORT
    )
    assert more["errors"][0]["field"] == "travelled"
    over = await train(
        fe, app["id"], "submit-report", CLERK, 400, returned_on="2026-06-14", travelled=3, spent="100000.01", **REPORT
    )
    assert over["code"] == "spent_exceeds_grant" and over["field"] == "spent"
    reported = await train(
        fe, app["id"], "submit-report", CLERK, returned_on="2026-06-14", travelled=2, spent="82000.50", **REPORT
    )
    assert reported["status"] == "reported" and reported["report"]["unspent"] == "17999.50"
    assert reported["report_overdue"] is False  # reported, if late
    assert reported["report_days_left"] is None  # the report is in: nothing left to count
    closed = await train(fe, app["id"], "accept-report", OFFICIAL)
    assert closed["status"] == "closed" and closed["status_label"]["zh"] == "已结束"
    history = await fe.call("GET", f"/training-applications/{app['id']}/history", AUDITOR)
    assert [h["action"] for h in history] == ["create", "submit", "approve", "submit_report", "accept_report"]


async def test_places_and_budget_of_the_plan(fe: Any) -> None:
    plan = await make_call(fe, PLANS)
    six = await make_training(fe, plan["id"], people=6)
    five = await make_training(fe, plan["id"], people=5)
    for app in (six, five):
        await train(fe, app["id"], "submit", CLERK)
    await train(fe, six["id"], "approve", OFFICIAL)
    short = await train(fe, five["id"], "approve", OFFICIAL, 409)
    assert short["code"] == "participant_quota_exhausted" and short["remaining_places"] == 4
    # the same group of 5 cannot even be submitted again while only 4 places are left
    await train(fe, five["id"], "return", OFFICIAL, comment="名额不足，请压缩团组")
    resubmit = await train(fe, five["id"], "resubmit", CLERK, 409)
    assert resubmit["code"] == "participant_quota_exhausted"
    four = await make_training(fe, plan["id"], people=4, amount="200000.00")
    await train(fe, four["id"], "submit", CLERK)
    assert (await train(fe, four["id"], "approve", OFFICIAL))["approved_participants"] == 4  # exactly the last
    full = await fe.call("GET", f"/{PLANS}/{plan['id']}", OFFICIAL)
    assert (full["remaining_places"], full["remaining_budget"]) == (0, "180000.00")
    more_money = await make_training(fe, plan["id"], people=1, expect=409)
    assert more_money["code"] == "participant_quota_exhausted"
    rejected = await train(fe, five["id"], "withdraw", CLERK)
    assert rejected["status"] == "withdrawn"


async def test_longest_stay_counts_departure_and_return(fe: Any) -> None:
    plan = await make_call(fe, PLANS)
    too_long = await make_training(fe, plan["id"], expect=409, starts_on="2026-06-01", ends_on="2026-06-22")
    assert too_long["code"] == "training_too_long" and too_long["days"] == 22
    edge = await make_training(fe, plan["id"], starts_on="2026-06-01", ends_on="2026-06-21")
    assert edge["days"] == 21
    backwards = await make_training(fe, plan["id"], expect=422, starts_on="2026-06-02", ends_on="2026-06-01")
    assert backwards["code"] == "validation_failed"
    over_cap = await make_training(fe, plan["id"], expect=409, amount="200000.01")
    assert over_cap["code"] == "request_exceeds_cap"
    twice = await make_training(
        fe,
        plan["id"],
        expect=422,
        participants=[{"name": "刘洋", "position": "教授"}, {"name": "刘洋", "position": "教授"}],
    )
    assert twice["code"] == "validation_failed"


async def test_destinations_abroad_or_hong_kong_macao_taiwan(fe: Any) -> None:
    plan = await make_call(fe, PLANS)
    for code, status in (("CHN", 422), ("XXX", 422), ("HKG", 201), ("SGP", 201), ("twn", 201)):
        result = await make_training(fe, plan["id"], expect=status, destination=code)
        if status == 201:
            assert result["destination"] == code.upper()
    hk = await fe.call("GET", "/training-applications", OFFICIAL, params={"destination": "HKG"})
    assert [i["destination"] for i in hk["items"]] == ["HKG"]


async def test_call_off_before_departure_gives_back(fe: Any) -> None:
    plan = await make_call(fe, PLANS)
    app = await make_training(fe, plan["id"])
    await train(fe, app["id"], "submit", CLERK)
    await train(fe, app["id"], "approve", OFFICIAL)
    fe.clock.set(date(2026, 6, 1))  # the day of departure
    started = await train(fe, app["id"], "cancel", CLERK, 409, comment="签证未获批")
    assert started["code"] == "trip_started"
    fe.clock.set(date(2026, 5, 31))
    await train(fe, app["id"], "cancel", CLERK, 422)  # a reason is required
    called_off = await train(fe, app["id"], "cancel", CLERK_ADMIN, comment="签证未获批")
    assert called_off["status"] == "called_off" and called_off["report_due_on"] is None  # no trip, no report
    back = await fe.call("GET", f"/{PLANS}/{plan['id']}", OFFICIAL)
    assert (back["remaining_budget"], back["remaining_places"], back["approved_count"]) == ("500000.00", 10, 0)


async def test_only_the_units_own_clerks(fe: Any) -> None:
    plan = await make_call(fe, PLANS)
    app = await make_training(fe, plan["id"])
    await fe.call("GET", f"/training-applications/{app['id']}", OTHER_CLERK, 404)
    await train(fe, app["id"], "submit", OTHER_CLERK, 404)
    await fe.call(
        "PATCH",
        f"/training-applications/{app['id']}",
        OTHER_CLERK,
        404,
        json={"contact_name": "x"},
        headers={"If-Match": "*"},
    )
    assert (await fe.call("GET", "/training-applications", OTHER_CLERK))["items"] == []
    assert [i["id"] for i in (await fe.call("GET", "/training-applications", CLERK))["items"]] == [app["id"]]
    no_org = headers("applicant", subject="399")
    refused = await make_training(fe, plan["id"], who=no_org, expect=403)
    assert refused["code"] == "forbidden"
    await make_training(fe, plan["id"], who=OFFICIAL, expect=403)
    path = f"/training-applications/{app['id']}"
    etag = (await fe.client.get("/api/v1/foreign-experts" + path, headers=CLERK)).headers["etag"]
    edited = await fe.call("PATCH", path, CLERK, json={"training": trip(people=2)}, headers={"If-Match": etag})
    assert len(edited["participants"]) == 2
    await fe.call("PATCH", path, CLERK, 412, json={"contact_name": "李四"}, headers={"If-Match": etag})


async def test_plan_window_and_its_own_figures(fe: Any) -> None:
    plan = await make_call(fe, PLANS, opens_on="2026-03-03")
    early = await make_training(fe, plan["id"], expect=409)
    assert early["code"] == "call_not_open" and early["opens_on"] == "2026-03-03"
    programme_call = await make_call(fe)
    await make_training(fe, programme_call["id"], expect=404)  # not a training plan
    fe.clock.set(date(2026, 3, 3))
    app = await make_training(fe, plan["id"])
    etag = (await fe.client.get(f"/api/v1/foreign-experts/{PLANS}/{plan['id']}", headers=OFFICIAL)).headers["etag"]
    shorter = await fe.call(
        "PATCH", f"/{PLANS}/{plan['id']}", OFFICIAL, json={"max_duration_days": 10}, headers={"If-Match": etag}
    )
    assert shorter["max_duration_days"] == 10
    assert (await train(fe, app["id"], "submit", CLERK, 409))["code"] == "training_too_long"
    assert TRAINING_PLAN["participant_quota"] == 10


async def test_hostile_input_is_a_4xx_never_a_500(fe: Any) -> None:
    plan = await make_call(fe, PLANS)
    bad_calls = [
        TRAINING_PLAN | {"code": "Y1", "closes_on": "9999-12-31"},  # date arithmetic would overflow
        TRAINING_PLAN | {"code": "Y2", "budget": "1e400"},
        TRAINING_PLAN | {"code": "Y3", "budget": "-1.00"},
        TRAINING_PLAN | {"code": "Y4", "report_due_days": 10**12},
        TRAINING_PLAN | {"code": "Y5\u0000"},
        TRAINING_PLAN | {"code": "Y6", "status": "published"},  # mass assignment
        TRAINING_PLAN | {"code": "Y7", "approved_amount": "0.00"},
    ]
    for body in bad_calls:
        r = await fe.client.post(f"/api/v1/foreign-experts/{PLANS}", headers=OFFICIAL, json=body)
        assert r.status_code == 422, (body, r.text)
    for overrides in (
        {"starts_on": "2026-06-01", "ends_on": "9999-12-31"},
        {"requested_amount": "0.001"},
        {"participants": []},
        {"budget_items": [{"item": "x", "amount": "NaN"}]},
    ):
        await make_training(fe, plan["id"], expect=422, **overrides)
    for path in (f"/{PLANS}/{2**63}", "/training-applications/0", f"/training-applications/{2**70}"):
        assert (await fe.client.get("/api/v1/foreign-experts" + path, headers=OFFICIAL)).status_code == 422
    r = await fe.client.post("/api/v1/foreign-experts/training-applications", headers=CLERK, content=b'{"call_id": ')
    assert r.status_code == 422
    r = await fe.client.get(
        "/api/v1/foreign-experts/training-applications", headers=OFFICIAL, params={"cursor": "not-a-cursor"}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "invalid_cursor"
