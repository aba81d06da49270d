"""WP-1 计点积分 (services/foreign_experts/rules/points.py): every band edge of every factor, both sides of
each threshold (lower bounds inclusive), the caps, and the total as the sum of the capped factors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.foreign_experts.errors import InvalidFacts
from services.foreign_experts.rules.points import assess_points, in_jilin
from tests.services.foreign_experts.rules_helpers import P2026, make_facts, params


def points_of(factor: str, **facts: object) -> tuple[int, str]:
    result = assess_points(make_facts(**facts), P2026).factor(factor)
    return result.points, result.band


# --- salary (cap 20), in 10,000 yuan: ≥45 → 20; 35-45 → 17; 25-35 → 14; 15-25 → 11; 7-15 → 8; 5-7 → 5 --


@pytest.mark.parametrize(
    ("salary", "points"),
    [
        ("10000000", 20),
        ("450000", 20),  # the lower bound is inclusive
        ("449999.99", 17),
        ("350000", 17),
        ("349999.99", 14),
        ("250000", 14),
        ("249999.99", 11),
        ("150000", 11),
        ("149999.99", 8),
        ("70000", 8),
        ("69999.99", 5),
        ("50000", 5),
        ("49999.99", 0),
        ("0", 0),
    ],
)
def test_wp1_salary_band_edges(salary: str, points: int) -> None:
    """WP-1 salary: each band from its lower bound inclusive, one cent under it scores the band below."""
    assert points_of("salary", annual_salary=Decimal(salary))[0] == points


def test_wp1_salary_factor_shows_its_input_and_band() -> None:
    """WP-1: the response explains the factor: the input in yuan, the band id, the cap and the rule."""
    result = assess_points(make_facts(annual_salary=Decimal("450000")), P2026).factor("salary")
    assert (result.value, result.band, result.cap) == ("450000.00", "salary_450k_plus", 20)
    assert "45" in result.rule.zh and result.rule.en


# --- education or skills (cap 20) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("education", "points"),
    [
        ("doctorate", 20),
        ("top_skills_certificate", 20),
        ("master", 15),
        ("technician", 15),
        ("bachelor", 10),
        ("senior_worker", 10),
        ("other", 0),  # not in the table: no points
    ],
)
def test_wp1_education_bands(education: str, points: int) -> None:
    """WP-1 education: doctorate / top skills certificate 20; master's / technician 15; bachelor's / senior
    worker 10."""
    assert points_of("education", education=education)[0] == points


# --- years of relevant work (cap 20): <2 → 0; 2 → 5; +1 a further year ------------------------------


@pytest.mark.parametrize(
    ("years", "points", "band"),
    [
        (0, 0, "under_2_years"),
        (1, 0, "under_2_years"),
        (2, 5, "two_years"),
        (3, 6, "further_years"),
        (10, 13, "further_years"),
        (16, 19, "further_years"),
        (17, 20, "capped"),  # 5 + 15 reaches the cap
        (18, 20, "capped"),
        (45, 20, "capped"),
    ],
)
def test_wp1_work_years_edges_and_cap(years: int, points: int, band: str) -> None:
    """WP-1 work years: under 2 → 0, 2 → 5, each further year +1, capped at 20 (from 17 years)."""
    assert points_of("work_years", work_years=years) == (points, band)


def test_wp1_work_years_rule_shows_the_arithmetic() -> None:
    result = assess_points(make_facts(work_years=7), P2026).factor("work_years")
    assert result.points == 10 and "5 + 5 = 10" in result.rule.en


# --- months in China a year (cap 15): ≥9 → 15; 6-9 → 10; 3-6 → 5; <3 → 0 -------------------------------


@pytest.mark.parametrize(
    ("months", "points"),
    [
        ("12", 15),
        ("9", 15),
        ("8.99", 10),
        ("6", 10),
        ("5.99", 5),
        ("3", 5),
        ("2.99", 0),
        ("0", 0),
    ],
)
def test_wp1_months_in_china_band_edges(months: str, points: int) -> None:
    """WP-1 months in China: lower bounds inclusive (9, 6, 3), a fraction under each scores the band below."""
    assert points_of("months_in_china", months_per_year=Decimal(months))[0] == points


# --- Chinese (cap 5) --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hsk", "points"),
    [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 5), (9, 5)],
)
def test_wp1_hsk_levels(hsk: int, points: int) -> None:
    """WP-1 Chinese: HSK 1..4 score their level, HSK 5 and over 5 (HSK 3.0's 7-9 like 5 and 6)."""
    assert points_of("chinese", hsk_level=hsk)[0] == points


@pytest.mark.parametrize(
    ("facts", "points", "band"),
    [
        ({"former_chinese_national": True}, 5, "former_chinese_national"),
        ({"degree_taught_in_chinese": True, "education": "bachelor"}, 5, "degree_in_chinese"),
        ({"degree_taught_in_chinese": True, "education": "doctorate"}, 5, "degree_in_chinese"),
        # the best of the ways, not their sum: the factor is capped at 5
        ({"former_chinese_national": True, "hsk_level": 4}, 5, "former_chinese_national"),
        (
            {"degree_taught_in_chinese": True, "hsk_level": 6, "former_chinese_national": True},
            5,
            "former_chinese_national",
        ),
        ({"degree_taught_in_chinese": True, "hsk_level": 3}, 5, "degree_in_chinese"),
        # without a degree (a skills level) the degree taught in Chinese does not count: HSK alone
        ({"degree_taught_in_chinese": True, "education": "technician", "hsk_level": 2}, 2, "hsk_2"),
    ],
)
def test_wp1_chinese_former_national_degree_or_hsk(facts: dict[str, object], points: int, band: str) -> None:
    """WP-1 Chinese: former Chinese national, a bachelor's or higher taught in Chinese, or HSK 5+ → 5."""
    assert points_of("chinese", **facts) == (points, band)


def test_wp1_chinese_degree_without_degree_level_is_noted() -> None:
    result = assess_points(make_facts(degree_taught_in_chinese=True, education="senior_worker"), P2026)
    assert result.factor("chinese").points == 0
    assert result.factor("chinese").note is not None and result.notes


# --- work location (cap 10) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code", ["22", "2201", "2202", "2203", "2204", "2205", "2206", "2207", "2208", "2224", "220102", "222401"]
)
def test_wp1_location_all_of_jilin_scores_10(code: str) -> None:
    """WP-1 location: all of Jilin is in the northeast (an old industrial base) → 10, for any ID-5 code."""
    assert points_of("work_location", work_city_code=code) == (10, "northeast_jilin")


