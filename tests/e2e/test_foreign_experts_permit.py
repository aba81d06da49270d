"""End to end: a work permit through the gateway over real processes (issue 5, "Done when"):

employer (its clerk registers it) → points assessment (anyone, nothing stored) → application (the clerk)
→ acceptance and approval (an official) → permit (issued under a lifelong WP-8 number) → verification
by another agency's API key with the scope ``foreign-experts:permits:verify`` (WP-9: only four fields; a
key without the scope gets 403; a wrong passport is "not found") → extension (延期) → cancellation (注销).
Another employer's clerk gets 404s throughout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from stdnum.cn import uscc

from shared.workdays import today_shanghai
from tests.conftest import backends
from tests.e2e.conftest import _fresh_postgres
from tests.e2e.processes import Platform, running_platform
from tests.e2e.test_projects_lifecycle import People

pytestmark = pytest.mark.e2e

FE = "/api/v1/foreign-experts"
PASSPORT = "C7E2E0042"
VERIFY = "foreign-experts:permits:verify"


def _uscc(body: str) -> str:
    return body + uscc.calc_check_digit(body)


EMPLOYER_USCC = _uscc("91220101MA0E2E001")  # 长春
OTHER_USCC = _uscc("91220201MA0E2E002")  # 吉林市


@pytest.fixture(scope="module", params=backends())
def platform(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    extra = {"KJT_DEMO": "false", "KJT_RATE_LIMIT_LOGIN": "1000/minute"}
    if request.param == "postgres":
        extra["KJT_DATABASE_URL"] = asyncio.run(_fresh_postgres())
    with running_platform(tmp_path_factory.mktemp("foreign-experts"), **extra) as started:
        yield started


def _documents() -> list[dict[str, Any]]:
    today = today_shanghai()
    out = []
    for i, code in enumerate(("application_form", "work_experience", "highest_degree", "criminal_record",
                              "medical_certificate", "employment_contract", "passport", "photo")):
        doc: dict[str, Any] = {"code": code, "name": f"{code}.pdf", "size": 2048 + i, "sha256": f"{i + 1:064x}",
                               "content_type": "application/pdf"}
        if code in ("highest_degree", "criminal_record"):
            doc["authenticated"] = True
        if code == "criminal_record":
            doc["issued_on"] = (today - timedelta(days=30)).isoformat()
        out.append(doc)
    return out


def test_a_work_permit_through_the_gateway(platform: Platform) -> None:
    with httpx.Client(base_url=platform.base_url, timeout=30.0, trust_env=False) as client:
        run(People(client, platform), client)


def run(people: People, client: httpx.Client) -> None:
    today = today_shanghai()
    org = people.call("admin", "POST", "/api/v1/admin/organizations", 201, json={
        "name": "长春光华新材料科技有限公司（测试）", "kind": "enterprise", "uscc": EMPLOYER_USCC})["id"]
    other_org = people.call("admin", "POST", "/api/v1/admin/organizations", 201, json={
        "name": "吉林市北华精细化工有限公司（测试）", "kind": "enterprise", "uscc": OTHER_USCC})["id"]
    bureau = people.call("admin", "POST", "/api/v1/admin/organizations", 201, json={
        "name": "吉林省科学技术厅（外国专家局）（测试）", "kind": "government",
        "uscc": _uscc("11220000MA0E2E003")})["id"]
    police = people.call("admin", "POST", "/api/v1/admin/organizations", 201, json={
        "name": "吉林省公安厅出入境管理局（测试）", "kind": "government", "uscc": _uscc("11220000MA0E2E004")})["id"]
    people.add("clerk", ["applicant"], org)
    people.add("other_clerk", ["applicant"], other_org)
    people.add("official", ["official"], bureau)

    # --- employer: its clerk registers it --------------------------------------------------------
    employer = people.call("clerk", "POST", f"{FE}/employers", 201, json={
        "uscc": EMPLOYER_USCC, "name": "长春光华新材料科技有限公司", "city_code": "2201", "contact_name": "王丽",
        "contact_phone": "0431-85550000", "licence_expires_on": (today + timedelta(days=365 * 15)).isoformat()})
    people.call("other_clerk", "GET", f"{FE}/employers/{employer['id']}", 404)

    # --- points assessment: anyone, nothing stored (WP-1..WP-3) -----------------------------------
    person = {"birth_date": "1986-04-12", "education": "doctorate", "work_years": 8}
    post = {"work_city_code": "2201", "annual_salary": "400000.00", "months_per_year": "12"}
    assessment = people.call(None, "POST", f"{FE}/points-assessments", json={"person": person, "post": post})
    assert assessment["permit_class"] == "A" and assessment["total"] >= 85
    assert {f["code"] for f in assessment["factors"]} >= {"salary", "education", "work_years", "age"}

    # --- application by the clerk -----------------------------------------------------------------
    contract_start, contract_end = today, today + timedelta(days=730)
    app = people.call("clerk", "POST", f"{FE}/applications", 201, json={
        "employer_id": employer["id"],
        "foreigner": {"name": "MÜLLER, Anna", "chinese_name": "安娜", "nationality": "DEU",
                      "passport_number": PASSPORT, "passport_expires_on": (today + timedelta(days=3650)).isoformat(),
                      "sex": "female", **person},
        "post": {"position": "动力电池材料研发工程师", **post, "contract_starts_on": contract_start.isoformat(),
                 "contract_ends_on": contract_end.isoformat()},
        "documents": _documents()})
    aid = app["id"]
    people.call("other_clerk", "GET", f"{FE}/applications/{aid}", 404)
    people.call("other_clerk", "POST", f"{FE}/applications/{aid}/submit", 404)
    assert people.call("other_clerk", "GET", f"{FE}/applications")["items"] == []
    submitted = people.call("clerk", "POST", f"{FE}/applications/{aid}/submit")
    assert submitted["permit_class"] == "A" and submitted["status"] == "submitted"
    people.call("clerk", "POST", f"{FE}/applications/{aid}/accept", 403)  # only officials accept

    # --- acceptance, approval and the permit (officials) -------------------------------------------
    accepted = people.call("official", "POST", f"{FE}/applications/{aid}/accept")
    assert accepted["deadline"]["working_days"] == 20 and accepted["deadline"]["due_on"] is not None
    people.call("official", "POST", f"{FE}/applications/{aid}/approve")
    issued = people.call("official", "POST", f"{FE}/applications/{aid}/issue")
    pid = issued["permit_id"]
    permit = people.call("clerk", "GET", f"{FE}/permits/{pid}")
    assert permit["status"] == "valid" and permit["valid_today"] is True
    assert permit["passport_number"] == PASSPORT  # the employer's own clerk sees it in full
    assert permit["valid_until"] == contract_end.isoformat() and permit["valid_until_reason"] == "contract"
    people.call("other_clerk", "GET", f"{FE}/permits/{pid}", 404)
    number = permit["number"]
    assert len(number) == 18 and number.startswith(f"22{today.year}")

    # --- verification by another agency's key (WP-9) ---------------------------------------------
    key = people.call("admin", "POST", "/api/v1/admin/api-keys", 201, json={
        "name": "出入境 许可核验（测试）", "organization_id": police, "scopes": [VERIFY]})["key"]
    other_key = people.call("admin", "POST", "/api/v1/admin/api-keys", 201, json={
        "name": "诚信查询（测试）", "organization_id": police, "scopes": ["projects:integrity:read"]})["key"]
    verify = f"{FE}/permits/verify"
    r = client.get(verify, params={"number": number, "passport": PASSPORT}, headers={"X-API-Key": key})
    assert r.status_code == 200, r.text
    assert r.json() == {"valid": True, "permit_class": "A", "valid_until": contract_end.isoformat(),
                        "employer_name": "长春光华新材料科技有限公司"}
    wrong = client.get(verify, params={"number": number, "passport": "X0000000"}, headers={"X-API-Key": key})
    unknown = client.get(verify, params={"number": "2220260000000000" + "00", "passport": PASSPORT},
                         headers={"X-API-Key": key})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json()["code"] == unknown.json()["code"] == "permit_not_found"
    denied = client.get(verify, params={"number": number, "passport": PASSPORT}, headers={"X-API-Key": other_key})
    assert denied.status_code == 403
    assert client.get(verify, params={"number": number, "passport": PASSPORT}).status_code == 401

    # --- extension (延期) then cancellation (注销) --------------------------------------------------
    longer = contract_end + timedelta(days=365)
    change = people.call("clerk", "POST", f"{FE}/permits/{pid}/changes", 201, json={
        "kind": "extension", "extension": {"contract_ends_on": longer.isoformat()}})
    people.call("other_clerk", "GET", f"{FE}/permit-changes/{change['id']}", 404)
    people.call("clerk", "POST", f"{FE}/permit-changes/{change['id']}/approve", 403)
    extended = people.call("official", "POST", f"{FE}/permit-changes/{change['id']}/approve")
    assert extended["outcome"]["contract_ends_on"] == [contract_end.isoformat(), longer.isoformat()]
    assert people.call("clerk", "GET", f"{FE}/permits/{pid}")["valid_until"] == longer.isoformat()
    cancel = people.call("clerk", "POST", f"{FE}/permits/{pid}/changes", 201, json={
        "kind": "cancellation", "cancellation": {"reason": "contract_terminated", "ended_on": today.isoformat()}})
    people.call("official", "POST", f"{FE}/permit-changes/{cancel['id']}/approve")
    assert people.call("clerk", "GET", f"{FE}/permits/{pid}")["status"] == "cancelled"
    after = client.get(verify, params={"number": number, "passport": PASSPORT}, headers={"X-API-Key": key})
    assert after.status_code == 200 and after.json()["valid"] is False
    history = people.call("official", "GET", f"{FE}/permits/{pid}/history")
    assert [h["action"] for h in history] == ["create", "cancel"]
    stats = people.call("official", "GET", f"{FE}/statistics/permits", params={"by": "class"})
    assert [(i["key"], i["label"]["zh"], i["count"]) for i in stats["items"]] == [("A", "外国高端人才（A类）", 1)]
