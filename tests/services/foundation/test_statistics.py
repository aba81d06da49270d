"""The foundation's statistics (issue 4, "Statistics"), checked figure by figure against a small known
dataset: two plans, three categories, four host institutions in three regions (ID-5 from the USCC),
applications in every kind of state, grants and disbursements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from services.foundation.funded.models import Disbursement
from services.foundation.statistics.service import funding_rate
from tests.services.foundation.conftest import (
    AGENCY,
    AGENCY_ORG,
    APPLICANT,
    AUDITOR,
    OFFICIAL,
    ORG_ADMIN,
    OTHER_AGENCY,
    OTHER_AGENCY_ORG,
    OTHER_USCC,
    PREFIX,
    UNIV_USCC,
    Platform,
    headers,
)
from tests.services.foundation.funded_helpers import add_application, add_plan
from tests.services.projects.conftest import make_uscc

CHANGCHUN_USCC = make_uscc("91220101123456789")  # registered in 220101: 长春市 (2201)
BEIJING_USCC = make_uscc("91110108123456789")  # registered in 110108: outside the ID-5 table
URL = f"{PREFIX}/statistics"

# (plan, category, status, discipline, institution, requested, approved, disbursements)
DATASET: list[tuple[str, str, str, str, str, str, str | None, tuple[str, ...]]] = [
    ("A", "general", "draft", "F0203", UNIV_USCC, "100000.00", None, ()),  # never counted
    ("A", "general", "submitted", "F0203", UNIV_USCC, "200000.00", None, ()),
    ("A", "general", "withdrawn", "F0105", UNIV_USCC, "150000.00", None, ()),
    ("A", "general", "rejected_formal", "F0203", CHANGCHUN_USCC, "250000.00", None, ()),
    ("A", "general", "not_approved", "F0301", CHANGCHUN_USCC, "300000.00", None, ()),
    ("A", "general", "funded", "F0203", UNIV_USCC, "400000.00", "350000.00", ("100000.00", "50000.00")),
    ("A", "youth", "concluded", "H0101", UNIV_USCC, "300000.00", "300000.00", ("300000.00",)),
    ("A", "youth", "approved", "H0102", BEIJING_USCC, "250000.00", "200000.00", ()),
    ("B", "general", "failed", "F0203", UNIV_USCC, "500000.00", "450000.00", ("200000.00",)),
    ("B", "general", "in_review", "A0101", CHANGCHUN_USCC, "123456.78", None, ()),
    ("B", "general", "ranked", "B0101", OTHER_USCC, "100000.00", None, ()),
]


def figures(
    applications: int,
    accepted: int,
    approved: int,
    funded: int,
    rate: str | None,
    requested: str,
    approved_amount: str,
    disbursed: str,
) -> dict[str, Any]:
    return {
        "applications": applications,
        "accepted": accepted,
        "approved": approved,
        "funded": funded,
        "funding_rate": rate,
        "requested_amount": requested,
        "approved_amount": approved_amount,
        "disbursed_amount": disbursed,
    }


def only_figures(group: dict[str, Any]) -> dict[str, Any]:
    return {k: group[k] for k in figures(0, 0, 0, 0, None, "", "", "")}


@pytest.fixture
async def dataset(platform: Platform) -> dict[str, Any]:
    plan_a, (general_a, youth_a) = await add_plan(
        platform,
        year=2026,
        code="JJ2026",
        agencies=(AGENCY_ORG,),
        categories=(("general", "面上项目"), ("youth", "青年基金")),
    )
    plan_b, (general_b,) = await add_plan(platform, year=2025, code="JJ2025", agencies=(OTHER_AGENCY_ORG,))
    plans = {"A": (plan_a, 2026, {"general": general_a, "youth": youth_a}), "B": (plan_b, 2025, {"general": general_b})}
    names = {
        UNIV_USCC: "吉林大学",
        CHANGCHUN_USCC: "长春某科技有限公司",
        BEIJING_USCC: "北京某研究院",
        OTHER_USCC: "东北师范大学",
    }
    payments: list[Disbursement] = []
    for n, (plan, category, status, discipline, uscc, requested, approved, paid) in enumerate(DATASET):
        plan_id, year, categories = plans[plan]
        application = await add_application(
            platform,
            plan_id,
            categories[category],
            status=status,
            owner=str(1000 + n),
            year=year,
            requested=requested,
            approved=approved,
            discipline=discipline,
            institution_uscc=uscc,
            institution_name=names[uscc],
        )
        payments += [
            Disbursement(
                application_id=application,
                seq=k + 1,
                amount=Decimal(amount),
                paid_on=date(2027, 1, 10),
                reference=f"R-{n}-{k}",
                recorded_by="user:100",
            )
            for k, amount in enumerate(paid)
        ]
    async with platform.db.sessionmaker() as session:
        session.add_all(payments)
        await session.commit()
    return {"plan_a": plan_a, "plan_b": plan_b, "general_a": general_a, "youth_a": youth_a, "general_b": general_b}


async def test_totals_and_the_funding_rate_over_applications_past_formal_review(
    platform: Platform, dataset: dict[str, Any]
) -> None:
    """Drafts are not counted; the rate is funded (funded, concluded, failed) over accepted (past formal
    review: not the submitted, withdrawn or formally rejected ones): 3 / 7."""
    r = await platform.c.get(URL, headers=OFFICIAL)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["totals"] == figures(10, 7, 4, 3, "0.4286", "2573456.78", "1300000.00", "650000.00")
    assert body["filters"] == {"plan_id": None, "year": None, "discipline_prefix": 1}
    assert "withdrawn" not in body["definitions"]["accepted_states"]
    assert set(body["definitions"]["funded_states"]) == {
        "funded",
        "final_submitted",
        "concluded",
        "failed",
        "terminated",
    }
    assert (await platform.c.get(URL, headers=AUDITOR)).json()["totals"] == body["totals"]


async def test_by_category(platform: Platform, dataset: dict[str, Any]) -> None:
    groups = (await platform.c.get(URL, headers=OFFICIAL)).json()["by_category"]
    assert [(g["plan_code"], g["year"], g["code"], g["kind"], g["name"]) for g in groups] == [
        ("JJ2026", 2026, "general", "general", "面上项目"),
        ("JJ2026", 2026, "youth", "youth", "青年基金"),
        ("JJ2025", 2025, "general", "general", "面上项目"),
    ]
    assert [g["category_id"] for g in groups] == [dataset["general_a"], dataset["youth_a"], dataset["general_b"]]
    assert [only_figures(g) for g in groups] == [
        figures(5, 2, 1, 1, "0.5000", "1300000.00", "350000.00", "150000.00"),
        figures(2, 2, 2, 1, "0.5000", "550000.00", "500000.00", "300000.00"),
        figures(3, 3, 1, 1, "0.3333", "723456.78", "450000.00", "200000.00"),
    ]


async def test_by_discipline_section_letter_or_three_characters(platform: Platform, dataset: dict[str, Any]) -> None:
    groups = (await platform.c.get(URL, headers=OFFICIAL)).json()["by_discipline"]
    assert {g["discipline"]: only_figures(g) for g in groups} == {
        "A": figures(1, 1, 0, 0, "0.0000", "123456.78", "0.00", "0.00"),
        "B": figures(1, 1, 0, 0, "0.0000", "100000.00", "0.00", "0.00"),
        "F": figures(6, 3, 2, 2, "0.6667", "1800000.00", "800000.00", "350000.00"),
        "H": figures(2, 2, 2, 1, "0.5000", "550000.00", "500000.00", "300000.00"),
    }
    assert [g["discipline"] for g in groups] == ["A", "B", "F", "H"]
    r = await platform.c.get(URL, params={"discipline_prefix": 3}, headers=OFFICIAL)
    assert r.status_code == 200, r.text
    groups = r.json()["by_discipline"]
    assert [g["discipline"] for g in groups] == ["A01", "B01", "F01", "F02", "F03", "H01"]
    by_code = {g["discipline"]: only_figures(g) for g in groups}
    assert by_code["F02"] == figures(4, 2, 2, 2, "1.0000", "1350000.00", "800000.00", "350000.00")
    assert by_code["F01"] == figures(1, 0, 0, 0, None, "150000.00", "0.00", "0.00")  # withdrawn: no rate
    assert by_code["F03"] == figures(1, 1, 0, 0, "0.0000", "300000.00", "0.00", "0.00")


async def test_by_institution_and_region_from_the_uscc(platform: Platform, dataset: dict[str, Any]) -> None:
    """ID-5: the region is read from characters 3-8 of the host institution's USCC."""
    body = (await platform.c.get(URL, headers=OFFICIAL)).json()
    institutions = {g["uscc"]: (g["name"], only_figures(g)) for g in body["by_institution"]}
    assert institutions == {
        UNIV_USCC: ("吉林大学", figures(5, 3, 3, 3, "1.0000", "1550000.00", "1100000.00", "650000.00")),
        CHANGCHUN_USCC: ("长春某科技有限公司", figures(3, 2, 0, 0, "0.0000", "673456.78", "0.00", "0.00")),
        BEIJING_USCC: ("北京某研究院", figures(1, 1, 1, 0, "0.0000", "250000.00", "200000.00", "0.00")),
        OTHER_USCC: ("东北师范大学", figures(1, 1, 0, 0, "0.0000", "100000.00", "0.00", "0.00")),
    }
    assert [g["uscc"] for g in body["by_institution"]] == sorted(institutions)
    regions = [(g["region_code"], g["name"], g["name_en"], only_figures(g)) for g in body["by_region"]]
    assert regions == [
        ("11", None, None, figures(1, 1, 1, 0, "0.0000", "250000.00", "200000.00", "0.00")),
        ("22", "吉林省", "Jilin Province", figures(6, 4, 3, 3, "0.7500", "1650000.00", "1100000.00", "650000.00")),
        ("2201", "长春市", "Changchun", figures(3, 2, 0, 0, "0.0000", "673456.78", "0.00", "0.00")),
    ]


