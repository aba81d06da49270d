"""End to end: one talent-programme year through the gateway over real processes, each step by the role the
department's process gives it (issue 13, "Done when"):

programme and call (an official) → applications (applicants; TAL-4 age, PRJ-5 integrity asked of the projects
service) → endorsement (the host organisation's org_admin) → formal review (an official) → draw (an official
draws the experts from the projects service's reviewer pool, NSF-2, NSF-3; the auditor verifies it) → scores
(each expert logged in as themselves scores every indicator with a comment, TAL-1) → committee (an official
names the members; each member votes; the official tallies) → notice (TAL-5: the proposed list, public) →
objection (a logged-in person, real name and evidence) resolved (upheld by the official) → selected (the
notice concluded: tenure starts, TAL-3) → tranche (paid after the integrity check) → annual assessment (the
organisation files, the official grades a fail: support stops, the title ends).

The notice runs five working days (CAL-1) and the processes run on the wall clock: once the objection is
resolved, the test moves the notice's period into the past in the talent database (as a clock would) so it
can be concluded at once, no sleeping. Birth dates are relative to the year, so TAL-4 holds in any year.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import backends
from tests.e2e.processes import Platform
from tests.e2e.support import People, bare_platform, make_resident_id, make_uscc, rewind_talent_notice

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=backends())
def platform(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    yield from bare_platform(request, tmp_path_factory, "talent")


T = "/api/v1/talent"
P = "/api/v1/projects"
PASSWORD = "E2e-Talent-Passw0rd!"
DOMAIN = "talent.test.cn"
EVIDENCE = [{"name": "代表作比对.pdf", "size": 4096, "sha256": "c" * 64, "content_type": "application/pdf"}]


KJT_USCC = make_uscc("11220000013544399")
JLU_USCC = make_uscc("12220104412755098")
NENU_USCC = make_uscc("12220102412755097")
CIAC_USCC = make_uscc("12220100412760096")  # the experts' institute: no applicant's (NSF-3)


def _programme() -> dict[str, Any]:
    return {
        "code": "JLQN-E2E",
        "name": "吉林省青年科技人才托举计划（测试）",
        "level": "provincial_key",
        "kind": "young_talent",
        "org_kinds": ["university", "research_institute"],
        "max_age_male": 35,
        "max_age_female": 40,
        "indicators": [
            {"code": "original_results", "name": "原创性成果", "dimension": "innovation_ability", "weight": "0.35"},
            {"code": "work_quality", "name": "代表作质量", "dimension": "quality", "weight": "0.25"},
            {"code": "contribution", "name": "对学科与产业的贡献", "dimension": "contribution", "weight": "0.25"},
            {"code": "performance", "name": "承担任务绩效", "dimension": "performance", "weight": "0.15"},
        ],
        "support_amount": "600000.00",
        "tranche_shares": ["0.4", "0.3", "0.3"],
        "notice_working_days": 5,
    }


def _application(call_id: int, name: str, id_number: str, org: str, title: str) -> dict[str, Any]:
    return {
        "call_id": call_id,
        "applicant_name": name,
        "id_number": id_number,
        "org_name": org,
        "org_kind": "university",
        "title": title,
        "discipline_code": "C1301",
        "summary": f"{name}近五年围绕{title}取得的主要创新成果与贡献。",
        "works": [{"kind": "paper", "title": f"{title}代表作", "own_contribution": "提出思路，第一作者"}],
    }


def test_a_talent_programme_year_through_the_gateway_with_the_right_role_at_each_step(platform: Platform) -> None:
    with httpx.Client(base_url=platform.base_url, timeout=30.0, trust_env=False) as client:
        run_year(People(client, platform, domain=DOMAIN, password=PASSWORD), platform)


def run_year(people: People, platform: Platform) -> None:  # noqa: PLR0915 - one year, step by step
    # --- accounts ------------------------------------------------------------------------------------
    def org(name: str, kind: str, code: str) -> int:
        body = {"name": name, "kind": kind, "uscc": code}
        return int(people.call("admin", "POST", "/api/v1/admin/organizations", 201, json=body)["id"])

    kjt = org("吉林省科学技术厅（测试）", "government", KJT_USCC)
    jlu = org("吉林大学（测试）", "university", JLU_USCC)
    nenu = org("东北师范大学（测试）", "university", NENU_USCC)
    ciac = org("中国科学院长春应用化学研究所（测试）", "research_institute", CIAC_USCC)
    people.add("official", ["official"], kjt)
    people.add("auditor", ["auditor"], kjt)
    people.add("jlu_admin", ["org_admin"], jlu)
    people.add("nenu_admin", ["org_admin"], nenu)
    for who, at in (("applicant_a", jlu), ("applicant_b", jlu), ("applicant_c", nenu), ("objector", nenu)):
        people.add(who, ["applicant"], at)
    experts = [str(people.add(f"expert{n}", ["reviewer"], ciac)) for n in (1, 2, 3)]
    members = [str(people.add(f"member{n}", ["reviewer"], ciac)) for n in (1, 2, 3)]

    # --- programme and call --------------------------------------------------------------------------
    people.call("applicant_a", "POST", f"{T}/programmes", 403, json=_programme())
    programme = people.call("official", "POST", f"{T}/programmes", 201, json=_programme())
    today = datetime.now(UTC).date()
    year = today.year
    call_body = {
        "programme_id": programme["id"],
        "code": f"JLQN-E2E-{year}",
        "year": year,
        "title": f"{year}年度吉林省青年科技人才托举计划（测试）",
        "opens_on": (today - timedelta(days=1)).isoformat(),
        "closes_on": (today + timedelta(days=30)).isoformat(),
        "cap_per_org": 2,
    }
    call = people.call("official", "POST", f"{T}/calls", 201, json=call_body)
    people.call("official", "POST", f"{T}/calls/{call['id']}/publish")

    # --- applications, endorsement, formal review -----------------------------------------------------
    person_a = ("陈思远", make_resident_id(date(year - 31, 4, 12), "011"))
    person_b = ("李娜", make_resident_id(date(year - 37, 11, 5), "042"))  # a woman of 36: under 40 (TAL-4)
    person_c = ("赵国栋", make_resident_id(date(year - 33, 3, 1), "031"))
    apps: dict[str, int] = {}
    for who, person, org_name, title, admin in (
        ("applicant_a", person_a, "吉林大学（测试）", "玉米耐旱分子育种", "jlu_admin"),
        ("applicant_b", person_b, "吉林大学（测试）", "黑土地微生物组与地力提升", "jlu_admin"),
        ("applicant_c", person_c, "东北师范大学（测试）", "草地生态修复", "nenu_admin"),
    ):
        body = _application(call["id"], person[0], person[1], org_name, title)
        created = people.call(who, "POST", f"{T}/applications", 201, json=body)
        url = f"{T}/applications/{created['id']}"
        people.call(admin, "GET", url, 404)  # a draft is the applicant's alone
        assert people.call(who, "POST", f"{url}/submit")["status"] == "submitted"
        people.call(who, "POST", f"{url}/endorse", 403)
        assert people.call(admin, "POST", f"{url}/endorse")["status"] == "endorsed"
        people.call(admin, "POST", f"{url}/accept", 403)
        assert people.call("official", "POST", f"{url}/accept")["status"] == "accepted"
        apps[who] = int(created["id"])
    a, b, c = apps["applicant_a"], apps["applicant_b"], apps["applicant_c"]

    # --- the reviewer pool (projects) and the draw ---------------------------------------------------------
    pool: dict[int, str] = {}
    for n, user_id in enumerate(experts, start=1):
        entry = {
            "name": f"评审专家{n}",
            "id_number": make_resident_id(date(1966, 5, n), f"{800 + 2 * n + 1}"),
            "user_id": user_id,
            "title": "研究员",
            "organisation_name": "中国科学院长春应用化学研究所（测试）",
            "organisation_uscc": CIAC_USCC,
            "discipline_codes": ["C1301"],
            "keywords": ["作物"],
        }
        pool[people.call("official", "POST", f"{P}/reviewers", 201, json=entry)["id"]] = f"expert{n}"
    rounds = f"{T}/review-rounds"
    people.call("applicant_a", "POST", rounds, 403, json={"call_id": call["id"], "title": "x"})
    rnd = people.call("official", "POST", rounds, 201, json={"call_id": call["id"], "title": f"{year}年度专家评审"})
    rr_url = f"{rounds}/{rnd['id']}"
    people.call("expert1", "POST", f"{rr_url}/draw", 403, json={})
    drawn = people.call("official", "POST", f"{rr_url}/draw", json={"seed": 20270401})
    assert drawn["applications"] == 3 and drawn["round"]["shortfalls"] == []
    assert all(sorted(r["reviewer_id"] for r in s["reviewers"]) == sorted(pool) for s in drawn["assignments"])
    assert people.call("auditor", "POST", f"{rr_url}/verify")["ok"] is True
    assert people.call("official", "GET", f"{T}/applications/{a}")["status"] == "in_review"

    # --- scores (TAL-1): every indicator 0..100 with a comment, each expert as themselves ------------------
    scores = {a: (95, 90, 90, 85), b: (85, 80, 80, 80), c: (60, 60, 55, 50)}
    codes = [i["code"] for i in programme["indicators"]]
    for who in pool.values():
        for assignment in people.call(who, "GET", f"{T}/review-assignments")["items"]:
            asg = f"{T}/review-assignments/{assignment['id']}"
            view = people.call(who, "GET", f"{asg}/application")
            assert person_a[1] not in json.dumps(view) and "id_number" not in view
            values = scores[assignment["application_id"]]
            body = {
                "scores": {code: str(v) for code, v in zip(codes, values, strict=True)},
                "comments": {code: "评价意见" for code in codes},
            }
            draft = people.send(who, "PUT", f"{asg}/review", json=body)
            people.call(who, "POST", f"{asg}/review/submit", headers={"If-Match": draft.headers["etag"]})
    closed = people.call("official", "POST", f"{rr_url}/close")
    assert closed["reviewed"] == sorted([a, b, c]) and closed["lacking"] == []
    ranking = people.call("official", "GET", f"{T}/calls/{call['id']}/ranking")
    # a: 0.35*95 + 0.25*90 + 0.25*90 + 0.15*85 = 91; b: 81.75; c: 57.25
    assert [(e["application_id"], e["score"]) for e in ranking["entries"]] == [
        (a, "91.0000"),
        (b, "81.7500"),
        (c, "57.2500"),
    ]

    # --- committee: more than half of those present, a quorum of two thirds -------------------------------
    committee_url = f"{T}/calls/{call['id']}/committee"
    people.call("auditor", "PUT", committee_url, 403, json={"members": members})
    people.call("official", "PUT", committee_url, json={"members": members})
    people.call("expert1", "GET", committee_url, 404)  # not a member
    votes = {
        "member1": {a: "for", b: "for", c: "against"},
        "member2": {a: "for", b: "for", c: "abstain"},
        "member3": {a: "for", b: "against", c: "against"},
    }
    for who, theirs in votes.items():
        ballot = {"present": True, "votes": [{"application_id": k, "vote": v} for k, v in theirs.items()]}
        people.call(who, "PUT", f"{committee_url}/ballot", json=ballot)
    people.call("member1", "POST", f"{committee_url}/tally", 403)
    tally = people.call("official", "POST", f"{committee_url}/tally")
    assert {r["application_id"]: r["status"] for r in tally["results"]} == {
        a: "proposed",
        b: "proposed",
        c: "not_proposed",
    }

    # --- the public notice (TAL-5) and an objection resolved --------------------------------------------------
    notice = people.call("official", "POST", f"{T}/notices", 201, json={"kind": "selection", "call_id": call["id"]})
    assert (notice["days"], notice["day_count"]) == (5, "working")
    public = people.call(None, "GET", f"{T}/notices/{notice['id']}")  # anyone reads it
    assert [e["subject_id"] for e in public["entries"]] == [a, b]
    assert person_a[1] not in json.dumps(public) and person_b[1] not in json.dumps(public)
    objection = {
        "subject_id": b,
        "objector_name": "王明",
        "objector_contact": "13904310000",
        "grounds": "代表作与他人已发表成果高度重复。",
        "evidence": EVIDENCE,
    }
    people.call(None, "POST", f"{T}/notices/{notice['id']}/objections", 401, json=objection)
    raised = people.call("objector", "POST", f"{T}/notices/{notice['id']}/objections", 201, json=objection)
    people.call("official", "POST", f"{T}/notices/{notice['id']}/conclude", 409)  # an objection is open
    people.call("jlu_admin", "POST", f"{T}/notice-objections/{raised['id']}/uphold", 403, json={"comment": "x"})
    upheld = people.call(
        "official", "POST", f"{T}/notice-objections/{raised['id']}/uphold", json={"comment": "经核查，异议成立。"}
    )
    assert upheld["status"] == "upheld"
    assert people.call("applicant_b", "GET", f"{T}/applications/{b}")["status"] == "not_selected"

    # --- the period passes; the notice is concluded: A selected, her tenure starts (TAL-3) --------------------
    rewind_talent_notice(platform, notice["id"], days=30)
    people.call("official", "POST", f"{T}/notices/{notice['id']}/conclude")
    assert people.call("applicant_a", "GET", f"{T}/applications/{a}")["status"] == "selected"
    tenure = people.call("jlu_admin", "GET", f"{T}/applications/{a}/tenure")
    assert tenure["status"] == "running" and tenure["years"] == 3
    tranches = people.call("applicant_a", "GET", f"{T}/applications/{a}/tranches")
    assert [(t["amount"], t["status"]) for t in tranches] == [
        ("240000.00", "due"),
        ("180000.00", "due"),
        ("180000.00", "due"),
    ]

    # --- a tranche, paid after the integrity check (PRJ-5) --------------------------------------------------
    people.call("jlu_admin", "POST", f"{T}/applications/{a}/tranches/1/pay", 403)
    paid = people.call("official", "POST", f"{T}/applications/{a}/tranches/1/pay")
    assert paid["paid"] is True and paid["tranche"]["status"] == "paid"

    # --- the annual assessment: the organisation files, the official grades a fail --------------------------
    report = {"kind": "annual", "year_no": 1, "report": "年度任务完成情况与绩效。"}
    people.call("applicant_a", "POST", f"{T}/applications/{a}/assessments", 403, json=report)
    people.call("nenu_admin", "POST", f"{T}/applications/{a}/assessments", 404, json=report)
    filed = people.call("jlu_admin", "POST", f"{T}/applications/{a}/assessments", 201, json=report)
    grade_url = f"{T}/applications/{a}/assessments/{filed['id']}/grade"
    people.call("jlu_admin", "POST", grade_url, 403, json={"grade": "fail", "comment": "x"})
    people.call("official", "POST", grade_url, json={"grade": "fail", "comment": "年度考核任务未完成。"})
    assert people.call("applicant_a", "GET", f"{T}/applications/{a}")["status"] == "terminated"
    tenure = people.call("auditor", "GET", f"{T}/applications/{a}/tenure")
    assert (tenure["status"], tenure["end_reason"]) == ("terminated", "annual_assessment_failed")
    tranches = people.call("official", "GET", f"{T}/applications/{a}/tranches")
    assert [t["status"] for t in tranches] == ["paid", "cancelled", "cancelled"]
    stopped = people.call("official", "POST", f"{T}/applications/{a}/tranches/2/pay", 409)
    assert stopped["code"] == "tenure_not_running"
    history = people.call("auditor", "GET", f"{T}/applications/{a}/history")
    assert [h["action"] for h in history][-6:] == [
        "accept",
        "start_review",
        "complete_review",
        "propose",
        "select",
        "terminate",
    ]
