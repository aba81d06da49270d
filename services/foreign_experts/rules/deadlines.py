"""WP-4 the decision deadline in working days (CAL-1), on ``shared.workdays.WorkingCalendar``.

From acceptance (受理): work over 90 days is decided within 20 working days, extendable once by 10 (with
a reason, recorded by the caller); work of 90 days or less within 5 (not extendable). Time waiting for
the applicant's documents (补正) does not count.

Which days count, precisely:

* the acceptance day itself does not count; the first counted day is the first working day after it
  (as ``WorkingCalendar.add_working_days``), so the deadline is the N-th counted day;
* a pause runs from ``started_on`` (the day the official asks for documents) to ``ended_on`` (the day
  they arrive). The day of the request still counts (the clock ran that day until it was stopped);
  the days after it up to and including the day of arrival do not; counting resumes the day after
  arrival, as from a new acceptance. So the paused days are ``started_on < day <= ended_on``; a pause
  opened and closed on the same day pauses nothing. An open pause (``ended_on`` None) stops the clock
  for good: the deadline is unknown (``due_on`` None) until the documents arrive, unless it had been
  reached before the pause began;
* pauses may overlap or start before acceptance; a day is paused if any pause covers it;
* working days are the calendar's (Monday-Friday, minus statutory holidays, plus adjusted working
  weekends); a year with no schedule counts Monday-Friday and ``calendar_confirmed`` is False.

Status as of a day: ``used`` counted days up to and including it, ``remaining`` = allowed - used
(negative when late); ``overdue`` when the day is after ``due_on``; ``due_soon`` when not overdue, not
paused and ``remaining`` is within ``params.due_soon_working_days`` (3; 0 = due today). Dates are
Asia/Shanghai calendar dates (CAL-2): a timestamp is converted by ``shared.workdays.local_date``.

The length of the work: ``work_duration_days`` counts as the Civil Code does (民法典 art. 201: the start
day is not counted), so a contract from 1 March to 30 May is 90 days, short-term; to 31 May, 91 days.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from services.foreign_experts.errors import ExtensionNotAllowed, InvalidPause
from services.foreign_experts.rules.parameters import YearParameters
from shared.workdays import CalendarResult, WorkingCalendar, local_date

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Pause:
    """Waiting for documents (补正): from the request to the arrival; ``ended_on`` None while waiting."""

    started_on: date
    ended_on: date | None = None

    def __post_init__(self) -> None:
        if self.ended_on is not None and self.ended_on < self.started_on:
            raise InvalidPause(
                "补正结束日期早于开始日期",
                "the pause ends before it starts",
                extra={"started_on": self.started_on.isoformat(), "ended_on": self.ended_on.isoformat()},
            )

    def covers(self, day: date) -> bool:
        """The clock stands on ``day``: after the request, up to and including the arrival."""
        return self.started_on < day and (self.ended_on is None or day <= self.ended_on)


def work_duration_days(starts_on: date, ends_on: date) -> int:
    """Days of the work, the start day not counted (民法典 art. 201)."""
    return (ends_on - starts_on).days


def is_long_term(starts_on: date, ends_on: date, params: YearParameters) -> bool:
    """WP-4: work over 90 days (``params.long_term_over_days``)."""
    return work_duration_days(starts_on, ends_on) > params.long_term_over_days


def decision_working_days(*, long_term: bool, extended: bool, params: YearParameters) -> int:
    """20 (+10 once extended) for work over 90 days, 5 otherwise; extending short-term work is refused."""
    if not long_term:
        if extended:
            raise ExtensionNotAllowed(
                "90日以下工作的审查期限为5个工作日，不能延长。",
                "Work of 90 days or less is decided within 5 working days, not extendable.",
            )
        return params.decision_working_days_short
    return params.decision_working_days_long + (params.extension_working_days if extended else 0)


@dataclass(frozen=True)
class Deadline:
    accepted_on: date
    as_of: date
    long_term: bool
    extended: bool
    working_days: int
    due_on: date | None
    used: int
    remaining: int
    paused: bool
    overdue: bool
    due_soon: bool
    calendar_confirmed: bool
    unconfirmed_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class _Walk:
    due_on: date | None
    used: int
    last_day: date


def _walk(
    accepted_on: date, allowed: int | None, as_of: date, pauses: Sequence[Pause], calendar: WorkingCalendar
) -> _Walk:
    """Count the days after acceptance until the ``allowed``-th counted day is found (when asked for and still
    reachable) and ``as_of`` is passed."""
    # After an open pause's start no day counts again: the deadline cannot be reached past it.
    stop = min((p.started_on for p in pauses if p.ended_on is None), default=None)
    count = used = 0
    due_on: date | None = None
    day = accepted_on
    while True:
        need_due = allowed is not None and due_on is None and (stop is None or day < stop)
        if not need_due and day >= as_of:
            break
        day += _DAY
        if calendar.is_working_day(day) and not any(p.covers(day) for p in pauses):
            count += 1
            if count == allowed:
                due_on = day
        if day <= as_of:
            used = count
    return _Walk(due_on, used, day)


def _confirmation(calendar: WorkingCalendar, first: date, last: date) -> tuple[bool, tuple[int, ...]]:
    if last <= first:
        return True, ()
    missing = tuple(y for y in range((first + _DAY).year, last.year + 1) if not calendar.is_confirmed(y))
    return not missing, missing


def decision_deadline(
    accepted_on: date | datetime,
    *,
    long_term: bool,
    as_of: date | datetime,
    calendar: WorkingCalendar,
    params: YearParameters,
    extended: bool = False,
    pauses: Iterable[Pause] = (),
) -> Deadline:
    """WP-4's deadline of an application accepted on ``accepted_on``, and its status on ``as_of``."""
    accepted, today = local_date(accepted_on), local_date(as_of)
    allowed = decision_working_days(long_term=long_term, extended=extended, params=params)
    pause_list = tuple(pauses)
    walk = _walk(accepted, allowed, today, pause_list, calendar)
    confirmed, missing = _confirmation(calendar, accepted, walk.last_day)
    paused = any(p.started_on <= today and (p.ended_on is None or today < p.ended_on) for p in pause_list)
    remaining = allowed - walk.used
    overdue = walk.due_on is not None and today > walk.due_on
    due_soon = walk.due_on is not None and not overdue and not paused and 0 <= remaining <= params.due_soon_working_days
    return Deadline(
        accepted,
        today,
        long_term,
        extended,
        allowed,
        walk.due_on,
        walk.used,
        remaining,
        paused,
        overdue,
        due_soon,
        confirmed,
        missing,
    )


def working_days_used(
    accepted_on: date | datetime, as_of: date | datetime, calendar: WorkingCalendar, pauses: Iterable[Pause] = ()
) -> CalendarResult[int]:
    """Counted working days after acceptance up to and including ``as_of``, pauses left out: the processing
    time of a decided application (statistics: mean and 90th percentile in working days)."""
    accepted, today = local_date(accepted_on), local_date(as_of)
    walk = _walk(accepted, None, today, tuple(pauses), calendar)
    confirmed, missing = _confirmation(calendar, accepted, max(today, accepted))
    return CalendarResult(walk.used, confirmed, missing)
