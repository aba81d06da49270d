"""Builders for foundation tests: a plan (published or not), an application, and its moves through
the API as each role would make them. Other foundation tests reuse these."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import httpx

from tests.services.foundation.conftest import (
    AGENCY,
    AGENCY_ORG,
    APPLICANT,
    APPLICANT_ID,
    OFFICIAL,
    ORG_ADMIN,
    PREFIX,
    UNIV_USCC,
    now,
)
from tests.services.projects.conftest import make_resident_id as make_resident_id  # re-exported

PLAN_YEAR = 2026


def category_body(code: str = "general", kind: str = "general", **overrides: Any) -> dict[str, Any]:
    names = {"general": "面上项目", "youth": "青年基金项目", "key": "重点项目", "joint": "联合基金项目"}
    body: dict[str, Any] = {
        "code": code,
        "kind": kind,
        "name": names.get(kind, code),
        "project_count": 10,
        "amount_mode": "cap",
        "amount": "100000.00",
        "budget": "1000000.00",
    }
    if kind == "joint":
        body["partner"] = "长春市科技局"
    return body | overrides


def default_categories() -> list[dict[str, Any]]:
    return [
        category_body("general", "general"),
        category_body("youth", "youth", amount_mode="fixed", amount="50000.00", budget="500000.00"),
        category_body("key", "key", project_count=2, amount="500000.00", budget="1000000.00"),
    ]


def plan_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": f"JJ{PLAN_YEAR}",
        "year": PLAN_YEAR,
        "title": f"{PLAN_YEAR}年度吉林省自然科学基金",
        "guide": "资助基础研究，鼓励自由探索。",
        "discipline_codes": ["A", "C", "F02", "H"],
        "opens_at": (now() - timedelta(days=1)).isoformat(),
        "closes_at": (now() + timedelta(days=30)).isoformat(),
        "agency_org_ids": [AGENCY_ORG],
        "categories": default_categories(),
    }
    return body | overrides


async def create_plan(c: httpx.AsyncClient, *, publish: bool = True, **overrides: Any) -> dict[str, Any]:
    """A plan (published unless ``publish=False``) by an official."""
    r = await c.post(f"{PREFIX}/plans", json=plan_body(**overrides), headers=OFFICIAL)
    assert r.status_code == 201, r.text
    plan = r.json()
    if publish:
        plan = await publish_plan(c, plan["id"])
    return plan


async def publish_plan(c: httpx.AsyncClient, plan_id: int) -> dict[str, Any]:
    r = await c.post(f"{PREFIX}/plans/{plan_id}/publish", headers=OFFICIAL)
    assert r.status_code == 200, r.text
    return r.json()


publish = publish_plan


def category_id(plan: dict[str, Any], code: str = "general") -> int:
    return next(c["id"] for c in plan["categories"] if c["code"] == code)


def application_body(plan: dict[str, Any], category: str = "general", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "plan_id": plan["id"],
        "category_id": category_id(plan, category),
        "discipline_code": "F0203",
        "title": "面向黑土地保护的遥感智能解译方法研究",
        "abstract": "研究黑土地退化的遥感监测与智能解译方法。",
        "keywords": ["黑土地", "遥感", "深度学习"],
        "applicant": {
            "name": "王晓明",
            "id_number": APPLICANT_ID,
            "title": "副教授",
            "title_rank": "associate",
            "degree": "doctorate",
        },
        "institution_uscc": UNIV_USCC,
        "institution_name": "吉林大学",
        "team": [
            {
                "name": "李华",
                "id_number": make_resident_id(date(1990, 1, 2), seq="456"),
                "role": "骨干",
                "org_uscc": UNIV_USCC,
            }
        ],
        "budget": {"equipment": "20000.00", "business": "50000.00", "labour": "20000.00"},
        "duration_months": 36,
        "attachments": [{"name": "申请书.pdf", "size": 102400, "sha256": "a" * 64, "content_type": "application/pdf"}],
    }
    return body | overrides


async def create_application(
    c: httpx.AsyncClient,
    plan: dict[str, Any],
    category: str = "general",
    who: dict[str, str] = APPLICANT,
    **overrides: Any,
) -> dict[str, Any]:
    r = await c.post(f"{PREFIX}/applications", json=application_body(plan, category, **overrides), headers=who)
    assert r.status_code == 201, r.text
    return r.json()


async def act(
    c: httpx.AsyncClient,
    application_id: int,
    action: str,
    who: dict[str, str],
    *,
    comment: str | None = None,
    expect: int = 200,
    body: dict[str, Any] | None = None,
    **headers: str,
) -> dict[str, Any]:
    """POST /applications/{id}/{action} (kebab-case) and check the status."""
    payload = body if body is not None else ({"comment": comment} if comment is not None else None)
    r = await c.post(
        f"{PREFIX}/applications/{application_id}/{action.replace('_', '-')}", json=payload, headers=who | headers
    )
    assert r.status_code == expect, r.text
    return dict(r.json())


async def submit(c: httpx.AsyncClient, application_id: int, who: dict[str, str] = APPLICANT) -> dict[str, Any]:
    return await act(c, application_id, "submit", who)


async def endorse(c: httpx.AsyncClient, application_id: int, who: dict[str, str] = ORG_ADMIN) -> dict[str, Any]:
    return await act(c, application_id, "endorse", who)


async def accept(c: httpx.AsyncClient, application_id: int, who: dict[str, str] = AGENCY) -> dict[str, Any]:
    return await act(c, application_id, "accept", who)


async def accepted_application(
    c: httpx.AsyncClient,
    plan: dict[str, Any],
    category: str = "general",
    who: dict[str, str] = APPLICANT,
    **overrides: Any,
) -> dict[str, Any]:
    """An application created, submitted, endorsed by the host institution and accepted at formal review."""
    application = await create_application(c, plan, category, who=who, **overrides)
    await submit(c, application["id"], who)
    await endorse(c, application["id"])
    return await accept(c, application["id"])


def set_clock(app: Any, moment: datetime) -> None:
    """Freeze the foundation app's clock (``shared.clock``) at ``moment``."""
    app.state.clock = lambda: moment
