"""A world for the foundation's review-round tests: a published plan with its categories and
applications accepted at formal review (written straight into the foundation's database, with
explicit ids so two databases can hold the same ones), and a reviewer pool in the projects service
(through its API, each reviewer linked to a platform account ``rv-<n>``)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx

from services.foundation.applications.models import FoundationApplication
from services.foundation.plans.models import FundingPlan, PlanAgency, PlanCategory
from shared.db import Database
from shared.validators import parse_resident_id
from tests.services.foundation.conftest import (
    AGENCY,
    AGENCY_ORG,
    OFFICIAL,
    PREFIX,
    PROJECTS,
    UNIV_USCC,
    Platform,
    headers,
    make_resident_id,
    make_uscc,
    now,
)

RR = f"{PREFIX}/review-rounds"
RA = f"{PREFIX}/review-assignments"
YEAR = 2026
APP_BASE = 9000  # explicit application ids: application n is APP_BASE + n in every database
_plan_codes = itertools.count(1)

TEAM_MEMBER_ID = make_resident_id(date(1990, 1, 2), seq="456")
TEAM_ORG_USCC = make_uscc("12220000412755448")  # the team member's own institution


def applicant_id(n: int) -> str:
    return make_resident_id(date(1980, 1, n), seq=f"{100 + n:03d}")


def reviewer_id_number(n: int) -> str:
    return make_resident_id(date(1960, 1 + n // 28, 1 + n % 28), region="220104", seq=f"{(500 + n) % 1000:03d}")


def reviewer_uscc(n: int) -> str:
    return make_uscc(f"1222000041276{n:04d}")


def reviewer_user(n: int) -> str:
    return f"rv-{n}"


def reviewer_caller(n: int) -> dict[str, str]:
    return headers("reviewer", subject=reviewer_user(n))


@dataclass
class World:
    plan_id: int = 0
    categories: dict[str, int] = field(default_factory=dict)
    apps: dict[int, int] = field(default_factory=dict)  # n -> application id
    reviewers: dict[int, int] = field(default_factory=dict)  # n -> pool id
    reviewer_of: dict[int, int] = field(default_factory=dict)  # pool id -> n


async def make_plan(
    db: Database,
    w: World,
    *,
    discipline_codes: list[str] | None = None,
    status: str = "published",
    plan_id: int | None = None,
) -> None:
    async with db.sessionmaker() as session:
        plan = FundingPlan(
            id=plan_id,
            code=f"JJ{YEAR}-{next(_plan_codes)}",
            year=YEAR,
            title=f"{YEAR}年度吉林省自然科学基金",
            guide="资助基础研究。",
            discipline_codes=discipline_codes or ["A", "F02", "H"],
            opens_at=now() - timedelta(days=60),
            closes_at=now() - timedelta(days=30),
            status=status,
            version=1,
            created_by="user:100",
        )
        plan.agencies = [PlanAgency(org_id=AGENCY_ORG)]
        plan.categories = [
            PlanCategory(
                position=i,
                code=code,
                kind=kind,
                name=name,
                project_count=10,
                amount_mode="cap",
                amount=Decimal("100000.00"),
                budget=Decimal("1000000.00"),
                reviewers_per_application=k,
                approved_total=Decimal("0.00"),
                approved_count=0,
                version=1,
            )
            for i, (code, kind, name, k) in enumerate(
                (
                    ("general", "general", "面上项目", 3),
                    ("youth", "youth", "青年基金项目", 3),
                    ("key", "key", "重点项目", 5),
                )
            )
        ]
        session.add(plan)
        await session.commit()
        w.plan_id = plan.id
        w.categories = {c.code: c.id for c in plan.categories}


async def add_application(
    db: Database,
    w: World,
    n: int,
    *,
    category: str = "general",
    status: str = "accepted",
    discipline_code: str = "F0203",
    keywords: list[str] | None = None,
    team: list[dict[str, Any]] | None = None,
    exclusions: list[str] | None = None,
    relations: list[str] | None = None,
    institution_uscc: str = UNIV_USCC,
) -> int:
    """Application ``n`` (id ``APP_BASE + n``) of applicant ``n``; exclusions and relations name
    people by ID number (NSF-3)."""
    number = applicant_id(n)
    info = parse_resident_id(number)
    async with db.sessionmaker() as session:
        app = FoundationApplication(
            id=APP_BASE + n,
            plan_id=w.plan_id,
            category_id=w.categories[category],
            year=YEAR,
            owner=f"{300 + n}",
            discipline_code=discipline_code,
            title=f"黑土地保育机理研究{n}",
            abstract="研究黑土地退化机理。",
            keywords=keywords if keywords is not None else ["黑土地", "遥感", "深度学习"],
            applicant_name=f"申请人{n}",
            applicant_id_number=number,
            applicant_birth_date=info.birth_date,
            applicant_sex=info.sex,
            applicant_title="教授",
            title_rank="senior",
            degree="doctorate",
            institution_uscc=institution_uscc,
            institution_name="吉林大学",
            team=team
            if team is not None
            else [{"name": "李华", "id_number": TEAM_MEMBER_ID, "role": "骨干", "org_uscc": TEAM_ORG_USCC}],
            budget_lines={"equipment": "20000.00", "business": "60000.00"},
            requested_total=Decimal("80000.00"),
            duration_months=36,
            exclusions=[
                {"name": f"回避{i}", "id_number": x, "organisation": None, "reason": "学术观点分歧"}
                for i, x in enumerate(exclusions or [])
            ],
            relations=[
                {"name": f"关系{i}", "id_number": x, "relation": "co_author", "note": None}
                for i, x in enumerate(relations or [])
            ],
            attachments=[],
            status=status,
            version=1,
            submitted_at=now() - timedelta(days=40),
        )
        session.add(app)
        await session.commit()
    w.apps[n] = APP_BASE + n
    return APP_BASE + n


async def add_reviewer(projects: httpx.AsyncClient, w: World, n: int, **overrides: Any) -> int:
    body: dict[str, Any] = {
        "name": f"专家{n}",
        "id_number": reviewer_id_number(n),
        "user_id": reviewer_user(n),
        "organisation_name": f"评审单位{n}",
        "organisation_uscc": reviewer_uscc(n),
        "title": "研究员",
        "discipline_codes": ["F0203"],
        "keywords": ["黑土地"],
    } | overrides
    r = await projects.post(f"{PROJECTS}/reviewers", json=body, headers=OFFICIAL)
    assert r.status_code == 201, r.text
    w.reviewers[n] = r.json()["id"]
    w.reviewer_of[r.json()["id"]] = n
    return int(r.json()["id"])


async def create_round(
    c: httpx.AsyncClient,
    w: World,
    category: str = "general",
    who: dict[str, str] = AGENCY,
    expect: int = 201,
    **overrides: Any,
) -> dict[str, Any]:
    body = {"plan_id": w.plan_id, "category_id": w.categories[category], "title": "2026年度通讯评审"} | overrides
    r = await c.post(RR, json=body, headers=who)
    assert r.status_code == expect, r.text
    return dict(r.json())


async def draw(
    c: httpx.AsyncClient,
    round_id: int,
    seed: int | None = 20260601,
    who: dict[str, str] = AGENCY,
    expect: int = 200,
    **hdrs: str,
) -> dict[str, Any]:
    r = await c.post(f"{RR}/{round_id}/draw", json={"seed": seed} if seed is not None else {}, headers=who | hdrs)
    assert r.status_code == expect, r.text
    return dict(r.json())


def slots(body: dict[str, Any]) -> dict[int, list[int]]:
    """Application id -> reviewer ids holding its slots, from a draw or assignments body."""
    items = body["assignments"] if "assignments" in body else body["items"]
    return {
        a["application_id"]: [
            s["reviewer_id"]
            for s in sorted(a["reviewers"], key=lambda s: s["slot"])
            if s["status"] in ("assigned", "submitted")
        ]
        for a in items
    }


async def pool_load(p: Platform, reviewer_id: int) -> int:
    r = await p.projects.get(f"{PROJECTS}/reviewers/{reviewer_id}", headers=OFFICIAL)
    assert r.status_code == 200, r.text
    return int(r.json()["current_load"])