@pytest.mark.parametrize("code", ["11", "1101", "110101", "2101"])
def test_wp1_location_outside_jilin_scores_0_with_a_note(code: str) -> None:
    result = assess_points(make_facts(work_city_code=code), P2026)
    assert result.factor("work_location").points == 0 and result.factor("work_location").note is not None


@pytest.mark.parametrize("code", ["", "2", "220", "22010", "2201011", "22AB"])
def test_wp1_location_code_must_be_a_division_code(code: str) -> None:
    with pytest.raises(InvalidFacts) as caught:
        in_jilin(code)
    assert caught.value.field == "work_city_code"


# --- age (cap 15): 18-25 → 10; 26-45 → 15; 46-55 → 10; 56-60 → 5; >60 → 0 ----------------------------


@pytest.mark.parametrize(
    ("age", "points"),
    [
        (17, 0),
        (18, 10),
        (25, 10),
        (26, 15),
        (45, 15),
        (46, 10),
        (55, 10),
        (56, 5),
        (60, 5),
        (61, 0),
        (80, 0),
    ],
)
def test_wp1_age_band_edges(age: int, points: int) -> None:
    """WP-1 age in completed years on the assessment day, each band's both ends."""
    assert points_of("age", age=age)[0] == points


@pytest.mark.parametrize(
    ("birth", "age", "points"),
    [
        (date(2000, 6, 1), 26, 15),  # 26th birthday on the assessment day: 26
        (date(2000, 6, 2), 25, 10),  # the day after: still 25
        (date(1980, 6, 1), 46, 10),
        (date(1980, 6, 2), 45, 15),
        (date(1965, 6, 1), 61, 0),
        (date(1965, 6, 2), 60, 5),
    ],
)
def test_wp1_age_turns_on_the_birthday(birth: date, age: int, points: int) -> None:
    """WP-1 age: completed years on ``assessed_on`` (2026-06-01): the birthday itself counts."""
    result = assess_points(make_facts(birth_date=birth), P2026).factor("age")
    assert (result.value, result.points) == (str(age), points)


def test_wp1_age_29_february_birthday() -> None:
    """Born 29 February: a year older on 1 March of a common year."""
    before = make_facts(birth_date=date(2000, 2, 29), assessed_on=date(2026, 2, 28))
    after = make_facts(birth_date=date(2000, 2, 29), assessed_on=date(2026, 3, 1))
    assert (before.age, after.age) == (25, 26)
    assert assess_points(before, P2026).factor("age").points == 10
    assert assess_points(after, P2026).factor("age").points == 15


