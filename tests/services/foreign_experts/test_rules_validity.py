"""WP-5 the permit's validity and the passport check, WP-6 the notice's and the residence permit's dates
(services/foreign_experts/rules/validity.py), pure: the earliest of contract, passport, licence and class cap
with the limits that set it, months and years at month ends and 29 February, the passport at exactly 6 months
left and one day under, 6 months of notice and 30 days to apply for the residence permit."""

from __future__ import annotations

from datetime import date

import pytest

from services.foreign_experts.errors import InvalidFacts, PassportExpiresTooSoon
from services.foreign_experts.rules.parameters import YearParameters
from services.foreign_experts.rules.validity import (
    add_months,
    add_years,
    check_passport,
    class_cap_end,
    notice_valid_until,
    passport_refusal,
    permit_validity,
    residence_permit_apply_by,
)
from tests.services.foreign_experts.rules_helpers import P2026, code_of, params

# --- months and years (民法典 arts. 201, 203: the corresponding day, else the month's last day) ----------


@pytest.mark.parametrize(
    ("day", "months", "result"),
    [
        (date(2026, 6, 15), 6, date(2026, 12, 15)),
        (date(2026, 6, 15), 0, date(2026, 6, 15)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),  # no 31 February: the month's last day
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # a leap year
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), 6, date(2026, 9, 30)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),  # across the year end
        (date(2026, 2, 28), 1, date(2026, 3, 28)),  # a month's last day is not carried to the next one's
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2028, 2, 29), 48, date(2032, 2, 29)),
        (date(2026, 9, 15), -6, date(2026, 3, 15)),  # back
        (date(2026, 8, 31), -6, date(2026, 2, 28)),
        (date(2028, 8, 31), -6, date(2028, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
    ],
)
def test_wp5_add_months_at_month_ends(day: date, months: int, result: date) -> None:
    assert add_months(day, months) == result


@pytest.mark.parametrize(
    ("day", "years", "result"),
    [
        (date(2026, 6, 1), 2, date(2028, 6, 1)),
        (date(2026, 6, 1), 5, date(2031, 6, 1)),
        (date(2028, 2, 29), 1, date(2029, 2, 28)),  # a year from 29 February is 28 February
        (date(2028, 2, 29), 2, date(2030, 2, 28)),
        (date(2028, 2, 29), 4, date(2032, 2, 29)),
        (date(2028, 2, 29), 5, date(2033, 2, 28)),
        (date(2027, 2, 28), 1, date(2028, 2, 28)),  # not moved to the leap year's 29th
        (date(2026, 12, 31), 2, date(2028, 12, 31)),
    ],
)
def test_wp5_add_years_at_29_february(day: date, years: int, result: date) -> None:
    assert add_years(day, years) == result


# --- WP-5 the class caps: A 5 years, B 2 years, C 90 days (configurable) ----------------------------------


@pytest.mark.parametrize(
    ("permit_class", "starts_on", "ends_on"),
    [
        ("A", date(2026, 6, 1), date(2031, 6, 1)),
        ("B", date(2026, 6, 1), date(2028, 6, 1)),
        ("C", date(2026, 6, 1), date(2026, 8, 30)),
        ("C", date(2026, 3, 1), date(2026, 5, 30)),  # 90 natural days from 1 March, the start day not counted
        ("A", date(2028, 2, 29), date(2033, 2, 28)),
        ("B", date(2028, 2, 29), date(2030, 2, 28)),
        ("C", date(2027, 12, 1), date(2028, 2, 29)),
    ],
)
def test_wp5_class_cap_end(permit_class: str, starts_on: date, ends_on: date) -> None:
    assert class_cap_end(permit_class, starts_on, P2026) == ends_on


def test_wp5_class_caps_are_parameters() -> None:
    """WP-5: the caps are configurable (YearParameters, defaults A 5 years, B 2 years, C 90 days)."""
    assert (P2026.a_validity_years, P2026.b_validity_years, P2026.c_validity_days) == (5, 2, 90)
    p = params(a_validity_years=3, b_validity_years=1, c_validity_days=60)
    start = date(2026, 6, 1)
    assert class_cap_end("A", start, p) == date(2029, 6, 1)
    assert class_cap_end("B", start, p) == date(2027, 6, 1)
    assert class_cap_end("C", start, p) == date(2026, 7, 31)


def test_wp5_unknown_class_is_invalid() -> None:
    with pytest.raises(InvalidFacts) as info:
        class_cap_end("D", date(2026, 6, 1), P2026)
    assert info.value.field == "permit_class"
    assert info.value.code == "invalid_assessment_facts"


# --- WP-5 valid until the earliest of contract, passport, licence and class cap ---------------------------

START = date(2026, 6, 1)
FAR = date(2040, 1, 1)


