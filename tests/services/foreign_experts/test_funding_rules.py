"""The pure rules of the bureau's yearly calls (``rules/funding.py``): each figure's edge, both sides.
The department's rules have no clause for them: every figure is the call's own data, set by an official per call."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.foreign_experts.rules import funding

D = Decimal
FIGURES = funding.CallFigures(
    budget=D("300000.00"),
    approved_amount=D("200000.00"),
    max_amount=D("150000.00"),
    participant_quota=10,
    approved_participants=7,
    max_duration_days=21,
)


@pytest.mark.parametrize(
    ("status", "today", "open_"),
    [
        ("published", date(2026, 1, 31), False),
        ("published", date(2026, 2, 1), True),
        ("published", date(2026, 4, 30), True),
        ("published", date(2026, 5, 1), False),
        ("draft", date(2026, 3, 1), False),
        ("closed", date(2026, 3, 1), False),
    ],
)
def test_window_includes_both_days(status: str, today: date, open_: bool) -> None:
    assert funding.is_open(status, date(2026, 2, 1), date(2026, 4, 30), today) is open_
    if not open_:
        with pytest.raises(funding.CallNotOpen):
            funding.check_open(status, date(2026, 2, 1), date(2026, 4, 30), today)


def test_request_within_the_cap() -> None:
    funding.check_request(D("150000.00"), FIGURES)
    with pytest.raises(funding.RequestExceedsCap):
        funding.check_request(D("150000.01"), FIGURES)
    funding.check_request(D("10000000.00"), funding.CallFigures(budget=D(1)))  # no cap: anything


@pytest.mark.parametrize(
    ("requested", "granted", "error"),
    [
        ("100000.00", "100000.00", None),  # the whole budget left
        ("100000.01", "100000.01", funding.BudgetExhausted),  # a fen over what is left
        ("90000.00", "90000.01", funding.GrantExceedsRequest),  # more than asked
        ("150000.00", "0.00", None),  # a grant of nothing is still within everything
    ],
)
def test_grant_within_request_cap_and_budget_left(requested: str, granted: str, error: type | None) -> None:
    if error is None:
        funding.check_grant(D(requested), D(granted), FIGURES)
    else:
        with pytest.raises(error):
            funding.check_grant(D(requested), D(granted), FIGURES)


def test_grant_over_the_cap_is_refused_even_within_budget() -> None:
    rich = funding.CallFigures(budget=D("1000000.00"), max_amount=D("150000.00"))
    with pytest.raises(funding.RequestExceedsCap):
        funding.check_grant(D("200000.00"), D("150000.01"), rich)
    assert rich.remaining_budget == D("1000000.00") and rich.remaining_places is None


def test_places_left() -> None:
    funding.check_places(3, FIGURES)
    with pytest.raises(funding.ParticipantQuotaExhausted) as refused:
        funding.check_places(4, FIGURES)
    assert refused.value.extra["remaining_places"] == 3
    funding.check_places(500, funding.CallFigures(budget=D(0)))  # no quota


@pytest.mark.parametrize(
    ("ends_on", "days", "allowed"),
    [
        (date(2026, 6, 1), 1, True),
        (date(2026, 6, 21), 21, True),
        (date(2026, 6, 22), 22, False),
    ],
)
def test_trip_counts_departure_and_return(ends_on: date, days: int, allowed: bool) -> None:
    assert funding.trip_days(date(2026, 6, 1), ends_on) == days
    if allowed:
        funding.check_trip(date(2026, 6, 1), ends_on, FIGURES)
    else:
        with pytest.raises(funding.TripTooLong):
            funding.check_trip(date(2026, 6, 1), ends_on, FIGURES)
    with pytest.raises(funding.InvalidPeriod):
        funding.trip_days(date(2026, 6, 2), date(2026, 6, 1))


def test_report_due_and_spending() -> None:
    assert funding.report_due_on(date(2026, 12, 20), 30) == date(2027, 1, 19)  # calendar days (CAL-2)
    assert funding.check_spent(D("100.00"), D("100.00")) == D("0.00")
    assert funding.check_spent(D("60.50"), D("100.00")) == D("39.50")
    with pytest.raises(funding.SpentExceedsGrant):
        funding.check_spent(D("100.01"), D("100.00"))
