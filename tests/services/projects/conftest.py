"""Fixtures of the projects service: the app on a migrated database, callers per role, and builders
for a programme, a published call and an application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from stdnum.cn import ric, uscc

from services.projects.main import create_app
from services.projects.settings import ProjectsSettings
from shared.principal import PRINCIPAL_HEADER, Principal, sign_principal
from tests.conftest import TEST_SECRET, running

PREFIX = "/api/v1/projects"


def make_uscc(body: str) -> str:
    return body + uscc.calc_check_digit(body)


def make_resident_id(birth: date, region: str = "220102", seq: str = "123") -> str:
    body = f"{region}{birth:%Y%m%d}{seq}"
    return body + ric.calc_check_digit(body + "0")  # stdnum wants a placeholder check digit


UNIV_USCC = make_uscc("12220000412755413")  # a public institution (事业单位), registering authority 1
OTHER_USCC = make_uscc("12220000412755421")
ENTERPRISE_USCC = make_uscc("91220101123456789")  # registered by market regulation (9): an enterprise


def headers(
    *roles: str, subject: str = "1", org_id: int | None = None, org_uscc: str | None = None, kind: str = "user"
) -> dict[str, str]:
    principal = Principal(
        kind=kind,
        subject=subject,
        roles=frozenset(roles),
        org_id=org_id,  # type: ignore[arg-type]
        org_uscc=org_uscc,
    )
    return {PRINCIPAL_HEADER: sign_principal(principal, TEST_SECRET, ttl_seconds=3600)}


AGENCY_ORG, OTHER_AGENCY_ORG, UNIV_ORG, OTHER_ORG, ENTERPRISE_ORG = 50, 51, 70, 71, 72
OFFICIAL = headers("official", subject="100")
AGENCY = headers("agency", subject="200", org_id=AGENCY_ORG)
OTHER_AGENCY = headers("agency", subject="201", org_id=OTHER_AGENCY_ORG)
APPLICANT = headers("applicant", subject="300", org_id=UNIV_ORG, org_uscc=UNIV_USCC)
OTHER_APPLICANT = headers("applicant", subject="301", org_id=UNIV_ORG, org_uscc=UNIV_USCC)
ENTERPRISE_APPLICANT = headers("applicant", subject="302", org_id=ENTERPRISE_ORG, org_uscc=ENTERPRISE_USCC)
ORG_ADMIN = headers("org_admin", subject="400", org_id=UNIV_ORG, org_uscc=UNIV_USCC)
OTHER_ORG_ADMIN = headers("org_admin", subject="401", org_id=OTHER_ORG, org_uscc=OTHER_USCC)
AUDITOR = headers("auditor", subject="500")
REVIEWER = headers("reviewer", subject="600")
ANONYMOUS = headers(kind="anonymous", subject="anonymous")

LEADER_ID = make_resident_id(date(1980, 5, 17))


@pytest.fixture
async def client(make_db: Any) -> AsyncIterator[httpx.AsyncClient]:
    db = await make_db("projects")
    app = create_app(ProjectsSettings(internal_secret=TEST_SECRET, env="test", access_log=False), database=db)
    async with running(app) as c:
        c.app, c.db = app, db  # type: ignore[attr-defined]  # for tests that reach the app or the database
        yield c


def now() -> datetime:
    return datetime.now(UTC)


async def create_programme(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    body = {
        "code": "JLKJ-2026-01",
        "name": "吉林省科技发展计划重点研发项目",
        "year": 2026,
        "budget": "50000000.00",
        "max_project_budget": "1500000.00",
        "max_duration_months": 36,
        "agency_org_ids": [AGENCY_ORG],
    } | overrides
    r = await client.post(f"{PREFIX}/programmes", json=body, headers=OFFICIAL)
    assert r.status_code == 201, r.text
    return r.json()


async def create_call(
    client: httpx.AsyncClient,
    programme_id: int,
    *,
    publish: bool = True,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    body = {
        "programme_id": programme_id,
        "title": "2026年度重点研发项目申报指南",
        "guide": "围绕黑土地保护、光电信息和汽车产业组织申报。",
        "topics": [
            {"code": "T01", "title": "黑土地保护与利用", "budget_cap": "1000000.00"},
            {"code": "T02", "title": "光电信息材料", "budget_cap": None},
        ],
        "opens_at": (opens_at or now() - timedelta(days=1)).isoformat(),
        "closes_at": (closes_at or now() + timedelta(days=30)).isoformat(),
    } | overrides
    r = await client.post(f"{PREFIX}/calls", json=body, headers=OFFICIAL)
    assert r.status_code == 201, r.text
    call = r.json()
    if publish:
        r = await client.post(f"{PREFIX}/calls/{call['id']}/publish", headers=OFFICIAL)
        assert r.status_code == 200, r.text
        call = r.json()
    return call


def application_body(call: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    body = {
        "call_id": call["id"],
        "topic_id": call["topics"][0]["id"],
        "title": "黑土地保育关键技术研究与示范",
        "abstract": "研究黑土地退化机理，集成保护性耕作技术并在长春、四平示范推广。",
        "keywords": ["黑土地", "保护性耕作"],
        "leader": {"name": "王晓明", "id_number": LEADER_ID, "title": "研究员"},
        "team": [
            {
                "name": "李华",
                "id_number": make_resident_id(date(1990, 1, 2), seq="456"),
                "role": "骨干",
                "org_uscc": UNIV_USCC,
            }
        ],
        "applicant_uscc": UNIV_USCC,
        "applicant_org_name": "吉林大学",
        "organization_kind": "university",
        "partners": [{"name": "中国第一汽车集团有限公司", "uscc": ENTERPRISE_USCC}],
        "budget": {
            "equipment": {"requested": "300000.00", "self_raised": "0.00"},
            "labour": {"requested": "200000.00", "self_raised": "50000.00"},
        },
        "duration_months": 36,
        "attachments": [{"name": "申报书.pdf", "size": 102400, "sha256": "a" * 64, "content_type": "application/pdf"}],
    }
    return body | overrides


async def create_application(
    client: httpx.AsyncClient, call: dict[str, Any], who: dict[str, str] = APPLICANT, **overrides: Any
) -> dict[str, Any]:
    r = await client.post(f"{PREFIX}/applications", json=application_body(call, **overrides), headers=who)
    assert r.status_code == 201, r.text
    return r.json()


async def act(
    client: httpx.AsyncClient,
    app_id: int,
    action: str,
    who: dict[str, str],
    comment: str | None = None,
    expect: int = 200,
    **extra: Any,
) -> dict[str, Any]:
    body = {"comment": comment} if comment is not None else None
    r = await client.post(f"{PREFIX}/applications/{app_id}/{action.replace('_', '-')}", json=body, headers=who | extra)
    assert r.status_code == expect, r.text
    return r.json()
