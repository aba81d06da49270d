"""What a record shows of its window and its deadlines, computed once for every service from the request's
now (``shared.clock.Now``) in Asia/Shanghai (CAL-2), so that no client compares dates itself.

* A **window** (a call for applications, a funding plan) is ``open_now`` when the record takes applications
  (the caller says so: published, not closed by hand) and now is within it. Timestamps run from the opening
  instant (included) to the closing instant (excluded); dates from the first day to the last, both included.
  Its ``days_left`` counts the calendar days from today to its last day: 0 on the last day, null unless it
  is open now. The last day of a window closing at a timestamp is the day of the last instant before it, so
  a window closing at 00:00 ends the day before.
* A **deadline** (a due date met until the end of its day) shows ``days_left``: the calendar days from today
  to the due date, 0 on the due day, negative once it has passed (as ``working_days_left`` does), null when
  the deadline no longer runs (the record has moved past it, or its clock stands). And ``calendar_confirmed``:
  false when a deadline counted in working days reaches into a year with no official holiday schedule (CAL-1,
  ``shared.workdays.CalendarResult``); one counted in natural days never depends on a schedule. It is the name
  the notices and the WP-4 deadline already use, and the one CAL-1 gives, so one idea keeps one name.

The field types at the end carry the descriptions every schema shows; a schema may add to one
(``Field(description=...)`` after it) where it has more to say.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, TypeVar

from pydantic import BaseModel, Field

from shared.errors import CallNotOpen
from shared.workdays import CalendarResult, local_date, to_shanghai

_INSTANT = timedelta(microseconds=1)
_Schema = TypeVar("_Schema", bound=BaseModel)


def last_day(closes: date | datetime) -> date:
    """The last Asia/Shanghai day of a window: a closing date is itself the last day (included); a closing
    timestamp is excluded, so its last day is the day of the instant before it."""
    if isinstance(closes, datetime):
        return to_shanghai(closes - _INSTANT).date()
    return closes


def within(opens: date | datetime, closes: date | datetime, now: date | datetime) -> bool:
    """Now is within the window: from the opening instant (included) to the closing one (excluded), or from
    the first day to the last, both included, for a window of dates (for which today's date will do as now)."""
    if isinstance(opens, datetime) and isinstance(closes, datetime):
        if not isinstance(now, datetime):
            raise TypeError("a window of timestamps needs now as a timestamp")
        return opens <= now < closes
    if isinstance(opens, datetime) or isinstance(closes, datetime):
        raise TypeError("a window is of two timestamps or of two dates, not one of each")
    return opens <= local_date(now) <= closes


def days_until(day: date, now: date | datetime) -> int:
    """Calendar days (自然日) from today in Asia/Shanghai (``now``, or today's date itself) to ``day``: 0 on
    the day, negative after it."""
    return (local_date(day) - local_date(now)).days


@dataclass(frozen=True)
class WindowNow:
    open_now: bool
    days_left: int | None

    def fields(self) -> dict[str, bool | int | None]:
        return {"open_now": self.open_now, "days_left": self.days_left}


def is_open(status: str, opens_on: date, closes_on: date, today: date) -> bool:
    """A call of dates takes applications: published, and today within its first and last day (CAL-2)."""
    return status == "published" and within(opens_on, closes_on, today)


def check_open(status: str, opens_on: date, closes_on: date, today: date) -> None:
    """``is_open``, else ``call_not_open`` with the window."""
    if not is_open(status, opens_on, closes_on, today):
        raise CallNotOpen(
            f"申报期为 {opens_on} 至 {closes_on}（须已发布），今天是 {today}。",
            f"Applications are taken from {opens_on} to {closes_on} (once published); today is {today}.",
            extra={"opens_on": opens_on.isoformat(), "closes_on": closes_on.isoformat()},
        )


def window_now(opens: date | datetime, closes: date | datetime, now: date | datetime, *, taking: bool) -> WindowNow:
    """``taking``: the record takes applications in its state (a call published, not closed by hand)."""
    is_open = taking and within(opens, closes, now)
    return WindowNow(is_open, days_until(last_day(closes), now) if is_open else None)


@dataclass(frozen=True)
class DeadlineNow:
    days_left: int | None
    calendar_confirmed: bool


def deadline_now(due: CalendarResult[date] | date | None, now: date | datetime, *, running: bool = True) -> DeadlineNow:
    """``due``: the due date as a calendar computed it (working days: confirmed or not), or a plain date
    counted in natural days; None while unknown. ``running``: the deadline still applies to the record."""
    if isinstance(due, CalendarResult):
        day: date | None = due.value
        confirmed = due.calendar_confirmed
    else:
        day, confirmed = due, True
    return DeadlineNow(days_until(day, now) if running and day is not None else None, confirmed)


def read_with(schema: type[_Schema], record: object, computed: Mapping[str, object]) -> _Schema:
    """``schema`` read off ``record`` (an ORM row) with the ``computed`` fields (``open_now``, ``days_left``)
    the row does not hold."""
    fields = {name: getattr(record, name) for name in schema.model_fields if name not in computed}
    return schema.model_validate({**fields, **computed})


# --- the fields, documented once ------------------------------------------------------------------

OpenNow = Annotated[
    bool,
    Field(
        description="Takes applications right now (Asia/Shanghai): published and now within the window, from "
        "the opening instant (included) to the closing one (excluded)"
    ),
]
WindowDaysLeft = Annotated[
    int | None,
    Field(
        description="While open now: calendar days from today (Asia/Shanghai) to the window's last day, 0 on "
        "the last day; null when not open"
    ),
]
DeadlineDaysLeft = Annotated[
    int | None,
    Field(
        description="Calendar days from today (Asia/Shanghai) to the due date: 0 on the due day, negative once "
        "past; null when the deadline no longer runs for the record"
    ),
]
CalendarConfirmed = Annotated[
    bool,
    Field(
        description="false: the date counts working days into a year with no official holiday schedule, "
        "Monday to Friday counted (CAL-1); a date in natural days is always confirmed"
    ),
]
