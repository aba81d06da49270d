"""End to end: one provincial award cycle through the gateway over real processes, each step by the role the
department's process gives it (issue 13, "Done when"):

nominators registered and the cycle opened (an official) → nomination (a city government's account; AW-2 and
PRJ-5 asked of the projects service at submit) → formal review (an official) → the 30-day acceptance notice
(AW-3, public, no ID number) → panel (an official draws it from the projects reviewer pool, NSF-2/NSF-3; each
member scores as themselves) → committee grade (an official records the vote: two thirds of the members for
the first grade, AW-1) → the 15-day proposed-winners notice → results (certificate number) → the national
nomination within its quota, exported as JSON and XLSX.

The notices run on natural days and the processes on the wall clock: the test moves each notice's period into
the past in the talent database (as a clock would) so it can be concluded at once, no sleeping.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from openpyxl import load_workbook

from tests.conftest import backends
from tests.e2e.processes import Platform
from tests.e2e.support import People, bare_platform, make_resident_id, make_uscc, rewind_talent_notice

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=backends())
def platform(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    yield from bare_platform(request, tmp_path_factory, "awards")


T = "/api/v1/talent"
P = "/api/v1/projects"
PASSWORD = "E2e-Awards-Passw0rd!"
DOMAIN = "awards.test.cn"


KJT_USCC = make_uscc("11220000013544399")
CITY_USCC = make_uscc("11220100013544388")  # 长春市人民政府
JLU_USCC = make_uscc("12220104412755098")
CIAC_USCC = make_uscc("12220100412760096")  # the reviewers' institute: no completer's unit (NSF-3)


def test_an_award_cycle_through_the_gateway_with_the_right_role_at_each_step(platform: Platform) -> None:
    with httpx.Client(base_url=platform.base_url, timeout=30.0, trust_env=False) as client:
        run_cycle(People(client, platform, domain=DOMAIN, password=PASSWORD), platform)


def run_cycle(people: People, platform: Platform) -> None:  # noqa: PLR0915 - one cycle, step by step
    # --- accounts ------------------------------------------------------------------------------------------
    def org(name: str, kind: str, code: str) -> int:
        body = {"name": name, "kind": kind, "uscc": code}
        return int(people.call("admin", "POST", "/api/v1/admin/organizations", 201, json=body)["id"])

    kjt = org("吉林省科学技术厅（测试）", "government", KJT_USCC)
    city = org("长春市人民政府（测试）", "government", CITY_USCC)
    jlu = org("吉林大学（测试）", "university", JLU_USCC)
    ciac = org("中国科学院长春应用化学研究所（测试）", "research_institute", CIAC_USCC)
    people.add("official", ["official"], kjt)
    people.add("auditor", ["auditor"], kjt)
    nominator = str(people.add("city_clerk", ["org_admin"], city))
    people.add("jlu_admin", ["org_admin"], jlu)
    people.add("objector", ["applicant"], jlu)
    members = [str(people.add(f"expert{n}", ["reviewer"], ciac)) for n in (1, 2)]

    # --- the nominators' register and the cycle -------------------------------------------------------------
    register = {"account": nominator, "kind": "city_government", "name": "长春市人民政府", "org_id": city}
    people.call("jlu_admin", "POST", f"{T}/nominators", 403, json=register)
    people.call("official", "POST", f"{T}/nominators", 201, json=register)
    today = datetime.now(UTC).date()
    year = today.year
    cycle_body = {
        "category": "st_progress",
        "year": year,
        "code": f"JLSTA-E2E-{year}",
        "title": f"{year}年度吉林省科学技术进步奖（测试）",
        "opens_on": (today - timedelta(days=1)).isoformat(),
        "closes_on": (today + timedelta(days=30)).isoformat(),
        "quotas": {"1": 1, "2": 2, "3": 3},
        "votes": {"1": {"threshold": "2/3", "basis": "members"}},
        "committee": ["c1", "c2", "c3"],
        "panel_size": 2,
        "panel_disciplines": ["D"],
    }
    cycle = people.call("official", "POST", f"{T}/award-cycles", 201, json=cycle_body)
    people.call("official", "POST", f"{T}/award-cycles/{cycle['id']}/open")
    assert people.call(None, "GET", f"{T}/award-cycles/{cycle['id']}")["open_now"] is True  # public once open

    # --- the nomination and its formal review ---------------------------------------------------------------
    first = ("高建国", make_resident_id(date(year - 52, 4, 12), "011"))
    second = ("孙丽华", make_resident_id(date(year - 44, 11, 5), "042"))
    body = {
        "cycle_id": cycle["id"],
        "title": "黑土地玉米密植高产技术创新与应用（测试）",
        "summary": "主要科技创新、推广应用情况及经济社会效益。",
        "disciplines": ["D0101"],
        "keywords": ["玉米", "黑土地"],
        "units": [{"name": "吉林大学（测试）", "uscc": JLU_USCC}],
        "completers": [
            {"name": first[0], "id_number": first[1], "unit_name": "吉林大学（测试）"},
            {"name": second[0], "id_number": second[1], "unit_name": "吉林大学（测试）"},
        ],
    }
    people.call("jlu_admin", "POST", f"{T}/nominations", 403, json=body)  # not a registered nominator (AW-2)
    nomination = people.call("city_clerk", "POST", f"{T}/nominations", 201, json=body)
    url = f"{T}/nominations/{nomination['id']}"
    assert first[1] not in json.dumps(nomination)
    people.call("official", "GET", url, 404)  # a draft is the nominator's alone
    assert people.call("city_clerk", "POST", f"{url}/submit")["status"] == "submitted"
    people.call("city_clerk", "POST", f"{url}/accept", 403)
    assert people.call("official", "POST", f"{url}/accept")["status"] == "accepted"

    # --- the acceptance notice (AW-3): 30 natural days, public, no ID number --------------------------------
    notice = people.call(
        "official", "POST", f"{T}/notices", 201, json={"kind": "award_acceptance", "cycle_id": cycle["id"]}
    )
    assert (notice["days"], notice["day_count"]) == (30, "natural")
    public = people.call(None, "GET", f"{T}/notices/{notice['id']}")
    assert [e["subject_id"] for e in public["entries"]] == [nomination["id"]]
    assert first[1] not in json.dumps(public) and public["entries"][0]["person_name"] == first[0]
    rewind_talent_notice(platform, notice["id"], days=40)
    people.call("official", "POST", f"{T}/notices/{notice['id']}/conclude")
    assert people.call("official", "GET", url)["status"] == "in_review"

    # --- the panel from the projects reviewer pool (NSF-2, NSF-3), each member scoring as themselves ----------
    for n, user_id in enumerate(members, start=1):
        entry = {
            "name": f"评审专家{n}",
            "id_number": make_resident_id(date(1966, 5, n), f"{800 + 2 * n + 1}"),
            "user_id": user_id,
            "title": "研究员",
            "organisation_name": "中国科学院长春应用化学研究所（测试）",
            "organisation_uscc": CIAC_USCC,
            "discipline_codes": ["D0101"],
            "keywords": ["玉米"],
        }
        people.call("official", "POST", f"{P}/reviewers", 201, json=entry)
    people.call("expert1", "POST", f"{T}/award-cycles/{cycle['id']}/panel", 403, json={})
    panel = people.call("official", "POST", f"{T}/award-cycles/{cycle['id']}/panel", 201, json={"seed": 20270501})
    assert len(panel["assignments"]) == 2 and panel["shortfalls"] == []
    for who, score in (("expert1", "92"), ("expert2", "88")):
        seen = people.call(who, "GET", url)
        assert first[1] not in json.dumps(seen)
        people.call(who, "POST", f"{url}/panel-scores", json={"score": score, "comment": "创新突出，效益显著"})

    # --- the committee's grade (AW-1): two thirds of the three members for the first grade -------------------
    people.call("expert1", "POST", f"{url}/committee-vote", 403, json={"grade": 1, "present": 3, "in_favour": 3})
    proposed = people.call("official", "POST", f"{url}/committee-vote", json={"grade": 1, "present": 3, "in_favour": 2})
    assert (proposed["status"], proposed["grade"], proposed["score"]) == ("proposed", 1, "90.00")

    # --- the proposed-winners notice (AW-3): 15 natural days -------------------------------------------------
    winners = people.call(
        "official", "POST", f"{T}/notices", 201, json={"kind": "award_winners", "cycle_id": cycle["id"]}
    )
    assert (winners["days"], winners["entries"][0]["details"]["grade"]) == (15, 1)
    people.call("official", "POST", f"{T}/award-cycles/{cycle['id']}/close")
    early = people.call("official", "POST", f"{T}/award-cycles/{cycle['id']}/publish-results", 409)
    assert early["code"] == "award_results_not_ready"
    rewind_talent_notice(platform, winners["id"], days=40)
    people.call("official", "POST", f"{T}/notices/{winners['id']}/conclude")

    # --- results, with the certificate number ---------------------------------------------------------------
    people.call("auditor", "POST", f"{T}/award-cycles/{cycle['id']}/publish-results", 403)
    done = people.call("official", "POST", f"{T}/award-cycles/{cycle['id']}/publish-results")
    assert done["status"] == "results_published"
    awarded = people.call("city_clerk", "GET", url)
    assert (awarded["status"], awarded["certificate_no"]) == ("awarded", f"JLSTA-E2E-{year}-1-001")

    # --- the national nomination within its quota, exported ---------------------------------------------------
    people.call("official", "PUT", f"{T}/national-nominations/quotas/{year}", json={"quotas": {"st_progress": 1}})
    national = {"nomination_id": nomination["id"], "national_category": "st_progress", "statement": "推荐提名"}
    people.call("city_clerk", "POST", f"{T}/national-nominations", 403, json=national)
    people.call("official", "POST", f"{T}/national-nominations", 201, json=national)
    package = people.call("auditor", "GET", f"{T}/national-nominations/export", params={"year": year})
    assert [n["certificate_no"] for n in package["nominations"]] == [f"JLSTA-E2E-{year}-1-001"]
    assert first[1] not in json.dumps(package)
    sheet_bytes = people.send(
        "auditor", "GET", f"{T}/national-nominations/export", params={"year": year, "format": "xlsx"}
    ).content
    sheet = load_workbook(io.BytesIO(sheet_bytes)).active
    assert sheet is not None and sheet.cell(2, 3).value == body["title"]
    history = people.call("auditor", "GET", f"{url}/history")
    assert [h["action"] for h in history][-3:] == ["publish_winners", "conclude_winners", "award"]
