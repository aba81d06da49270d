"""End to end: one year of the provincial natural science foundation through the gateway over real
processes, each step by the role the department's process gives it (issue 4, "Done when"):

plan with its categories (official drafts, publishes, closes; anyone reads it) → applications
(applicants; the guards at submit: NSF-6 youth age, NSF-5 / PRJ-1 limits in the projects ledger) →
endorsement (the host institution's org_admin) → formal review (the plan's agency accepts or rejects,
NSF-1) → draw (the agency draws from the projects service's reviewer pool, NSF-2, NSF-3; the auditor
verifies it) → reviews (each drawn reviewer logged in as themselves: grade and funding opinion, NSF-4)
→ ranking (the agency closes the round and ranks: mean score, then the documented tie-break; the
funding line) → approval (an official, within the category's budget) → public notice (an official
opens and concludes it) → funding (disbursements by an official) → final report (the applicant
submits, the agency concludes) → statistics.

The notice runs in working days (CAL-1); the API takes a ``starts_on``, so the notice is opened with
a start far enough in the past that its five working days are over and it can be concluded at once:
no sleeping. Birth dates are relative to the plan's year, so the NSF-6 outcomes hold in any year.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.conftest import backends
from tests.e2e.processes import Platform
from tests.e2e.support import People, bare_platform, make_resident_id, make_uscc

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=backends())
def platform(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    yield from bare_platform(request, tmp_path_factory, "foundation")


F = "/api/v1/foundation"
P = "/api/v1/projects"
PASSWORD = "E2e-Foundation-Passw0rd!"
DOMAIN = "foundation.test.cn"
SHANGHAI = ZoneInfo("Asia/Shanghai")


KJT_USCC = make_uscc("11220000013544399")
AGENCY_USCC = make_uscc("12220000MA0000098")
JLU_USCC = make_uscc("12220104412755098")  # 长春市 (ID-5)
NENU_USCC = make_uscc("12220102412755097")  # 长春市 too
CIAC_USCC = make_uscc("12220100412760096")  # the reviewers' institute: not an applicant's (NSF-3)


def _category(code: str, kind: str, name: str, **figures: Any) -> dict[str, Any]:
    return {"code": code, "kind": kind, "name": name, **figures}


def _plan(year: int, agency_org: int, now: datetime) -> dict[str, Any]:
    return {
        "code": f"JJ{year}-E2E",
        "year": year,
        "title": f"{year}年度吉林省自然科学基金（测试）",
        "guide": "资助基础研究和应用基础研究，鼓励自由探索。",
        "discipline_codes": ["B", "D01", "F02"],
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=30)).isoformat(),
        "agency_org_ids": [agency_org],
        "categories": [
            # a budget of 400,000 and grants up to 200,000: the budget draws the funding line below
            _category(
                "general",
                "general",
                "面上项目（自由探索）",
                project_count=3,
                amount_mode="cap",
                amount="200000.00",
                budget="400000.00",
            ),
            _category(
                "youth",
                "youth",
                "青年基金项目",
                project_count=5,
                amount_mode="fixed",
                amount="80000.00",
                budget="400000.00",
            ),
            _category(
                "key", "key", "重点项目", project_count=2, amount_mode="cap", amount="500000.00", budget="1000000.00"
            ),
            _category(
                "joint",
                "joint",
                "吉林省-长春市联合基金项目",
                partner="长春市科学技术局",
                project_count=2,
                amount_mode="cap",
                amount="300000.00",
                budget="600000.00",
            ),
        ],
    }


def _application(
    plan: dict[str, Any],
    category: str,
    *,
    title: str,
    discipline: str,
    person: tuple[str, str, str],
    institution: tuple[str, str],
    requested: tuple[str, str, str],
    team: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    name, id_number, title_rank = person
    equipment, business, labour = requested
    return {
        "plan_id": plan["id"],
        "category_id": next(c["id"] for c in plan["categories"] if c["code"] == category),
        "discipline_code": discipline,
        "title": title,
        "abstract": f"{title}：研究内容、技术路线与预期成果。",
        "keywords": ["基础研究", discipline],
        "applicant": {
            "name": name,
            "id_number": id_number,
            "title": "教授" if title_rank == "senior" else "副教授",
            "title_rank": title_rank,
            "degree": "doctorate",
        },
        "institution_uscc": institution[0],
        "institution_name": institution[1],
        "team": team or [],
        "budget": {"equipment": equipment, "business": business, "labour": labour},
        "duration_months": 36,
        "attachments": [{"name": "申请书.pdf", "size": 204800, "sha256": "b" * 64, "content_type": "application/pdf"}],
    }


def _final_report(year: int) -> dict[str, Any]:
    return {
        "summary": "完成黑土地遥感解译模型研制，在长春、四平开展验证，达到任务书全部考核指标。",
        "outputs": {
            "papers": [{"title": "黑土地退化遥感智能解译方法", "journal": "遥感学报", "year": year, "indexed": "EI"}],
            "patents": [
                {
                    "title": "一种黑土地退化程度遥感识别方法",
                    "number": f"CN{year}10123456.7",
                    "kind": "invention",
                    "status": "filed",
                }
            ],
            "talents": {"phd": 1, "master": 3, "postdoc": 0},
        },
        "spending": {"spent": "200000.00", "notes": "设备费6万元，业务费10万元，劳务费4万元。"},
    }


def test_a_foundation_year_through_the_gateway_with_the_right_role_at_each_step(platform: Platform) -> None:
    with httpx.Client(base_url=platform.base_url, timeout=30.0, trust_env=False) as client:
        run_year(People(client, platform, domain=DOMAIN, password=PASSWORD))


def run_year(people: People) -> None:  # noqa: PLR0915 - one year, step by step, reads best in one place
    # --- accounts: the administrator registers the organisations and the people ------------------
    def org(name: str, kind: str, code: str) -> int:
        return int(
            people.call(
                "admin", "POST", "/api/v1/admin/organizations", 201, json={"name": name, "kind": kind, "uscc": code}
            )["id"]
        )

    kjt = org("吉林省科学技术厅（测试）", "government", KJT_USCC)
    agency_org = org("吉林省自然科学基金委员会办公室（测试）", "agency", AGENCY_USCC)
    jlu = org("吉林大学（测试）", "university", JLU_USCC)
    nenu = org("东北师范大学（测试）", "university", NENU_USCC)
    ciac = org("中国科学院长春应用化学研究所（测试）", "research_institute", CIAC_USCC)
    people.add("official", ["official"], kjt)
    people.add("auditor", ["auditor"], kjt)
    people.add("agency", ["agency"], agency_org)
    people.add("jlu_admin", ["org_admin"], jlu)
    people.add("nenu_admin", ["org_admin"], nenu)
    for who, at in (("applicant_a", jlu), ("applicant_b", nenu), ("applicant_c", jlu), ("applicant_d", nenu)):
        people.add(who, ["applicant"], at)
    # three reviewers of the institute, and one of 吉林大学: in conflict with its applications (NSF-3)
    reviewer_users = {f"reviewer{n}": people.add(f"reviewer{n}", ["reviewer"], ciac) for n in (1, 2, 3)}
    reviewer_users["reviewer4"] = people.add("reviewer4", ["reviewer"], jlu)

    # --- plan: the official drafts it with its categories and publishes it; anyone reads it -------
    year = datetime.now(UTC).year
    now = datetime.now(UTC)
    people.call("applicant_a", "POST", f"{F}/plans", 403, json=_plan(year, agency_org, now))
    people.call("agency", "POST", f"{F}/plans", 403, json=_plan(year, agency_org, now))
    plan = people.call("official", "POST", f"{F}/plans", 201, json=_plan(year, agency_org, now))
    assert plan["status"] == "draft"
    people.call(None, "GET", f"{F}/plans/{plan['id']}", 404)  # a draft is not public
    assert people.call("official", "POST", f"{F}/plans/{plan['id']}/publish")["status"] == "published"
    plan = people.call(None, "GET", f"{F}/plans/{plan['id']}")
    categories = {c["code"]: c for c in plan["categories"]}
    assert [c["code"] for c in plan["categories"]] == ["general", "youth", "key", "joint"]
    # the documented defaults: NSF-2 reviewers (5 for key), NSF-6 age limits of the youth category only
    assert {k: c["reviewers_per_application"] for k, c in categories.items()} == {
        "general": 3,
        "youth": 3,
        "key": 5,
        "joint": 3,
    }
    assert (categories["youth"]["max_age_male"], categories["youth"]["max_age_female"]) == (35, 40)
    assert (categories["general"]["max_age_male"], categories["general"]["max_age_female"]) == (None, None)
    assert categories["joint"]["partner"] == "长春市科学技术局"
    assert [p["code"] for p in people.call(None, "GET", f"{F}/plans", params={"year": year})["items"]] == [plan["code"]]
    general, youth = categories["general"]["id"], categories["youth"]["id"]

    # --- applications: each applicant applies through the institution they are registered with ---
    person_a = ("陈思远", make_resident_id(date(year - 44, 4, 12), "011"), "associate")
    app_a = people.call(
        "applicant_a",
        "POST",
        f"{F}/applications",
        201,
        json=_application(
            plan,
            "general",
            title="面向黑土地保护的多源遥感智能解译方法研究",
            discipline="F0203",
            person=person_a,
            institution=(JLU_USCC, "吉林大学（测试）"),
            requested=("60000.00", "100000.00", "40000.00"),
            team=[
                {
                    "name": "刘洋",
                    "id_number": make_resident_id(date(year - 30, 9, 1), "023"),
                    "role": "骨干",
                    "org_uscc": JLU_USCC,
                }
            ],
        ),
    )
    a_url = f"{F}/applications/{app_a['id']}"
    assert app_a["status"] == "draft" and app_a["requested_total"] == "200000.00"
    people.call("jlu_admin", "GET", a_url, 404)  # a draft is the applicant's alone
    people.call("applicant_b", "GET", a_url, 404)  # another applicant never learns it exists
    assert people.call("applicant_a", "POST", f"{a_url}/submit")["status"] == "submitted"

    # NSF-5 / PRJ-1: the same person cannot apply a second time this year (the projects ledger says so)
    second = people.call(
        "applicant_a",
        "POST",
        f"{F}/applications",
        201,
        json=_application(
            plan,
            "key",
            title="黑土地碳循环的多尺度观测与模拟",
            discipline="D0103",
            person=person_a,
            institution=(JLU_USCC, "吉林大学（测试）"),
            requested=("100000.00", "150000.00", "50000.00"),
        ),
    )
    refused = people.call("applicant_a", "POST", f"{F}/applications/{second['id']}/submit", 409)
    assert refused["code"] == "limit_exceeded", refused
    assert {(c["clause"], c["rule"], c["limit"], c["count"]) for c in refused["counts"]} == {
        ("PRJ-1", "plan_applications_per_leader_per_year", 1, 1),
        ("NSF-5", "foundation_applications_per_year", 1, 1),
    }
    assert [i["item_id"] for c in refused["counts"] for i in c["items"]] == [str(app_a["id"])] * 2
    assert people.call("applicant_a", "GET", f"{F}/applications/{second['id']}")["status"] == "draft"
    assert people.call("applicant_a", "POST", f"{F}/applications/{second['id']}/withdraw")["status"] == "withdrawn"

    # NSF-6: a man of 40 on 1 January is over the youth category's 35; he moves to the general category
    person_c = ("赵国栋", make_resident_id(date(year - 41, 3, 1), "031"), "senior")
    created = people.send(
        "applicant_c",
        "POST",
        f"{F}/applications",
        201,
        json=_application(
            plan,
            "youth",
            title="黑土团聚体形成的土壤微生物驱动机制",
            discipline="F0205",
            person=person_c,
            institution=(JLU_USCC, "吉林大学（测试）"),
            requested=("30000.00", "90000.00", "30000.00"),
        ),
    )
    app_c = created.json()
    c_url = f"{F}/applications/{app_c['id']}"
    over_age = people.call("applicant_c", "POST", f"{c_url}/submit", 422)
    assert over_age["code"] == "over_age_limit" and over_age["clause"] == "NSF-6", over_age
    assert (over_age["age"], over_age["max_age"], over_age["sex"]) == (40, 35, "male")
    people.call("applicant_c", "PATCH", f"{c_url}", 428, json={"category_id": general})  # If-Match required
    moved = people.call(
        "applicant_c", "PATCH", c_url, json={"category_id": general}, headers={"If-Match": created.headers["etag"]}
    )
    assert moved["category_id"] == general
    assert people.call("applicant_c", "POST", f"{c_url}/submit")["status"] == "submitted"

    # submitted after C: B ranks above C only by the tie-break's priority opinions, not by time
    app_b = people.call(
        "applicant_b",
        "POST",
        f"{F}/applications",
        201,
        json=_application(
            plan,
            "general",
            title="超分子自修复高分子材料的构筑与性能调控",
            discipline="F0201",
            person=("李娜", make_resident_id(date(year - 39, 11, 5), "042"), "senior"),
            institution=(NENU_USCC, "东北师范大学（测试）"),
            requested=("50000.00", "100000.00", "30000.00"),
        ),
    )
    b_url = f"{F}/applications/{app_b['id']}"
    assert people.call("applicant_b", "POST", f"{b_url}/submit")["status"] == "submitted"

    # NSF-6 by sex: a woman of 37 on 1 January is under the youth category's 40
    person_d = ("王雪", make_resident_id(date(year - 38, 6, 1), "062"), "intermediate")
    app_d = people.call(
        "applicant_d",
        "POST",
        f"{F}/applications",
        201,
        json=_application(
            plan,
            "youth",
            title="东北虎豹国家公园有蹄类种群动态的遥感监测",
            discipline="F0206",
            person=person_d,
            institution=(NENU_USCC, "东北师范大学（测试）"),
            requested=("10000.00", "50000.00", "20000.00"),
        ),
    )
    d_url = f"{F}/applications/{app_d['id']}"
    assert app_d["applicant"]["sex"] == "female" and app_d["category_id"] == youth
    assert people.call("applicant_d", "POST", f"{d_url}/submit")["status"] == "submitted"

    # --- endorsement by the host institution's administrator (依托单位) ----------------------------
    people.call("agency", "POST", f"{a_url}/accept", 409)  # not before the institution endorses
    people.call("nenu_admin", "POST", f"{a_url}/endorse", 404)  # not its application
    people.call("applicant_a", "POST", f"{a_url}/endorse", 403)
    for url, admin in ((a_url, "jlu_admin"), (c_url, "jlu_admin"), (b_url, "nenu_admin"), (d_url, "nenu_admin")):
        assert people.call(admin, "POST", f"{url}/endorse")["status"] == "endorsed"
    listed = people.call("jlu_admin", "GET", f"{F}/applications")["items"]
    assert sorted(a["id"] for a in listed) == [app_a["id"], app_c["id"]]  # its own, never the withdrawn draft
    assert person_a[1] not in str(listed)  # ID numbers masked in lists

    # --- the deadline: the official closes the plan; no new application after it -------------------
    assert people.call("official", "POST", f"{F}/plans/{plan['id']}/close")["status"] == "closed"
    late = people.call(
        "applicant_d",
        "POST",
        f"{F}/applications",
        409,
        json=_application(
            plan,
            "general",
            title="迟到的申请",
            discipline="F0201",
            person=person_d,
            institution=(NENU_USCC, "东北师范大学（测试）"),
            requested=("1.00", "1.00", "1.00"),
        ),
    )
    assert late["code"] == "plan_closed"
    plan_history = people.call("official", "GET", f"{F}/plans/{plan['id']}/history")
    assert [(h["action"], h["to_state"], h["actor_role"]) for h in plan_history] == [
        ("create", "draft", "official"),
        ("publish", "published", "official"),
        ("close", "closed", "official"),
    ]

    # --- formal review (形式审查, NSF-1) by the plan's agency --------------------------------------
    people.call("applicant_a", "POST", f"{a_url}/accept", 403)
    for url in (a_url, b_url, c_url):
        assert people.call("agency", "POST", f"{url}/accept")["status"] == "accepted"
    people.call("agency", "POST", f"{d_url}/reject-formal", 422, json={"comment": "缺少推荐意见", "reasons": []})
    rejected = people.call(
        "agency",
        "POST",
        f"{d_url}/reject-formal",
        json={"comment": "未提交依托单位学术委员会推荐意见。", "reasons": ["incomplete_documents"]},
    )
    assert rejected["status"] == "rejected_formal" and rejected["formal_reasons"] == ["incomplete_documents"]
    accepted = people.call("agency", "GET", f"{F}/applications", params={"status": "accepted", "plan_id": plan["id"]})
    assert sorted(a["id"] for a in accepted["items"]) == sorted([app_a["id"], app_b["id"], app_c["id"]])

    # --- the reviewer pool of the projects service: the official enters each reviewer -------------
    pool: dict[int, str] = {}  # pool entry id → who
    for n, (who, user_id) in enumerate(reviewer_users.items(), start=1):
        at_jlu = who == "reviewer4"
        entry = {
            "name": f"评审专家{n}",
            "id_number": make_resident_id(date(1966, 5, n), f"{800 + 2 * n + 1}"),
            "user_id": str(user_id),
            "title": "研究员",
            "organisation_name": "吉林大学（测试）" if at_jlu else "中国科学院长春应用化学研究所（测试）",
            "organisation_uscc": JLU_USCC if at_jlu else CIAC_USCC,
            "discipline_codes": ["F0201", "F0203"],
            "keywords": ["遥感", "材料"],
        }
        pool[people.call("official", "POST", f"{P}/reviewers", 201, json=entry)["id"]] = who
    by_who = {who: rid for rid, who in pool.items()}

    # --- draw (NSF-2, NSF-3): the agency sets up a round of the general category and draws --------
    people.call("applicant_a", "POST", f"{F}/review-rounds", 403, json={})
    rnd = people.call(
        "agency",
        "POST",
        f"{F}/review-rounds",
        201,
        json={"plan_id": plan["id"], "category_id": general, "title": f"{year}年度面上项目通讯评审（测试）"},
    )
    rr_url = f"{F}/review-rounds/{rnd['id']}"
    assert rnd["settings"]["reviewers_per_application"] == 3 and rnd["settings"]["min_valid"] == 3
    people.call("reviewer1", "POST", f"{rr_url}/draw", 403, json={"seed": 1})
    drawn = people.call("agency", "POST", f"{rr_url}/draw", json={"seed": 20260601})
    assert drawn["round"]["status"] == "drawn" and drawn["round"]["shortfalls"] == []
    assert drawn["applications"] == 3 and drawn["round"]["draw"]["seed"] == 20260601
    panels = {s["application_id"]: sorted(r["reviewer_id"] for r in s["reviewers"]) for s in drawn["assignments"]}
    institute = sorted(by_who[f"reviewer{n}"] for n in (1, 2, 3))
    # 吉林大学's reviewer is excluded from 吉林大学's applications, so A and C get the institute's three
    assert panels[app_a["id"]] == institute and panels[app_c["id"]] == institute
    assert len(panels[app_b["id"]]) == 3 and set(panels[app_b["id"]]) <= set(pool)
    exclusions = people.call("agency", "GET", f"{rr_url}/exclusions")["items"]
    assert sorted((e["application_id"], e["reviewer_id"], e["rules"]) for e in exclusions) == sorted(
        (app_id, by_who["reviewer4"], ["same_institution"]) for app_id in (app_a["id"], app_c["id"])
    )
    verified = people.call("auditor", "POST", f"{rr_url}/verify")
    assert verified["ok"] is True and verified["differences"] == []  # reproducible from its frozen inputs
    assert people.call("agency", "GET", a_url)["status"] == "in_review"

    # --- reviews (NSF-4): each reviewer, as themselves, grades their own assignments --------------
    # A: A/priority ×3 = 8; B: B/priority, B/priority, B/fundable = 19/3 with 2 priority opinions;
    # C: A/fundable, A/fundable, B/priority = 19/3 with 1: tied with B on score, below it on priorities
    verdicts = {
        app_a["id"]: [("A", "priority")] * 3,
        app_b["id"]: [("B", "priority"), ("B", "priority"), ("B", "fundable")],
        app_c["id"]: [("A", "fundable"), ("A", "fundable"), ("B", "priority")],
    }
    people.call("agency", "GET", f"{F}/review-assignments", 403)
    reviewed_by: dict[str, list[int]] = {}
    for who in pool.values():
        mine = people.call(who, "GET", f"{F}/review-assignments")["items"]
        reviewed_by[who] = sorted(m["application_id"] for m in mine)
        for assignment in mine:
            asg = f"{F}/review-assignments/{assignment['id']}"
            view = people.call(who, "GET", f"{asg}/application")
            assert view["id"] == assignment["application_id"] and "id_number" not in str(view)
            assert person_a[1] not in str(view) and person_c[1] not in str(view)
            grade, opinion = verdicts[assignment["application_id"]][
                panels[assignment["application_id"]].index(by_who[who])
            ]
            draft = people.send(
                who,
                "PUT",
                f"{asg}/review",
                json={
                    "grade": grade,
                    "opinion": opinion,
                    "comments": {"innovation": "选题有新意。", "overall": "同意资助。"},
                },
            )
            done = people.call(who, "POST", f"{asg}/review/submit", headers={"If-Match": draft.headers["etag"]})
            assert done["status"] == "submitted" and (done["grade"], done["opinion"]) == (grade, opinion)
            final = people.call(
                who, "PUT", f"{asg}/review", 409, json={"grade": "D"}, headers={"If-Match": draft.headers["etag"]}
            )
            assert final["code"] == "review_already_submitted"  # a submitted review is final (NSF-4)
    for who, rid in by_who.items():  # each reviewer had exactly the applications drawn for them
        assert reviewed_by[who] == sorted(a for a, panel in panels.items() if rid in panel)
    assert app_a["id"] not in reviewed_by["reviewer4"] and app_c["id"] not in reviewed_by["reviewer4"]
    someone_elses = people.call("reviewer1", "GET", f"{F}/review-assignments")["items"][0]["id"]
    people.call("reviewer4", "GET", f"{F}/review-assignments/{someone_elses}", 404)  # another reviewer's: 404

    # --- ranking: the agency closes the round and ranks the category; the official reads it -------
    people.call("auditor", "POST", f"{rr_url}/close", 403)
    closed = people.call("agency", "POST", f"{rr_url}/close")
    assert closed["round"]["status"] == "closed" and closed["lacking"] == []
    assert closed["reviewed"] == sorted([app_a["id"], app_b["id"], app_c["id"]])
    rank_url = f"{F}/plans/{plan['id']}/categories/{general}/ranking"
    people.call("auditor", "POST", rank_url, 403)
    ranking = people.call("agency", "POST", rank_url)
    rows = [
        (
            r["application_id"],
            r["rank"],
            r["score"],
            r["priority_count"],
            r["valid_reviews"],
            r["tied_on_score"],
            r["amount"],
            r["cumulative"],
            r["within_quota"],
        )
        for r in ranking["rows"]
    ]
    assert rows == [
        (app_a["id"], 1, "8.0000", 3, 3, False, "200000.00", "200000.00", True),
        (app_b["id"], 2, "6.3333", 2, 3, False, "180000.00", "380000.00", True),
        (app_c["id"], 3, "6.3333", 1, 3, True, "150000.00", "530000.00", False),  # over the budget
    ], rows
    assert ranking["tie_break"] == [
        "score (desc)",
        "priority opinions (desc)",
        "valid reviews (desc)",
        "application submitted_at (asc)",
        "application id (asc)",
    ]
    assert {
        k: ranking["funding"][k]
        for k in ("funded_count", "funded_total", "remaining_budget", "stopped_by", "first_outside")
    } == {
        "funded_count": 2,
        "funded_total": "380000.00",
        "remaining_budget": "20000.00",
        "stopped_by": "budget",
        "first_outside": app_c["id"],
    }
    assert people.call("official", "GET", rank_url)["rows"] == ranking["rows"]
    people.call("applicant_a", "GET", rank_url, 403)
    ranked_a = people.call("applicant_a", "GET", a_url)
    assert (ranked_a["status"], ranked_a["rank"], ranked_a["valid_reviews"]) == ("ranked", 1, 3)

    # --- approval: an official approves the funding line within the category's budget -------------
    approval_url = f"{F}/plans/{plan['id']}/categories/{general}/approval"
    people.call("agency", "POST", approval_url, 403, json={"comment": "同意资助"})
    approval = people.call("official", "POST", approval_url, 201, json={"comment": "同意资助"})
    assert (approval["total_amount"], approval["approved_count"], approval["declined_count"]) == ("380000.00", 2, 1)
    assert [(i["application_id"], i["decision"], i["amount"]) for i in approval["items"]] == [
        (app_a["id"], "approve", "200000.00"),
        (app_b["id"], "approve", "180000.00"),
        (app_c["id"], "decline", None),
    ], approval["items"]  # the final list: the ranked one outside the funding line is declined
    budget = people.call("official", "GET", f"{F}/plans/{plan['id']}/categories/{general}/budget")
    assert (budget["approved_total"], budget["remaining"], budget["approved_count"], budget["remaining_count"]) == (
        "380000.00",
        "20000.00",
        2,
        1,
    )
    assert people.call("applicant_c", "GET", c_url)["status"] == "not_approved"
    today = datetime.now(SHANGHAI).date()
    early = people.call(
        "official",
        "POST",
        f"{F}/applications/{app_a['id']}/disbursements",
        409,
        json={"amount": "1.00", "paid_on": today.isoformat(), "reference": "EARLY"},
    )
    assert early["code"] == "not_disbursable"  # paid once funded, after the notice

    # --- public notice (公示): its five working days started a month ago, so it is over ------------
    notice_url, scope = f"{F}/notices", {"plan_id": plan["id"], "category_id": general}
    people.call("agency", "POST", notice_url, 403, json=scope)
    notice = people.call(
        "official", "POST", notice_url, 201, json=scope | {"starts_on": (today - timedelta(days=30)).isoformat()}
    )
    assert (
        notice["days"] == 5
        and notice["day_count"] == "working"
        and notice["status"] == "open"
        and notice["accepting_objections"] is False
    )
    public = people.call(None, "GET", f"{F}/notices/{notice['id']}")  # anyone reads it
    assert [(e["subject_id"], e["amount"], e["organisation_name"]) for e in public["entries"]] == [
        (app_a["id"], "200000.00", "吉林大学（测试）"),
        (app_b["id"], "180000.00", "东北师范大学（测试）"),
    ]
    assert person_a[1] not in str(public)  # names, institutions, titles, amounts: never an ID number
    late_objection = people.call(
        "applicant_c",
        "POST",
        f"{F}/notices/{notice['id']}/objections",
        409,
        json={
            "subject_id": app_a["id"],
            "objector_name": "赵国栋",
            "objector_contact": "13900000000",
            "grounds": "申请人研究基础不足。",
        },
    )
    assert late_objection["code"] == "notice_closed"  # the period is over: a late objection is not accepted
    people.call("agency", "POST", f"{F}/notices/{notice['id']}/conclude", 403)
    concluded = people.call("official", "POST", f"{F}/notices/{notice['id']}/conclude")
    assert concluded["status"] == "concluded" and [e["status"] for e in concluded["entries"]] == ["funded"] * 2
    funded_a = people.call("applicant_a", "GET", a_url)
    assert (funded_a["status"], funded_a["approved_amount"]) == ("funded", "200000.00")
    assert people.call("applicant_b", "GET", b_url)["status"] == "funded"

    # --- funding: an official records the disbursements, never beyond the grant -------------------
    pay_url = f"{F}/applications/{app_a['id']}/disbursements"
    people.call("agency", "POST", pay_url, 403, json={"amount": "1.00", "paid_on": today.isoformat(), "reference": "X"})
    people.call(
        "official",
        "POST",
        pay_url,
        201,
        json={"amount": "120000.00", "paid_on": today.isoformat(), "reference": f"JLCZ-{year}-NSF001"},
    )
    over = people.call(
        "official",
        "POST",
        pay_url,
        409,
        json={"amount": "80000.01", "paid_on": today.isoformat(), "reference": f"JLCZ-{year}-NSF002"},
    )
    assert over["code"] == "disbursement_exceeds_grant"
    people.call(
        "official",
        "POST",
        pay_url,
        201,
        json={"amount": "80000.00", "paid_on": today.isoformat(), "reference": f"JLCZ-{year}-NSF002"},
    )
    paid = people.call("applicant_a", "GET", pay_url)
    assert (paid["approved_amount"], paid["disbursed_total"], paid["remaining"]) == ("200000.00", "200000.00", "0.00")
    assert [d["seq"] for d in paid["items"]] == [1, 2]
    people.call("applicant_b", "GET", pay_url, 404)  # another applicant's project

    # --- final report (结题): the applicant writes and submits it, the agency concludes ------------
    report_url = f"{F}/applications/{app_a['id']}/final-report"
    people.call("agency", "PUT", report_url, 403, json=_final_report(year))
    people.call("applicant_b", "PUT", report_url, 404, json=_final_report(year))
    draft_report = people.call("applicant_a", "PUT", report_url, 201, json=_final_report(year))
    assert draft_report["status"] == "draft" and draft_report["application_status"] == "funded"
    submitted = people.call("applicant_a", "POST", f"{report_url}/submit")
    assert submitted["status"] == "submitted" and submitted["application_status"] == "final_submitted"
    people.call("applicant_a", "POST", f"{report_url}/conclude", 403)
    done = people.call("agency", "POST", f"{report_url}/conclude", json={"comment": "完成任务书目标，准予结题。"})
    assert done["status"] == "concluded" and done["application_status"] == "concluded"
    assert done["outputs"]["talents"] == {"phd": 1, "master": 3, "postdoc": 0}
    assert people.call("applicant_a", "GET", a_url)["status"] == "concluded"

    # --- the record: every move in the history, by the role that made it --------------------------
    def moves(url: str) -> list[tuple[str, str, str | None]]:
        return [(h["action"], h["to_state"], h["actor_role"]) for h in people.call("official", "GET", f"{url}/history")]

    review_moves = [
        ("accept", "accepted", "agency"),
        ("start_review", "in_review", "agency"),
        ("complete_review", "reviewed", "agency"),
        ("rank", "ranked", "agency"),
    ]
    assert moves(a_url) == [
        ("create", "draft", "applicant"),
        ("submit", "submitted", "applicant"),
        ("endorse", "endorsed", "org_admin"),
        *review_moves,
        ("approve", "approved", "official"),
        ("fund", "funded", "official"),
        ("submit_final_report", "final_submitted", "applicant"),
        ("conclude", "concluded", "agency"),
    ]
    assert moves(c_url) == [
        ("create", "draft", "applicant"),
        ("submit", "submitted", "applicant"),
        ("endorse", "endorsed", "org_admin"),
        *review_moves,
        ("decline", "not_approved", "official"),
    ]
    assert moves(d_url) == [
        ("create", "draft", "applicant"),
        ("submit", "submitted", "applicant"),
        ("endorse", "endorsed", "org_admin"),
        ("reject_formal", "rejected_formal", "agency"),
    ]

    # --- statistics: the official, the agency and the auditor see the year; an applicant may not --
    stats = people.call("official", "GET", f"{F}/statistics", params={"year": year})
    assert stats["totals"] == {  # drafts and the never-submitted withdrawn draft are not applications
        "applications": 4,
        "accepted": 3,
        "approved": 2,
        "funded": 2,
        "funding_rate": "0.6667",
        "requested_amount": "610000.00",
        "approved_amount": "380000.00",
        "disbursed_amount": "200000.00",
    }
    by_category = {c["code"]: (c["applications"], c["accepted"], c["funded"]) for c in stats["by_category"]}
    assert by_category == {"general": (3, 3, 2), "youth": (1, 0, 0)}
    assert [(r["region_code"], r["name"], r["applications"]) for r in stats["by_region"]] == [("2201", "长春市", 4)]
    assert {i["uscc"]: i["funded"] for i in stats["by_institution"]} == {JLU_USCC: 1, NENU_USCC: 1}
    assert people.call("agency", "GET", f"{F}/statistics")["totals"]["funded"] == 2
    people.call("auditor", "GET", f"{F}/statistics")
    people.call("applicant_a", "GET", f"{F}/statistics", 403)
    people.call("jlu_admin", "GET", f"{F}/statistics", 403)
