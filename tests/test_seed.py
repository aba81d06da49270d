"""The demo data (kjt.demo, `kjt seed`; each service's part in services/<name>/demo.py): loaded through the
public API of an in-process platform, idempotent, refused in production; the USCCs and ID numbers carry valid
check characters (ID-1, ID-2). The projects service's part (services.projects.demo): programmes, calls,
reviewers, applications. The foundation's part (services.foundation.demo): this year's plan, public, with its
four categories, and applications in the states the demo promises (NSF-6 youth applicants under the limits in
any year). The Foreign Experts Bureau's yearly calls (services.foreign_experts.demo): this year's programme
call and training plan, open today, with applications in their states and the approvals taken from their
figures."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from kjt import demo
from kjt.cli import app as kjt
from services.foreign_experts import demo as fedemo
from services.foundation import demo as fdemo
from services.projects import demo as pdemo
from shared.http_client import InternalClient
from shared.validators import is_valid_resident_id, is_valid_uscc, parse_resident_id, uscc_region
from shared.workdays import today_shanghai
from tests.conftest import TEST_SECRET, backends
from tests.e2e.conftest import _fresh_postgres
from tests.e2e.processes import Platform as Processes
from tests.e2e.processes import running_platform
from tests.gateway.conftest import Platform, make_platform  # noqa: F401 - the fixture, imported for use here


@pytest.fixture
def backend() -> str:
    """The in-process platform runs on SQLite only: on PostgreSQL the gateway's and the projects
    service's rolled-back test transactions would both hold the audit chain's transaction-level
    advisory lock until the test ends, and the second waits forever. The real processes below cover
    PostgreSQL."""
    return "sqlite"


def test_id1_id2_demo_numbers_are_valid_and_in_jilin() -> None:
    assert all(is_valid_uscc(o.uscc) for o in demo.ORGS)
    assert len({o.uscc for o in demo.ORGS}) == len(demo.ORGS)
    assert {o.key: uscc_region(o.uscc).name for o in demo.ORGS} == {
        "kjt": "吉林省",
        "agency": "吉林省",
        "jlu": "长春市",
        "ciomp": "长春市",
        "faw": "长春市",
        "ybu": "延边朝鲜族自治州",
        "jlcf": "吉林市",
    }
    year = today_shanghai().year
    foundation_people = [n for _, n in fdemo.applications(year)] + [
        p.id_number(year) for a in fdemo.APPLICATIONS for p, _ in a.team
    ]
    ids = [a.leader[1] for a in pdemo.APPLICATIONS] + [r[1] for r in pdemo.REVIEWERS] + foundation_people
    # unique: a foundation applicant who led a demo project this year would be over PRJ-1's limit
    assert all(is_valid_resident_id(i) for i in ids) and len(set(ids)) == len(ids)
    assert {r for u in demo.USERS for r in u.roles} == {
        "official",
        "agency",
        "org_admin",
        "applicant",
        "reviewer",
        "auditor",
    }


@pytest.mark.parametrize("year", [2026, 2031, 2040])
def test_nsf6_the_foundation_demo_keeps_its_youth_applicants_under_the_age_limits_in_any_year(year: int) -> None:
    youth = {c["code"] for c in fdemo.CATEGORIES if c["kind"] == "youth"}
    for item, id_number in fdemo.applications(year):
        info = parse_resident_id(id_number, today=date(year, 12, 31))
        jan1 = date(year, 1, 1)
        age = jan1.year - info.birth_date.year - ((jan1.month, jan1.day) < (info.birth_date.month, info.birth_date.day))
        assert age == item.person.age, item.title
        if item.category in youth:
            assert age < (35 if info.sex == "male" else 40), item.title


def test_the_foundation_demo_applies_through_each_applicants_own_institution() -> None:
    users = {u.key: u for u in demo.USERS}
    orgs = {o.key for o in demo.ORGS}
    categories = {c["code"]: c for c in fdemo.CATEGORIES}
    for item in fdemo.APPLICATIONS:
        assert item.org in orgs and users[item.applicant].org == item.org, item.title
        assert "applicant" in users[item.applicant].roles
        for action, who, _ in item.steps:
            if action in ("endorse", "return-by-org"):  # the host institution's own administrator
                assert users[who].org == item.org and "org_admin" in users[who].roles, item.title
        category = categories[item.category]
        requested = sum(float(v) for v in item.budget.values())
        assert requested <= float(category["amount"]), item.title  # within the category's amount
    assert {a.status for a in fdemo.APPLICATIONS} == {
        "draft",
        "submitted",
        "returned_by_org",
        "endorsed",
        "accepted",
        "rejected_formal",
    }
    assert sorted(c["kind"] for c in fdemo.CATEGORIES) == ["general", "joint", "key", "youth"]


def test_the_foreign_experts_funding_demo_keeps_within_its_calls_figures() -> None:
    """Each programme and trip within the call's cap (and the plan's longest stay), filed by a clerk of its
    own unit; the grants within the requests; windows around today in any year."""
    users = {u.key: u for u in demo.USERS}
    employers = {e.org: e for e in fedemo.EMPLOYERS}
    today = date(2031, 1, 5)
    call = fedemo.programme_call(today.year, today)
    plan = fedemo.training_plan(today.year, today)
    for c in (call, plan):
        assert c["opens_on"] <= today.isoformat() <= c["closes_on"] and c["year"] == 2031
    for item in fedemo.PROGRAMMES:
        clerk = users[employers[item.employer].clerk]
        assert clerk.org == item.employer and {"applicant", "org_admin"} & set(clerk.roles), item.title
        assert Decimal(item.requested) <= Decimal(call["max_amount"]), item.title
        assert item.days_in_china <= item.days
        if item.granted is not None:
            assert Decimal(item.granted) <= Decimal(item.requested), item.title
        if "approve" in item.steps:  # approval needs the reviews recorded first (reviews_missing)
            assert item.reviews and item.steps.index("review") < item.steps.index("approve")
    for trip in fedemo.TRAININGS:
        assert users[trip.clerk].org == trip.org and trip.starts_in > 0, trip.topic  # not yet left
        assert Decimal(trip.requested) <= Decimal(plan["max_amount"]), trip.topic
        assert trip.days <= plan["max_duration_days"], trip.topic
        body = trip.body(1, "x", today)["training"]
        stay = date.fromisoformat(body["ends_on"]) - date.fromisoformat(body["starts_on"])
        assert stay.days + 1 == trip.days  # departure and return days both counted
    assert sum(len(t.participants) for t in fedemo.TRAININGS) <= plan["participant_quota"]
    assert [p.steps[-1] if p.steps else "draft" for p in fedemo.PROGRAMMES] == ["approve", "submit", "draft"]
    assert [t.steps[-1] for t in fedemo.TRAININGS] == ["approve", "submit"]


async def test_production_is_refused_before_any_call() -> None:
    class NoClient:
        def __getattr__(self, name: str) -> Any:
            raise AssertionError("no request may be sent")

    with pytest.raises(demo.SeedRefused, match="production"):
        await demo.seed(NoClient(), admin_email="a@b.cn", admin_password="x", env="production")  # type: ignore[arg-type]


def test_kjt_seed_refuses_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KJT_ENV", "production")
    for name in ("KJT_INTERNAL_SECRET", "KJT_JWT_SECRET", "KJT_SUBJECT_KEY_SECRET"):
        monkeypatch.setenv(name, f"{name.lower()}-production-grade-0123456789abcdef")
    result = CliRunner().invoke(kjt, ["seed", "--gateway", "http://127.0.0.1:9"])
    assert result.exit_code != 0
    assert "kjt: refusing to load demo data into a production platform" in result.output


async def _statuses(platform: Platform, headers: dict[str, str], service: str = "projects") -> dict[str, str]:
    r = await platform.client.get(f"/api/v1/{service}/applications", params={"limit": 100}, headers=headers)
    assert r.status_code == 200, r.text
    return {a["title"]: a["status"] for a in r.json()["items"]}


async def _link_foundation_to_projects(platform: Platform) -> None:
    """In-process, the foundation and talent ask the projects app itself for the ledger and integrity checks."""
    for name in ("foundation", "talent"):
        service = platform.services[name]
        await service.state.http.aclose()
        service.state.http = InternalClient(
            TEST_SECRET, caller=name, transport=httpx.ASGITransport(app=platform.services["projects"])
        )


FOUNDATION_STATUSES = {  # the official sees every application of the plan, drafts included
    "东北黑土区秸秆还田下土壤有机碳固持的微生物驱动机制": "accepted",
    "可见光驱动二氧化碳还原的单原子催化剂设计与构效关系研究": "endorsed",
    "大口径空间望远镜主动光学波前传感与校正的关键科学问题研究": "accepted",
    "基于超构表面的偏振光谱一体化成像方法研究": "submitted",
    "飞秒激光直写硫系玻璃中红外波导器件研究": "returned_by_org",
    "面向智能网联汽车的多源融合感知不确定性量化方法": "rejected_formal",
    "长白山人参皂苷Rk1改善糖尿病心肌病的作用机制研究": "draft",
}
FOREIGN_EXPERTS_STATES = {
    ("WAGNER, Lukas", "A", "issued"),
    ("SATO, Haruki", "B", "accepted"),
    ("TAYLOR, Emily", "B", "submitted"),
    ("IVANOV, Sergei", "C", "awaiting_documents"),
    ("KIM, Minjun", None, "draft"),
}
# drafts are not counted; 2 past formal review, nothing funded yet
FOUNDATION_TOTALS = {
    "applications": 6,
    "accepted": 2,
    "approved": 0,
    "funded": 0,
    "funding_rate": "0.0000",
    "requested_amount": "800000.00",
    "approved_amount": "0.00",
    "disbursed_amount": "0.00",
}


async def test_seed_loads_through_the_api_and_a_second_run_skips(
    make_platform: Callable[..., Awaitable[Platform]],  # noqa: F811
) -> None:
    platform = await make_platform(rate_limit_login="1000/minute")
    await _link_foundation_to_projects(platform)
    report = await demo.seed(platform.client, admin_email=platform.admin_email, admin_password=platform.admin_password)
    assert report.loaded, report.message
    year = today_shanghai().year
    assert report.message.endswith(
        f"; foundation plan JLNSF-DEMO-{year} with 4 categories and 7 applications; "
        "3 employers and 5 work-permit applications (classes A, B and C); "
        f"programme call JLWZ-DEMO-{year} with 3 applications; "
        f"training plan JLPX-DEMO-{year} with 2 applications; "
        f"talent programme JLQN-DEMO with call JLQN-DEMO-{year} and 4 applications; "
        f"award cycle JLSTA-DEMO-{year} with 3 nominations"
    )
    assert report.created == {"organizations": len(demo.ORGS), "users": len(demo.USERS)}

    official = await demo.Api(platform.client).login(f"official@{demo.DEMO_DOMAIN}", demo.DEMO_PASSWORD)
    assert await _statuses(platform, official) == {  # the official sees everything but drafts
        "黑土地保育与地力提升关键技术研究与示范": "in_review",
        "大口径空间光学反射镜超精密制造技术": "accepted",
        "智能网联汽车线控底盘关键技术研发与应用": "submitted",
        "人参皂苷Rg3新型制剂成果转化与产业化": "endorsed",
    }
    applicant = await demo.Api(platform.client).login(f"ciomp.applicant@{demo.DEMO_DOMAIN}", demo.DEMO_PASSWORD)
    assert (await _statuses(platform, applicant))["高性能碳纤维复合材料光学支撑结构中试"] == "draft"
    calls = (await platform.client.get("/api/v1/projects/calls")).json()["items"]
    assert sorted(c["status"] for c in calls) == ["published", "published"]  # read without logging in
    pool = (await platform.client.get("/api/v1/projects/reviewers", headers=official)).json()["items"]
    assert len(pool) == len(pdemo.REVIEWERS)
    stats = (await platform.client.get("/api/v1/projects/statistics", headers=official)).json()
    assert stats["totals"]["applications"] == 4
    assert stats["totals"]["requested"] == "6100000.00"
    assert {r["name"] for r in stats["by_region"]} == {"长春市"}

    # the foundation: this year's plan is public (read without logging in), its categories as the demo says
    plans = (await platform.client.get("/api/v1/foundation/plans", params={"year": year})).json()["items"]
    assert [(p["code"], p["status"]) for p in plans] == [(f"JLNSF-DEMO-{year}", "published")]
    plan = (await platform.client.get(f"/api/v1/foundation/plans/{plans[0]['id']}")).json()
    assert [(c["code"], c["kind"], c["reviewers_per_application"]) for c in plan["categories"]] == [
        ("general", "general", 3),
        ("youth", "youth", 3),
        ("key", "key", 5),
        ("joint-changchun", "joint", 3),
    ]
    assert plan["categories"][3]["partner"] == "长春市科学技术局" and plan["discipline_codes"][0] == "A"
    assert await _statuses(platform, official, "foundation") == FOUNDATION_STATUSES
    agency = await demo.Api(platform.client).login(f"agency@{demo.DEMO_DOMAIN}", demo.DEMO_PASSWORD)
    assert len(await _statuses(platform, agency, "foundation")) == 7  # the plan's agency runs it
    jlu_admin = await demo.Api(platform.client).login(f"jlu.admin@{demo.DEMO_DOMAIN}", demo.DEMO_PASSWORD)
    assert await _statuses(platform, jlu_admin, "foundation") == {  # its own institution's, never a draft
        "东北黑土区秸秆还田下土壤有机碳固持的微生物驱动机制": "accepted",
        "可见光驱动二氧化碳还原的单原子催化剂设计与构效关系研究": "endorsed",
    }
    fstats = (
        await platform.client.get("/api/v1/foundation/statistics", params={"year": year}, headers=official)
    ).json()
    assert fstats["totals"] == FOUNDATION_TOTALS
    assert {r["name"] for r in fstats["by_region"]} == {"长春市"}

    # talent: the programme's call open today, its applications in their states (the draft its author's alone)
    talent = (await platform.client.get("/api/v1/talent/calls", params={"year": year})).json()["items"]
    assert [(c["code"], c["open_now"]) for c in talent] == [(f"JLQN-DEMO-{year}", True)]
    seen = (await platform.client.get("/api/v1/talent/applications", headers=official)).json()["items"]
    assert {(a["org_name"], a["status"]) for a in seen} == {
        ("中国第一汽车集团有限公司", "submitted"),
        ("中国科学院长春光学精密机械与物理研究所", "endorsed"),
        ("吉林大学", "accepted"),
    }
    assert all("*" in a["id_number"] for a in seen)  # masked (PIPL)

    # the Foreign Experts Bureau: employers in Changchun and Jilin City, permits of classes A, B and C
    fe = "/api/v1/foreign-experts"
    permits = (await platform.client.get(f"{fe}/permit-applications", params={"limit": 100}, headers=official)).json()
    assert {(a["name"], a["permit_class"], a["status"]) for a in permits["items"]} == FOREIGN_EXPERTS_STATES
    assert all("*" in a["passport_number"] for a in permits["items"])  # masked in lists (PIPL)
    employers = (await platform.client.get(f"{fe}/employers", headers=official)).json()["items"]
    assert {(e["name"], e["city"]["zh"]) for e in employers} == {
        ("中国第一汽车集团有限公司", "长春市"),
        ("吉林大学", "长春市"),
        ("吉林化纤集团有限责任公司", "吉林市"),
    }
    issued = (await platform.client.get(f"{fe}/permits", headers=official)).json()["items"]
    assert [(p["name"], p["permit_class"], p["status"]) for p in issued] == [("WAGNER, Lukas", "A", "valid")]
    clerk = await demo.Api(platform.client).login(f"jlcf.applicant@{demo.DEMO_DOMAIN}", demo.DEMO_PASSWORD)
    own = (await platform.client.get(f"{fe}/permit-applications", headers=clerk)).json()["items"]
    assert {a["name"] for a in own} == {"IVANOV, Sergei", "KIM, Minjun"}  # its own employer's only

    # the bureau's yearly calls: published, open today, read without logging in; approvals taken from them
    calls = (await platform.client.get(f"{fe}/programme-calls", params={"year": year})).json()["items"]
    assert [(c["code"], c["status"], c["open_now"]) for c in calls] == [(f"JLWZ-DEMO-{year}", "published", True)]
    assert {
        k: calls[0][k]
        for k in ("budget", "max_amount", "approved_amount", "approved_count", "remaining_budget", "participant_quota")
    } == {
        "budget": "3000000.00",
        "max_amount": "300000.00",
        "approved_amount": "250000.00",
        "approved_count": 1,
        "remaining_budget": "2750000.00",
        "participant_quota": None,
    }
    plans = (await platform.client.get(f"{fe}/training-plans", params={"year": year})).json()["items"]
    assert [(p["code"], p["status"], p["open_now"]) for p in plans] == [(f"JLPX-DEMO-{year}", "published", True)]
    assert {
        k: plans[0][k]
        for k in (
            "budget",
            "max_amount",
            "participant_quota",
            "max_duration_days",
            "approved_amount",
            "approved_participants",
            "remaining_budget",
            "remaining_places",
        )
    } == {
        "budget": "1500000.00",
        "max_amount": "200000.00",
        "participant_quota": 60,
        "max_duration_days": 21,
        "approved_amount": "180000.00",
        "approved_participants": 6,
        "remaining_budget": "1320000.00",
        "remaining_places": 54,
    }
    programmes = (
        await platform.client.get(f"{fe}/programme-applications", params={"limit": 100}, headers=official)
    ).json()["items"]
    assert {(p["expert_name"], p["expert_nationality"], p["status"], p["granted_amount"]) for p in programmes} == {
        ("BECKER, Matthias", "DEU", "approved", "250000.00"),
        ("PETROV, Alexei", "RUS", "submitted", None),
        ("YAMAMOTO, Kenji", "JPN", "draft", None),
    }
    approved = next(p for p in programmes if p["status"] == "approved")
    detail = (await platform.client.get(f"{fe}/programme-applications/{approved['id']}", headers=official)).json()
    assert (detail["requested_amount"], detail["review_count"], detail["mean_score"], detail["employer_name"]) == (
        "280000.00",
        2,
        87.0,
        "中国第一汽车集团有限公司",
    )
    assert "fund" in detail["allowed_actions"] and detail["decided_on"] == today_shanghai().isoformat()
    history = (
        await platform.client.get(f"{fe}/programme-applications/{approved['id']}/history", headers=official)
    ).json()
    assert [h["to_state"] for h in history][-4:] == ["draft", "submitted", "under_review", "approved"]
    jlu_clerk = await demo.Api(platform.client).login(f"jlu.admin@{demo.DEMO_DOMAIN}", demo.DEMO_PASSWORD)
    own_programmes = (await platform.client.get(f"{fe}/programme-applications", headers=jlu_clerk)).json()["items"]
    assert [p["expert_name"] for p in own_programmes] == ["PETROV, Alexei"]  # its own employer's only
    trips = (await platform.client.get(f"{fe}/training-applications", params={"limit": 100}, headers=official)).json()[
        "items"
    ]
    assert {
        (t["unit_name"], t["destination"], t["participant_count"], t["status"], t["approved_amount"]) for t in trips
    } == {("中国第一汽车集团有限公司", "DEU", 6, "approved", "180000.00"), ("吉林大学", "SGP", 4, "submitted", None)}
    trip = next(t for t in trips if t["status"] == "approved")
    trip = (await platform.client.get(f"{fe}/training-applications/{trip['id']}", headers=official)).json()
    assert trip["days"] == 16 and trip["approved_participants"] == 6 and "cancel" in trip["allowed_actions"]
    assert trip["report_due_on"] == (date.fromisoformat(trip["ends_on"]) + timedelta(days=30)).isoformat()

    again = await demo.seed(platform.client, admin_email=platform.admin_email, admin_password=platform.admin_password)
    assert not again.loaded and "already loaded" in again.message
    assert again.created == {"organizations": 0, "users": 0}
    assert len(await _statuses(platform, official)) == 4  # nothing twice
    assert await _statuses(platform, official, "foundation") == FOUNDATION_STATUSES
    orgs = (
        await platform.client.get(
            "/api/v1/admin/organizations",
            params={"limit": 100},
            headers=await demo.Api(platform.client).login(platform.admin_email, platform.admin_password),
        )
    ).json()["items"]
    assert sorted(o["uscc"] for o in orgs) == sorted(o.uscc for o in demo.ORGS)


@pytest.fixture(scope="module", params=backends())
def demo_platform(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Processes]:
    extra = {"KJT_RATE_LIMIT_LOGIN": "1000/minute"}
    if request.param == "postgres":
        extra["KJT_DATABASE_URL"] = asyncio.run(_fresh_postgres())
    with running_platform(tmp_path_factory.mktemp("demo"), **extra) as started:
        yield started


@pytest.mark.e2e
def test_kjt_run_loads_the_demo_once_and_kjt_seed_then_finds_it(demo_platform: Processes) -> None:
    output = demo_platform.output()
    assert "kjt run: demo data loaded: 2 programmes, 2 open calls, 3 reviewers, 5 applications" in output
    year = today_shanghai().year
    assert f"; foundation plan JLNSF-DEMO-{year} with 4 categories and 7 applications" in output
    assert (
        f"; programme call JLWZ-DEMO-{year} with 3 applications; training plan JLPX-DEMO-{year} with 2 applications"
        f"; talent programme JLQN-DEMO with call JLQN-DEMO-{year} and 4 applications"
    ) in output
    assert f"official@{demo.DEMO_DOMAIN}" in output and demo.DEMO_PASSWORD in output  # in the banner
    again = demo_platform.kjt("seed")
    assert again.returncode == 0, again.stderr
    assert "demo data already loaded" in again.stdout
    with httpx.Client(base_url=demo_platform.base_url, trust_env=False, timeout=10) as client:
        token = client.post(
            "/api/v1/auth/token", data={"username": f"official@{demo.DEMO_DOMAIN}", "password": demo.DEMO_PASSWORD}
        ).json()["access_token"]
        stats = client.get("/api/v1/projects/statistics", headers={"Authorization": f"Bearer {token}"}).json()
        fstats = client.get(
            "/api/v1/foundation/statistics", params={"year": year}, headers={"Authorization": f"Bearer {token}"}
        ).json()
        plans = client.get("/api/v1/foundation/plans", params={"year": year}).json()["items"]
    assert stats["totals"] == {
        "applications": 4,
        "requested": "6100000.00",
        "approved_applications": 0,
        "approved": "0.00",
    }
    assert fstats["totals"] == FOUNDATION_TOTALS  # through the real processes: the ledger over HTTP
    assert [(p["code"], p["status"]) for p in plans] == [(f"JLNSF-DEMO-{year}", "published")]


def test_the_talent_demo_applicants_pass_the_programmes_rules_any_year() -> None:
    """TAL-4 / TAL-1: each demo applicant is within the programme's age limit on 1 January of the call's year
    and brings no more works than it takes; each applies from their own organisation, of a kind the
    programme admits, and is endorsed by that organisation's administrator; the window is around today."""
    from services.talent import demo as tdemo
    from services.talent.rules.age import AgeLimit, check_age_limit_by_id

    users = {u.key: u for u in demo.USERS}
    orgs = {o.key: o for o in demo.ORGS}
    limit = AgeLimit(tdemo.PROGRAMME["max_age_male"], tdemo.PROGRAMME["max_age_female"])
    for today in (date(2027, 1, 1), date(2031, 12, 31)):
        call = tdemo.call_body(1, today)
        assert call["opens_on"] <= today.isoformat() <= call["closes_on"] and call["year"] == today.year
        fake = type("D", (), {"today": today, "orgs": orgs, "users": users})()
        for item in tdemo.APPLICATIONS:
            body = tdemo.application_body(item, 1, fake)  # type: ignore[arg-type]
            check_age_limit_by_id(body["id_number"], limit, today.year)
            assert len(body["works"]) <= tdemo.PROGRAMME["max_works"]
            assert body["org_kind"] in tdemo.PROGRAMME["org_kinds"]
            assert users[item.admin].org == users[item.applicant].org and "org_admin" in users[item.admin].roles
    endorsed = [i for i in tdemo.APPLICATIONS if "endorse" in i.steps]
    per_org = {users[i.applicant].org for i in endorsed}
    assert all(sum(users[i.applicant].org == o for i in endorsed) <= call["cap_per_org"] for o in per_org)
