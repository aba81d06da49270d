"""Fixtures of the foreign_experts service: the app on its migrated database with a clock tests move,
callers per role (two employers' clerks), and builders for an employer and a permit application."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import httpx
import pytest

from services.foreign_experts.main import create_app
from services.foreign_experts.settings import ForeignExpertsSettings
from shared.workdays import SHANGHAI
from tests.conftest import TEST_SECRET, running
from tests.services.projects.conftest import headers, make_uscc

PREFIX = "/api/v1/foreign-experts"
EMPLOYER_USCC = make_uscc("91220101MA0Y12345")  # 长春 (2201), an enterprise
OTHER_USCC = make_uscc("91220201MA0Y54321")  # 吉林市 (2202)
PII_SECRET = "test-pii-secret-0123456789abcdef-foreign-experts"

OFFICIAL = headers("official", subject="100")
AUDITOR = headers("auditor", subject="500")
CLERK = headers("applicant", subject="300", org_id=80, org_uscc=EMPLOYER_USCC)
CLERK_ADMIN = headers("org_admin", subject="301", org_id=80, org_uscc=EMPLOYER_USCC)
OTHER_CLERK = headers("applicant", subject="310", org_id=81, org_uscc=OTHER_USCC)
REVIEWER = headers("reviewer", subject="600")
ANONYMOUS = headers(kind="anonymous", subject="anonymous")
AGENCY_KEY = headers(kind="api_key", subject="key-7")  # scopes are set per test
PASSPORT = "C01X00T47"


def api_key(*scopes: str, subject: str = "key-7", name: str = "吉林省公安厅出入境管理局") -> dict[str, str]:
    from shared.principal import PRINCIPAL_HEADER, Principal, sign_principal

    principal = Principal(kind="api_key", subject=subject, name=name, scopes=frozenset(scopes), org_id=90)
    return {PRINCIPAL_HEADER: sign_principal(principal, TEST_SECRET, ttl_seconds=3600)}


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), SHANGHAI)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def set(self, day: date, hour: int = 10) -> None:
        self.now = at(day, hour)


@dataclass
class FE:
    client: httpx.AsyncClient
    app: Any
    db: Any
    clock: Clock

    async def call(self, method: str, path: str, who: dict[str, str], expect: int = 200, **kw: Any) -> Any:
        r = await self.client.request(method, PREFIX + path, headers={**who, **kw.pop("headers", {})}, **kw)
        assert r.status_code == expect, f"{method} {path}: {r.status_code} {r.text}"
        return r.json() if r.content else None


@pytest.fixture
async def fe(make_db: Callable[..., Any]) -> AsyncIterator[FE]:
    db = await make_db("foreign_experts")
    app = create_app(
        ForeignExpertsSettings(internal_secret=TEST_SECRET, env="test", access_log=False, pii_secret=PII_SECRET),
        database=db,
    )
    clock = Clock(at(date(2026, 3, 2)))
    app.state.clock = clock
    async with running(app) as client:
        yield FE(client, app, db, clock)


def employer_body(uscc: str = EMPLOYER_USCC, **overrides: Any) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "name": "长春光华新材料科技有限公司",
        "name_en": "Changchun Guanghua New Materials Co., Ltd.",
        "city_code": "2201",
        "contact_name": "王丽",
        "contact_phone": "0431-85550000",
        "contact_email": "hr@guanghua.example.cn",
        "licence_expires_on": "2040-12-31",
    } | overrides


def documents(**overrides: Any) -> list[dict[str, Any]]:
    codes = [
        "application_form",
        "work_experience",
        "highest_degree",
        "criminal_record",
        "medical_certificate",
        "employment_contract",
        "passport",
        "photo",
    ]
    out = []
    for i, code in enumerate(codes):
        doc = {
            "code": code,
            "name": f"{code}.pdf",
            "size": 1000 + i,
            "sha256": f"{i:064x}",
            "content_type": "application/pdf",
        }
        if code in ("highest_degree", "criminal_record"):
            doc["authenticated"] = True
        if code == "criminal_record":
            doc["issued_on"] = "2026-01-20"
        out.append(doc | overrides.get(code, {}))
    return out


def foreigner(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "MÜLLER, Anna",
        "chinese_name": "安娜",
        "nationality": "DEU",
        "passport_number": PASSPORT,
        "passport_expires_on": "2031-06-30",
        "sex": "female",
        "birth_date": "1986-04-12",
        "education": "doctorate",
        "degree_institution": "Technische Universität München",
        "work_years": 8,
        "hsk_level": 0,
    } | overrides


def post(**overrides: Any) -> dict[str, Any]:
    return {
        "position": "动力电池材料研发工程师",
        "work_city_code": "2201",
        "annual_salary": "400000.00",
        "months_per_year": "12",
        "post_kind": "regular",
        "contract_starts_on": "2026-04-01",
        "contract_ends_on": "2028-03-31",
    } | overrides


async def make_employer(fe: FE, who: dict[str, str] = CLERK, **overrides: Any) -> dict[str, Any]:
    body = employer_body(**overrides)
    result: dict[str, Any] = await fe.call("POST", "/employers", who, 201, json=body)
    return result


async def make_application(fe: FE, employer_id: int, who: dict[str, str] = CLERK, **parts: Any) -> dict[str, Any]:
    body = {
        "employer_id": employer_id,
        "foreigner": foreigner(**parts.get("foreigner", {})),
        "post": post(**parts.get("post", {})),
        "documents": parts.get("documents", documents()),
    }
    result: dict[str, Any] = await fe.call("POST", "/permit-applications", who, 201, json=body)
    return result


async def act(
    fe: FE, application_id: int, action: str, who: dict[str, str], expect: int = 200, comment: str | None = None
) -> Any:
    body = {"comment": comment} if comment else None
    return await fe.call("POST", f"/permit-applications/{application_id}/{action}", who, expect, json=body)
