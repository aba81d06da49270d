"""WP-4 the decision deadline in working days, CAL-1/CAL-2 (services/foreign_experts/rules/deadlines.py), pure:
the 90/91-day edge of the work's length, 5 / 20 / 20+10 working days (no extension of short-term work), the
deadline across the 2026 Spring Festival and National Day (the package's schedule checked first), pauses for
documents (补正), the overdue and due-soon flags at their edges, a year without a schedule, and the working days
used."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest

from services.foreign_experts.errors import ExtensionNotAllowed, InvalidPause
from services.foreign_experts.rules.deadlines import (
    Deadline,
    Pause,
    decision_deadline,
    decision_working_days,
    is_long_term,
    work_duration_days,
    working_days_used,
)
from shared.workdays import WorkingCalendar, package_calendar
from tests.services.foreign_experts.rules_helpers import P2026, code_of, params

CAL = package_calendar()


def deadline(
    accepted_on: date | datetime,
    *,
    long_term: bool = False,
    as_of: date | datetime | None = None,
    extended: bool = False,
    pauses: tuple[Pause, ...] = (),
    calendar: WorkingCalendar = CAL,
) -> Deadline:
    return decision_deadline(
        accepted_on,
        long_term=long_term,
        as_of=as_of if as_of is not None else accepted_on,
        calendar=calendar,
        params=P2026,
        extended=extended,
        pauses=pauses,
    )


def due(accepted_on: date, pauses: tuple[Pause, ...]) -> date | None:
    return deadline(accepted_on, pauses=pauses).due_on


# --- the length of the work: over 90 days is long-term (民法典 art. 201: the start day not counted) -------


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "days", "long_term"),
    [
        (date(2026, 3, 1), date(2026, 5, 30), 90, False),  # exactly 90 days: "90 days or less"
        (date(2026, 3, 1), date(2026, 5, 31), 91, True),  # one day over
        (date(2026, 3, 1), date(2026, 5, 29), 89, False),
        (date(2026, 3, 1), date(2026, 3, 1), 0, False),
        (date(2026, 1, 1), date(2026, 12, 31), 364, True),
        (date(2027, 12, 1), date(2028, 2, 29), 90, False),  # across a year end and a 29 February
        (date(2027, 12, 1), date(2028, 3, 1), 91, True),
    ],
)
def test_wp4_work_duration_and_long_term_edge(starts_on: date, ends_on: date, days: int, long_term: bool) -> None:
    """WP-4: work over 90 days is long-term, 90 days or less short-term; 1 March to 30 May is 90 days."""
    assert work_duration_days(starts_on, ends_on) == days
    assert is_long_term(starts_on, ends_on, P2026) is long_term


def test_wp4_long_term_edge_is_a_parameter() -> None:
    """WP-4: the 90 days are read from YearParameters.long_term_over_days, not a literal."""
    assert P2026.long_term_over_days == 90
    assert is_long_term(date(2026, 3, 1), date(2026, 5, 30), params(long_term_over_days=89)) is True
    assert is_long_term(date(2026, 3, 1), date(2026, 5, 31), params(long_term_over_days=91)) is False


# --- the number of working days: 5 / 20 / 20 + 10 ---------------------------------------------------------


@pytest.mark.parametrize(
    ("long_term", "extended", "days"),
    [
        (False, False, 5),
        (True, False, 20),
        (True, True, 30),
    ],
)
def test_wp4_decision_working_days(long_term: bool, extended: bool, days: int) -> None:
    """WP-4: 5 working days for 90 days or less; 20 for over 90 days, extendable once by 10."""
    assert decision_working_days(long_term=long_term, extended=extended, params=P2026) == days


def test_wp4_extension_of_short_term_work_is_refused() -> None:
    """WP-4: only the 20-day limit is extendable; extending a short-term application is a 409 refusal."""
    with pytest.raises(ExtensionNotAllowed) as info:
        decision_working_days(long_term=False, extended=True, params=P2026)
    assert info.value.code == "extension_not_allowed"
    assert info.value.extra["clause"] == "WP-4"
    assert code_of(lambda: deadline(date(2026, 3, 2), extended=True)) == "extension_not_allowed"


def test_wp4_decision_working_days_are_parameters() -> None:
    p = params(decision_working_days_long=15, extension_working_days=5, decision_working_days_short=3)
    assert decision_working_days(long_term=True, extended=False, params=p) == 15
    assert decision_working_days(long_term=True, extended=True, params=p) == 20
    assert decision_working_days(long_term=False, extended=False, params=p) == 3


# --- CAL-1 the 2026 schedule the deadlines below rely on, as chinese_calendar and shared.workdays have it ---

SPRING_FESTIVAL_2026 = [date(2026, 2, 15) + timedelta(days=i) for i in range(9)]  # 15-23 February
NATIONAL_DAY_2026 = [date(2026, 10, 1) + timedelta(days=i) for i in range(7)]  # 1-7 October
MID_AUTUMN_2026 = [date(2026, 9, 25), date(2026, 9, 26), date(2026, 9, 27)]
MAKE_UP_WORKDAYS_2026 = [date(2026, 2, 14), date(2026, 2, 28), date(2026, 9, 20), date(2026, 10, 10)]


@pytest.mark.parametrize("day", SPRING_FESTIVAL_2026 + NATIONAL_DAY_2026 + MID_AUTUMN_2026)
def test_cal1_2026_holidays_are_not_working_days(day: date) -> None:
    """CAL-1: statutory holidays (weekdays inside them included) are not working days."""
    assert chinese_calendar.is_holiday(day)
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize("day", MAKE_UP_WORKDAYS_2026)
def test_cal1_2026_make_up_weekends_are_working_days(day: date) -> None:
    """CAL-1: the adjusted working weekends (调休) of 2026: Sat 14 Feb, Sat 28 Feb, Sun 20 Sep, Sat 10 Oct."""
    assert day.weekday() >= 5
    assert chinese_calendar.is_workday(day)
    assert CAL.is_working_day(day)


def test_cal1_2026_is_confirmed_and_2031_is_not() -> None:
    assert CAL.is_confirmed(2026)
    assert not CAL.is_confirmed(2031)


# --- WP-4 deadlines across the Spring Festival 2026 (holiday 15-23 Feb; workdays Sat 14 and Sat 28 Feb) ---


@pytest.mark.parametrize(
    ("accepted_on", "long_term", "extended", "due_on"),
    [
        # 9 Feb Mon: 10, 11, 12, 13, 14 (the make-up Saturday is the 5th day)
        (date(2026, 2, 9), False, False, date(2026, 2, 14)),
        # 11 Feb Wed: 12, 13, 14 (Sat), then the holiday, 24, 25
        (date(2026, 2, 11), False, False, date(2026, 2, 25)),
        # 13 Feb Fri: 14 (Sat), 24, 25, 26, 27
        (date(2026, 2, 13), False, False, date(2026, 2, 27)),
        # accepted inside the holiday: 24, 25, 26, 27, 28 (Sat, make-up): due on a Saturday
        (date(2026, 2, 17), False, False, date(2026, 2, 28)),
        # 13 Feb long-term: 14, 24-28 (6), 2-6 Mar (11), 9-13 Mar (16), 16-19 Mar (20)
        (date(2026, 2, 13), True, False, date(2026, 3, 19)),
        # extended by 10: 20 Mar (21), 23-27 Mar (26), 30, 31 Mar, 1, 2 Apr (30)
        (date(2026, 2, 13), True, True, date(2026, 4, 2)),
    ],
)
def test_wp4_cal1_deadline_across_spring_festival_2026(
    accepted_on: date, long_term: bool, extended: bool, due_on: date
) -> None:
    """WP-4/CAL-1: the acceptance day does not count; holidays do not count; make-up Saturdays do."""
    d = deadline(accepted_on, long_term=long_term, extended=extended)
    assert d.due_on == due_on
    assert d.working_days == (30 if extended else 20 if long_term else 5)
    assert d.calendar_confirmed is True
    assert d.unconfirmed_years == ()


def test_cal1_without_the_schedule_counts_monday_to_friday_and_says_so() -> None:
    """CAL-1: with no schedule for 2026 the same application is due Wed 18 Feb (Mon-Fri only), flagged unconfirmed."""
    d = deadline(date(2026, 2, 11), calendar=WorkingCalendar(use_package=False))
    assert d.due_on == date(2026, 2, 18)
    assert d.calendar_confirmed is False
    assert d.unconfirmed_years == (2026,)


# --- WP-4 deadlines across National Day 2026 (1-7 Oct; Mid-Autumn 25-27 Sep; workdays Sun 20 Sep, Sat 10 Oct) ---


@pytest.mark.parametrize(
    ("accepted_on", "long_term", "due_on"),
    [
        # 18 Sep Fri: 20 (Sun, make-up), 21, 22, 23, 24
        (date(2026, 9, 18), False, date(2026, 9, 24)),
        # 24 Sep Thu: Mid-Autumn 25-27, then 28, 29, 30, National Day, 8, 9 Oct
        (date(2026, 9, 24), False, date(2026, 10, 9)),
        # 30 Sep Wed: 8, 9, 10 (Sat, make-up), 12, 13 Oct
        (date(2026, 9, 30), False, date(2026, 10, 13)),
        # accepted on the holiday itself: 8, 9, 10, 12, 13 Oct
        (date(2026, 10, 3), False, date(2026, 10, 13)),
        # 30 Sep long-term: 8, 9, 10 (3), 12-16 (8), 19-23 (13), 26-30 (18), 2, 3 Nov (20)
        (date(2026, 9, 30), True, date(2026, 11, 3)),
    ],
)
def test_wp4_cal1_deadline_across_national_day_2026(accepted_on: date, long_term: bool, due_on: date) -> None:
    d = deadline(accepted_on, long_term=long_term)
    assert d.due_on == due_on
    assert d.calendar_confirmed is True


def test_cal2_a_timestamp_counts_from_its_shanghai_date() -> None:
    """CAL-2: 16:30 UTC on Sunday 1 March is 00:30 on Monday 2 March in Shanghai: accepted on 2 March."""
    d = deadline(datetime(2026, 3, 1, 16, 30, tzinfo=UTC))
    assert d.accepted_on == date(2026, 3, 2)
    assert d.due_on == date(2026, 3, 9)


# --- CAL-1 a year with no schedule -------------------------------------------------------------------------


def test_cal1_year_without_schedule_counts_monday_to_friday_unconfirmed() -> None:
    """CAL-1: 2031 has no schedule: Mon 3 Mar 2031 + 5 counts 4-7 and 10 Mar, and says calendar_confirmed False."""
    d = deadline(date(2031, 3, 3))
    assert d.due_on == date(2031, 3, 10)
    assert d.calendar_confirmed is False
    assert d.unconfirmed_years == (2031,)


def test_cal1_a_year_loaded_as_data_is_confirmed() -> None:
    """CAL-1: an official's schedule for 2031 (here 5 and 6 March off) is applied and confirmed."""
    calendar = WorkingCalendar({2031: {"holidays": ["2031-03-05", "2031-03-06"], "workdays": []}})
    d = deadline(date(2031, 3, 3), calendar=calendar)
    assert d.due_on == date(2031, 3, 12)  # 4, 7, 10, 11, 12
    assert d.calendar_confirmed is True
    assert d.unconfirmed_years == ()


