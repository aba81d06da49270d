"""Statistics (申报统计): exact counts and sums by programme, status, year and region (ID-5, the
region from the applicant's USCC), agency scoping (PRJ-2), roles, filters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select, update

from services.projects.applications.models import Application
from services.projects.rules.workflows import APPLICATION_WORKFLOW
from services.projects.statistics.service import APPROVED_STATES, region_key, states_from
from tests.services.projects.conftest import (
    AGENCY,
    AGENCY_ORG,
    ANONYMOUS,
    AUDITOR,
    OFFICIAL,
    OTHER_AGENCY,
    OTHER_AGENCY_ORG,
    PREFIX,
    REVIEWER,
    act,
    application_body,
    create_call,
    create_programme,
    headers,
    make_resident_id,
    make_uscc,
)

S = f"{PREFIX}/statistics"
ADMIN = headers("admin", subject="1")
CHANGCHUN = make_uscc("12220104412755413")  # 长春市朝阳区 220104
JILIN_CITY = make_uscc("12220202412755421")  # 吉林市昌邑区 220202
PROVINCE = make_uscc("12220000412755439")  # a province-level unit 220000
BEIJING = make_uscc("12110108412755447")  # outside the ID-5 table: 110108


def test_id5_region_key_takes_the_longest_prefix_of_the_table() -> None:
    assert region_key("220104") == ("2201", "长春市", "Changchun")
    assert region_key("222401") == ("2224", "延边朝鲜族自治州", "Yanbian")
    assert region_key("220000") == ("22", "吉林省", "Jilin Province")
    assert region_key("110108") == ("11", None, None)
    assert region_key(None) == ("", None, None)


def test_approved_states_are_approved_and_everything_after_it_in_the_workflow() -> None:
    expected = {
        "approved",
        "contracted",
        "in_progress",
        "midterm_passed",
        "midterm_failed",
        "terminated",
        "acceptance_requested",
        "accepted_final",
        "failed_final",
    }
    assert expected == APPROVED_STATES
    assert states_from(APPLICATION_WORKFLOW, "accepted_final") == {"accepted_final"}
    assert "not_approved" in states_from(APPLICATION_WORKFLOW, "reviewed")
    assert "not_approved" not in APPROVED_STATES and "reviewed" not in APPROVED_STATES


async def _apply(
    client: httpx.AsyncClient, call: dict[str, Any], n: int, uscc: str, requested: str, submit: bool = True
) -> dict[str, Any]:
    body = application_body(
        call,
        applicant_uscc=uscc,
        title=f"统计测试项目 {n} 黑土地光电汽车",
        abstract=f"第 {n} 个测试申报的摘要，内容各不相同：{n * 7919}",
        leader={"name": f"负责人{n}", "id_number": make_resident_id(date(1975, 3, n), seq=f"{n:03d}")},
        budget={"equipment": {"requested": requested, "self_raised": "0.00"}},
        team=[],
        partners=[],
    )
    who = headers("applicant", subject=f"30{n}")
    r = await client.post(f"{PREFIX}/applications", json=body, headers=who)
    assert r.status_code == 201, r.text
    app = r.json()
    app["_who"] = who
    if submit:
        await act(client, app["id"], "submit", who)
    return app


async def _force_status(client: httpx.AsyncClient, app_id: int, status: str) -> None:
    """States past expert review have no endpoint in this module: set them in the database."""
    async with client.db.sessionmaker() as session, session.begin():  # type: ignore[attr-defined]
        await session.execute(
            update(Application).where(Application.id == app_id).values(status=status, version=Application.version + 1)
        )


async def _dataset(client: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any]]:
    p1 = await create_programme(client, code="STAT-2026", year=2026, agency_org_ids=[AGENCY_ORG])
    p2 = await create_programme(
        client, code="STAT-2025", year=2025, name="科技成果转化专项", agency_org_ids=[OTHER_AGENCY_ORG]
    )
    c1 = await create_call(client, p1["id"])
    c2 = await create_call(client, p2["id"])
    await _apply(client, c1, 1, CHANGCHUN, "100000.00")  # submitted
    a2 = await _apply(client, c1, 2, JILIN_CITY, "200000.00")
    await act(client, a2["id"], "endorse", headers("org_admin", subject="402", org_uscc=JILIN_CITY))
    a3 = await _apply(client, c1, 3, PROVINCE, "300000.50")
    await act(client, a3["id"], "endorse", headers("org_admin", subject="403", org_uscc=PROVINCE))
    await act(client, a3["id"], "accept", AGENCY)
    await act(client, a3["id"], "start_review", AGENCY)
    await _force_status(client, a3["id"], "approved")
    await _apply(client, c1, 4, CHANGCHUN, "400000.25", submit=False)  # a draft: never counted
    a5 = await _apply(client, c2, 5, BEIJING, "500000.00")
    await act(client, a5["id"], "withdraw", a5["_who"])
    a6 = await _apply(client, c2, 6, JILIN_CITY, "600000.00")
    await act(client, a6["id"], "endorse", headers("org_admin", subject="402", org_uscc=JILIN_CITY))
    await _force_status(client, a6["id"], "contracted")
    return p1, p2


def fig(n: int, requested: str, n_approved: int = 0, approved: str = "0.00") -> dict[str, Any]:
    return {"applications": n, "requested": requested, "approved_applications": n_approved, "approved": approved}


async def test_counts_and_sums_by_programme_status_year_and_region(client) -> None:
    p1, p2 = await _dataset(client)
    r = await client.get(S, headers=OFFICIAL)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["filters"] == {"year": None, "programme_id": None}
    assert body["totals"] == fig(5, "1700000.50", 2, "900000.50")
    assert body["by_programme"] == [
        {
            "programme_id": p1["id"],
            "code": "STAT-2026",
            "name": p1["name"],
            "year": 2026,
            **fig(3, "600000.50", 1, "300000.50"),
        },
        {
            "programme_id": p2["id"],
            "code": "STAT-2025",
            "name": "科技成果转化专项",
            "year": 2025,
            **fig(2, "1100000.00", 1, "600000.00"),
        },
    ]
    assert body["by_status"] == [
        {"status": "approved", **fig(1, "300000.50", 1, "300000.50")},
        {"status": "contracted", **fig(1, "600000.00", 1, "600000.00")},
        {"status": "endorsed", **fig(1, "200000.00")},
        {"status": "submitted", **fig(1, "100000.00")},
        {"status": "withdrawn", **fig(1, "500000.00")},
    ]
    assert body["by_year"] == [
        {"year": 2026, **fig(3, "600000.50", 1, "300000.50")},
        {"year": 2025, **fig(2, "1100000.00", 1, "600000.00")},
    ]
    assert body["by_region"] == [
        {"region_code": "11", "name": None, "name_en": None, **fig(1, "500000.00")},
        {"region_code": "22", "name": "吉林省", "name_en": "Jilin Province", **fig(1, "300000.50", 1, "300000.50")},
        {"region_code": "2201", "name": "长春市", "name_en": "Changchun", **fig(1, "100000.00")},
        {"region_code": "2202", "name": "吉林市", "name_en": "Jilin City", **fig(2, "800000.00", 1, "600000.00")},
    ]
    # the group sums add up to the totals in every dimension
    for dimension in ("by_programme", "by_status", "by_year", "by_region"):
        groups = body[dimension]
        assert sum(g["applications"] for g in groups) == 5
        assert sum(Decimal(g["requested"]) for g in groups) == Decimal("1700000.50")

    # filters: by year, by programme, both
    by_year = (await client.get(S, params={"year": 2025}, headers=OFFICIAL)).json()
    assert by_year["filters"] == {"year": 2025, "programme_id": None}
    assert by_year["totals"] == fig(2, "1100000.00", 1, "600000.00")
    assert [g["code"] for g in by_year["by_programme"]] == ["STAT-2025"]
    by_programme = (await client.get(S, params={"programme_id": p1["id"]}, headers=OFFICIAL)).json()
    assert by_programme["totals"] == fig(3, "600000.50", 1, "300000.50")
    empty = (await client.get(S, params={"programme_id": p1["id"], "year": 2025}, headers=OFFICIAL)).json()
    assert empty["totals"] == fig(0, "0.00") and empty["by_status"] == [] and empty["by_region"] == []


async def test_prj2_an_agency_counts_only_the_programmes_entrusted_to_it(client) -> None:
    p1, p2 = await _dataset(client)
    mine = (await client.get(S, headers=AGENCY)).json()
    assert mine["totals"] == fig(3, "600000.50", 1, "300000.50")
    assert [g["programme_id"] for g in mine["by_programme"]] == [p1["id"]]
    assert {g["status"] for g in mine["by_status"]} == {"approved", "endorsed", "submitted"}
    other = (await client.get(S, headers=OTHER_AGENCY)).json()
    assert other["totals"] == fig(2, "1100000.00", 1, "600000.00")
    # another agency's programme is a 404, as if it did not exist; so is one that does not
    for who, pid in ((AGENCY, p2["id"]), (OTHER_AGENCY, p1["id"]), (OFFICIAL, 999_999)):
        r = await client.get(S, params={"programme_id": pid}, headers=who)
        assert r.status_code == 404, r.text
        assert r.json()["code"] == "not_found"
    lost = headers("agency", subject="299")  # an agency user not attached to an organisation sees nothing
    assert (await client.get(S, headers=lost)).json()["totals"] == fig(0, "0.00")


async def test_roles_officials_auditors_admins_and_agencies_only(client) -> None:
    await _dataset(client)
    for who in (OFFICIAL, AUDITOR, ADMIN):
        r = await client.get(S, headers=who)
        assert r.status_code == 200, r.text
        assert r.json()["totals"]["applications"] == 5
    for who in (
        REVIEWER,
        headers("applicant", subject="301"),
        headers("org_admin", subject="402", org_uscc=JILIN_CITY),
    ):
        r = await client.get(S, headers=who)
        assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert (await client.get(S, headers=ANONYMOUS)).status_code == 401
    assert (await client.get(S)).status_code == 401


async def test_bad_filters_are_422(client) -> None:
    for params in ({"year": "1999"}, {"year": "abc"}, {"programme_id": "0"}, {"programme_id": str(2**63)}):
        r = await client.get(S, params=params, headers=OFFICIAL)
        assert r.status_code == 422, params
        assert r.json()["code"] == "validation_failed"


async def test_approved_amount_is_what_the_approval_list_granted(client) -> None:
    from services.projects.approvals.models import ApprovalItem, ApprovalList

    p1, _ = await _dataset(client)
    r = await client.get(S, params={"programme_id": p1["id"]}, headers=OFFICIAL)
    (approved_app,) = [g for g in r.json()["by_status"] if g["status"] == "approved"]
    assert approved_app["approved"] == "300000.50"  # no list yet: the requested amount
    async with client.db.sessionmaker() as session, session.begin():  # type: ignore[attr-defined]
        app_id = (
            await session.execute(
                select(Application.id).where(Application.programme_id == p1["id"], Application.status == "approved")
            )
        ).scalar_one()
        call_id = (await session.execute(select(Application.call_id).where(Application.id == app_id))).scalar_one()
        approval = ApprovalList(
            programme_id=p1["id"],
            call_id=call_id,
            status="approved",
            total_amount=Decimal("250000.00"),
            proposed_by="user:200",
            version=1,
        )
        session.add(approval)
        await session.flush()
        session.add(
            ApprovalItem(
                list_id=approval.id,
                application_id=app_id,
                programme_id=p1["id"],
                rank=1,
                decision="fund",
                amount=Decimal("250000.00"),
                status="approved",
            )
        )
    body = (await client.get(S, params={"programme_id": p1["id"]}, headers=OFFICIAL)).json()
    assert body["totals"]["approved"] == "250000.00" and body["totals"]["requested"] == "600000.50"