@pytest.mark.parametrize(
    ("permit_class", "contract", "passport", "licence", "until", "binding"),
    [
        ("B", date(2027, 5, 31), FAR, FAR, date(2027, 5, 31), ("contract",)),
        ("B", FAR, date(2027, 3, 15), FAR, date(2027, 3, 15), ("passport",)),
        ("B", FAR, FAR, date(2026, 12, 31), date(2026, 12, 31), ("licence",)),
        ("B", FAR, FAR, FAR, date(2028, 6, 1), ("class_cap",)),
        ("B", FAR, FAR, None, date(2028, 6, 1), ("class_cap",)),  # a licence without expiry (长期)
        ("A", FAR, FAR, None, date(2031, 6, 1), ("class_cap",)),
        ("C", FAR, FAR, None, date(2026, 8, 30), ("class_cap",)),
        ("A", date(2030, 6, 1), date(2029, 6, 1), date(2028, 6, 1), date(2028, 6, 1), ("licence",)),
        # the cap one day before the contract's end; one day after
        ("B", date(2028, 6, 2), FAR, None, date(2028, 6, 1), ("class_cap",)),
        ("B", date(2028, 5, 31), FAR, None, date(2028, 5, 31), ("contract",)),
        # ties: every limit that sets the end is reported, in the order contract, passport, licence, cap
        ("B", date(2027, 5, 31), date(2027, 5, 31), FAR, date(2027, 5, 31), ("contract", "passport")),
        ("B", date(2028, 6, 1), FAR, date(2028, 6, 1), date(2028, 6, 1), ("contract", "licence", "class_cap")),
        (
            "B",
            date(2028, 6, 1),
            date(2028, 6, 1),
            date(2028, 6, 1),
            date(2028, 6, 1),
            ("contract", "passport", "licence", "class_cap"),
        ),
        # the permit may end on the day it starts
        ("C", START, FAR, None, START, ("contract",)),
    ],
)
def test_wp5_permit_validity_earliest_limit(
    permit_class: str, contract: date, passport: date, licence: date | None, until: date, binding: tuple[str, ...]
) -> None:
    """WP-5: valid until the earliest of contract end, passport expiry, licence expiry and the class cap; the
    limits equal to that day are reported as binding."""
    v = permit_validity(
        permit_class=permit_class,
        starts_on=START,
        contract_ends_on=contract,
        passport_expires_on=passport,
        licence_expires_on=licence,
        params=P2026,
    )
    assert v.valid_from == START
    assert v.valid_until == until
    assert v.binding == binding


def test_wp5_permit_validity_lists_every_limit_with_its_label() -> None:
    v = permit_validity(
        permit_class="B",
        starts_on=START,
        contract_ends_on=date(2027, 5, 31),
        passport_expires_on=date(2030, 1, 1),
        licence_expires_on=date(2029, 1, 1),
        params=P2026,
    )
    assert [(limit.code, limit.ends_on) for limit in v.limits] == [
        ("contract", date(2027, 5, 31)),
        ("passport", date(2030, 1, 1)),
        ("licence", date(2029, 1, 1)),
        ("class_cap", date(2028, 6, 1)),
    ]
    assert all(limit.label.zh and limit.label.en for limit in v.limits)
    without_licence = permit_validity(
        permit_class="B",
        starts_on=START,
        contract_ends_on=date(2027, 5, 31),
        passport_expires_on=date(2030, 1, 1),
        licence_expires_on=None,
        params=P2026,
    )
    assert [limit.code for limit in without_licence.limits] == ["contract", "passport", "class_cap"]


def test_wp5_permit_validity_cap_follows_the_parameters() -> None:
    v = permit_validity(
        permit_class="B",
        starts_on=START,
        contract_ends_on=FAR,
        passport_expires_on=FAR,
        licence_expires_on=None,
        params=params(b_validity_years=1),
    )
    assert (v.valid_until, v.binding) == (date(2027, 6, 1), ("class_cap",))


@pytest.mark.parametrize(
    ("contract", "passport", "licence"),
    [
        (date(2026, 5, 31), FAR, None),
        (FAR, date(2026, 5, 1), None),
        (FAR, FAR, date(2025, 12, 31)),
    ],
)
def test_wp5_permit_ending_before_it_starts_is_invalid(contract: date, passport: date, licence: date | None) -> None:
    with pytest.raises(InvalidFacts) as info:
        permit_validity(
            permit_class="A",
            starts_on=START,
            contract_ends_on=contract,
            passport_expires_on=passport,
            licence_expires_on=licence,
            params=P2026,
        )
    assert info.value.field == "valid_until"


# --- WP-5 the passport: under 6 months left at application is refused ------------------------------------


