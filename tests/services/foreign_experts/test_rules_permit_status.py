"""WP-9 what a verification tells of a permit's state (services/foreign_experts/rules/permit_status.py), pure:
the first and the last valid day, the day before and the day after, the end states whatever the dates, and
today taken in Asia/Shanghai (CAL-2)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.foreign_experts.rules.permit_status import permit_status
from services.foreign_experts.rules.workflows import PERMIT_WORKFLOW

FROM, UNTIL = date(2027, 1, 6), date(2029, 1, 5)


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2026, 12, 20), "not_yet_in_force"),
        (date(2027, 1, 5), "not_yet_in_force"),  # the day before the first valid day
        (date(2027, 1, 6), "in_force"),  # the first valid day
        (date(2029, 1, 5), "in_force"),  # the last valid day (valid_until included, WP-5)
        (date(2029, 1, 6), "expired"),  # the day after
    ],
)
def test_wp9_a_valid_permit_is_in_force_only_between_its_first_and_last_day(today: date, status: str) -> None:
    assert permit_status("valid", FROM, UNTIL, today) == status


@pytest.mark.parametrize("today", [date(2026, 12, 20), date(2027, 6, 1), date(2030, 1, 1)])
def test_wp9_a_cancelled_or_superseded_permit_says_cancelled_whatever_its_dates(today: date) -> None:
    assert permit_status("cancelled", FROM, UNTIL, today) == "cancelled"
    # replaced by a newer permit under the same number (WP-8): the old one no longer counts
    assert permit_status("superseded", FROM, UNTIL, today) == "cancelled"
    assert permit_status("revoked", FROM, UNTIL, today) == "revoked"


def test_wp9_every_state_of_the_permit_workflow_has_a_status() -> None:
    for state in PERMIT_WORKFLOW.states:
        permit_status(state, FROM, UNTIL, date(2027, 6, 1))
    with pytest.raises(ValueError, match="unknown permit state"):
        permit_status("lost", FROM, UNTIL, date(2027, 6, 1))


def test_wp9_cal2_today_is_the_date_in_asia_shanghai() -> None:
    """16:00 UTC on 5 January is 00:00 on 6 January in Beijing: in force from that instant; 15:59:59 UTC is
    still the day before."""
    assert permit_status("valid", FROM, UNTIL, datetime(2027, 1, 5, 16, 0, tzinfo=UTC)) == "in_force"
    assert permit_status("valid", FROM, UNTIL, datetime(2027, 1, 5, 15, 59, 59, tzinfo=UTC)) == "not_yet_in_force"
    # and on the last day: 23:59 Beijing is in force, 00:00 the next day is expired
    assert permit_status("valid", FROM, UNTIL, datetime(2029, 1, 5, 15, 59, tzinfo=UTC)) == "in_force"
    assert permit_status("valid", FROM, UNTIL, datetime(2029, 1, 5, 16, 0, tzinfo=UTC)) == "expired"
