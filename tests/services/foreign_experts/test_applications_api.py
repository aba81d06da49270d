"""Permit applications through the API: WP-4's clock (CAL-1) across the 2026 holidays, pauses and the one
extension; the refusals of WP-5, WP-3 and WP-2 as problems with stable codes; WP-7 and the A-class green
channel; object-level access, If-Match and Idempotency-Key."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from services.foreign_experts.applications.models import PermitApplication
from tests.services.foreign_experts.conftest import (
    AUDITOR,
    CLERK,
    CLERK_ADMIN,
    OFFICIAL,
    OTHER_CLERK,
    REVIEWER,
    act,
    documents,
    make_application,
    make_employer,
)

OVER_SIXTY = {"birth_date": "1963-04-12", "education": "master", "work_years": 12, "hsk_level": 3}
OVER_SIXTY_POST = {"annual_salary": "300000.00"}
SHORT_POST = {"contract_starts_on": "2026-10-01", "contract_ends_on": "2026-12-30"}  # 90 days: short-term
SEASONAL = {"education": "bachelor", "work_years": 1}
SEASONAL_POST = {
    "annual_salary": "60000.00",
    "months_per_year": "3",
    "post_kind": "seasonal",
    "contract_starts_on": "2026-06-01",
    "contract_ends_on": "2026-08-29",
}


async def accepted_on(fe: Any, day: date, **parts: Any) -> dict[str, Any]:
    employer = await make_employer(fe)
    app = await make_application(fe, employer["id"], **parts)
    fe.clock.set(day)
    await act(fe, app["id"], "submit", CLERK)
    result: dict[str, Any] = await act(fe, app["id"], "accept", OFFICIAL)
    return result


async def test_wp4_cal1_twenty_working_days_across_the_2026_spring_festival(fe: Any) -> None:
    """Accepted Thursday 12 Feb 2026: the make-up Saturdays 14 and 28 Feb count, 15-23 Feb do not."""
    app = await accepted_on(fe, date(2026, 2, 12))
    assert app["deadline"]["working_days"] == 20 and app["deadline"]["due_on"] == "2026-03-18"
    assert app["deadline"]["calendar_confirmed"] is True
    fe.clock.set(date(2026, 2, 23))  # the last holiday: two working days counted (13 and 14 Feb)
    read = await fe.call("GET", f"/permit-applications/{app['id']}", OFFICIAL)
    assert read["deadline"]["working_days_used"] == 2 and read["deadline"]["working_days_left"] == 18


async def test_wp4_short_term_five_working_days_across_national_day(fe: Any) -> None:
    """Work of 90 days (1 Oct to 30 Dec): 5 working days; accepted 29 Sep: 30 Sep, 8, 9, 10 (make-up Sat), 12 Oct."""
    app = await accepted_on(fe, date(2026, 9, 29), post=SHORT_POST)
    assert app["deadline"]["working_days"] == 5 and app["deadline"]["due_on"] == "2026-10-12"
    await act(fe, app["id"], "extend", OFFICIAL, 409, comment="材料复杂")  # extension_not_allowed


async def test_wp4_91_days_is_long_term(fe: Any) -> None:
    app = await accepted_on(fe, date(2026, 9, 29), post={**SHORT_POST, "contract_ends_on": "2026-12-31"})
    assert app["deadline"]["working_days"] == 20


async def test_wp4_pause_for_documents_stops_the_clock_and_extension_once(fe: Any) -> None:
    app = await accepted_on(fe, date(2026, 3, 2))  # Monday: 20 working days -> 30 March
    assert app["deadline"]["due_on"] == "2026-03-30"
    fe.clock.set(date(2026, 3, 4))  # Wednesday: the clock counted 3 and 4 March, then stops
    paused = await act(fe, app["id"], "request-documents", OFFICIAL, comment="请补充经认证的学位证书")
    assert paused["status"] == "awaiting_documents"
    assert paused["deadline"]["paused"] is True and paused["deadline"]["due_on"] is None
    overdue = await fe.call("GET", "/permit-applications", OFFICIAL, params={"due": "overdue"})
    assert overdue["items"] == []
    fe.clock.set(date(2026, 3, 9))  # Monday: documents in; 5-9 March do not count (3 working days)
    resumed = await act(fe, app["id"], "supply-documents", CLERK)
    assert resumed["status"] == "accepted" and resumed["deadline"]["due_on"] == "2026-04-02"
    await act(fe, app["id"], "extend", OFFICIAL, 422)  # the reason is required
    extended = await act(fe, app["id"], "extend", OFFICIAL, comment="需征求公安部门意见")
    assert extended["deadline"]["working_days"] == 30 and extended["deadline"]["due_on"] == "2026-04-17"
    problem = await act(fe, app["id"], "extend", OFFICIAL, 409, comment="再延")
    assert problem["code"] == "already_extended"


async def test_wp4_overdue_and_due_soon_lists(fe: Any) -> None:
    app = await accepted_on(fe, date(2026, 3, 2))  # due 30 March
    fe.clock.set(date(2026, 3, 25))  # Wednesday: 25, 26, 27, 30: due within 3 working days? 30 is the 3rd after
    soon = await fe.call("GET", "/permit-applications", OFFICIAL, params={"due": "due_soon"})
    assert [i["id"] for i in soon["items"]] == [app["id"]] and soon["items"][0]["due_soon"] is True
    fe.clock.set(date(2026, 3, 24))  # 4 working days before: not yet
    assert (await fe.call("GET", "/permit-applications", OFFICIAL, params={"due": "due_soon"}))["items"] == []
    fe.clock.set(date(2026, 3, 30))  # the day itself: due soon, not overdue
    assert [
        i["id"] for i in (await fe.call("GET", "/permit-applications", OFFICIAL, params={"due": "due_soon"}))["items"]
    ]
    assert (await fe.call("GET", "/permit-applications", OFFICIAL, params={"due": "overdue"}))["items"] == []
    fe.clock.set(date(2026, 3, 31))
    late = await fe.call("GET", "/permit-applications", OFFICIAL, params={"due": "overdue"})
    assert [i["id"] for i in late["items"]] == [app["id"]] and late["items"][0]["overdue"] is True
    read = await fe.call("GET", f"/permit-applications/{app['id']}", OFFICIAL)
    assert read["deadline"]["overdue"] is True and read["deadline"]["working_days_left"] == -1


async def test_wp4_cal2_days_left_to_the_decision_deadline(fe: Any) -> None:
    """WP-4, CAL-2: the calendar days to due_on, in the record and in the list: 1 the evening before, 0 on the
    due day (Asia/Shanghai), negative once overdue; null while the clock stands and once decided."""
    app = await accepted_on(fe, date(2026, 3, 2))  # due 30 March
    assert app["deadline"]["days_left"] == 28
    fe.clock.set(date(2026, 3, 4))
    paused = await act(fe, app["id"], "request-documents", OFFICIAL, comment="请补充经认证的学位证书")
    assert paused["deadline"]["due_on"] is None and paused["deadline"]["days_left"] is None  # the clock stands
    fe.clock.set(date(2026, 3, 9))
    resumed = await act(fe, app["id"], "supply-documents", CLERK)
    assert resumed["deadline"]["due_on"] == "2026-04-02" and resumed["deadline"]["days_left"] == 24

    async def left(day: date, hour: int) -> int | None:
        fe.clock.set(day, hour)
        read = await fe.call("GET", f"/permit-applications/{app['id']}", OFFICIAL)
        listed = await fe.call("GET", "/permit-applications", OFFICIAL)
        assert [i["decision_days_left"] for i in listed["items"]] == [read["deadline"]["days_left"]]
        return read["deadline"]["days_left"]  # type: ignore[no-any-return]

    assert await left(date(2026, 4, 1), 23) == 1
    assert await left(date(2026, 4, 2), 0) == 0  # the due day: 0 days left
    assert await left(date(2026, 4, 2), 23) == 0
    assert await left(date(2026, 4, 3), 0) == -1  # overdue
    approved = await act(fe, app["id"], "approve", OFFICIAL)
    assert approved["deadline"]["days_left"] is None  # decided: the deadline no longer runs


async def test_wp5_passport_under_six_months_refused_and_nothing_written(fe: Any) -> None:
    employer = await make_employer(fe)
    # applied on 2 March 2026: the passport must run to 2 September 2026 at least
    edge = await make_application(fe, employer["id"], foreigner={"passport_expires_on": "2026-09-01"})
    problem = await act(fe, edge["id"], "submit", CLERK, 409)
    assert problem["code"] == "passport_expires_too_soon" and problem["clause"] == "WP-5"
    read = await fe.call("GET", f"/permit-applications/{edge['id']}", CLERK)
    assert read["status"] == "draft" and read["submitted_at"] is None and read["assessment"] is None
    ok = await make_application(
        fe, employer["id"], foreigner={"passport_number": "C01X00T48", "passport_expires_on": "2026-09-02"}
    )
    assert (await act(fe, ok["id"], "submit", CLERK))["status"] == "submitted"


async def test_wp3_over_sixty_refused_unless_an_official_waives_the_age(fe: Any) -> None:
    employer = await make_employer(fe)
    app = await make_application(fe, employer["id"], foreigner=OVER_SIXTY, post=OVER_SIXTY_POST)
    submitted = await act(fe, app["id"], "submit", CLERK)
    assert submitted["permit_class"] == "C" and submitted["assessment"]["approvable"] is False
    assert [r["code"] for r in submitted["assessment"]["refusals"]] == ["basic_conditions_not_met", "c_post_not_listed"]
    await act(fe, app["id"], "accept", OFFICIAL)
    problem = await act(fe, app["id"], "approve", OFFICIAL, 409)
    assert problem["code"] == "basic_conditions_not_met" and problem["clause"] == "WP-3"
    await act(fe, app["id"], "waive-age-limit", OFFICIAL, 422)  # a recorded reason is required
    waived = await act(fe, app["id"], "waive-age-limit", OFFICIAL, comment="吉林省急需紧缺高层次人才，经厅务会研究同意")
    assert waived["permit_class"] == "B" and waived["age_waiver_reason"].startswith("吉林省急需")
    age = next(c for c in waived["assessment"]["basic_conditions"] if c["code"] == "age")
    assert age["held"] is True and age["waived"] is True
    assert (await act(fe, app["id"], "approve", OFFICIAL))["status"] == "approved"


async def test_wp3_age_waiver_not_needed_under_sixty(fe: Any) -> None:
    app = await accepted_on(fe, date(2026, 3, 2))
    problem = await act(fe, app["id"], "waive-age-limit", OFFICIAL, 409, comment="无需")
    assert problem["code"] == "age_waiver_not_needed"


async def test_wp2_c_quota_is_data_and_refuses_when_used_up(fe: Any) -> None:
    await fe.call("PUT", "/parameters/2026", OFFICIAL, json={"figures": {"c_quota": 1}, "source": "测试"})
    employer = await make_employer(fe)
    ids = []
    for passport in ("S1000001", "S1000002"):
        app = await make_application(
            fe, employer["id"], foreigner={**SEASONAL, "passport_number": passport}, post=SEASONAL_POST
        )
        submitted = await act(fe, app["id"], "submit", CLERK)
        assert submitted["permit_class"] == "C" and submitted["assessment"]["routes"][0]["code"] == "c_seasonal"
        await act(fe, app["id"], "accept", OFFICIAL)
        ids.append(app["id"])
    assert (await act(fe, ids[0], "approve", OFFICIAL))["status"] == "approved"
    problem = await act(fe, ids[1], "approve", OFFICIAL, 409)
    assert problem["code"] == "c_quota_exhausted" and problem["clause"] == "WP-2"
    refused = await fe.call(
        "POST",
        f"/permit-applications/{ids[1]}/refuse",
        OFFICIAL,
        json={"comment": "本年度C类配额已用完", "reasons": ["c_quota_exhausted"]},
    )
    assert refused["status"] == "refused" and refused["refusal_codes"] == ["c_quota_exhausted"]
    assert refused["refusal_labels"] == [{"zh": "本年度C类配额已用完", "en": "the year's class C quota is used up"}]


async def test_wp2_c_not_a_listed_post_is_refused(fe: Any) -> None:
    app = await accepted_on(
        fe,
        date(2026, 3, 2),
        foreigner=SEASONAL,
        post={**SEASONAL_POST, "post_kind": "regular", "contract_ends_on": "2027-05-31"},
    )
    problem = await act(fe, app["id"], "approve", OFFICIAL, 409)
    assert problem["code"] == "c_post_not_listed"


async def test_wp7_documents_b_blocked_a_green_channel(fe: Any) -> None:
    employer = await make_employer(fe)
    missing = [d for d in documents() if d["code"] != "medical_certificate"]
    b_app = await make_application(
        fe,
        employer["id"],
        foreigner={"education": "master", "work_years": 3},
        post={"annual_salary": "150000.00"},
        documents=missing,
    )
    problem = await act(fe, b_app["id"], "submit", CLERK, 409)
    assert problem["code"] == "documents_incomplete" and problem["documents"] == [
        {"code": "medical_certificate", "problem": "missing"}
    ]
    a_app = await make_application(fe, employer["id"], foreigner={"passport_number": "C01X00T49"}, documents=missing)
    assert (await act(fe, a_app["id"], "submit", CLERK))["permit_class"] == "A"
    accepted = await act(fe, a_app["id"], "accept", OFFICIAL)
    assert accepted["green_channel"] is True  # 容缺受理
    assert [m["en"] for m in accepted["missing_documents"]] == ["medical certificate: missing"]
    assert (await act(fe, a_app["id"], "approve", OFFICIAL, 409))["code"] == "documents_incomplete"
    await act(fe, a_app["id"], "request-documents", OFFICIAL, comment="请补交体检证明")
    read = await fe.call("GET", f"/permit-applications/{a_app['id']}", CLERK)
    await fe.call(
        "PATCH",
        f"/permit-applications/{a_app['id']}",
        CLERK,
        json={"documents": documents()},
        headers={"If-Match": 'W/"stale"'},
        expect=412,
    )
    etag = (await fe.client.get(f"/api/v1/foreign-experts/permit-applications/{a_app['id']}", headers=CLERK)).headers[
        "etag"
    ]
    await fe.call(
        "PATCH",
        f"/permit-applications/{a_app['id']}",
        CLERK,
        json={"documents": documents()},
        headers={"If-Match": etag},
    )
    assert read["status"] == "awaiting_documents"
    await act(fe, a_app["id"], "supply-documents", CLERK)
    assert (await act(fe, a_app["id"], "approve", OFFICIAL))["status"] == "approved"


async def test_access_roles_and_other_employers(fe: Any) -> None:
    employer = await make_employer(fe)
    app = await make_application(fe, employer["id"])
    await fe.call("GET", f"/permit-applications/{app['id']}", OTHER_CLERK, 404)
    await act(fe, app["id"], "submit", OTHER_CLERK, 404)
    await fe.call("GET", f"/permit-applications/{app['id']}", REVIEWER, 403)
    assert (await fe.call("GET", "/permit-applications", OTHER_CLERK))["items"] == []
    r = await fe.client.post(
        "/api/v1/foreign-experts/permit-applications",
        headers=OTHER_CLERK,
        json={"employer_id": employer["id"], "foreigner": app["foreigner"] | {}, "post": {}, "documents": []},
    )
    assert r.status_code == 422
    await act(fe, app["id"], "submit", CLERK_ADMIN)  # the employer's org_admin is its clerk too
    problem = await act(fe, app["id"], "accept", CLERK, 403)
    assert problem["code"] in ("forbidden", "action_not_allowed")
    auditor = await fe.call("GET", f"/permit-applications/{app['id']}", AUDITOR)
    assert "*" in auditor["foreigner"]["passport_number"] and auditor["foreigner"]["birth_date"] == "1986-**-**"
    listed = await fe.call("GET", "/permit-applications", CLERK)
    assert "*" in listed["items"][0]["passport_number"]  # masked in lists, even for the clerk


async def test_idempotent_create(fe: Any) -> None:
    employer = await make_employer(fe)
    body = {
        "employer_id": employer["id"],
        "foreigner": {
            "name": "SMITH, John",
            "nationality": "GBR",
            "passport_number": "123456789",
            "passport_expires_on": "2032-01-01",
            "sex": "male",
            "birth_date": "1990-01-01",
            "education": "master",
            "work_years": 4,
        },
        "post": {
            "position": "英语教师",
            "work_city_code": "2202",
            "annual_salary": "200000",
            "months_per_year": "10",
            "contract_starts_on": "2026-09-01",
            "contract_ends_on": "2027-07-31",
        },
    }
    key = {"Idempotency-Key": "create-smith-1"}
    first = await fe.call("POST", "/permit-applications", CLERK, 201, json=body, headers=key)
    again = await fe.call("POST", "/permit-applications", CLERK, 201, json=body, headers=key)
    assert first["id"] == again["id"]
    async with fe.db.sessionmaker() as s:
        assert (await s.execute(select(func.count()).select_from(PermitApplication))).scalar_one() == 1


async def test_nationality_is_iso3166_and_not_chinese(fe: Any) -> None:
    employer = await make_employer(fe)
    for code, status in (("XXX", 422), ("CHN", 422), ("HKG", 422), ("TWN", 422), ("MAC", 422)):
        r = await fe.client.post(
            "/api/v1/foreign-experts/permit-applications",
            headers=CLERK,
            json={
                "employer_id": employer["id"],
                "foreigner": {
                    "name": "X",
                    "nationality": code,
                    "passport_number": "E1234567",
                    "passport_expires_on": "2032-01-01",
                    "sex": "male",
                    "birth_date": "1990-01-01",
                    "education": "master",
                    "work_years": 4,
                },
                "post": {
                    "position": "x",
                    "work_city_code": "2201",
                    "annual_salary": "1",
                    "months_per_year": "1",
                    "contract_starts_on": "2026-09-01",
                    "contract_ends_on": "2027-07-31",
                },
            },
        )
        assert r.status_code == status, r.text
    app = await make_application(fe, employer["id"], foreigner={"nationality": "kor", "passport_number": "M12345678"})
    assert app["foreigner"]["nationality"] == "KOR" and app["foreigner"]["nationality_label"]["zh"] == "大韩民国"