def test_cal1_deadline_into_an_unscheduled_year_is_unconfirmed() -> None:
    """CAL-1: accepted Mon 21 Dec 2026 long-term runs into 2027 (no schedule): 22-25, 28-31 Dec, 1 Jan (a
    Friday, counted), 4-8, 11-15, 18 Jan."""
    d = deadline(date(2026, 12, 21), long_term=True)
    assert d.due_on == date(2027, 1, 18)
    assert d.calendar_confirmed is False
    assert d.unconfirmed_years == (2027,)
    short = deadline(date(2026, 12, 21))  # due 28 Dec 2026: nothing of 2027 is needed
    assert short.due_on == date(2026, 12, 28)
    assert short.calendar_confirmed is True


# --- WP-4 pauses for documents (补正) ---------------------------------------------------------------------
# Accepted Mon 2 Mar 2026 (no holiday until April), short-term: without a pause 3, 4, 5, 6, 9 Mar, due 9 Mar.

MON = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("pauses", "due_on"),
    [
        ((), date(2026, 3, 9)),
        # opened and closed on the same day: nothing paused
        ((Pause(date(2026, 3, 4), date(2026, 3, 4)),), date(2026, 3, 9)),
        # asked on Wed 4 (counts), arrived Fri 6: 5 and 6 paused; 3, 4, 9, 10, 11
        ((Pause(date(2026, 3, 4), date(2026, 3, 6)),), date(2026, 3, 11)),
        # asked Fri 6, arrived Mon 9: only 9 paused (the weekend was not counted anyway); 3, 4, 5, 6, 10
        ((Pause(date(2026, 3, 6), date(2026, 3, 9)),), date(2026, 3, 10)),
        # overlapping: 3-5 and 4-9 pause 4, 5, 6, 9 (5 by both): 3, 10, 11, 12, 13
        ((Pause(date(2026, 3, 3), date(2026, 3, 5)), Pause(date(2026, 3, 4), date(2026, 3, 9))), date(2026, 3, 13)),
        # the same days as one pause 3-9
        ((Pause(date(2026, 3, 3), date(2026, 3, 9)),), date(2026, 3, 13)),
        # one pause inside another changes nothing
        ((Pause(date(2026, 3, 3), date(2026, 3, 9)), Pause(date(2026, 3, 4), date(2026, 3, 5))), date(2026, 3, 13)),
        # started before acceptance, arrived Wed 4: 3, 4 paused; 5, 6, 9, 10, 11
        ((Pause(date(2026, 2, 27), date(2026, 3, 4)),), date(2026, 3, 11)),
        # a pause entirely before acceptance changes nothing
        ((Pause(date(2026, 2, 20), date(2026, 2, 27)),), date(2026, 3, 9)),
        # a pause after the deadline changes nothing
        ((Pause(date(2026, 3, 10), date(2026, 3, 20)),), date(2026, 3, 9)),
    ],
)
def test_wp4_pauses_do_not_count(pauses: tuple[Pause, ...], due_on: date) -> None:
    """WP-4: the days after the request up to and including the arrival do not count; pauses may overlap."""
    assert due(MON, pauses=pauses) == due_on


