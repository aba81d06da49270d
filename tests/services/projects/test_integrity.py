"""Research-integrity records (PRJ-5, NSF-7): pure rules, subject keys, the records API and the check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from services.projects.rules.integrity import add_months, check_period, is_debarred
from shared.settings import DEV_SUBJECT_KEY_SECRET
from shared.subject_keys import is_subject_key, organisation_key, person_key, subject_key
from shared.validators import IdNumberError

ID_A = "11010519491231002X"
ID_B = "220102199003071235"
USCC_A = "91220101MA0Y2K4L3T"


@dataclass
class R:
    measure: str
    status: str
    period_start: date | None
    period_end: date | None


# --- pure rules -----------------------------------------------------------------------------------


def test_prj5_debarment_active_on_first_and_last_day_not_the_day_after() -> None:
    record = R("debarment", "active", date(2026, 3, 1), date(2027, 2, 28))
    assert is_debarred([record], date(2026, 2, 28)) == (False, [])
    assert is_debarred([record], date(2026, 3, 1))[0]
    debarred, periods = is_debarred([record], date(2027, 2, 28))
    assert debarred and [(p.measure, p.start, p.end) for p in periods] == [
        ("debarment", date(2026, 3, 1), date(2027, 2, 28))
    ]
    assert is_debarred([record], date(2027, 3, 1)) == (False, [])


def test_prj5_revoked_records_and_non_blocking_measures_do_not_debar() -> None:
    day = date(2026, 6, 1)
    revoked = R("debarment", "revoked", date(2026, 1, 1), date(2027, 12, 31))
    warning = R("warning", "active", date(2026, 1, 1), date(2027, 12, 31))
    recovery = R("recovery_of_funds", "active", None, None)
    assert is_debarred([revoked, warning, recovery], day) == (False, [])
    active = R("debarment", "active", date(2025, 6, 1), date(2026, 12, 31))
    debarred, periods = is_debarred([revoked, warning, active], day)
    assert debarred and len(periods) == 1


@pytest.mark.parametrize(
    ("severity", "start", "end", "problem"),
    [
        # general: 1 to 3 years (NSF-7); the last day is inclusive
        ("general", date(2026, 3, 1), date(2027, 2, 27), "period_out_of_bounds"),  # 0.99 year
        ("general", date(2026, 3, 1), date(2027, 2, 28), None),  # exactly 1 year
        ("general", date(2026, 3, 1), date(2029, 2, 28), None),  # exactly 3 years
        ("general", date(2026, 3, 1), date(2029, 3, 1), "period_out_of_bounds"),  # 3 years and a day
        # very serious: 3 to 5 years
        ("very_serious", date(2026, 3, 1), date(2029, 2, 27), "period_out_of_bounds"),
        ("very_serious", date(2026, 3, 1), date(2029, 2, 28), None),
        ("very_serious", date(2026, 3, 1), date(2031, 2, 28), None),  # 5 years
        ("very_serious", date(2026, 3, 1), date(2031, 3, 4), "period_out_of_bounds"),  # 5.01 years
        ("general", date(2026, 3, 1), date(2026, 2, 1), "period_reversed"),
        ("general", None, None, "period_required"),
        ("general", date(2026, 3, 1), None, "incomplete_period"),
    ],
)
def test_nsf7_debarment_period_bounds(severity: str, start: date | None, end: date | None,
                                      problem: str | None) -> None:
    found = check_period("debarment", severity, start, end)
    assert (found.code if found else None) == problem


def test_nsf7_other_measures_need_no_period_and_unknown_ones_are_refused() -> None:
    assert check_period("warning", "general", None, None) is None
    assert check_period("recovery_of_funds", "general", date(2026, 1, 1), date(2026, 1, 1)) is None
    assert check_period("banishment", "general", None, None).code == "unknown_measure"


def test_add_months_clamps_month_ends_and_leap_days() -> None:
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


# --- subject keys -----------------------------------------------------------------------------------


def test_prj5_subject_keys_are_keyed_normalised_and_kind_separated() -> None:
    secret = DEV_SUBJECT_KEY_SECRET
    key = person_key(ID_A, secret)
    assert is_subject_key(key) and ID_A not in key
    # full-width digits, spaces and a lower-case x name the same person
    assert person_key("１１０１０５ 19491231002x", secret) == key
    assert person_key(ID_A, "another-secret-of-enough-length-0123") != key
    assert person_key(ID_B, secret) != key
    assert organisation_key(USCC_A, secret) == subject_key("organisation", USCC_A, secret)
    with pytest.raises(IdNumberError):
        person_key("110105194912310021", secret)  # wrong check digit
    with pytest.raises(IdNumberError):
        organisation_key(ID_A, secret)
