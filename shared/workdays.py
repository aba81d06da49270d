"""Working days (CAL-1) and dates in Asia/Shanghai (CAL-2).

``WorkingCalendar`` is pure: it knows the State Council schedules shipped in ``chinese_calendar`` and
any year an official loaded as data (a loaded year replaces the package's). A computation that
touches a year with no schedule counts Monday-Friday and returns ``calendar_confirmed=False``.
``load_calendar_year`` and ``calendar_from_db`` move loaded years in and out of a service's
``calendar_years`` table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

import chinese_calendar
from pydantic import Field, model_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models import CommonTables, utcnow
from shared.i18n import custom_error
from shared.schemas import InputSchema

SHANGHAI = ZoneInfo("Asia/Shanghai")
_DAY = timedelta(days=1)

T = TypeVar("T")


# --- Asia/Shanghai (CAL-2) ------------------------------------------------------------------------


def to_shanghai(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        # A naive time could be UTC or local; guessing would shift deadlines by 8 hours.
        raise ValueError("naive datetime: a time zone is needed to place it in Asia/Shanghai")
    return moment.astimezone(SHANGHAI)


def today_shanghai(now: datetime | None = None) -> date:
    return to_shanghai(now).date() if now is not None else datetime.now(SHANGHAI).date()


def local_date(day: date | datetime) -> date:
    """The Asia/Shanghai calendar date of a timestamp; a plain date is already one."""
    return to_shanghai(day).date() if isinstance(day, datetime) else day


def end_of_day(day: date) -> datetime:
    """The last instant of ``day`` in Asia/Shanghai: a deadline date is met until then."""
    return datetime.combine(day, time.max, tzinfo=SHANGHAI)


def is_overdue(deadline: date, now: datetime | None = None) -> bool:
    return today_shanghai(now) > deadline


# --- the calendar (CAL-1) -------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarResult(Generic[T]):
    """A computed date or count, and whether every year it depends on has an official schedule."""

    value: T
    calendar_confirmed: bool
    unconfirmed_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class _YearSchedule:
    holidays: frozenset[date]
    workdays: frozenset[date]


def _as_date(value: date | str) -> date:
    return local_date(value) if isinstance(value, date) else date.fromisoformat(value)


@cache
def _package_schedules() -> dict[int, _YearSchedule]:
    # The package covers every year from its first to its last holiday entry.
    first = min(chinese_calendar.holidays).year
    last = max(chinese_calendar.holidays).year
    return {
        year: _YearSchedule(
            frozenset(d for d in chinese_calendar.holidays if d.year == year),
            frozenset(d for d in chinese_calendar.workdays if d.year == year),
        )
        for year in range(first, last + 1)
    }


ScheduleData = Mapping[str, Iterable[date | str]]


class WorkingCalendar:
    """``loaded`` is ``{year: {"holidays": [...], "workdays": [...]}}`` (dates or ISO strings)."""

    def __init__(self, loaded: Mapping[int, ScheduleData] | None = None, *, use_package: bool = True) -> None:
        self._years: dict[int, _YearSchedule] = dict(_package_schedules()) if use_package else {}
        for year, data in (loaded or {}).items():
            holidays = frozenset(_as_date(d) for d in data.get("holidays", ()))
            workdays = frozenset(_as_date(d) for d in data.get("workdays", ()))
            stray = sorted(d.isoformat() for d in holidays | workdays if d.year != year)
            if stray:
                raise ValueError(f"calendar data for {year} holds dates of other years: {', '.join(stray)}")
            self._years[year] = _YearSchedule(holidays, workdays)

    @property
    def confirmed_years(self) -> frozenset[int]:
        return frozenset(self._years)

    def is_confirmed(self, year: int) -> bool:
        return year in self._years

    def is_working_day(self, day: date | datetime) -> bool:
        day = local_date(day)
        schedule = self._years.get(day.year)
        if schedule is not None:
            if day in schedule.workdays:
                return True
            if day in schedule.holidays:
                return False
        return day.weekday() < 5

    def _result(self, value: T, first: date, last: date) -> CalendarResult[T]:
        missing = tuple(y for y in range(first.year, last.year + 1) if y not in self._years)
        return CalendarResult(value, not missing, missing)

    def add_working_days(self, start: date | datetime, n: int) -> CalendarResult[date]:
        """The day ``n`` working days after ``start`` (``start`` itself does not count); a negative
        ``n`` counts back. A timestamp counts from its Asia/Shanghai date."""
        first = day = local_date(start)
        if n == 0:
            return CalendarResult(day, True)
        step = _DAY if n > 0 else -_DAY
        left = abs(n)
        while left:
            day += step
            if self.is_working_day(day):
                left -= 1
        return self._result(day, *sorted((first + step, day)))

    def working_days_between(self, start: date | datetime, end: date | datetime) -> CalendarResult[int]:
        """Working days after ``start`` up to and including ``end``, so that
        ``add_working_days(start, n)`` lands on ``end`` for the count ``n`` of a working ``end``;
        negative when ``end`` is before ``start``."""
        a, b = local_date(start), local_date(end)
        if a == b:
            return CalendarResult(0, True)
        sign, low, high = (1, a, b) if a < b else (-1, b, a)
        count = 0
        day = low
        while day < high:
            day += _DAY
            count += self.is_working_day(day)
        return self._result(sign * count, low + _DAY, high)

    def add_calendar_days(self, start: date | datetime, n: int) -> CalendarResult[date]:
        """``n`` natural days (自然日, CAL-2) after ``start``; it never depends on a schedule, but returns
        the same shape as ``add_working_days`` so a rule can switch between the two as data."""
        return CalendarResult(local_date(start) + timedelta(days=n), True)


@cache
def package_calendar() -> WorkingCalendar:
    """The calendar of the package alone, for code that has no database at hand."""
    return WorkingCalendar()


# --- a year's schedule loaded by an official ------------------------------------------------------


class CalendarYearData(InputSchema):
    """A year of the State Council's holiday schedule, as an official loads it.

    Holidays may fall on any day: the notice lists each holiday period whole, weekends inside it
    included, as chinese_calendar does (2026-10-03 and 10-04 are a Saturday and a Sunday). Workdays
    are the adjusted working weekends (调休), so each must be a Saturday or Sunday. Every date belongs
    to ``year``, none is listed twice or as both, there is at least one holiday, and ``source`` cites
    the notice so the schedule can be checked against it.
    """

    year: int = Field(ge=2000, le=2200)
    holidays: list[date] = Field(min_length=1)
    workdays: list[date] = Field(default_factory=list)
    source: str = Field(min_length=1, max_length=500, examples=["国办发明电〔2026〕X号"])

    @model_validator(mode="after")
    def _consistent(self) -> CalendarYearData:
        problems: list[tuple[str, str]] = []
        for name, zh, days in (("holidays", "节假日", self.holidays), ("workdays", "调休工作日", self.workdays)):
            other_year = ", ".join(sorted({d.isoformat() for d in days if d.year != self.year}))
            if other_year:
                problems.append((f"{zh}不在 {self.year} 年：{other_year}", f"{name} not in {self.year}: {other_year}"))
            twice = ", ".join(sorted({d.isoformat() for d in days if days.count(d) > 1}))
            if twice:
                problems.append((f"{zh}重复：{twice}", f"{name} listed twice: {twice}"))
        both = ", ".join(sorted(d.isoformat() for d in set(self.holidays) & set(self.workdays)))
        if both:
            problems.append((f"既是节假日又是调休工作日：{both}", f"both holiday and workday: {both}"))
        weekdays = ", ".join(sorted(d.isoformat() for d in self.workdays if d.weekday() < 5))
        if weekdays:
            problems.append(
                (
                    f"调休工作日应为周六或周日，以下日期不是：{weekdays}",
                    f"workdays must be a Saturday or Sunday (调休), these are not: {weekdays}",
                )
            )
        if problems:
            raise custom_error(
                "inconsistent_calendar", "；".join(p[0] for p in problems), "; ".join(p[1] for p in problems)
            )
        return self

    def schedule(self) -> dict[str, list[str]]:
        return {
            "holidays": [d.isoformat() for d in sorted(self.holidays)],
            "workdays": [d.isoformat() for d in sorted(self.workdays)],
        }


async def load_calendar_year(
    session: AsyncSession, common: CommonTables, data: CalendarYearData | Mapping[str, Any], loaded_by: str
) -> Any:
    """Insert or replace the year's row in the caller's unit of work (flushes, never commits)."""
    year_data = data if isinstance(data, CalendarYearData) else CalendarYearData.model_validate(data)
    values = {**year_data.schedule(), "source": year_data.source, "loaded_by": loaded_by, "loaded_at": utcnow()}
    row = await session.get(common.calendar_year, year_data.year)
    if row is None:
        row = common.calendar_year(year=year_data.year, **values)
        session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    await session.flush()
    return row


async def calendar_from_db(session: AsyncSession, common: CommonTables) -> WorkingCalendar:
    """The package's schedules overridden by every year loaded into this service's database."""
    rows = (await session.execute(select(common.calendar_year))).scalars().all()
    return WorkingCalendar({row.year: {"holidays": row.holidays, "workdays": row.workdays} for row in rows})