async def test_by_year_and_the_filters(platform: Platform, dataset: dict[str, Any]) -> None:
    body = (await platform.c.get(URL, headers=OFFICIAL)).json()
    assert [(g["year"], only_figures(g)) for g in body["by_year"]] == [
        (2026, figures(7, 4, 3, 2, "0.5000", "1850000.00", "850000.00", "450000.00")),
        (2025, figures(3, 3, 1, 1, "0.3333", "723456.78", "450000.00", "200000.00")),
    ]
    r = await platform.c.get(URL, params={"year": 2026}, headers=OFFICIAL)
    assert r.json()["totals"] == figures(7, 4, 3, 2, "0.5000", "1850000.00", "850000.00", "450000.00")
    assert [g["year"] for g in r.json()["by_year"]] == [2026]
    r = await platform.c.get(URL, params={"plan_id": dataset["plan_b"]}, headers=AUDITOR)
    assert r.json()["totals"] == figures(3, 3, 1, 1, "0.3333", "723456.78", "450000.00", "200000.00")
    assert r.json()["filters"]["plan_id"] == dataset["plan_b"]
    r = await platform.c.get(URL, params={"plan_id": dataset["plan_b"], "year": 2026}, headers=OFFICIAL)
    assert r.json()["totals"] == figures(0, 0, 0, 0, None, "0.00", "0.00", "0.00")
    assert r.json()["by_category"] == r.json()["by_region"] == r.json()["by_year"] == []


