"""The pure rules of a foundation application (rules/eligibility.py): the window (CAL-2), the discipline
(NSF-1), the youth age limit by the sex in the ID number (NSF-6, ID-2, ID-3), the budget and duration,
the limits (NSF-5, PRJ-1) and integrity (PRJ-5, NSF-7) answers, the formal review deadline (NSF-1)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from services.foundation.rules import eligibility as el
from shared.errors import AppError
from shared.validators import parse_resident_id
from tests.services.foundation.helpers import make_resident_id

SH = timedelta(hours=8)


def code_of(call: object) -> str | None:
    try:
        call()  # type: ignore[operator]
    except AppError as exc:
        return exc.code
    return None


# --- NSF-6: the youth age limit on 1 January, by the sex read from the ID number --------------------


@pytest.mark.parametrize(
    ("birth", "sex", "eligible"),
    [
        # men under 35 on 1 January 2026: the 35th birthday on 2 January 2026 is the day after the
        # reference day (still 34 on it); on 1 January itself the man is 35
        (date(1991, 1, 2), "male", True),
        (date(1991, 1, 1), "male", False),
        (date(1990, 12, 31), "male", False),
        # women under 40
        (date(1986, 1, 2), "female", True),
        (date(1986, 1, 1), "female", False),
    ],
)
def test_nsf6_youth_age_edge_day_before_and_on_the_birthday(birth: date, sex: str, eligible: bool) -> None:
    outcome = code_of(lambda: el.check_age(birth, sex, 2026, 35, 40))
    assert outcome == (None if eligible else "over_age_limit")


def test_nsf6_a_woman_aged_38_is_eligible_a_man_aged_38_is_not_by_the_id_derived_sex() -> None:
    """NSF-6, ID-2: the 17th digit of the ID number gives the sex (odd: male); the age limit follows it."""
    woman = parse_resident_id(make_resident_id(date(1987, 6, 1), seq="124"))
    man = parse_resident_id(make_resident_id(date(1987, 6, 1), seq="123"))
    assert (woman.sex, man.sex) == ("female", "male")
    assert el.age_on(woman.birth_date, date(2026, 1, 1)) == 38
    assert code_of(lambda: el.check_age(woman.birth_date, woman.sex, 2026, 35, 40)) is None
    assert code_of(lambda: el.check_age(man.birth_date, man.sex, 2026, 35, 40)) == "over_age_limit"


def test_nsf6_id3_foreign_permanent_residence_id_is_read_like_a_resident_id() -> None:
    """ID-3: a 2023 foreign permanent residence card (leading 9) carries birth date and sex the same way."""
    info = parse_resident_id(make_resident_id(date(1995, 7, 9), region="931560", seq="012"))
    assert info.kind == "foreign_permanent_resident" and info.sex == "female"
    assert code_of(lambda: el.check_age(info.birth_date, info.sex, 2026, 35, 40)) is None
    older = parse_resident_id(make_resident_id(date(1980, 7, 9), region="931560", seq="011"))
    assert older.sex == "male"
    assert code_of(lambda: el.check_age(older.birth_date, older.sex, 2026, 35, 40)) == "over_age_limit"


def test_nsf6_no_limit_means_eligible_and_limits_are_configurable() -> None:
    assert code_of(lambda: el.check_age(date(1950, 1, 1), "male", 2026, None, None)) is None
    # configured 36: a man who is 35 on 1 January is eligible
    assert code_of(lambda: el.check_age(date(1990, 6, 1), "male", 2026, 36, 40)) is None
    assert el.default_age_limits("youth") == (35, 40) and el.default_age_limits("key") == (None, None)


def test_nsf6_problem_names_the_clause_and_the_figures() -> None:
    with pytest.raises(el.OverAgeLimit) as caught:
        el.check_age(date(1987, 6, 1), "male", 2026, 35, 40)
    problem = caught.value.to_problem("en")
    assert problem["clause"] == "NSF-6" and problem["age"] == 38 and problem["max_age"] == 35
    assert problem["reference_date"] == "2026-01-01" and "NSF-6" in problem["detail"]
    assert "NSF-6" in (caught.value.detail_zh or "")


def test_age_on_a_29_february_birthday() -> None:
    assert el.age_on(date(2000, 2, 29), date(2026, 2, 28)) == 25
    assert el.age_on(date(2000, 2, 29), date(2026, 3, 1)) == 26


# --- the window (CAL-2) and the plan's status ---------------------------------------------------------


def test_cal2_window_opens_inclusive_closes_exclusive() -> None:
    opens = datetime(2026, 3, 1, 9, 0, tzinfo=UTC) - SH  # 09:00 in Shanghai
    closes = datetime(2026, 4, 15, 17, 0, tzinfo=UTC) - SH
    assert code_of(lambda: el.check_window(opens, closes, opens - timedelta(microseconds=1))) == "plan_not_open"
    assert code_of(lambda: el.check_window(opens, closes, opens)) is None
    assert code_of(lambda: el.check_window(opens, closes, closes - timedelta(microseconds=1))) is None
    assert code_of(lambda: el.check_window(opens, closes, closes)) == "plan_closed"
    with pytest.raises(el.PlanClosed) as caught:
        el.check_window(opens, closes, closes)
    assert "2026-04-15 17:00:00" in (caught.value.detail_zh or "")  # shown in Asia/Shanghai


def test_only_a_published_plan_takes_applications() -> None:
    assert code_of(lambda: el.check_plan_published("published")) is None
    assert code_of(lambda: el.check_plan_published("draft")) == "plan_closed"
    assert code_of(lambda: el.check_plan_published("closed")) == "plan_closed"


# --- NSF-1: the discipline matches the year's guide ----------------------------------------------


def test_nsf1_discipline_under_the_plans_codes_by_prefix() -> None:
    codes = ["A", "F02", "H0101"]
    assert el.discipline_in_plan("A0101", codes)
    assert el.discipline_in_plan("F0203", codes)
    assert el.discipline_in_plan("H0101", codes)
    assert not el.discipline_in_plan("F0301", codes)
    assert not el.discipline_in_plan("H0102", codes)
    assert code_of(lambda: el.check_discipline("B01", codes)) == "discipline_not_in_plan"


# --- budget and duration ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["cap", "fixed"])
def test_budget_at_most_the_category_amount_in_both_modes(mode: str) -> None:
    amount = Decimal("100000.00")
    assert code_of(lambda: el.check_budget(Decimal("100000.00"), amount, mode)) is None
    assert code_of(lambda: el.check_budget(Decimal("50000.00"), amount, mode)) is None
    assert code_of(lambda: el.check_budget(Decimal("100000.01"), amount, mode)) == "budget_over_amount"


def test_duration_within_12_and_60_months() -> None:
    assert code_of(lambda: el.check_duration(12)) is None
    assert code_of(lambda: el.check_duration(60)) is None
    assert code_of(lambda: el.check_duration(11)) == "duration_out_of_range"
    assert code_of(lambda: el.check_duration(61)) == "duration_out_of_range"


# --- NSF-5 / PRJ-1 and PRJ-5 / NSF-7: the projects service's answers --------------------------------


def test_nsf5_prj1_limit_violation_names_clause_and_counts() -> None:
    assert code_of(lambda: el.check_limits([])) is None
    violation = el.LimitViolation(
        "NSF-5", "foundation_applications_per_year", 1, 1, ({"service": "foundation", "item_id": "7"},)
    )
    with pytest.raises(el.LimitExceeded) as caught:
        el.check_limits([violation])
    problem = caught.value.to_problem("zh-CN")
    assert problem["code"] == "limit_exceeded" and problem["status"] == 409 and problem["clause"] == "NSF-5"
    assert problem["counts"][0]["items"] == [{"service": "foundation", "item_id": "7"}]


def test_prj5_nsf7_debarment_is_the_platform_code_debarred() -> None:
    assert code_of(lambda: el.check_not_debarred([])) is None
    finding = el.DebarmentFinding("institution", "debarment", date(2026, 1, 1), date(2027, 12, 31))
    with pytest.raises(AppError) as caught:
        el.check_not_debarred([finding], clause="NSF-1")
    problem = caught.value.to_problem("en")
    assert problem["code"] == "debarred" and problem["clause"] == "NSF-1"
    assert problem["debarments"] == [
        {"subject": "institution", "measure": "debarment", "starts_on": "2026-01-01", "ends_on": "2027-12-31"}
    ]


# --- NSF-1: the formal review deadline (CAL-2: natural days, Asia/Shanghai) -------------------------


def test_nsf1_formal_review_due_counts_natural_days_from_the_shanghai_date() -> None:
    # 23:30 UTC on 15 April is 07:30 on 16 April in Shanghai
    assert el.formal_review_due(datetime(2026, 4, 15, 23, 30, tzinfo=UTC), 45) == date(2026, 5, 31)
    assert el.formal_review_due(datetime(2026, 4, 15, 15, 59, tzinfo=UTC), 45) == date(2026, 5, 30)
    assert el.DEFAULTS.formal_review_days == 45


def test_nsf1_overdue_from_the_day_after_the_due_date() -> None:
    due = date(2026, 5, 30)
    last_minute = datetime(2026, 5, 30, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai
    assert not el.formal_review_overdue(due, last_minute)
    assert el.formal_review_overdue(due, last_minute + timedelta(minutes=1))


def test_nsf2_reviewers_default_three_five_for_key() -> None:
    assert [el.default_reviewers(k) for k in ("general", "youth", "key", "joint")] == [3, 3, 5, 3]
