"""An award cycle from nomination to the national nominations, through the API with the role of each step:
formal review, the 30-day acceptance notice (AW-3), the panel drawn from the projects pool (NSF-2/NSF-3), its
scores, the committee's vote on a grade within the quota (AW-1), the 15-day proposed-winners notice with an
objection upheld (AW-3), results with certificate numbers, then the national nominations within their quota,
exported as JSON and XLSX; and next year's AW-2 bar on last year's winners."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from openpyxl import load_workbook

from tests.services.projects.conftest import headers, make_uscc
from tests.services.talent.awards_support import (
    CITY_GOV,
    DEPARTMENT,
    Awards,
    cycle_body,
    nominate,
    open_cycle,
    person,
    register_nominators,
)
from tests.services.talent.conftest import ANONYMOUS, APPLICANT, AUDITOR, OFFICIAL, PROJECTS_OFFICIAL

EVIDENCE = [{"name": "证明材料.pdf", "size": 1024, "sha256": "a" * 64}]


def member(n: int) -> dict[str, str]:
    return headers("reviewer", subject=f"rv{n}")


async def add_reviewers(awards: Awards, count: int) -> None:
    assert awards.projects is not None
    for n in range(count):
        body = {
            "name": f"评审专家{n}",
            "id_number": person(40 + n),
            "user_id": f"rv{n}",
            "organisation_name": f"评审单位{n}",
            "organisation_uscc": make_uscc(f"1222000041275{5500 + n:04d}"),
            "title": "研究员",
            "discipline_codes": ["D0101"],
            "keywords": ["玉米"],
        }
        r = await awards.projects.post("/api/v1/projects/reviewers", json=body, headers=PROJECTS_OFFICIAL)
        assert r.status_code == 201, r.text


async def run_notice(awards: Awards, cycle_id: int, kind: str, ends: date) -> dict[str, Any]:
    notice: dict[str, Any] = await awards.call(
        "POST", "/notices", OFFICIAL, 201, json={"kind": kind, "cycle_id": cycle_id}
    )
    assert notice["day_count"] == "natural"
    return notice


async def score_all(awards: Awards, nomination_id: int, value: str) -> int:
    """Every panel member assigned to the nomination scores it; the others do not see it (404)."""
    scored = 0
    for n in range(6):
        r = await awards.client.post(
            f"/api/v1/talent/nominations/{nomination_id}/panel-scores",
            json={"score": value, "comment": "创新性突出"},
            headers=member(n),
        )
        assert r.status_code in (200, 404), r.text
        scored += r.status_code == 200
    return scored


async def winners_year(awards: Awards) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The 2027 cycle walked to published results: two nominations, one disqualified by an objection."""
    await register_nominators(awards)
    await add_reviewers(awards, 6)
    cycle = await open_cycle(awards)
    first = await nominate(awards, cycle["id"], person(1), person(2))
    second = await nominate(awards, cycle["id"], person(3), who=DEPARTMENT)
    for n in (first, second):
        await awards.call("POST", f"/nominations/{n['id']}/accept", OFFICIAL, json={})
    # AW-3: the acceptance notice, 30 natural days from 2027-03-10
    acceptance = await run_notice(awards, cycle["id"], "award_acceptance", date(2027, 4, 9))
    assert acceptance["ends_on"] == "2027-04-09" and len(acceptance["entries"]) == 2
    public = await awards.call("GET", f"/notices/{acceptance['id']}", ANONYMOUS)
    assert person(1) not in str(public) and public["entries"][0]["person_name"] == "完成人1"
    again = await awards.call(
        "POST", "/notices", OFFICIAL, 409, json={"kind": "award_acceptance", "cycle_id": cycle["id"]}
    )
    assert again["code"] == "award_notice_running"
    awards.clock.set(date(2027, 4, 10))
    await awards.call("POST", f"/notices/{acceptance['id']}/conclude", OFFICIAL, json={})
    nothing = await awards.call(
        "POST", "/notices", OFFICIAL, 409, json={"kind": "award_acceptance", "cycle_id": cycle["id"]}
    )
    assert nothing["code"] == "no_nominations_to_publish"
    assert (await awards.call("GET", f"/nominations/{first['id']}", OFFICIAL))["status"] == "in_review"
    # the panel (NSF-2/NSF-3): reproducible, recorded, two members per nomination
    panel = await awards.call("POST", f"/award-cycles/{cycle['id']}/panel", OFFICIAL, 201, json={"seed": 7})
    assert panel["seed"] == 7 and len(panel["pool_hash"]) == 64
    assert sorted(a["nomination_id"] for a in panel["assignments"]) == sorted([first["id"]] * 2 + [second["id"]] * 2)
    await awards.call("POST", f"/award-cycles/{cycle['id']}/panel", OFFICIAL, 409, json={})
    early = await awards.call(
        "POST",
        f"/nominations/{first['id']}/committee-vote",
        OFFICIAL,
        409,
        json={"grade": 1, "present": 6, "in_favour": 6},
    )
    assert early["code"] == "panel_scores_incomplete"
    assert await score_all(awards, first["id"], "90") == 2
    assert await score_all(awards, second["id"], "85.5") == 2
    # AW-1: grade 1 needs two thirds of the 6 members in favour: 3 is not enough, 4 is
    failed = await awards.call(
        "POST", f"/nominations/{first['id']}/committee-vote", OFFICIAL, json={"grade": 1, "present": 6, "in_favour": 3}
    )
    assert failed["status"] == "in_review" and failed["vote"]["passed"] is False and failed["vote"]["votes_needed"] == 4
    proposed = await awards.call(
        "POST", f"/nominations/{first['id']}/committee-vote", OFFICIAL, json={"grade": 1, "present": 6, "in_favour": 4}
    )
    assert proposed["status"] == "proposed" and proposed["grade"] == 1 and proposed["score"] == "90.00"
    # the grade-1 quota of 1 is taken
    full = await awards.call(
        "POST",
        f"/nominations/{second['id']}/committee-vote",
        OFFICIAL,
        409,
        json={"grade": 1, "present": 6, "in_favour": 6},
    )
    assert full["code"] == "award_quota_exceeded"
    await awards.call(
        "POST", f"/nominations/{second['id']}/committee-vote", OFFICIAL, json={"grade": 2, "present": 6, "in_favour": 4}
    )
    # AW-3: the proposed winners, 15 natural days; an objection against the second is upheld
    winners = await run_notice(awards, cycle["id"], "award_winners", date(2027, 4, 25))
    assert winners["ends_on"] == "2027-04-25" and {e["details"]["grade"] for e in winners["entries"]} == {1, 2}
    objection = await awards.call(
        "POST",
        f"/notices/{winners['id']}/objections",
        APPLICANT,
        201,
        json={
            "subject_id": second["id"],
            "objector_name": "王某",
            "objector_contact": "13800000000",
            "grounds": "主要完成人贡献不实",
            "evidence": EVIDENCE,
        },
    )
    await awards.call("POST", f"/award-cycles/{cycle['id']}/close", OFFICIAL, json={})
    pending = await awards.call("POST", f"/award-cycles/{cycle['id']}/publish-results", OFFICIAL, 409, json={})
    assert pending["code"] == "award_results_not_ready" and pending["pending"] == {"on_winners_notice": 2}
    await awards.call(
        "POST", f"/notice-objections/{objection['id']}/uphold", OFFICIAL, json={"comment": "经核实，贡献不实"}
    )
    assert (await awards.call("GET", f"/nominations/{second['id']}", OFFICIAL))["status"] == "disqualified"
    awards.clock.set(date(2027, 4, 26))
    await awards.call("POST", f"/notices/{winners['id']}/conclude", OFFICIAL, json={})
    published = await awards.call("POST", f"/award-cycles/{cycle['id']}/publish-results", OFFICIAL, json={})
    assert published["status"] == "results_published"
    awarded = await awards.call("GET", f"/nominations/{first['id']}", OFFICIAL)
    assert awarded["status"] == "awarded" and awarded["certificate_no"] == "JLSTA-2027-STP-1-001"
    return cycle, [awarded]