def test_wp4_open_pause_leaves_the_deadline_unknown() -> None:
    """WP-4: while waiting for documents (no end) the clock stands: due_on None, paused, not flagged."""
    d = deadline(MON, as_of=date(2026, 3, 12), pauses=(Pause(date(2026, 3, 4)),))
    assert d.due_on is None
    assert d.paused is True
    assert d.used == 2  # 3 and 4 March
    assert d.remaining == 3
    assert d.overdue is False
    assert d.due_soon is False


def test_wp4_open_pause_after_the_deadline_keeps_it() -> None:
    """WP-4: an open pause begun after the deadline was reached does not hide it: still due 9 Mar, overdue."""
    d = deadline(MON, as_of=date(2026, 3, 12), pauses=(Pause(date(2026, 3, 10)),))
    assert d.due_on == date(2026, 3, 9)
    assert d.overdue is True


def test_wp4_open_pause_with_a_closed_one() -> None:
    """WP-4: the closed pause (4-6 Mar) counts as closed, the open one (from Tue 10) stops the clock: due None."""
    pauses = (Pause(date(2026, 3, 4), date(2026, 3, 6)), Pause(date(2026, 3, 10)))
    assert due(MON, pauses=pauses) is None
    # the open pause from Wed 11 comes after the 5th day (11 Mar itself counts): due 11 Mar
    assert due(MON, pauses=(pauses[0], Pause(date(2026, 3, 11)))) == date(2026, 3, 11)