@pytest.mark.parametrize(
    ("applied_on", "expires_on", "needed_until", "refused"),
    [
        (date(2026, 6, 1), date(2026, 12, 1), date(2026, 12, 1), False),  # exactly 6 months left
        (date(2026, 6, 1), date(2026, 11, 30), date(2026, 12, 1), True),  # one day under
        (date(2026, 6, 1), date(2030, 1, 1), date(2026, 12, 1), False),
        (date(2026, 6, 1), date(2026, 6, 1), date(2026, 12, 1), True),  # expires on the day of application
        (date(2026, 6, 1), date(2026, 1, 1), date(2026, 12, 1), True),  # already expired
        (date(2026, 8, 31), date(2027, 2, 28), date(2027, 2, 28), False),  # month end: 6 months is 28 Feb
        (date(2026, 8, 31), date(2027, 2, 27), date(2027, 2, 28), True),
        (date(2027, 8, 31), date(2028, 2, 29), date(2028, 2, 29), False),  # leap year
        (date(2027, 8, 31), date(2028, 2, 28), date(2028, 2, 29), True),
        (date(2026, 12, 31), date(2027, 6, 30), date(2027, 6, 30), False),
        (date(2026, 12, 31), date(2027, 6, 29), date(2027, 6, 30), True),
    ],
)
def test_wp5_passport_six_months_edge(applied_on: date, expires_on: date, needed_until: date, refused: bool) -> None:
    """WP-5: a passport with under 6 months left on the day of application is refused; exactly 6 months passes."""
    refusal = passport_refusal(expires_on, applied_on, P2026)
    if not refused:
        assert refusal is None
        assert code_of(lambda: check_passport(expires_on, applied_on, P2026)) is None
        return
    assert refusal is not None
    assert (refusal.expires_on, refusal.applied_on, refusal.needed_until) == (expires_on, applied_on, needed_until)
    assert refusal.code == "passport_expires_too_soon"
    assert needed_until.isoformat() in refusal.reason.zh
    assert needed_until.isoformat() in refusal.reason.en
    assert code_of(lambda: check_passport(expires_on, applied_on, P2026)) == "passport_expires_too_soon"


def test_wp5_check_passport_raises_a_typed_refusal() -> None:
    """WP-5: the refusal is a 409 PassportExpiresTooSoon naming its clause and the dates."""
    with pytest.raises(PassportExpiresTooSoon) as info:
        check_passport(date(2026, 11, 30), date(2026, 6, 1), P2026)
    assert info.value.status == 409
    assert info.value.extra == {"clause": "WP-5", "expires_on": "2026-11-30", "needed_until": "2026-12-01"}


def test_wp5_passport_margin_is_a_parameter() -> None:
    p: YearParameters = params(passport_min_months=3)
    assert passport_refusal(date(2026, 9, 1), date(2026, 6, 1), p) is None
    refusal = passport_refusal(date(2026, 8, 31), date(2026, 6, 1), p)
    assert refusal is not None
    assert refusal.needed_until == date(2026, 9, 1)


# --- WP-6 the notice valid 6 months; the residence permit applied for within 30 days of entry -------------


@pytest.mark.parametrize(
    ("issued_on", "valid_until"),
    [
        (date(2026, 6, 15), date(2026, 12, 15)),
        (date(2026, 8, 31), date(2027, 2, 28)),
        (date(2027, 8, 31), date(2028, 2, 29)),
        (date(2026, 3, 31), date(2026, 9, 30)),
        (date(2026, 7, 1), date(2027, 1, 1)),
    ],
)
def test_wp6_notice_valid_six_months(issued_on: date, valid_until: date) -> None:
    assert P2026.notice_validity_months == 6
    assert notice_valid_until(issued_on, P2026) == valid_until


@pytest.mark.parametrize(
    ("entry_on", "apply_by"),
    [
        (date(2026, 3, 1), date(2026, 3, 31)),
        (date(2026, 2, 1), date(2026, 3, 3)),
        (date(2028, 2, 1), date(2028, 3, 2)),  # leap year
        (date(2026, 12, 15), date(2027, 1, 14)),
        (date(2026, 9, 30), date(2026, 10, 30)),  # natural days: National Day is not skipped
    ],
)
def test_wp6_residence_permit_within_30_days_of_entry(entry_on: date, apply_by: date) -> None:
    assert P2026.residence_permit_days == 30
    assert residence_permit_apply_by(entry_on, P2026) == apply_by


def test_wp6_dates_are_parameters() -> None:
    p = params(notice_validity_months=3, residence_permit_days=15)
    assert notice_valid_until(date(2026, 11, 30), p) == date(2027, 2, 28)
    assert residence_permit_apply_by(date(2026, 3, 1), p) == date(2026, 3, 16)
