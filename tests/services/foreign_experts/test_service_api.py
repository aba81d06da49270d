"""The stateless points assessment (WP-1..WP-3) and the year's figures as data; employers and their clerks;
permit changes' own workflows; statistics (by class, nationality, city, employer, year; WP-4 processing time)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from services.foreign_experts.applications.models import PermitApplication
from services.foreign_experts.rules.parameters import PLACEHOLDER_AVERAGE_WAGE
from tests.services.foreign_experts.conftest import (
    ANONYMOUS,
    AUDITOR,
    CLERK,
    EMPLOYER_USCC,
    OFFICIAL,
    OTHER_CLERK,
    OTHER_USCC,
    act,
    employer_body,
    make_application,
    make_employer,
)

PERSON = {"birth_date": "1986-04-12", "education": "master", "work_years": 3}
POST = {"work_city_code": "2201", "annual_salary": "150000", "months_per_year": "12"}


async def test_wp1_wp2_wp3_assessment_is_public_explained_and_stores_nothing(fe: Any) -> None:
    result = await fe.call(
        "POST", "/points-assessments", ANONYMOUS, json={"person": PERSON, "post": POST, "on": "2026-03-02"}
    )
    assert result["permit_class"] == "B" and result["total"] == 72
    by = {f["code"]: f for f in result["factors"]}
    assert by["education"]["points"] == 15 and by["education"]["rule"]["zh"] and by["education"]["band"]
    assert by["work_location"]["points"] == 10  # the whole of Jilin: 东北老工业基地
    assert [r["code"] for r in result["routes"]] == ["b_points"]
    assert all(c["held"] for c in result["basic_conditions"]) and result["basic_conditions_hold"] is True
    async with fe.db.sessionmaker() as s:
        assert (await s.execute(select(func.count()).select_from(PermitApplication))).scalar_one() == 0
    bad = await fe.call(
        "POST", "/points-assessments", ANONYMOUS, 422, json={"person": {**PERSON, "education": "phd"}, "post": POST}
    )
    assert bad["code"] == "validation_failed"


async def test_wp2_thresholds_are_data_per_year(fe: Any) -> None:
    """Raising the B threshold of 2027 above 72 points turns the same facts into C; 2026 is untouched."""
    read = await fe.call("GET", "/parameters/2027", ANONYMOUS)
    assert read["defaults"] is True and read["figures"]["b_points_threshold"] == 60
    assert read["figures"]["average_wage"] == str(PLACEHOLDER_AVERAGE_WAGE)
    await fe.call("PUT", "/parameters/2027", CLERK, 403, json={"figures": {"b_points_threshold": 75}})
    bad = await fe.call("PUT", "/parameters/2027", OFFICIAL, 400, json={"figures": {"b_threshold": 75}})
    assert bad["code"] == "invalid_year_parameters"
    above_a = await fe.call("PUT", "/parameters/2027", OFFICIAL, 400, json={"figures": {"b_points_threshold": 90}})
    # the detail follows Accept-Language (none: Chinese), the problems named in it too
    assert "不能高于" in above_a["detail"] and "must not" not in above_a["detail"]
    typed = await fe.call("PUT", "/parameters/2027", OFFICIAL, 400, json={"figures": {"average_wage": "lots"}})
    assert "Input should" not in typed["detail"]
    put = await fe.call(
        "PUT",
        "/parameters/2027",
        OFFICIAL,
        json={"figures": {"b_points_threshold": 75, "average_wage": "95000"}, "source": "吉林省统计局2026年公报"},
    )
    assert put["defaults"] is False and put["b_salary_threshold"] == "380000.00"
    await fe.call("PUT", "/parameters/2027", OFFICIAL, 428, json={"figures": {}})  # If-Match once it exists
    await fe.call("PUT", "/parameters/2027", OFFICIAL, 412, json={"figures": {}}, headers={"If-Match": 'W/"x"'})
    in_2027 = await fe.call(
        "POST", "/points-assessments", ANONYMOUS, json={"person": PERSON, "post": POST, "on": "2027-03-02"}
    )
    in_2026 = await fe.call(
        "POST", "/points-assessments", ANONYMOUS, json={"person": PERSON, "post": POST, "on": "2026-03-02"}
    )
    assert (in_2027["permit_class"], in_2026["permit_class"]) == ("C", "B")


async def test_employers_own_clerks_only(fe: Any) -> None:
    problem = await fe.call("POST", "/employers", OTHER_CLERK, 403, json=employer_body())  # not its USCC
    assert problem["code"] == "forbidden"
    employer = await make_employer(fe)
    assert employer["city"]["zh"] == "长春市" and employer["status"] == "registered"
    await fe.call("POST", "/employers", OFFICIAL, 409, json=employer_body())
    await fe.call("GET", f"/employers/{employer['id']}", OTHER_CLERK, 404)
    assert [e["uscc"] for e in (await fe.call("GET", "/employers", CLERK))["items"]] == [EMPLOYER_USCC]
    assert (await fe.call("GET", "/employers", OTHER_CLERK))["items"] == []
    other = await make_employer(fe, OTHER_CLERK, uscc=OTHER_USCC, name="吉林市外国语学校", city_code="2202")
    r = await fe.client.post(
        "/api/v1/foreign-experts/permit-applications",
        headers=CLERK,
        json={
            "employer_id": other["id"],
            "foreigner": {
                "name": "X",
                "nationality": "FRA",
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
    assert r.status_code == 404  # another employer's: as if it did not exist


async def test_suspended_or_unlicensed_employer_cannot_apply(fe: Any) -> None:
    employer = await make_employer(fe)
    app = await make_application(fe, employer["id"])
    await fe.call("POST", f"/employers/{employer['id']}/suspend", OFFICIAL, 422)  # comment required
    await fe.call("POST", f"/employers/{employer['id']}/suspend", CLERK, 403, json={"comment": "x"})
    await fe.call("POST", f"/employers/{employer['id']}/suspend", OFFICIAL, json={"comment": "涉嫌虚假材料，暂停办理"})
    assert (await act(fe, app["id"], "submit", CLERK, 409))["code"] == "employer_suspended"
    await fe.call("POST", f"/employers/{employer['id']}/reinstate", OFFICIAL, json={"comment": "核查完毕"})
    etag = (await fe.client.get(f"/api/v1/foreign-experts/employers/{employer['id']}", headers=CLERK)).headers["etag"]
    await fe.call(
        "PATCH",
        f"/employers/{employer['id']}",
        CLERK,
        json={"licence_expires_on": "2026-03-01"},
        headers={"If-Match": etag},
    )
    assert (await act(fe, app["id"], "submit", CLERK, 409))["code"] == "employer_licence_expired"


async def test_wp5_licence_binds_validity_and_wp6_entry(fe: Any) -> None:
    employer = await make_employer(fe, licence_expires_on="2027-06-30")
    app = await make_application(fe, employer["id"])
    for action in ("submit", "accept", "approve"):
        await act(fe, app["id"], action, CLERK if action == "submit" else OFFICIAL)
    done = await act(fe, app["id"], "issue", OFFICIAL)
    permit = await fe.call("GET", f"/permits/{done['permit_id']}", CLERK)
    assert permit["valid_until"] == "2027-06-30" and permit["valid_until_reason"] == "licence"
    entered = await fe.call("PUT", f"/permits/{permit['id']}/entry", CLERK, json={"entered_on": "2026-04-03"})
    assert entered["residence_permit_due_on"] == "2026-05-03"  # WP-6: 30 days from entry
    await fe.call("PUT", f"/permits/{permit['id']}/entry", OTHER_CLERK, 404, json={"entered_on": "2026-04-03"})


async def test_permit_change_passport_recorded_refuse_and_withdraw(fe: Any) -> None:
    employer = await make_employer(fe)
    app = await make_application(fe, employer["id"])
    for action in ("submit", "accept", "approve", "issue"):
        done = await act(fe, app["id"], action, CLERK if action == "submit" else OFFICIAL)
    pid = done["permit_id"]
    bad = await fe.call(
        "POST",
        f"/permits/{pid}/changes",
        CLERK,
        422,
        json={"kind": "change", "extension": {"contract_ends_on": "2029-01-01"}},
    )
    assert bad["code"] == "validation_failed"
    first = await fe.call(
        "POST", f"/permits/{pid}/changes", CLERK, 201, json={"kind": "change", "change": {"position": "首席科学家"}}
    )
    refused = await fe.call("POST", f"/permit-changes/{first['id']}/refuse", OFFICIAL, json={"comment": "材料不符"})
    assert refused["status"] == "refused" and refused["allowed_actions"] == []
    second = await fe.call(
        "POST",
        f"/permits/{pid}/changes",
        CLERK,
        201,
        json={"kind": "change", "change": {"passport": {"number": "C9ZZ88771", "expires_on": "2036-01-31"}}},
    )
    assert second["request"]["passport"]["number"] == "C9*****71"  # never in clear, not even in the request
    await fe.call("POST", f"/permit-changes/{second['id']}/approve", CLERK, 403)
    approved = await fe.call("POST", f"/permit-changes/{second['id']}/approve", OFFICIAL)
    assert approved["outcome"]["passport_expires_on"] == ["2031-06-30", "2036-01-31"]
    permit = await fe.call("GET", f"/permits/{pid}", CLERK)
    assert permit["passport_number"] == "C9ZZ88771"
    verify = await fe.call(
        "GET", "/permits/verify", OFFICIAL, params={"number": permit["number"], "passport": "C9ZZ88771"}
    )
    assert verify["permit_class"] == "A"
    third = await fe.call(
        "POST", f"/permits/{pid}/changes", CLERK, 201, json={"kind": "change", "change": {"work_city_code": "2202"}}
    )
    withdrawn = await fe.call("POST", f"/permit-changes/{third['id']}/withdraw", CLERK)
    assert withdrawn["status"] == "withdrawn"
    history = await fe.call("GET", f"/permit-changes/{third['id']}/history", CLERK)
    assert [h["action"] for h in history][-1] == "withdraw"


async def test_statistics_by_dimension_and_processing_time(fe: Any) -> None:
    employer = await make_employer(fe)
    # two permits accepted Monday 2 March 2026, decided on 5 and 9 March: 3 and 5 working days
    for passport, nationality, days in (("C01X00T47", "DEU", 3), ("P7654321", "KOR", 7)):
        fe.clock.set(date(2026, 3, 2))
        app = await make_application(
            fe, employer["id"], foreigner={"passport_number": passport, "nationality": nationality}
        )
        await act(fe, app["id"], "submit", CLERK)
        await act(fe, app["id"], "accept", OFFICIAL)
        fe.clock.set(date(2026, 3, 2 + days))
        await act(fe, app["id"], "approve", OFFICIAL)
        await act(fe, app["id"], "issue", OFFICIAL)
    await fe.call("GET", "/statistics/permits", CLERK, 403)
    by_class = await fe.call("GET", "/statistics/permits", AUDITOR, params={"by": "class", "year": 2026})
    assert by_class["total"] == 2 and by_class["items"][0]["key"] == "A"
    by_nat = await fe.call("GET", "/statistics/permits", OFFICIAL, params={"by": "nationality"})
    assert {i["key"]: i["label"]["zh"] for i in by_nat["items"]} == {"DEU": "德国", "KOR": "大韩民国"}
    by_employer = await fe.call("GET", "/statistics/permits", OFFICIAL, params={"by": "employer"})
    assert by_employer["items"][0]["label"]["zh"] == employer["name"]
    by_city = await fe.call("GET", "/statistics/permits", OFFICIAL, params={"by": "city"})
    assert by_city["items"][0]["label"]["zh"] == "长春市"
    by_year = await fe.call("GET", "/statistics/permits", OFFICIAL, params={"by": "year"})
    assert by_year["items"] == [{"key": "2026", "label": {"zh": "2026年", "en": "2026"}, "count": 2}]
    timing = await fe.call("GET", "/statistics/processing", OFFICIAL, params={"year": 2026})
    assert timing["decided"] == 2 and timing["mean_working_days"] == 4.0 and timing["p90_working_days"] == 5.0