def test_wp1_under_18_scores_0_with_a_note() -> None:
    result = assess_points(make_facts(age=17), P2026)
    assert result.factor("age").band == "age_under_18" and result.factor("age").note in result.notes


# --- bonus (5 in total) -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bonuses", "points", "band"),
    [
        ((), 0, "no_bonus"),
        (("renowned_university",), 5, "bonus_items"),
        (("fortune_500",), 5, "bonus_items"),
        (("intellectual_property",), 5, "bonus_items"),
        (("five_years_in_china",), 5, "bonus_items"),
        (("fortune_500", "intellectual_property"), 5, "bonus_capped"),
        (("renowned_university", "fortune_500", "intellectual_property", "five_years_in_china"), 5, "bonus_capped"),
    ],
)
def test_wp1_bonus_cap(bonuses: tuple[str, ...], points: int, band: str) -> None:
    """WP-1 bonus: each item scores, 5 in total at most however many items."""
    assert points_of("bonus", bonuses=bonuses) == (points, band)


def test_wp1_bonus_figures_are_data() -> None:
    """The per-item points and the cap come from YearParameters."""
    facts = make_facts(bonuses=("fortune_500", "intellectual_property"))
    assert assess_points(facts, params(bonus_points_per_item=2, bonus_cap=5)).factor("bonus").points == 4
    assert assess_points(facts, params(bonus_points_per_item=2, bonus_cap=3)).factor("bonus").points == 3


# --- provincial encouragement (configurable, default 0, cap 10) ----------------------------------------


@pytest.mark.parametrize("provincial", [0, 1, 9, 10])
def test_wp1_provincial_points_are_configured(provincial: int) -> None:
    """WP-1 provincial encouragement: the year's figure (default 0), capped at 10."""
    result = assess_points(make_facts(), params(provincial_points=provincial)).factor("provincial")
    assert (result.points, result.cap) == (provincial, 10)


def test_wp1_provincial_default_is_0() -> None:
    assert P2026.provincial_points == 0
    assert assess_points(make_facts(), P2026).factor("provincial").points == 0


# --- totals --------------------------------------------------------------------------------------------


def test_wp1_every_factor_is_shown_in_table_order() -> None:
    result = assess_points(make_facts(), P2026)
    assert [f.code for f in result.factors] == [
        "salary",
        "education",
        "work_years",
        "months_in_china",
        "chinese",
        "work_location",
        "age",
        "bonus",
        "provincial",
    ]
    assert all(f.label.zh and f.label.en and f.rule.zh and f.rule.en for f in result.factors)


def test_wp1_total_of_the_default_applicant() -> None:
    """100,000 yuan 8 + bachelor 10 + 2 years 5 + 12 months 15 + no Chinese 0 + Changchun 10 + aged 30 15."""
    result = assess_points(make_facts(), P2026)
    assert result.points_by_factor() == {
        "salary": 8,
        "education": 10,
        "work_years": 5,
        "months_in_china": 15,
        "chinese": 0,
        "work_location": 10,
        "age": 15,
        "bonus": 0,
        "provincial": 0,
    }
    assert result.total == 63


def test_wp1_total_at_every_cap_is_120() -> None:
    """Every factor at its cap: 20 + 20 + 20 + 15 + 5 + 10 + 15 + 5 + 10 = 120."""
    facts = make_facts(
        annual_salary=Decimal("2000000"),
        education="doctorate",
        work_years=30,
        hsk_level=6,
        former_chinese_national=True,
        age=35,
        bonuses=("renowned_university", "fortune_500", "intellectual_property"),
    )
    result = assess_points(facts, params(provincial_points=10))
    assert all(f.points == f.cap for f in result.factors)
    assert result.total == 120


def test_wp1_total_at_the_bottom() -> None:
    """Nothing scores but the location (all of Jilin: 10)."""
    facts = make_facts(
        annual_salary=Decimal("0"), education="other", work_years=0, months_per_year=Decimal("0"), age=65
    )
    assert assess_points(facts, P2026).total == 10


def test_wp1_total_is_the_sum_of_the_factors() -> None:
    facts = make_facts(
        annual_salary=Decimal("260000"),
        education="master",
        work_years=9,
        hsk_level=3,
        months_per_year=Decimal("7"),
        age=50,
        bonuses=("fortune_500",),
    )
    result = assess_points(facts, params(provincial_points=4))
    # 14 + 15 + (5 + 7) + 10 + 3 + 10 + 10 + 5 + 4
    assert result.total == sum(result.points_by_factor().values()) == 83
