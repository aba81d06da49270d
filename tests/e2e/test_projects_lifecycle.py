"""End to end: one project's lifecycle through the gateway over real processes, each step by the
role the department's process gives it (issue 3, "Done when"):

programme (official) → call (the entrusted agency drafts and publishes; anyone reads it) →
application (applicant) → endorsement (the organisation's org_admin) → formal review (agency: accept,
then send to expert review) → ... → statistics (official, agency).

The steps after "in_review" (draw, reviews, ranking, approval, public notice, contract, mid-term,
final acceptance) belong to the review-round and approval modules; they join this test as their
endpoints land.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from stdnum.cn import ric, uscc

from tests.conftest import backends
from tests.e2e.conftest import _fresh_postgres
from tests.e2e.processes import Platform, running_platform

pytestmark = pytest.mark.e2e

P = "/api/v1/projects"
PASSWORD = "E2e-Lifecycle-Passw0rd!"


def _uscc(body: str) -> str:
    return body + uscc.calc_check_digit(body)


def _resident_id(birth: date, seq: str) -> str:
    body = f"220104{birth:%Y%m%d}{seq}"
    return body + ric.calc_check_digit(body + "0")


AGENCY_USCC = _uscc("12220000MA0000099")
UNIVERSITY_USCC = _uscc("12220104412755099")  # 长春市 (ID-5)


@pytest.fixture(scope="module", params=backends())
def platform(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    # No demo data (exact figures below), and a login limit that lets one test log in as seven people.
    extra = {"KJT_DEMO": "false", "KJT_RATE_LIMIT_LOGIN": "1000/minute"}
    if request.param == "postgres":
        extra["KJT_DATABASE_URL"] = asyncio.run(_fresh_postgres())
    with running_platform(tmp_path_factory.mktemp("lifecycle"), **extra) as started:
        yield started


class People:
    """Logs people in through the gateway and calls the API as them."""

    def __init__(self, client: httpx.Client, platform: Platform) -> None:
        self.client = client
        self.auth: dict[str, dict[str, str]] = {}
        self.login("admin", platform.admin_email, platform.admin_password)

    def login(self, who: str, email: str, password: str) -> None:
        r = self.client.post("/api/v1/auth/token", data={"username": email, "password": password})
        assert r.status_code == 200, r.text
        self.auth[who] = {"Authorization": f"Bearer {r.json()['access_token']}"}

    def call(self, who: str | None, method: str, url: str, expect: int = 200, **kwargs: Any) -> Any:
        headers = {**(self.auth[who] if who else {}), **kwargs.pop("headers", {})}
        r = self.client.request(method, url, headers=headers, **kwargs)
        assert r.status_code == expect, f"{who} {method} {url}: {r.status_code} {r.text}"
        return r.json() if r.content else None

    def add(self, who: str, roles: list[str], org_id: int) -> int:
        user = self.call("admin", "POST", "/api/v1/admin/users", 201, json={
            "email": f"{who}@lifecycle.test.cn", "display_name": who, "roles": roles,
            "organization_id": org_id, "password": PASSWORD})
        self.login(who, f"{who}@lifecycle.test.cn", PASSWORD)
        return int(user["id"])


def test_the_lifecycle_through_the_gateway_with_the_right_role_at_each_step(platform: Platform) -> None:
    with httpx.Client(base_url=platform.base_url, timeout=30.0, trust_env=False) as client:
        run_lifecycle(People(client, platform))


def run_lifecycle(people: People) -> None:
    # --- accounts: the administrator registers the organisations and the people ------------------
    agency_org = people.call("admin", "POST", "/api/v1/admin/organizations", 201, json={
        "name": "吉林省科技项目管理专业机构（测试）", "kind": "agency", "uscc": AGENCY_USCC})["id"]
    university = people.call("admin", "POST", "/api/v1/admin/organizations", 201, json={
        "name": "吉林大学（测试）", "kind": "university", "uscc": UNIVERSITY_USCC})["id"]
    people.add("official", ["official"], agency_org)
    people.add("agency", ["agency"], agency_org)
    people.add("org_admin", ["org_admin"], university)
    people.add("applicant", ["applicant"], university)
    people.add("auditor", ["auditor"], agency_org)

    # --- programme: the official sets it and entrusts the agency (PRJ-2) --------------------------
    year = datetime.now(UTC).year
    programme = people.call("official", "POST", f"{P}/programmes", 201, json={
        "code": f"E2E-{year}-ZDYF", "name": "吉林省科技发展计划重点研发项目（测试）", "year": year,
        "budget": "10000000.00", "max_project_budget": "2000000.00", "max_duration_months": 36,
        "agency_org_ids": [agency_org]})
    people.call("applicant", "POST", f"{P}/programmes", 403, json={})

    # --- call: the entrusted agency drafts and publishes it; anyone reads it ----------------------
    now = datetime.now(UTC)
    call = people.call("agency", "POST", f"{P}/calls", 201, json={
        "programme_id": programme["id"], "title": "重点研发项目申报指南（测试）", "guide": "围绕黑土地保护组织申报。",
        "topics": [{"code": "T01", "title": "黑土地保护与利用", "budget_cap": "1500000.00"}],
        "opens_at": (now - timedelta(hours=1)).isoformat(), "closes_at": (now + timedelta(days=30)).isoformat()})
    assert people.call(None, "GET", f"{P}/calls/{call['id']}", 404)  # a draft is not public
    call = people.call("agency", "POST", f"{P}/calls/{call['id']}/publish")
    assert call["status"] == "published"
    public = people.call(None, "GET", f"{P}/calls/{call['id']}")
    assert public["topics"][0]["code"] == "T01"

    # --- application: the applicant drafts and submits (the guards at submit run) -----------------
    leader_id = _resident_id(date(1979, 6, 1), "015")
    application = people.call("applicant", "POST", f"{P}/applications", 201, json={
        "call_id": call["id"], "topic_id": public["topics"][0]["id"],
        "title": "黑土地保育与地力提升关键技术研究", "abstract": "研究黑土地退化机理并集成保护性耕作技术示范推广。",
        "keywords": ["黑土地", "保护性耕作"], "leader": {"name": "王晓明", "id_number": leader_id, "title": "教授"},
        "applicant_uscc": UNIVERSITY_USCC, "applicant_org_name": "吉林大学（测试）", "organization_kind": "university",
        "budget": {"equipment": {"requested": "1200000.00", "self_raised": "100000.00"}}, "duration_months": 36})
    app_url = f"{P}/applications/{application['id']}"
    assert application["status"] == "draft"
    people.call("org_admin", "GET", app_url, 404)  # a draft is the applicant's alone
    people.call("org_admin", "POST", f"{app_url}/endorse", 404)
    assert people.call("applicant", "POST", f"{app_url}/submit")["status"] == "submitted"

    # --- endorsement by the applicant organisation's administrator --------------------------------
    people.call("agency", "POST", f"{app_url}/accept", 409)  # not before the organisation endorses
    assert people.call("org_admin", "POST", f"{app_url}/endorse")["status"] == "endorsed"

    # --- formal review (形式审查) by the entrusted agency -------------------------------------------
    people.call("official", "POST", f"{app_url}/accept", 403)  # agencies run formal review, not officials
    assert people.call("agency", "POST", f"{app_url}/accept")["status"] == "accepted"
    assert people.call("agency", "POST", f"{app_url}/start-review")["status"] == "in_review"

    # --- the steps still to come (review rounds; approval, notice, contracts) join here -----------

    # --- the record: every move in the history, by the role that made it --------------------------
    history = people.call("official", "GET", f"{app_url}/history")
    moves = [(h["action"], h["to_state"], h["actor_role"]) for h in history]
    assert moves == [("create", "draft", "applicant"), ("submit", "submitted", "applicant"),
                     ("endorse", "endorsed", "org_admin"), ("accept", "accepted", "agency"),
                     ("start_review", "in_review", "agency")], moves

    # --- statistics: the official and the agency see the project; the applicant may not -----------
    stats = people.call("official", "GET", f"{P}/statistics", params={"year": year})
    assert stats["totals"]["applications"] == 1 and stats["totals"]["requested"] == "1200000.00"
    assert stats["by_region"] == [{"region_code": "2201", "name": "长春市", "name_en": "Changchun",
                                   "applications": 1, "requested": "1200000.00", "approved_applications": 0,
                                   "approved": "0.00"}]
    assert people.call("agency", "GET", f"{P}/statistics")["by_status"][0]["status"] == "in_review"
    people.call("auditor", "GET", f"{P}/statistics")
    people.call("applicant", "GET", f"{P}/statistics", 403)
