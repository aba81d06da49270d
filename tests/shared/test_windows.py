"""open_now, days_left and calendar_confirmed as every record shows them (shared/windows.py), at the edges:
the opening instant open, the closing instant closed, the last day 0 days left, Asia/Shanghai's day and not
UTC's (CAL-2), a working-day deadline in a year with no schedule unconfirmed (CAL-1)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from shared.windows import days_until, deadline_now, last_day, window_now, within
from shared.workdays import SHANGHAI, CalendarResult, WorkingCalendar

OPENS = datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI)
CLOSES = datetime(2026, 4, 1, 17, 0, tzinfo=SHANGHAI)
_US = timedelta(microseconds=1)


def sh(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("now", "open_now", "days_left"),
    [
        (OPENS - _US, False, None),  # the instant before the opening
        (OPENS, True, 31),  # the opening instant is open
        (sh("2026-03-31T23:59:59"), True, 1),
        (sh("2026-04-01T00:00:00"), True, 0),  # the last day: 0 days left
        (CLOSES - _US, True, 0),
        (CLOSES, False, None),  # the closing instant is closed
    ],
)
def test_cal2_a_window_of_timestamps_opens_at_its_opening_instant_and_closes_at_its_closing_one(
    now: datetime, open_now: bool, days_left: int | None
) -> None:
    result = window_now(OPENS, CLOSES, now, taking=True)
    assert (result.open_now, result.days_left) == (open_now, days_left)
    assert result.fields() == {"open_now": open_now, "days_left": days_left}


def test_cal2_the_days_are_asia_shanghai_days_not_utc_ones() -> None:
    # 2026-03-31T16:30Z is 1 April 00:30 in Beijing: the last day already
    assert window_now(OPENS, CLOSES, datetime(2026, 3, 31, 16, 30, tzinfo=UTC), taking=True).days_left == 0
    assert window_now(OPENS, CLOSES, datetime(2026, 3, 31, 15, 30, tzinfo=UTC), taking=True).days_left == 1
    # the closing instant given in UTC is the same instant
    assert not within(OPENS, CLOSES, CLOSES.astimezone(UTC))


def test_cal2_a_window_closing_at_midnight_ends_the_day_before() -> None:
    closes = sh("2026-04-02T00:00:00")
    assert last_day(closes) == date(2026, 4, 1)
    assert window_now(OPENS, closes, sh("2026-04-01T23:59:59"), taking=True).days_left == 0
    assert not window_now(OPENS, closes, closes, taking=True).open_now


@pytest.mark.parametrize(
    ("today", "open_now", "days_left"),
    [
        (date(2026, 2, 28), False, None),
        (date(2026, 3, 1), True, 30),  # the first day is open from its first instant
        (date(2026, 3, 30), True, 1),
        (date(2026, 3, 31), True, 0),  # the last day is included: 0 days left
        (date(2026, 4, 1), False, None),
    ],
)
def test_cal2_a_window_of_dates_takes_both_days(today: date, open_now: bool, days_left: int | None) -> None:
    first, last = date(2026, 3, 1), date(2026, 3, 31)
    for hour, minute in ((0, 0), (23, 59)):
        now = datetime(today.year, today.month, today.day, hour, minute, tzinfo=SHANGHAI)
        result = window_now(first, last, now, taking=True)
        assert (result.open_now, result.days_left) == (open_now, days_left)


def test_a_window_not_taking_applications_is_not_open_whatever_the_time() -> None:
    """A draft, or a call closed by hand before its closing time."""
    assert window_now(OPENS, CLOSES, sh("2026-03-15T10:00:00"), taking=False).fields() == {
        "open_now": False,
        "days_left": None,
    }


def test_a_window_is_of_two_timestamps_or_two_dates() -> None:
    with pytest.raises(TypeError):
        within(date(2026, 3, 1), CLOSES, OPENS)
    with pytest.raises(TypeError):  # a day alone cannot place an instant
        within(OPENS, CLOSES, date(2026, 3, 15))


def test_cal2_a_window_of_dates_and_a_deadline_take_todays_date_as_now() -> None:
    assert window_now(date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 31), taking=True).days_left == 0
    assert deadline_now(date(2026, 3, 31), date(2026, 4, 2)).days_left == -2


def test_cal2_a_deadline_counts_calendar_days_to_its_due_day() -> None:
    due = date(2026, 3, 31)
    assert days_until(due, sh("2026-03-30T23:59:59")) == 1
    assert days_until(due, sh("2026-03-31T00:00:00")) == 0  # the due day: 0 days left
    assert days_until(due, sh("2026-03-31T23:59:59")) == 0
    assert days_until(due, sh("2026-04-01T00:00:00")) == -1  # past: negative
    assert deadline_now(due, sh("2026-03-29T12:00:00")).days_left == 2
    # a deadline that no longer runs (decided, reviewed) or is unknown (its clock stands) shows no count
    assert deadline_now(due, sh("2026-03-29T12:00:00"), running=False).days_left is None
    assert deadline_now(None, sh("2026-03-29T12:00:00")).days_left is None


def test_cal1_a_working_day_deadline_in_a_year_without_schedule_is_unconfirmed() -> None:
    calendar = WorkingCalendar()
    now = datetime(2099, 12, 20, 10, tzinfo=SHANGHAI)
    unconfirmed = calendar.add_working_days(date(2099, 12, 20), 20)  # years with no official schedule
    assert not unconfirmed.calendar_confirmed
    shown = deadline_now(unconfirmed, now)
    assert shown.calendar_confirmed is False and shown.days_left == (unconfirmed.value - date(2099, 12, 20)).days
    confirmed = calendar.add_working_days(date(2026, 3, 3), 20)
    assert deadline_now(confirmed, now).calendar_confirmed is True
    # natural days never depend on a schedule
    assert deadline_now(date(2100, 6, 1), now).calendar_confirmed is True
    assert deadline_now(CalendarResult(date(2100, 6, 1), True), now).calendar_confirmed is True
