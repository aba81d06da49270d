"""TAL-3: tenure, tranches, annual assessment and its consequences, the final evaluation (rules/tenure.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.talent.errors import InvalidProgrammeRules, InvalidTrancheSchedule
from services.talent.rules.tenure import (
    REASON_ASSESSMENT_FAILED,
    REASON_DEBARRED,
    TENURE,
    AnnualGrade,
    TenureRules,
    consequence_of_debarment,
    consequence_of_grade,
    final_evaluation_due,
    tenure_ends_on,
    tranche_schedule,
)
from shared.errors import InvalidValue

D = Decimal


def test_tal3_default_tenure_is_three_years() -> None:
    assert TENURE.years == 3
    assert tenure_ends_on(date(2026, 1, 1), TENURE.years) == date(2028, 12, 31)
    assert tenure_ends_on(date(2026, 7, 15), 3) == date(2029, 7, 14)


def test_tal3_tenure_years_are_configurable() -> None:
    five = TenureRules(years=5)
    assert tenure_ends_on(date(2026, 1, 1), five.years) == date(2030, 12, 31)
    with pytest.raises(InvalidProgrammeRules):
        TenureRules(years=0)


def test_tal3_a_29_february_start_ends_on_28_february() -> None:
    assert tenure_ends_on(date(2024, 2, 29), 3) == date(2027, 2, 28)
    assert tenure_ends_on(date(2024, 2, 29), 4) == date(2028, 2, 28)  # leap: 29 Feb 2028 is the anniversary


def test_tal3_tranches_by_share() -> None:
    plan = tranche_schedule(D("1000000.00"), TENURE.tranche_shares)
    assert [(t.number, t.amount) for t in plan] == [(1, D("400000.00")), (2, D("300000.00")), (3, D("300000.00"))]


def test_tal3_last_tranche_absorbs_the_rounding() -> None:
    plan = tranche_schedule(D("100000.01"), [D("0.333"), D("0.333"), D("0.334")])
    # 33300.00333 truncated to the fen twice; the last takes the rest
    assert [t.amount for t in plan] == [D("33300.00"), D("33300.00"), D("33400.01")]
    assert sum(t.amount for t in plan) == D("100000.01")


def test_tal3_tranches_never_exceed_the_amount_nor_go_negative() -> None:
    plan = tranche_schedule(D("0.02"), [D("0.25")] * 4)
    assert [t.amount for t in plan] == [D("0.00"), D("0.00"), D("0.00"), D("0.02")]
    assert sum(t.amount for t in tranche_schedule(D("0.00"), [D("0.5"), D("0.5")])) == 0


@pytest.mark.parametrize(
    ("shares", "code"),
    [
        ([D("0.5"), D("0.4")], "shares_not_one"),
        ([D("0.5"), D("0.5000001")], "shares_not_one"),
        ([D("1.1"), D("-0.1")], "not_positive"),
        ([], "required"),
    ],
)
def test_tal3_shares_must_be_positive_and_sum_to_one(shares: list[Decimal], code: str) -> None:
    with pytest.raises(InvalidTrancheSchedule) as err:
        tranche_schedule(D("100.00"), shares)
    assert code in [e["code"] for e in err.value.extra["errors"]]
    assert err.value.extra["clause"] == "TAL-3"
    with pytest.raises(InvalidProgrammeRules):
        TenureRules(tranche_shares=tuple(shares))


@pytest.mark.parametrize("amount", [D("100.001"), D("-0.01"), D("NaN")])
def test_tal3_the_amount_is_non_negative_and_in_fen(amount: Decimal) -> None:
    with pytest.raises(InvalidTrancheSchedule) as err:
        tranche_schedule(amount, [D(1)])
    assert [e["code"] for e in err.value.extra["errors"]] == ["invalid_amount"]


@pytest.mark.parametrize("grade", ["excellent", "pass", "basic_pass"])
def test_tal3_a_passing_grade_keeps_the_tenure(grade: str) -> None:
    consequence = consequence_of_grade(grade, date(2027, 1, 15))
    assert not consequence.stop_support and not consequence.end_title and consequence.reason is None


def test_tal3_a_fail_stops_support_and_ends_the_title_with_its_reason() -> None:
    consequence = consequence_of_grade(AnnualGrade.FAIL, date(2027, 1, 15))
    assert consequence.stop_support and consequence.end_title
    assert consequence.reason == REASON_ASSESSMENT_FAILED == "annual_assessment_failed"
    assert consequence.effective_on == date(2027, 1, 15) and consequence.clause == "TAL-3"


def test_tal3_an_unknown_grade_is_refused() -> None:
    with pytest.raises(InvalidValue) as err:
        consequence_of_grade("good")
    assert err.value.extra["clause"] == "TAL-3"


START, END = date(2026, 1, 1), date(2028, 12, 31)


@pytest.mark.parametrize(
    ("starts", "ends", "stops", "effective"),
    [
        (date(2027, 5, 1), date(2029, 5, 1), True, date(2027, 5, 1)),  # starts during the tenure
        (date(2025, 1, 1), date(2026, 1, 1), True, START),  # still in force on the first day
        (date(2025, 1, 1), None, True, START),  # open-ended, from before
        (END, None, True, END),  # starts on the last day
        (date(2025, 1, 1), date(2025, 12, 31), False, None),  # over the day before
        (date(2029, 1, 1), None, False, None),  # starts the day after
    ],
)
def test_tal3_a_debarment_during_the_tenure_stops_support_and_ends_the_title(
    starts: date, ends: date | None, stops: bool, effective: date | None
) -> None:
    """TAL-3 with PRJ-5: a debarment in force on any day of the tenure."""
    consequence = consequence_of_debarment(START, END, starts, ends)
    assert consequence.stop_support is stops and consequence.end_title is stops
    assert consequence.reason == (REASON_DEBARRED if stops else None)
    assert consequence.effective_on == effective


def test_tal3_final_evaluation_due_after_the_tenure() -> None:
    due = final_evaluation_due(END)
    assert due.value == date(2029, 3, 31) and due.calendar_confirmed  # 90 natural days
    assert final_evaluation_due(END, TenureRules(final_evaluation_days=0)).value == END


def test_tal3_final_evaluation_in_working_days_when_the_programme_says_so() -> None:
    """TAL-3 with CAL-1: 5 working days after Wednesday 2026-09-30 skip the National Day holidays
    (1-7 October) and count the make-up Saturday 10 October: 8, 9, 10, 12, 13 October."""
    rules = TenureRules(final_evaluation_days=5, final_evaluation_counting="working")
    due = final_evaluation_due(date(2026, 9, 30), rules)
    assert due.value == date(2026, 10, 13) and due.calendar_confirmed
