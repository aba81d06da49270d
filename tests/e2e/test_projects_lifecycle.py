"""End to end: one project's lifecycle through the gateway over real processes, each step by the
role the department's process gives it (issue 3, "Done when"):

programme (official) → call (the entrusted agency drafts and publishes; anyone reads it) →
application (applicant) → endorsement (the organisation's org_admin) → formal review (agency: accept,
then send to expert review) → draw (agency sets up the round and draws, NSF-2/NSF-3; the auditor
verifies it) → reviews (each drawn reviewer, a gateway account linked to a pool entry, NSF-4) →
ranking (agency closes the round; the official reads the ranking) → approval (agency proposes,
official approves) → public notice (official opens and concludes it) → contract (agency drafts and
signs, pays the first tranche) → mid-term (agency) → final acceptance (the applicant requests it,
the agency decides) → statistics (official, agency).

The public notice runs in working days (CAL-1); the API takes a ``starts_at``, so the notice is
opened with a start far enough in the past that its one working day is over, and concluded at once:
no sleeping.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import backends
from tests.e2e.processes import Platform
from tests.e2e.support import People, bare_platform, make_resident_id, make_uscc

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=backends())
def platform(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    yield from bare_platform(request, tmp_path_factory, "lifecycle")


P = "/api/v1/projects"
PASSWORD = "E2e-Lifecycle-Passw0rd!"
DOMAIN = "lifecycle.test.cn"


AGENCY_USCC = make_uscc("12220000MA0000099")
UNIVERSITY_USCC = make_uscc("12220104412755099")  # 长春市 (ID-5)
INSTITUTE_USCC = make_uscc("12220000412760099")  # the reviewers' institute: not the applicant's (NSF-3)
REVIEWERS = 3  # NSF-2's default per application; NSF-4 ranks with 3 valid reviews


def _contract_plan(application_id: int, year: int) -> dict[str, Any]:
    """A three-year task book of two milestones and two tranches adding up to the approved amount."""
    return {
        "application_id": application_id,
        "starts_on": f"{year}-12-01",
        "ends_on": f"{year + 3}-11-30",
        "milestones": [
            {
                "title": "完成田间试验",
                "due_on": f"{year + 1}-11-30",
                "deliverables": ["试验报告"],
                "indicators": [{"name": "示范面积", "unit": "万亩", "target": "5"}],
            },
            {
                "title": "技术集成与示范",
                "due_on": f"{year + 3}-11-30",
                "deliverables": ["技术规程"],
                "indicators": [{"name": "示范面积", "unit": "万亩", "target": "10"}],
            },
        ],
        "tranches": [
            {"title": "首笔拨款", "amount": "600000.00", "due_on": f"{year}-12-15", "condition": "on_signing"},
            {
                "title": "验收后拨款",
                "amount": "400000.00",
                "due_on": f"{year + 3}-11-30",
                "condition": "after_acceptance",
            },
        ],
    }


def test_the_lifecycle_through_the_gateway_with_the_right_role_at_each_step(platform: Platform) -> None:
    with httpx.Client(base_url=platform.base_url, timeout=30.0, trust_env=False) as client:
        run_lifecycle(People(client, platform, domain=DOMAIN, password=PASSWORD))


def run_lifecycle(people: People) -> None:
    # --- accounts: the administrator registers the organisations and the people ------------------
    agency_org = people.call(
        "admin",
        "POST",
        "/api/v1/admin/organizations",
        201,
        json={"name": "吉林省科技项目管理专业机构（测试）", "kind": "agency", "uscc": AGENCY_USCC},
    )["id"]
    university = people.call(
        "admin",
        "POST",
        "/api/v1/admin/organizations",
        201,
        json={"name": "吉林大学（测试）", "kind": "university", "uscc": UNIVERSITY_USCC},
    )["id"]
    people.add("official", ["official"], agency_org)
    people.add("agency", ["agency"], agency_org)
    people.add("org_admin", ["org_admin"], university)
    people.add("applicant", ["applicant"], university)
    people.add("auditor", ["auditor"], agency_org)
    institute = people.call(
        "admin",
        "POST",
        "/api/v1/admin/organizations",
        201,
        json={
            "name": "中国科学院长春光学精密机械与物理研究所（测试）",
            "kind": "research_institute",
            "uscc": INSTITUTE_USCC,
        },
    )["id"]
    reviewer_users = {
        f"reviewer{n}": people.add(f"reviewer{n}", ["reviewer"], institute) for n in range(1, REVIEWERS + 1)
    }

    # --- programme: the official sets it and entrusts the agency (PRJ-2) --------------------------
    year = datetime.now(UTC).year
    programme = people.call(
        "official",
        "POST",
        f"{P}/programmes",
        201,
        json={
            "code": f"E2E-{year}-ZDYF",
            "name": "吉林省科技发展计划重点研发项目（测试）",
            "year": year,
            "budget": "10000000.00",
            "max_project_budget": "2000000.00",
            "max_duration_months": 36,
            "agency_org_ids": [agency_org],
        },
    )
    people.call("applicant", "POST", f"{P}/programmes", 403, json={})

    # --- call: the entrusted agency drafts and publishes it; anyone reads it ----------------------
    now = datetime.now(UTC)
    call = people.call(
        "agency",
        "POST",
        f"{P}/calls",
        201,
        json={
            "programme_id": programme["id"],
            "title": "重点研发项目申报指南（测试）",
            "guide": "围绕黑土地保护组织申报。",
            "topics": [{"code": "T01", "title": "黑土地保护与利用", "budget_cap": "1500000.00"}],
            "opens_at": (now - timedelta(hours=1)).isoformat(),
            "closes_at": (now + timedelta(days=30)).isoformat(),
        },
    )
    assert people.call(None, "GET", f"{P}/calls/{call['id']}", 404)  # a draft is not public
    call = people.call("agency", "POST", f"{P}/calls/{call['id']}/publish")
    assert call["status"] == "published"
    public = people.call(None, "GET", f"{P}/calls/{call['id']}")
    assert public["topics"][0]["code"] == "T01"

    # --- application: the applicant drafts and submits (the guards at submit run) -----------------
    leader_id = make_resident_id(date(1979, 6, 1), "015")
    application = people.call(
        "applicant",
        "POST",
        f"{P}/applications",
        201,
        json={
            "call_id": call["id"],
            "topic_id": public["topics"][0]["id"],
            "title": "黑土地保育与地力提升关键技术研究",
            "abstract": "研究黑土地退化机理并集成保护性耕作技术示范推广。",
            "keywords": ["黑土地", "保护性耕作"],
            "leader": {"name": "王晓明", "id_number": leader_id, "title": "教授"},
            "applicant_uscc": UNIVERSITY_USCC,
            "applicant_org_name": "吉林大学（测试）",
            "organization_kind": "university",
            "budget": {"equipment": {"requested": "1200000.00", "self_raised": "100000.00"}},
            "duration_months": 36,
        },
    )
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

    # --- the reviewer pool: the official enters each reviewer, linked to their gateway account ----
    pool: dict[int, str] = {}  # pool entry id → who
    for n, (who, user_id) in enumerate(reviewer_users.items(), start=1):
        entry = {
            "name": f"评审专家{n}",
            "id_number": make_resident_id(date(1965, 3, n), f"{700 + n}"),
            "user_id": str(user_id),
            "organisation_name": "中国科学院长春光学精密机械与物理研究所（测试）",
            "organisation_uscc": INSTITUTE_USCC,
            "title": "研究员",
            "discipline_codes": ["D0101"],
            "keywords": ["黑土地"],
        }
        people.call("agency", "POST", f"{P}/reviewers", 403, json=entry)  # the pool is the department's
        pool[people.call("official", "POST", f"{P}/reviewers", 201, json=entry)["id"]] = who

    # --- draw (NSF-2, NSF-3): the agency sets up a round of the call and draws the reviewers --------
    people.call("applicant", "POST", f"{P}/review-rounds", 403, json={})
    rnd = people.call(
        "agency",
        "POST",
        f"{P}/review-rounds",
        201,
        json={"call_id": call["id"], "title": "重点研发项目会评（测试）", "discipline_codes": ["D0101"]},
    )
    rr_url = f"{P}/review-rounds/{rnd['id']}"
    people.call("reviewer1", "POST", f"{rr_url}/draw", 403, json={"seed": 1})
    drawn = people.call("agency", "POST", f"{rr_url}/draw", json={"seed": 20261126})
    assert drawn["round"]["status"] == "drawn" and drawn["round"]["shortfalls"] == []
    [slots] = drawn["assignments"]
    assert slots["application_id"] == application["id"]
    assert sorted(s["reviewer_id"] for s in slots["reviewers"]) == sorted(pool)  # all three, no conflict
    assert people.call("auditor", "POST", f"{rr_url}/verify")["ok"] is True  # reproducible

    # --- reviews (NSF-4): each reviewer sees only their own assignment and submits a final review ---
    people.call("agency", "GET", f"{P}/review-assignments", 403)
    scores = {"reviewer1": "90", "reviewer2": "85", "reviewer3": "80"}
    for who in pool.values():
        [mine] = people.call(who, "GET", f"{P}/review-assignments")["items"]
        assert mine["application_id"] == application["id"] and mine["status"] == "assigned"
        asg = f"{P}/review-assignments/{mine['id']}"
        view = people.call(who, "GET", f"{asg}/application")
        assert view["id"] == application["id"]
        assert leader_id not in str([mine, view])  # a reviewer never reads the leader's ID number
        draft = people.client.put(
            f"{asg}/review",
            headers=people.auth[who],
            json={
                "scores": {c: scores[who] for c in ("innovation", "feasibility", "team", "benefit")},
                "grade": "A",
                "opinion": "priority",
                "comments": {"overall": "建议资助"},
            },
        )
        assert draft.status_code == 200, draft.text
        done = people.call(who, "POST", f"{asg}/review/submit", headers={"If-Match": draft.headers["etag"]})
        assert done["status"] == "submitted"
        final_review = people.call(
            who, "PUT", f"{asg}/review", 409, json={"grade": "D"}, headers={"If-Match": draft.headers["etag"]}
        )
        assert final_review["code"] == "review_already_submitted"  # a submitted review is final (NSF-4)
    people.call("reviewer1", "GET", f"{P}/review-assignments/{mine['id']}", 404)  # another reviewer's: 404

    # --- ranking: the agency closes the round (aggregates); the official reads the ranking ---------
    closed = people.call("agency", "POST", f"{rr_url}/close")
    assert closed["reviewed"] == [application["id"]] and closed["lacking"] == []
    [result] = closed["results"]
    assert result["valid_reviews"] == REVIEWERS and result["status"] == "ranked" and result["rank"] == 1
    assert result["trimmed"] is False  # under 5 reviews: the plain mean (NSF-4)
    ranking = people.call("official", "GET", f"{rr_url}/ranking")
    assert [e["application_id"] for g in ranking["groups"] for e in g["entries"]] == [application["id"]]
    assert people.call("agency", "GET", app_url)["status"] == "reviewed"

    # --- approval: the agency proposes the list, the official approves it within the budget -------
    proposal = people.call(
        "agency",
        "POST",
        f"{P}/approval-lists",
        201,
        json={
            "call_id": call["id"],
            "items": [{"application_id": application["id"], "amount": "1000000.00"}],
            "ranking_source": "review_round",
            "ranking_reference": str(rnd["id"]),
        },
    )
    list_url = f"{P}/approval-lists/{proposal['id']}"
    people.call("agency", "POST", f"{list_url}/approve", 403, json={"comment": "同意立项"})
    approved = people.call("official", "POST", f"{list_url}/approve", json={"comment": "同意立项"})
    assert approved["status"] == "approved"
    budget = people.call("official", "GET", f"{P}/programmes/{programme['id']}/budget")
    assert budget["approved_total"] == "1000000.00" and budget["remaining"] == "9000000.00", budget

    # --- public notice (公示): opened by the official; its start lies in the past so that the period
    # of one working day (CAL-1) is already over and it can be concluded now, without waiting -------
    people.call("agency", "POST", f"{P}/notices", 403, json={"approval_list_id": proposal["id"]})
    notice = people.call(
        "official",
        "POST",
        f"{P}/notices",
        201,
        json={
            "approval_list_id": proposal["id"],
            "starts_at": (now - timedelta(days=21)).isoformat(),
            "working_days": 1,
        },
    )
    assert [e["subject_id"] for e in notice["entries"]] == [application["id"]]
    early = people.call("agency", "POST", f"{P}/contracts", 409, json=_contract_plan(application["id"], year))
    assert early["code"] == "notice_not_concluded"
    concluded = people.call("official", "POST", f"{P}/notices/{notice['id']}/conclude")
    assert concluded["status"] == "concluded"

    # --- contract (任务书): drafted and signed by the agency; the first tranche paid -----------------
    people.call("applicant", "POST", f"{P}/contracts", 403, json=_contract_plan(application["id"], year))
    contract = people.call("agency", "POST", f"{P}/contracts", 201, json=_contract_plan(application["id"], year))
    c_url = f"{P}/contracts/{contract['id']}"
    assert contract["status"] == "draft" and contract["approved_amount"] == "1000000.00"
    signed = people.call("agency", "POST", f"{c_url}/sign")
    assert signed["status"] == "signed" and signed["application_status"] == "in_progress"
    paid = people.call(
        "agency",
        "POST",
        f"{c_url}/tranches/1/pay",
        json={"paid_on": now.date().isoformat(), "reference": f"JLCZ-{year}-E2E1"},
    )
    assert paid["paid_total"] == "600000.00"
    assert people.call("applicant", "GET", c_url)["id"] == contract["id"]  # the project's applicant reads it

    # --- mid-term check by the agency --------------------------------------------------------------
    people.call("applicant", "POST", f"{c_url}/midterm", 403, json={"outcome": "passed", "comment": "x"})
    mid = people.call("agency", "POST", f"{c_url}/midterm", json={"outcome": "passed", "comment": "进展符合任务书"})
    assert mid["application_status"] == "midterm_passed"

    # --- final acceptance: requested by the applicant, decided by the agency -----------------------
    requested = people.call(
        "applicant", "POST", f"{c_url}/request-acceptance", json={"report": "完成全部考核指标，示范面积10万亩。"}
    )
    assert requested["application_status"] == "acceptance_requested"
    people.call("applicant", "POST", f"{c_url}/final-acceptance", 403, json={"outcome": "passed", "comment": "x"})
    final = people.call(
        "agency", "POST", f"{c_url}/final-acceptance", json={"outcome": "passed", "comment": "通过验收"}
    )
    assert final["status"] == "completed" and final["application_status"] == "accepted_final"
    assert people.call("applicant", "GET", app_url)["status"] == "accepted_final"

    # --- the record: every move in the history, by the role that made it --------------------------
    history = people.call("official", "GET", f"{app_url}/history")
    moves = [(h["action"], h["to_state"], h["actor_role"]) for h in history]
    assert moves == [
        ("create", "draft", "applicant"),
        ("submit", "submitted", "applicant"),
        ("endorse", "endorsed", "org_admin"),
        ("accept", "accepted", "agency"),
        ("start_review", "in_review", "agency"),
        ("complete_review", "reviewed", "agency"),
        ("approve", "approved", "official"),
        ("sign_contract", "contracted", "agency"),
        ("start", "in_progress", "agency"),
        ("pass_midterm", "midterm_passed", "agency"),
        ("request_acceptance", "acceptance_requested", "applicant"),
        ("pass_acceptance", "accepted_final", "agency"),
    ], moves

    # --- statistics: the official and the agency see the project; the applicant may not -----------
    stats = people.call("official", "GET", f"{P}/statistics", params={"year": year})
    assert stats["totals"]["applications"] == 1 and stats["totals"]["requested"] == "1200000.00"
    assert stats["by_region"] == [
        {
            "region_code": "2201",
            "name": "长春市",
            "name_en": "Changchun",
            "applications": 1,
            "requested": "1200000.00",
            "approved_applications": 1,
            "approved": "1000000.00",
        }
    ]
    assert people.call("agency", "GET", f"{P}/statistics")["by_status"][0]["status"] == "accepted_final"
    people.call("auditor", "GET", f"{P}/statistics")
    people.call("applicant", "GET", f"{P}/statistics", 403)