def test_wp4_pause_ending_before_it_starts_is_refused() -> None:
    """WP-4: a pause whose end precedes its start is invalid (invalid_pause, a ValueError too)."""
    with pytest.raises(InvalidPause) as info:
        Pause(date(2026, 3, 6), date(2026, 3, 5))
    assert info.value.code == "invalid_pause"
    assert isinstance(info.value, ValueError)
    assert info.value.extra["started_on"] == "2026-03-06"
    assert info.value.extra["ended_on"] == "2026-03-05"


@pytest.mark.parametrize(
    ("day", "covered"),
    [
        (date(2026, 3, 4), False),  # the day of the request still counts
        (date(2026, 3, 5), True),
        (date(2026, 3, 6), True),  # the day the documents arrive does not count
        (date(2026, 3, 7), False),
    ],
)
def test_wp4_pause_covers_after_request_through_arrival(day: date, covered: bool) -> None:
    assert Pause(date(2026, 3, 4), date(2026, 3, 6)).covers(day) is covered


def test_wp4_paused_flag_as_of_a_day() -> None:
    """WP-4: paused from the request day until the day before the arrival; due_soon is never set while paused."""
    pause = (Pause(date(2026, 3, 5), date(2026, 3, 12)),)
    # 3(1), 4(2), 5(3); 6-12 paused; 13(4), 16(5)
    during = deadline(MON, as_of=date(2026, 3, 6), pauses=pause)
    assert (during.due_on, during.used, during.remaining, during.paused) == (date(2026, 3, 16), 3, 2, True)
    assert during.due_soon is False
    on_arrival = deadline(MON, as_of=date(2026, 3, 12), pauses=pause)
    assert (on_arrival.used, on_arrival.paused, on_arrival.due_soon) == (3, False, True)