async def test_aw1_aw3_a_cycle_to_results_and_the_national_package(awards: Awards) -> None:
    cycle, (winner,) = await winners_year(awards)
    history = await awards.call("GET", f"/nominations/{winner['id']}/history", AUDITOR)
    assert [h["action"] for h in history] == [
        "create",
        "submit",
        "accept",
        "publish_acceptance",
        "conclude_acceptance",
        "propose",
        "publish_winners",
        "conclude_winners",
        "award",
    ]
    # national nominations within a quota that is data
    body = {
        "nomination_id": winner["id"],
        "national_category": "st_progress",
        "statement": "推荐提名国家科学技术进步奖",
    }
    unset = await awards.call("POST", "/national-nominations", OFFICIAL, 409, json=body)
    assert unset["code"] == "national_quota_not_set"
    await awards.call("PUT", "/national-nominations/quotas/2027", OFFICIAL, json={"quotas": {"st_progress": 1}})
    await awards.call("POST", "/national-nominations", APPLICANT, 403, json=body)
    made = await awards.call("POST", "/national-nominations", OFFICIAL, 201, json=body)
    assert made["certificate_no"] == "JLSTA-2027-STP-1-001" and made["first_completer"] == "完成人1"
    quotas = await awards.call("GET", "/national-nominations/quotas/2027", AUDITOR)
    assert [(q["national_category"], q["quota"], q["used"]) for q in quotas] == [("st_progress", 1, 1)]
    package = await awards.call("GET", "/national-nominations/export?year=2027", AUDITOR)
    assert package["nominations"][0]["title"] == winner["title"] and person(1) not in str(package)
    r = await awards.client.get("/api/v1/talent/national-nominations/export?year=2027&format=xlsx", headers=AUDITOR)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet is not None and sheet.cell(2, 3).value == winner["title"]


async def test_aw2_last_years_winners_cannot_be_first_completer(awards: Awards) -> None:
    await winners_year(awards)  # person(1) first, person(2) second completer of a grade-1 winner in 2027
    awards.clock.set(date(2028, 2, 1))
    body = cycle_body(year=2028, code="JLSTA-2028-STP", opens_on="2028-03-01", closes_on="2028-04-30")
    cycle = await awards.call("POST", "/award-cycles", OFFICIAL, 201, json=body)
    await awards.call("POST", f"/award-cycles/{cycle['id']}/open", OFFICIAL, json={})
    awards.clock.set(date(2028, 3, 10))
    refused = await nominate(awards, cycle["id"], person(1), expect=409)
    assert refused["code"] == "former_winner_first_completer"
    # a grade-1 winner's second completer is barred too (top 3), but may be a later completer
    refused = await nominate(awards, cycle["id"], person(2), expect=409)
    assert refused["code"] == "former_winner_first_completer"
    await nominate(awards, cycle["id"], person(9), person(2), who=CITY_GOV)
