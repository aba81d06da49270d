"""Funded projects of the foundation (issue 4, "Funded projects"): disbursements never above the
grant, annual progress reports (one per year of the term, returned and resubmitted), the final report
with its outputs and the conclusion, each by its role, on the application's history."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from services.foundation.applications.models import FoundationApplication
from services.foundation.db import common
from services.foundation.funded import rules
from services.foundation.main import create_app
from shared.db import Database
from tests.conftest import migrate, postgres_url, running
from tests.services.foundation.conftest import (
    AGENCY,
    AUDITOR,
    OFFICIAL,
    ORG_ADMIN,
    OTHER_AGENCY,
    OTHER_APPLICANT,
    OTHER_ORG_ADMIN,
    PREFIX,
    Platform,
    headers,
    settings,
)
from tests.services.foundation.conftest import APPLICANT as OWNER
from tests.services.foundation.funded_helpers import add_application, add_plan, funded_project, set_clock

REVIEWER = headers("reviewer", subject="600")


def url(application_id: int, tail: str = "") -> str:
    return f"{PREFIX}/applications/{application_id}{tail}"


async def pay(
    platform: Platform,
    application_id: int,
    amount: str,
    *,
    paid_on: str = "2027-06-01",
    reference: str = "JLCZ-2027-0001",
    who: dict[str, str] = OFFICIAL,
    **extra: Any,
) -> Any:
    return await platform.c.post(
        url(application_id, "/disbursements"),
        headers={**who, **extra},
        json={"amount": amount, "paid_on": paid_on, "reference": reference},
    )


async def status_of(platform: Platform, application_id: int) -> str:
    async with platform.db.sessionmaker() as session:
        return str(
            (
                await session.execute(
                    select(FoundationApplication.status).where(FoundationApplication.id == application_id)
                )
            ).scalar_one()
        )


async def history_rows(platform: Platform, application_id: int) -> int:
    async with platform.db.sessionmaker() as session:
        return int(
            (
                await session.execute(
                    select(func.count())
                    .select_from(common.history)
                    .where(
                        common.history.entity_type == "foundation_application",
                        common.history.entity_id == str(application_id),
                    )
                )
            ).scalar_one()
        )


@pytest.fixture
async def project(platform: Platform) -> int:
    set_clock(platform)
    return await funded_project(platform)


# --- the pure rules --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("months", "years"),
    [(1, (2026, 2027)), (12, (2026, 2027)), (13, (2026, 2028)), (36, (2026, 2029)), (48, (2026, 2030))],
)
def test_the_term_of_a_project_runs_from_the_funding_year(months: int, years: tuple[int, int]) -> None:
    term = rules.term_years(2026, months)
    assert (term.start, term.stop - 1) == years


@pytest.mark.parametrize(
    ("paid", "adding", "exceeds"),
    [
        ((), "300000.00", False),
        ((), "300000.01", True),
        (("100000.00", "200000.00"), "0.01", True),
        (("100000.00", "199999.99"), "0.01", False),
        (("299999.99",), "0.02", True),
    ],
)
def test_disbursements_never_exceed_the_grant(paid: tuple[str, ...], adding: str, exceeds: bool) -> None:
    assert rules.exceeds_grant(Decimal("300000.00"), [Decimal(p) for p in paid], Decimal(adding)) is exceeds


# --- disbursements ---------------------------------------------------------------------------------


async def test_disbursements_may_reach_exactly_the_grant_and_not_one_fen_more(platform: Platform, project: int) -> None:
    r = await pay(platform, project, "100000.00")
    assert r.status_code == 201, r.text
    assert r.json()["seq"] == 1 and r.json()["amount"] == "100000.00"
    r = await pay(platform, project, "200000.00", reference="JLCZ-2027-0002")
    assert r.status_code == 201, r.text
    assert r.json()["seq"] == 2
    r = await pay(platform, project, "0.01", reference="JLCZ-2027-0003")
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["code"] == "disbursement_exceeds_grant"
    assert (body["approved_amount"], body["disbursed_total"], body["remaining"]) == ("300000.00", "300000.00", "0.00")
    listing = (await platform.c.get(url(project, "/disbursements"), headers=OWNER)).json()
    assert (listing["approved_amount"], listing["disbursed_total"], listing["remaining"]) == (
        "300000.00",
        "300000.00",
        "0.00",
    )
    assert [(d["seq"], d["amount"], d["reference"]) for d in listing["items"]] == [
        (1, "100000.00", "JLCZ-2027-0001"),
        (2, "200000.00", "JLCZ-2027-0002"),
    ]


async def test_a_first_disbursement_one_fen_over_the_grant_writes_nothing(platform: Platform, project: int) -> None:
    r = await pay(platform, project, "300000.01")
    assert r.status_code == 409 and r.json()["code"] == "disbursement_exceeds_grant", r.text
    assert r.json()["remaining"] == "300000.00"
    r = await pay(platform, project, "300000.00")
    assert r.status_code == 201, r.text
    listing = (await platform.c.get(url(project, "/disbursements"), headers=OFFICIAL)).json()
    assert listing["disbursed_total"] == "300000.00" and len(listing["items"]) == 1


async def test_only_an_official_disburses(platform: Platform, project: int) -> None:
    for who in (OWNER, AGENCY, ORG_ADMIN, AUDITOR, REVIEWER):
        r = await pay(platform, project, "1000.00", who=who)
        assert r.status_code == 403 and r.json()["code"] == "forbidden", (who, r.text)
    assert (await platform.c.get(url(project, "/disbursements"), headers=OFFICIAL)).json()["items"] == []


async def test_who_sees_the_disbursements(platform: Platform, project: int) -> None:
    assert (await pay(platform, project, "1000.00")).status_code == 201
    for who in (OFFICIAL, AGENCY, OWNER, ORG_ADMIN, AUDITOR):
        r = await platform.c.get(url(project, "/disbursements"), headers=who)
        assert r.status_code == 200 and len(r.json()["items"]) == 1, (who, r.text)
    # another applicant's project, another institution, an agency not on the plan: no such project
    for who in (OTHER_APPLICANT, OTHER_ORG_ADMIN, OTHER_AGENCY):
        r = await platform.c.get(url(project, "/disbursements"), headers=who)
        assert r.status_code == 404 and r.json()["code"] == "not_found", (who, r.text)
    assert (await platform.c.get(url(project, "/disbursements"), headers=REVIEWER)).status_code == 403
    assert (await platform.c.get(url(10**9, "/disbursements"), headers=OFFICIAL)).status_code == 404


async def test_paid_on_is_never_after_today_in_shanghai(platform: Platform, project: int) -> None:
    """CAL-2: 2027-06-15 17:30 UTC is already 2027-06-16 in Asia/Shanghai; nor before the funding year."""
    r = await pay(platform, project, "1000.00", paid_on="2027-06-16")
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [
        {"field": "paid_on", "code": "in_the_future", "message": r.json()["errors"][0]["message"]}
    ]
    assert (await pay(platform, project, "1000.00", paid_on="2027-06-15")).status_code == 201
    r = await pay(platform, project, "1000.00", paid_on="2025-12-31", reference="X-0")  # before the 2026 grant
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "before_funding_year", r.text
    set_clock(platform, datetime(2027, 6, 15, 17, 30, tzinfo=UTC))
    assert (await pay(platform, project, "1000.00", paid_on="2027-06-16", reference="X-2")).status_code == 201


async def test_only_a_funded_project_is_paid(platform: Platform) -> None:
    set_clock(platform)
    plan_id, (category_id,) = await add_plan(platform)
    for status in ("approved", "ranked", "not_approved", "failed", "terminated"):
        application = await add_application(platform, plan_id, category_id, status=status)
        r = await pay(platform, application, "1000.00")
        assert r.status_code == 409 and r.json()["code"] == "not_disbursable", (status, r.text)


@pytest.mark.parametrize("amount", ["0", "0.00", "-1.00", "1.005", "abc", "100000000000000.00"])
async def test_bad_amounts_are_refused_with_422(platform: Platform, project: int, amount: str) -> None:
    r = await pay(platform, project, amount)
    assert r.status_code == 422 and r.json()["code"] == "validation_failed", r.text
    assert r.json()["errors"][0]["field"] == "amount"


async def test_bad_disbursement_bodies_are_422(platform: Platform, project: int) -> None:
    for body in (
        {"amount": "1.00", "paid_on": "2027-06-01"},  # no reference
        {"amount": "1.00", "paid_on": "2027-13-01", "reference": "R"},  # no such date
        {"amount": "1.00", "paid_on": "2027-06-01", "reference": "R", "seq": 7},
    ):  # mass assignment
        r = await platform.c.post(url(project, "/disbursements"), headers=OFFICIAL, json=body)
        assert r.status_code == 422, (body, r.text)


async def test_a_repeated_disbursement_with_one_idempotency_key_pays_once(platform: Platform, project: int) -> None:
    first = await pay(platform, project, "50000.00", **{"Idempotency-Key": "pay-1"})
    again = await pay(platform, project, "50000.00", **{"Idempotency-Key": "pay-1"})
    assert first.status_code == again.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true" and again.json() == first.json()
    other = await pay(platform, project, "60000.00", **{"Idempotency-Key": "pay-1"})
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    listing = (await platform.c.get(url(project, "/disbursements"), headers=OFFICIAL)).json()
    assert listing["disbursed_total"] == "50000.00" and len(listing["items"]) == 1


# --- annual progress reports -----------------------------------------------------------------------


def annual(year: int, **overrides: Any) -> dict[str, Any]:
    return {
        "year": year,
        "progress": "完成土壤样品采集 120 份。",
        "outputs": {
            "papers": [{"title": "黑土微生物群落", "journal": "土壤学报", "year": year, "indexed": "CSSCI"}],
            "patents": [],
            "talents": {"phd": 1, "master": 2, "postdoc": 0},
        },
        "spending": {"spent": "80000.00", "notes": "设备费 50000.00，材料费 30000.00"},
    } | overrides


async def test_one_annual_report_per_year_of_the_term(platform: Platform, project: int) -> None:
    """A 36-month project funded in 2026 reports on 2026 to 2029, a year once it has begun."""
    for year in (2026, 2027):
        r = await platform.c.post(url(project, "/annual-reports"), headers=OWNER, json=annual(year))
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "submitted" and r.json()["year"] == year
    r = await platform.c.post(url(project, "/annual-reports"), headers=OWNER, json=annual(2027))
    assert r.status_code == 409 and r.json()["code"] == "annual_report_exists", r.text
    for year, code in ((2025, "outside_project_term"), (2030, "outside_project_term"), (2028, "year_not_started")):
        r = await platform.c.post(url(project, "/annual-reports"), headers=OWNER, json=annual(year))
        assert r.status_code == 422 and r.json()["errors"][0]["code"] == code, (year, r.text)
    listing = (await platform.c.get(url(project, "/annual-reports"), headers=AGENCY)).json()
    assert [r["year"] for r in listing["items"]] == [2026, 2027] and listing["next_cursor"] is None
    report = listing["items"][1]
    assert report["outputs"]["papers"][0]["indexed"] == "CSSCI"
    assert report["outputs"]["talents"] == {"phd": 1, "master": 2, "postdoc": 0}
    assert report["spending"] == {"spent": "80000.00", "notes": "设备费 50000.00，材料费 30000.00"}


async def test_annual_reports_are_the_owners_and_only_while_funded(platform: Platform) -> None:
    set_clock(platform)
    project = await funded_project(platform)
    r = await platform.c.post(url(project, "/annual-reports"), headers=OTHER_APPLICANT, json=annual(2026))
    assert r.status_code == 404, r.text
    for who in (ORG_ADMIN, OFFICIAL, AGENCY):
        r = await platform.c.post(url(project, "/annual-reports"), headers=who, json=annual(2026))
        assert r.status_code == 403, (who, r.text)
    plan_id, (category_id,) = await add_plan(platform, code="JJ-approved")
    approved = await add_application(platform, plan_id, category_id, status="approved")
    r = await platform.c.post(url(approved, "/annual-reports"), headers=OWNER, json=annual(2026))
    assert r.status_code == 409 and r.json()["code"] == "project_not_running", r.text
    for who in (OTHER_APPLICANT, OTHER_ORG_ADMIN, OTHER_AGENCY):
        assert (await platform.c.get(url(project, "/annual-reports"), headers=who)).status_code == 404


async def test_negative_counts_in_an_annual_report_are_422(platform: Platform, project: int) -> None:
    body = annual(2026)
    body["outputs"]["talents"]["master"] = -1
    r = await platform.c.post(url(project, "/annual-reports"), headers=OWNER, json=body)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "outputs.talents.master", r.text


async def test_an_annual_report_returned_for_revision_and_resubmitted(platform: Platform, project: int) -> None:
    r = await platform.c.post(url(project, "/annual-reports"), headers=OWNER, json=annual(2026))
    stale = r.headers["ETag"]
    base = url(project, "/annual-reports/2026")
    r = await platform.c.post(f"{base}/return", headers=AGENCY, json={})
    assert r.status_code == 422, r.text
    r = await platform.c.post(f"{base}/return", headers=OTHER_AGENCY, json={"comment": "补充经费明细"})
    assert r.status_code == 404, r.text
    r = await platform.c.post(f"{base}/return", headers=AGENCY, json={"comment": "补充经费明细"})
    assert r.status_code == 200 and r.json()["status"] == "returned", r.text
    assert r.json()["allowed_actions"] == []
    assert (await platform.c.get(base, headers=OWNER)).json()["allowed_actions"] == ["resubmit"]
    revised = {k: v for k, v in annual(2026, progress="已补充经费明细。").items() if k != "year"}
    r = await platform.c.post(f"{base}/resubmit", headers={**OWNER, "If-Match": stale}, json=revised)
    assert r.status_code == 412, r.text
    r = await platform.c.post(f"{base}/resubmit", headers=OTHER_APPLICANT, json=revised)
    assert r.status_code == 404, r.text
    r = await platform.c.post(f"{base}/resubmit", headers=OWNER, json=revised)
    assert r.status_code == 200 and r.json()["status"] == "submitted", r.text
    assert r.json()["progress"] == "已补充经费明细。"
    r = await platform.c.post(f"{base}/accept", headers=OWNER)
    assert r.status_code == 403, r.text
    r = await platform.c.post(f"{base}/accept", headers=OFFICIAL)
    assert r.status_code == 200 and r.json()["status"] == "accepted", r.text
    r = await platform.c.post(f"{base}/resubmit", headers=OWNER, json=revised)
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition", r.text
    history = (await platform.c.get(f"{base}/history", headers=AUDITOR)).json()
    assert [(h["action"], h["from_state"], h["to_state"], h["actor_role"], h["comment"]) for h in history] == [
        ("create", None, "submitted", "applicant", None),
        ("return", "submitted", "returned", "agency", "补充经费明细"),
        ("resubmit", "returned", "submitted", "applicant", None),
        ("accept", "submitted", "accepted", "official", None),
    ]
    assert (await platform.c.get(url(project, "/annual-reports/2027"), headers=OWNER)).status_code == 404


# --- the final report ------------------------------------------------------------------------------


def final(**overrides: Any) -> dict[str, Any]:
    return {
        "summary": "项目按计划完成，揭示了黑土退化的微生物机制。",
        "outputs": {
            "papers": [
                {
                    "title": "Soil microbes of black soil",
                    "journal": "Soil Biology and Biochemistry",
                    "year": 2028,
                    "indexed": "SCI",
                },
                {"title": "黑土保护性耕作", "journal": "农业工程学报", "year": 2028, "indexed": "EI"},
            ],
            "patents": [
                {"title": "一种土壤采样装置", "number": "CN202810123456.7", "kind": "utility", "status": "granted"}
            ],
            "talents": {"phd": 2, "master": 3, "postdoc": 1},
        },
        "spending": {"spent": "295000.00", "notes": "结余 5000.00 元按规定退回"},
    } | overrides


async def test_the_final_report_draft_is_the_owners_while_funded(platform: Platform, project: int) -> None:
    r = await platform.c.get(url(project, "/final-report"), headers=OWNER)
    assert r.status_code == 404, r.text
    r = await platform.c.put(url(project, "/final-report"), headers=OWNER, json=final())
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "draft" and body["application_status"] == "funded"
    assert body["allowed_actions"] == ["update", "submit"]
    assert body["outputs"]["patents"][0] == {
        "title": "一种土壤采样装置",
        "number": "CN202810123456.7",
        "kind": "utility",
        "status": "granted",
    }
    etag = r.headers["ETag"]
    r = await platform.c.put(
        url(project, "/final-report"), headers={**OWNER, "If-Match": etag}, json=final(summary="修订后的总结")
    )
    assert r.status_code == 200 and r.json()["summary"] == "修订后的总结", r.text
    r = await platform.c.put(url(project, "/final-report"), headers={**OWNER, "If-Match": etag}, json=final())
    assert r.status_code == 412 and r.json()["code"] == "precondition_failed", r.text
    for who in (OTHER_APPLICANT,):
        assert (await platform.c.put(url(project, "/final-report"), headers=who, json=final())).status_code == 404
    for who in (ORG_ADMIN, OFFICIAL, AGENCY, AUDITOR):
        assert (await platform.c.put(url(project, "/final-report"), headers=who, json=final())).status_code == 403
    for who in (OWNER, ORG_ADMIN, OFFICIAL, AGENCY, AUDITOR):
        r = await platform.c.get(url(project, "/final-report"), headers=who)
        assert r.status_code == 200 and r.json()["summary"] == "修订后的总结", (who, r.text)
    for who in (OTHER_APPLICANT, OTHER_ORG_ADMIN, OTHER_AGENCY):
        assert (await platform.c.get(url(project, "/final-report"), headers=who)).status_code == 404


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("talents.phd", -1),
        ("talents.master", -3),
        ("talents.postdoc", -1),
        ("talents.phd", "two"),
        ("papers.0.indexed", "SSCI"),
        ("papers.0.year", 1800),
        ("papers.0.title", ""),
        ("patents.0.kind", "software"),
        ("patents.0.status", "pending"),
        ("patents.0.number", "号码"),
    ],
)
async def test_final_report_outputs_are_validated(platform: Platform, project: int, path: str, value: Any) -> None:
    body = final()
    target: Any = body["outputs"]
    *parents, leaf = path.split(".")
    for p in parents:
        target = target[int(p)] if p.isdigit() else target[p]
    target[leaf] = value
    r = await platform.c.put(url(project, "/final-report"), headers=OWNER, json=body)
    assert r.status_code == 422 and r.json()["code"] == "validation_failed", r.text
    assert r.json()["errors"][0]["field"] == f"outputs.{path}"


async def test_final_report_rejects_unknown_fields_and_negative_spending(platform: Platform, project: int) -> None:
    for body in (final(status="concluded"), final(spending={"spent": "-1.00"}), final(summary="")):
        r = await platform.c.put(url(project, "/final-report"), headers=OWNER, json=body)
        assert r.status_code == 422, r.text


async def test_final_report_returned_then_concluded_on_the_applications_history(
    platform: Platform, project: int
) -> None:
    base = url(project, "/final-report")
    r = await platform.c.post(f"{base}/submit", headers=OWNER)
    assert r.status_code == 409 and r.json()["code"] == "final_report_missing", r.text
    assert (await platform.c.put(base, headers=OWNER, json=final())).status_code == 201
    r = await platform.c.post(f"{base}/submit", headers=ORG_ADMIN)
    assert r.status_code == 403, r.text
    r = await platform.c.post(f"{base}/submit", headers=OWNER)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["application_status"]) == ("submitted", "final_submitted")
    assert r.json()["submitted_at"] is not None
    assert await status_of(platform, project) == "final_submitted"
    r = await platform.c.put(base, headers=OWNER, json=final())
    assert r.status_code == 409 and r.json()["code"] == "final_report_not_editable", r.text
    r = await platform.c.post(f"{base}/return", headers=AGENCY, json={"comment": ""})
    assert r.status_code == 422, r.text
    r = await platform.c.post(f"{base}/conclude", headers=OWNER)
    assert r.status_code == 403, r.text
    r = await platform.c.post(f"{base}/return", headers=AGENCY, json={"comment": "请补充专利证书"})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["decision_comment"]) == ("draft", "请补充专利证书")
    assert r.json()["allowed_actions"] == []
    assert await status_of(platform, project) == "funded"
    r = await platform.c.put(base, headers=OWNER, json=final(summary="已补充专利证书"))
    assert r.status_code == 200, r.text
    assert (await platform.c.post(f"{base}/submit", headers=OWNER)).status_code == 200
    r = await platform.c.get(base, headers=AGENCY)
    assert r.json()["allowed_actions"] == ["return", "conclude", "fail"]
    r = await platform.c.post(f"{base}/conclude", headers=OFFICIAL, json={"comment": "准予结题"})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["application_status"]) == ("concluded", "concluded")
    assert await status_of(platform, project) == "concluded"
    history = (await platform.c.get(f"{base}/history", headers=ORG_ADMIN)).json()
    assert [(h["action"], h["from_state"], h["to_state"], h["actor_role"], h["comment"]) for h in history] == [
        ("submit_final_report", "funded", "final_submitted", "applicant", None),
        ("return_final_report", "final_submitted", "funded", "agency", "请补充专利证书"),
        ("submit_final_report", "funded", "final_submitted", "applicant", None),
        ("conclude", "final_submitted", "concluded", "official", "准予结题"),
    ]
    r = await platform.c.post(f"{base}/fail", headers=OFFICIAL, json={"comment": "晚了"})
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition", r.text
    # the last instalment may still be paid once concluded
    assert (await pay(platform, project, "300000.00")).status_code == 201


async def test_a_failed_final_review_needs_a_comment_and_stops_payments(platform: Platform, project: int) -> None:
    base = url(project, "/final-report")
    await platform.c.put(base, headers=OWNER, json=final())
    await platform.c.post(f"{base}/submit", headers=OWNER)
    r = await platform.c.post(f"{base}/fail", headers=AGENCY, json={})
    assert r.status_code == 422, r.text
    r = await platform.c.post(f"{base}/fail", headers=OTHER_AGENCY, json={"comment": "成果不足"})
    assert r.status_code == 404, r.text
    r = await platform.c.post(f"{base}/fail", headers=AGENCY, json={"comment": "成果不足"})
    assert r.status_code == 200 and r.json()["status"] == "failed", r.text
    assert await status_of(platform, project) == "failed"
    r = await pay(platform, project, "1000.00")
    assert r.status_code == 409 and r.json()["code"] == "not_disbursable", r.text
    r = await platform.c.post(url(project, "/annual-reports"), headers=OWNER, json=annual(2027))
    assert r.status_code == 409 and r.json()["code"] == "project_not_running", r.text


async def test_stale_if_match_on_a_final_report_action_is_412(platform: Platform, project: int) -> None:
    base = url(project, "/final-report")
    stale = (await platform.c.put(base, headers=OWNER, json=final())).headers["ETag"]
    await platform.c.put(base, headers=OWNER, json=final(summary="第二稿"))
    r = await platform.c.post(f"{base}/submit", headers={**OWNER, "If-Match": stale})
    assert r.status_code == 412, r.text
    assert await status_of(platform, project) == "funded"


async def test_submitting_while_projects_is_down_is_503_and_writes_nothing(platform: Platform, project: int) -> None:
    """The limits ledger (PRJ-1, NSF-5) follows the project; when projects does not answer, the move
    is refused with Retry-After and the report, the application and its history stay as they were."""
    base = url(project, "/final-report")
    assert (await platform.c.put(base, headers=OWNER, json=final())).status_code == 201
    before = await history_rows(platform, project)
    platform.link.down = True
    r = await platform.c.post(f"{base}/submit", headers=OWNER)
    assert r.status_code == 503 and r.json()["code"] == "dependency_unavailable", r.text
    assert "Retry-After" in r.headers
    assert await status_of(platform, project) == "funded"
    assert await history_rows(platform, project) == before
    report = (await platform.c.get(base, headers=OWNER)).json()
    assert (report["status"], report["submitted_at"], report["version"]) == ("draft", None, 1)
    platform.link.down = False
    assert (await platform.c.post(f"{base}/submit", headers=OWNER)).status_code == 200


# --- concurrency -----------------------------------------------------------------------------------

RACE_SCHEMA = "t_foundation_disbursement_race"


async def _drop(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{RACE_SCHEMA}" CASCADE'))
    await engine.dispose()


@dataclass
class Committed:
    c: httpx.AsyncClient
    app: object
    db: Database


@pytest.fixture
async def committed() -> AsyncIterator[Committed]:
    """The foundation app on a PostgreSQL schema of its own, committing for real (no rolled-back outer
    transaction), dropped afterwards. Disbursements never ask the projects service."""
    url = await postgres_url()
    await _drop(url)
    await asyncio.to_thread(migrate, "foundation", url, RACE_SCHEMA)
    db = Database(url, RACE_SCHEMA, pool_size=10)
    app = create_app(settings(), database=db)
    try:
        async with running(app) as c:
            yield Committed(c=c, app=app, db=db)
    finally:
        await db.dispose()
        await _drop(url)


@pytest.mark.postgres
async def test_parallel_disbursements_never_exceed_the_grant(committed: Committed) -> None:
    """Eight officials pay 100,000.00 each at once against a 300,000.00 grant: the application row
    lock (SELECT ... FOR UPDATE) serialises them, so exactly three are paid."""
    set_clock(committed)
    project = await funded_project(committed)

    async def one(n: int) -> httpx.Response:
        return await committed.c.post(
            url(project, "/disbursements"),
            headers=OFFICIAL,
            json={"amount": "100000.00", "paid_on": "2027-06-01", "reference": f"RACE-{n}"},
        )

    responses = await asyncio.gather(*(one(n) for n in range(8)))
    outcomes = Counter((r.status_code, r.json().get("code")) for r in responses)
    assert outcomes == Counter({(201, None): 3, (409, "disbursement_exceeds_grant"): 5}), [r.text for r in responses]
    listing = (await committed.c.get(url(project, "/disbursements"), headers=OFFICIAL)).json()
    assert listing["disbursed_total"] == "300000.00" and [d["seq"] for d in listing["items"]] == [1, 2, 3]