async def test_an_agency_counts_only_the_plans_it_runs(platform: Platform, dataset: dict[str, Any]) -> None:
    r = await platform.c.get(URL, headers=AGENCY)
    assert r.status_code == 200, r.text
    assert r.json()["totals"] == figures(7, 4, 3, 2, "0.5000", "1850000.00", "850000.00", "450000.00")
    assert {g["plan_code"] for g in r.json()["by_category"]} == {"JJ2026"}
    r = await platform.c.get(URL, headers=OTHER_AGENCY)
    assert r.json()["totals"] == figures(3, 3, 1, 1, "0.3333", "723456.78", "450000.00", "200000.00")
    # a plan it does not run is no plan at all
    r = await platform.c.get(URL, params={"plan_id": dataset["plan_a"]}, headers=OTHER_AGENCY)
    assert r.status_code == 404 and r.json()["code"] == "not_found", r.text
    no_org = headers("agency", subject="299")
    assert (await platform.c.get(URL, headers=no_org)).json()["totals"]["applications"] == 0


async def test_who_may_read_the_statistics(platform: Platform, dataset: dict[str, Any]) -> None:
    for who in (APPLICANT, ORG_ADMIN, headers("reviewer", subject="600"), headers("admin", subject="1")):
        r = await platform.c.get(URL, headers=who)
        assert r.status_code == 403 and r.json()["code"] == "forbidden", (who, r.text)
    assert (await platform.c.get(URL, headers=headers(kind="anonymous", subject="anonymous"))).status_code == 401


@pytest.mark.parametrize(
    "params",
    [
        {"discipline_prefix": 2},
        {"discipline_prefix": "F"},
        {"year": 1999},
        {"plan_id": 0},
        {"plan_id": "x"},
        {"plan_id": 2**63},
    ],
)
async def test_bad_filters_are_422(platform: Platform, params: dict[str, Any]) -> None:
    r = await platform.c.get(URL, params=params, headers=OFFICIAL)
    assert r.status_code == 422 and r.json()["code"] == "validation_failed", r.text


async def test_an_unknown_plan_is_404_and_no_data_is_zero(platform: Platform) -> None:
    r = await platform.c.get(URL, params={"plan_id": 10**9}, headers=OFFICIAL)
    assert r.status_code == 404, r.text
    r = await platform.c.get(URL, headers=OFFICIAL)
    assert r.status_code == 200, r.text
    assert r.json()["totals"] == figures(0, 0, 0, 0, None, "0.00", "0.00", "0.00")
    assert r.json()["by_category"] == r.json()["by_institution"] == []


@pytest.mark.parametrize(
    ("funded", "accepted", "rate"),
    [(1, 3, "0.3333"), (2, 3, "0.6667"), (3, 7, "0.4286"), (1, 8, "0.1250"), (0, 5, "0.0000"), (5, 5, "1.0000")],
)
def test_the_funding_rate_to_four_places(funded: int, accepted: int, rate: str) -> None:
    assert funding_rate(funded, accepted) == Decimal(rate)


def test_no_funding_rate_without_accepted_applications() -> None:
    assert funding_rate(0, 0) is None