# --- WP-4 overdue and due within 3 working days ---------------------------------------------------------
# Accepted Mon 2 Mar 2026, short-term, due Mon 9 Mar.


@pytest.mark.parametrize(
    ("as_of", "used", "remaining", "due_soon", "overdue"),
    [
        (date(2026, 3, 2), 0, 5, False, False),
        (date(2026, 3, 3), 1, 4, False, False),  # 4 working days left: not yet
        (date(2026, 3, 4), 2, 3, True, False),  # due within 3 working days (5, 6, 9)
        (date(2026, 3, 7), 4, 1, True, False),  # a Saturday
        (date(2026, 3, 8), 4, 1, True, False),
        (date(2026, 3, 9), 5, 0, True, False),  # due today: not overdue
        (date(2026, 3, 10), 6, -1, False, True),  # the day after: overdue
        (date(2026, 3, 14), 9, -4, False, True),  # a Saturday: 3-6 and 9-13 March used
    ],
)
def test_wp4_overdue_and_due_soon_edges(as_of: date, used: int, remaining: int, due_soon: bool, overdue: bool) -> None:
    """WP-4: flagged due soon within 3 working days (0 = due today), overdue the day after the deadline."""
    d = deadline(MON, as_of=as_of)
    assert d.due_on == date(2026, 3, 9)
    assert (d.used, d.remaining, d.due_soon, d.overdue, d.paused) == (used, remaining, due_soon, overdue, False)


def test_wp4_due_soon_window_is_a_parameter() -> None:
    d = decision_deadline(
        MON, long_term=False, as_of=date(2026, 3, 3), calendar=CAL, params=params(due_soon_working_days=4)
    )
    assert d.due_soon is True


def test_wp4_overdue_over_a_holiday() -> None:
    """WP-4: due Sat 14 Feb (make-up); on Sun 15 Feb, inside the holiday, it is overdue."""
    d = deadline(date(2026, 2, 9), as_of=date(2026, 2, 15))
    assert d.due_on == date(2026, 2, 14)
    assert d.overdue is True
    assert d.due_soon is False
    assert (d.used, d.remaining) == (5, 0)


# --- working days used (statistics) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accepted_on", "as_of", "pauses", "used"),
    [
        (date(2026, 2, 13), date(2026, 2, 13), (), 0),
        (date(2026, 2, 13), date(2026, 2, 14), (), 1),  # the make-up Saturday
        (date(2026, 2, 13), date(2026, 2, 23), (), 1),  # the holiday does not count
        (date(2026, 2, 13), date(2026, 2, 27), (), 5),
        (date(2026, 2, 13), date(2026, 3, 19), (), 20),
        # 24 counts (request), 25 and 26 paused, 27 counts: 14, 24, 27
        (date(2026, 2, 13), date(2026, 2, 27), (Pause(date(2026, 2, 24), date(2026, 2, 26)),), 3),
        (date(2026, 2, 13), date(2026, 2, 27), (Pause(date(2026, 2, 24)),), 2),  # open pause: 14, 24
        (date(2026, 9, 30), date(2026, 10, 13), (), 5),
    ],
)
def test_wp4_working_days_used(accepted_on: date, as_of: date, pauses: tuple[Pause, ...], used: int) -> None:
    """WP-4 statistics: counted working days after acceptance up to and including as_of, pauses left out."""
    result = working_days_used(accepted_on, as_of, CAL, pauses)
    assert result.value == used
    assert result.calendar_confirmed is True


def test_cal1_working_days_used_in_an_unscheduled_year() -> None:
    result = working_days_used(date(2031, 3, 3), date(2031, 3, 10), CAL)
    assert result.value == 5
    assert result.calendar_confirmed is False
    assert result.unconfirmed_years == (2031,)


def test_wp4_working_days_used_agrees_with_the_deadline() -> None:
    """WP-4: on the due day the application has used exactly its allowed working days."""
    for accepted_on, long_term in ((date(2026, 2, 13), True), (date(2026, 9, 24), False), (date(2026, 9, 30), True)):
        d = deadline(accepted_on, long_term=long_term)
        assert d.due_on is not None
        assert working_days_used(accepted_on, d.due_on, CAL).value == d.working_days
