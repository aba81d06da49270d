"""End to end: a work permit through the gateway over real processes (issue 5, "Done when"):

employer (its clerk registers it) → points assessment (anyone, nothing stored) → application (the clerk)
→ acceptance and approval (an official) → permit (issued under a lifelong WP-8 number) → verification
by another agency's API key with the scope ``foreign-experts:permits:verify`` (WP-9: only the permit's
state, class, dates and employer; a key without the scope gets 403; a wrong passport is "not found")
→ extension (延期) → cancellation (注销).
Another employer's clerk gets 404s throughout.

Then the bureau's own yearly calls through the same gateway: a programme call (引进外国专家项目) read by
anyone, an employer's application reviewed, granted and paid; a training plan (出国(境)培训计划) whose
approval takes budget and places; another unit's clerk gets 404s.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from shared.workdays import today_shanghai
from tests.conftest import backends
from tests.e2e.processes import Platform
from tests.e2e.support import People, bare_platform, make_uscc

pytestmark = pytest.mark.e2e

FE = "/api/v1/foreign-experts"
PASSPORT = "C7E2E0042"
VERIFY = "foreign-experts:permits:verify"
PASSWORD = "E2e-Permits-Passw0rd!"
DOMAIN = "permits.test.cn"


EMPLOYER_USCC = make_uscc("91220101MA0E2E001")  # 长春
OTHER_USCC = make_uscc("91220201MA0E2E002")  # 吉林市


@pytest.fixture(scope="module", params=backends())
def platform(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    yield from bare_platform(request, tmp_path_factory, "foreign-experts")


def _documents() -> list[dict[str, Any]]:
    today = today_shanghai()
    out = []
    for i, code in enumerate(
        (
            "application_form",
            "work_experience",
            "highest_degree",
            "criminal_record",
            "medical_certificate",
            "employment_contract",
            "passport",
            "photo",
        )
    ):
        doc: dict[str, Any] = {
            "code": code,
            "name": f"{code}.pdf",
            "size": 2048 + i,
            "sha256": f"{i + 1:064x}",
            "content_type": "application/pdf",
        }
        if code in ("highest_degree", "criminal_record"):
            doc["authenticated"] = True
        if code == "criminal_record":
            doc["issued_on"] = (today - timedelta(days=30)).isoformat()
        out.append(doc)
    return out


def test_a_work_permit_through_the_gateway(platform: Platform) -> None:
    with httpx.Client(base_url=platform.base_url, timeout=30.0, trust_env=False) as client:
        run(People(client, platform, domain=DOMAIN, password=PASSWORD), client)


def run(people: People, client: httpx.Client) -> None:
    today = today_shanghai()
    org = people.call(
        "admin",
        "POST",
        "/api/v1/admin/organizations",
        201,
        json={"name": "长春光华新材料科技有限公司（测试）", "kind": "enterprise", "uscc": EMPLOYER_USCC},
    )["id"]
    other_org = people.call(
        "admin",
        "POST",
        "/api/v1/admin/organizations",
        201,
        json={"name": "吉林市北华精细化工有限公司（测试）", "kind": "enterprise", "uscc": OTHER_USCC},
    )["id"]
    bureau = people.call(
        "admin",
        "POST",
        "/api/v1/admin/organizations",
        201,
        json={
            "name": "吉林省科学技术厅（外国专家局）（测试）",
            "kind": "government",
            "uscc": make_uscc("11220000MA0E2E003"),
        },
    )["id"]
    police = people.call(
        "admin",
        "POST",
        "/api/v1/admin/organizations",
        201,
        json={"name": "吉林省公安厅出入境管理局（测试）", "kind": "government", "uscc": make_uscc("11220000MA0E2E004")},
    )["id"]
    people.add("clerk", ["applicant"], org)
    people.add("other_clerk", ["applicant"], other_org)
    people.add("official", ["official"], bureau)

    # --- employer: its clerk registers it --------------------------------------------------------
    employer = people.call(
        "clerk",
        "POST",
        f"{FE}/employers",
        201,
        json={
            "uscc": EMPLOYER_USCC,
            "name": "长春光华新材料科技有限公司",
            "city_code": "2201",
            "contact_name": "王丽",
            "contact_phone": "0431-85550000",
            "licence_expires_on": (today + timedelta(days=365 * 15)).isoformat(),
        },
    )
    people.call("other_clerk", "GET", f"{FE}/employers/{employer['id']}", 404)

    # --- points assessment: anyone, nothing stored (WP-1..WP-3) -----------------------------------
    person = {"birth_date": "1986-04-12", "education": "doctorate", "work_years": 8}
    post = {"work_city_code": "2201", "annual_salary": "400000.00", "months_per_year": "12"}
    assessment = people.call(None, "POST", f"{FE}/points-assessments", json={"person": person, "post": post})
    assert assessment["permit_class"] == "A" and assessment["total"] >= 85
    assert {f["code"] for f in assessment["factors"]} >= {"salary", "education", "work_years", "age"}

    # --- application by the clerk -----------------------------------------------------------------
    contract_start, contract_end = today, today + timedelta(days=730)
    app = people.call(
        "clerk",
        "POST",
        f"{FE}/permit-applications",
        201,
        json={
            "employer_id": employer["id"],
            "foreigner": {
                "name": "MÜLLER, Anna",
                "chinese_name": "安娜",
                "nationality": "DEU",
                "passport_number": PASSPORT,
                "passport_expires_on": (today + timedelta(days=3650)).isoformat(),
                "sex": "female",
                **person,
            },
            "post": {
                "position": "动力电池材料研发工程师",
                **post,
                "contract_starts_on": contract_start.isoformat(),
                "contract_ends_on": contract_end.isoformat(),
            },
            "documents": _documents(),
        },
    )
    aid = app["id"]
    people.call("other_clerk", "GET", f"{FE}/permit-applications/{aid}", 404)
    people.call("other_clerk", "POST", f"{FE}/permit-applications/{aid}/submit", 404)
    assert people.call("other_clerk", "GET", f"{FE}/permit-applications")["items"] == []
    submitted = people.call("clerk", "POST", f"{FE}/permit-applications/{aid}/submit")
    assert submitted["permit_class"] == "A" and submitted["status"] == "submitted"
    people.call("clerk", "POST", f"{FE}/permit-applications/{aid}/accept", 403)  # only officials accept

    # --- acceptance, approval and the permit (officials) -------------------------------------------
    accepted = people.call("official", "POST", f"{FE}/permit-applications/{aid}/accept")
    assert accepted["deadline"]["working_days"] == 20 and accepted["deadline"]["due_on"] is not None
    people.call("official", "POST", f"{FE}/permit-applications/{aid}/approve")
    issued = people.call("official", "POST", f"{FE}/permit-applications/{aid}/issue")
    pid = issued["permit_id"]
    permit = people.call("clerk", "GET", f"{FE}/permits/{pid}")
    assert permit["status"] == "valid" and permit["valid_today"] is True
    assert permit["passport_number"] == PASSPORT  # the employer's own clerk sees it in full
    assert permit["valid_until"] == contract_end.isoformat() and permit["valid_until_reason"] == "contract"
    people.call("other_clerk", "GET", f"{FE}/permits/{pid}", 404)
    number = permit["number"]
    assert len(number) == 18 and number.startswith(f"22{today.year}")

    # --- verification by another agency's key (WP-9) ---------------------------------------------
    key = people.call(
        "admin",
        "POST",
        "/api/v1/admin/api-keys",
        201,
        json={"name": "出入境 许可核验（测试）", "organization_id": police, "scopes": [VERIFY]},
    )["key"]
    other_key = people.call(
        "admin",
        "POST",
        "/api/v1/admin/api-keys",
        201,
        json={"name": "诚信查询（测试）", "organization_id": police, "scopes": ["projects:integrity:read"]},
    )["key"]
    verify = f"{FE}/permits/verify"
    r = client.get(verify, params={"number": number, "passport": PASSPORT}, headers={"X-API-Key": key})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "valid": True,
        "status": "in_force",
        "permit_class": "A",
        "valid_from": contract_start.isoformat(),
        "valid_until": contract_end.isoformat(),
        "employer_name": "长春光华新材料科技有限公司",
    }
    wrong = client.get(verify, params={"number": number, "passport": "X0000000"}, headers={"X-API-Key": key})
    unknown = client.get(
        verify, params={"number": "2220260000000000" + "00", "passport": PASSPORT}, headers={"X-API-Key": key}
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json()["code"] == unknown.json()["code"] == "permit_not_found"
    denied = client.get(verify, params={"number": number, "passport": PASSPORT}, headers={"X-API-Key": other_key})
    assert denied.status_code == 403
    assert client.get(verify, params={"number": number, "passport": PASSPORT}).status_code == 401

    # --- extension (延期) then cancellation (注销) --------------------------------------------------
    longer = contract_end + timedelta(days=365)
    change = people.call(
        "clerk",
        "POST",
        f"{FE}/permits/{pid}/changes",
        201,
        json={"kind": "extension", "extension": {"contract_ends_on": longer.isoformat()}},
    )
    people.call("other_clerk", "GET", f"{FE}/permit-changes/{change['id']}", 404)
    people.call("clerk", "POST", f"{FE}/permit-changes/{change['id']}/approve", 403)
    extended = people.call("official", "POST", f"{FE}/permit-changes/{change['id']}/approve")
    assert extended["outcome"]["contract_ends_on"] == [contract_end.isoformat(), longer.isoformat()]
    assert people.call("clerk", "GET", f"{FE}/permits/{pid}")["valid_until"] == longer.isoformat()
    cancel = people.call(
        "clerk",
        "POST",
        f"{FE}/permits/{pid}/changes",
        201,
        json={"kind": "cancellation", "cancellation": {"reason": "contract_terminated", "ended_on": today.isoformat()}},
    )
    people.call("official", "POST", f"{FE}/permit-changes/{cancel['id']}/approve")
    assert people.call("clerk", "GET", f"{FE}/permits/{pid}")["status"] == "cancelled"
    after = client.get(verify, params={"number": number, "passport": PASSPORT}, headers={"X-API-Key": key})
    assert after.status_code == 200 and (after.json()["valid"], after.json()["status"]) == (False, "cancelled")
    history = people.call("official", "GET", f"{FE}/permits/{pid}/history")
    assert [h["action"] for h in history] == ["create", "cancel"]
    stats = people.call("official", "GET", f"{FE}/statistics/permits", params={"by": "class"})
    assert [(i["key"], i["label"]["zh"], i["count"]) for i in stats["items"]] == [("A", "外国高端人才（A类）", 1)]


def test_programme_and_training_calls_through_the_gateway(platform: Platform) -> None:
    with httpx.Client(base_url=platform.base_url, timeout=30.0, trust_env=False) as client:
        people = People(client, platform, domain=DOMAIN, password=PASSWORD)
        today = today_shanghai()
        unit_uscc, other_uscc = make_uscc("12220000MA0E2E005"), make_uscc("91220201MA0E2E006")
        unit = people.call(
            "admin",
            "POST",
            "/api/v1/admin/organizations",
            201,
            json={"name": "吉林农业大学（测试）", "kind": "university", "uscc": unit_uscc},
        )["id"]
        other = people.call(
            "admin",
            "POST",
            "/api/v1/admin/organizations",
            201,
            json={"name": "吉林市某企业（测试）", "kind": "enterprise", "uscc": other_uscc},
        )["id"]
        bureau = people.call(
            "admin",
            "POST",
            "/api/v1/admin/organizations",
            201,
            json={"name": "外国专家局项目处（测试）", "kind": "government", "uscc": make_uscc("11220000MA0E2E007")},
        )["id"]
        people.add("unit_clerk", ["org_admin"], unit)
        people.add("stranger", ["applicant"], other)
        people.add("fe_official", ["official"], bureau)
        window = {
            "year": today.year,
            "opens_on": (today - timedelta(days=5)).isoformat(),
            "closes_on": (today + timedelta(days=30)).isoformat(),
        }

        call = people.call(
            "fe_official",
            "POST",
            f"{FE}/programme-calls",
            201,
            json={
                "code": "E2E-WZXM",
                "title": "引进外国专家项目（测试）",
                "budget": "500000.00",
                "max_amount": "300000.00",
                **window,
            },
        )
        people.call(None, "GET", f"{FE}/programme-calls/{call['id']}", 404)  # a draft is the officials'
        people.call("fe_official", "POST", f"{FE}/programme-calls/{call['id']}/publish")
        public = people.call(None, "GET", f"{FE}/programme-calls", params={"year": today.year})
        assert [c["code"] for c in public["items"]] == ["E2E-WZXM"] and public["items"][0]["open_now"] is True

        employer = people.call(
            "unit_clerk",
            "POST",
            f"{FE}/employers",
            201,
            json={
                "uscc": unit_uscc,
                "name": "吉林农业大学",
                "city_code": "2201",
                "contact_name": "陈静",
                "contact_phone": "0431-84530000",
            },
        )
        amount = "240000.00"
        app = people.call(
            "unit_clerk",
            "POST",
            f"{FE}/programme-applications",
            201,
            json={
                "call_id": call["id"],
                "employer_id": employer["id"],
                "expert": {
                    "name": "SCHMIDT, Hans",
                    "nationality": "DEU",
                    "field": "土壤学",
                    "position": "Professor, Universität Hohenheim",
                },
                "plan": {
                    "title": "黑土保护合作",
                    "objectives": "示范区建设",
                    "work_plan": "两次来华",
                    "starts_on": (today + timedelta(days=40)).isoformat(),
                    "ends_on": (today + timedelta(days=200)).isoformat(),
                    "days_in_china": 45,
                    "requested_amount": amount,
                    "budget_items": [{"item": "国际旅费及工薪", "amount": amount}],
                },
            },
        )
        pid = app["id"]
        people.call("stranger", "GET", f"{FE}/programme-applications/{pid}", 404)
        people.call("stranger", "POST", f"{FE}/programme-applications/{pid}/submit", 404)
        people.call("unit_clerk", "POST", f"{FE}/programme-applications/{pid}/submit")
        people.call("unit_clerk", "POST", f"{FE}/programme-applications/{pid}/accept", 403)
        people.call("fe_official", "POST", f"{FE}/programme-applications/{pid}/accept")
        people.call(
            "fe_official",
            "POST",
            f"{FE}/programme-applications/{pid}/reviews",
            201,
            json={"reviewer_name": "王教授", "score": 90, "recommendation": "support", "opinion": "同意"},
        )
        granted = people.call(
            "fe_official", "POST", f"{FE}/programme-applications/{pid}/approve", json={"granted_amount": "200000.00"}
        )
        assert granted["status"] == "approved" and granted["granted_amount"] == "200000.00"
        assert people.call(None, "GET", f"{FE}/programme-calls/{call['id']}")["remaining_budget"] == "300000.00"
        paid = people.call(
            "fe_official", "POST", f"{FE}/programme-applications/{pid}/fund", json={"reference": "E2E-001"}
        )
        assert paid["status"] == "funded" and paid["report_due_on"] is not None

        plan = people.call(
            "fe_official",
            "POST",
            f"{FE}/training-plans",
            201,
            json={
                "code": "E2E-CGPX",
                "title": "出国(境)培训计划（测试）",
                "budget": "300000.00",
                "participant_quota": 4,
                "max_duration_days": 21,
                **window,
            },
        )
        people.call("fe_official", "POST", f"{FE}/training-plans/{plan['id']}/publish")
        trip = people.call(
            "unit_clerk",
            "POST",
            f"{FE}/training-applications",
            201,
            json={
                "call_id": plan["id"],
                "unit_name": "吉林农业大学",
                "contact_name": "陈静",
                "contact_phone": "0431-84530000",
                "training": {
                    "topic": "现代农业技术培训",
                    "destination": "NLD",
                    "host_institution": "Wageningen University",
                    "purpose": "学习设施农业",
                    "starts_on": (today + timedelta(days=60)).isoformat(),
                    "ends_on": (today + timedelta(days=73)).isoformat(),
                    "participants": [
                        {"name": "赵一", "position": "教授"},
                        {"name": "钱二", "position": "副教授"},
                        {"name": "孙三", "position": "讲师"},
                    ],
                    "requested_amount": "150000.00",
                    "budget_items": [{"item": "国际旅费及培训费", "amount": "150000.00"}],
                },
            },
        )
        people.call("stranger", "GET", f"{FE}/training-applications/{trip['id']}", 404)
        people.call("unit_clerk", "POST", f"{FE}/training-applications/{trip['id']}/submit")
        approved = people.call("fe_official", "POST", f"{FE}/training-applications/{trip['id']}/approve")
        assert (approved["status"], approved["approved_participants"], approved["days"]) == ("approved", 3, 14)
        left = people.call(None, "GET", f"{FE}/training-plans/{plan['id']}")
        assert (left["remaining_places"], left["remaining_budget"]) == (1, "150000.00")
