"""The demo data (gateway.seed, `kjt seed`): loaded through the public API of an in-process platform,
idempotent, refused in production; the USCCs and ID numbers carry valid check characters (ID-1, ID-2)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from gateway import seed as demo
from gateway.cli import app as kjt
from shared.validators import is_valid_resident_id, is_valid_uscc, uscc_region
from tests.conftest import backends
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
        "kjt": "吉林省", "agency": "吉林省", "jlu": "长春市", "ciomp": "长春市", "faw": "长春市",
        "ybu": "延边朝鲜族自治州"}
    ids = [a.leader[1] for a in demo.APPLICATIONS] + [r[1] for r in demo.REVIEWERS]
    assert all(is_valid_resident_id(i) for i in ids) and len(set(ids)) == len(ids)
    assert {r for u in demo.USERS for r in u.roles} == {"official", "agency", "org_admin", "applicant", "reviewer",
                                                          "auditor"}


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


async def _statuses(platform: Platform, headers: dict[str, str]) -> dict[str, str]:
    r = await platform.client.get("/api/v1/projects/applications", params={"limit": 100}, headers=headers)
    assert r.status_code == 200, r.text
    return {a["title"]: a["status"] for a in r.json()["items"]}


async def test_seed_loads_through_the_api_and_a_second_run_skips(
    make_platform: Callable[..., Awaitable[Platform]],  # noqa: F811
) -> None:
    platform = await make_platform(rate_limit_login="1000/minute")
    report = await demo.seed(platform.client, admin_email=platform.admin_email,
                             admin_password=platform.admin_password)
    assert report.loaded, report.message
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
    assert len(pool) == len(demo.REVIEWERS)
    stats = (await platform.client.get("/api/v1/projects/statistics", headers=official)).json()
    assert stats["totals"]["applications"] == 4
    assert stats["totals"]["requested"] == "6100000.00"
    assert {r["name"] for r in stats["by_region"]} == {"长春市"}

    again = await demo.seed(platform.client, admin_email=platform.admin_email,
                            admin_password=platform.admin_password)
    assert not again.loaded and "already loaded" in again.message
    assert again.created == {"organizations": 0, "users": 0}
    assert len(await _statuses(platform, official)) == 4  # nothing twice
    orgs = (await platform.client.get("/api/v1/admin/organizations", params={"limit": 100},
                                      headers=await demo.Api(platform.client).login(
                                          platform.admin_email, platform.admin_password))).json()["items"]
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
    assert f"official@{demo.DEMO_DOMAIN}" in output and demo.DEMO_PASSWORD in output  # in the banner
    again = demo_platform.kjt("seed")
    assert again.returncode == 0, again.stderr
    assert "demo data already loaded" in again.stdout
    with httpx.Client(base_url=demo_platform.base_url, trust_env=False, timeout=10) as client:
        token = client.post("/api/v1/auth/token", data={"username": f"official@{demo.DEMO_DOMAIN}",
                                                        "password": demo.DEMO_PASSWORD}).json()["access_token"]
        stats = client.get("/api/v1/projects/statistics", headers={"Authorization": f"Bearer {token}"}).json()
    assert stats["totals"] == {"applications": 4, "requested": "6100000.00", "approved_applications": 0,
                               "approved": "0.00"}
