"""Working days (DOMAIN CAL-1) and Asia/Shanghai dates (CAL-2)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase

from shared.db import CommonTables, new_metadata
from shared.workdays import (
    SHANGHAI,
    CalendarYearData,
    WorkingCalendar,
    calendar_from_db,
    end_of_day,
    is_overdue,
    load_calendar_year,
    local_date,
    package_calendar,
    to_shanghai,
    today_shanghai,
)

PACKAGE_FIRST = min(chinese_calendar.holidays).year
PACKAGE_LAST = max(chinese_calendar.holidays).year
# Far beyond any schedule the State Council has published; 2100-01-01 is a Friday.
NO_SCHEDULE_YEAR = 2100


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar()


# --- CAL-1, the package's schedule ---


def test_cal1_package_holds_the_2026_national_day_schedule(cal: WorkingCalendar) -> None:
    assert PACKAGE_LAST >= 2026
    for day in range(1, 8):
        assert not chinese_calendar.is_workday(date(2026, 10, day))
        assert not cal.is_working_day(date(2026, 10, day))
    # the make-up working days (调休) fall on a Sunday and a Saturday
    assert d("2026-09-20").weekday() == 6 and d("2026-10-10").weekday() == 5
    for makeup in (d("2026-09-20"), d("2026-10-10")):
        assert chinese_calendar.is_workday(makeup) and cal.is_working_day(makeup)
    assert not cal.is_working_day(d("2026-10-11"))  # an ordinary Sunday
    assert cal.is_working_day(d("2026-10-08"))


def test_cal1_confirmed_years_are_what_the_package_covers(cal: WorkingCalendar) -> None:
    assert cal.confirmed_years == frozenset(range(PACKAGE_FIRST, PACKAGE_LAST + 1))
    assert not cal.is_confirmed(PACKAGE_LAST + 1) and not cal.is_confirmed(PACKAGE_FIRST - 1)
    assert package_calendar().confirmed_years == cal.confirmed_years


@pytest.mark.parametrize(
    ("start", "n", "deadline"),
    [
        ("2026-09-29", 1, "2026-09-30"),  # the start day itself does not count
        ("2026-09-29", 2, "2026-10-08"),  # Oct 1-7 off
        ("2026-09-29", 4, "2026-10-10"),  # Saturday make-up day counts
        ("2026-09-29", 5, "2026-10-12"),  # Sunday 10-11 does not
        ("2026-09-30", 1, "2026-10-08"),
        ("2026-10-03", 1, "2026-10-08"),  # counting from inside the holiday
        ("2026-09-18", 1, "2026-09-20"),  # Friday, then the Sunday make-up day
        ("2026-09-29", 0, "2026-09-29"),
        ("2026-10-12", -5, "2026-09-29"),
        ("2026-10-08", -1, "2026-09-30"),
    ],
)
def test_cal1_add_working_days_across_national_day_2026(
    cal: WorkingCalendar, start: str, n: int, deadline: str
) -> None:
    result = cal.add_working_days(d(start), n)
    assert result.value == d(deadline)
    assert result.calendar_confirmed is True and result.unconfirmed_years == ()


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        ("2026-09-29", "2026-10-12", 5),
        ("2026-10-12", "2026-09-29", -5),
        ("2026-09-30", "2026-10-07", 0),
        ("2026-09-19", "2026-09-21", 2),  # Sunday 09-20 is a working day
        ("2026-10-09", "2026-10-09", 0),
        ("2026-09-01", "2026-09-30", 21),  # 22 weekdays, minus 09-25 (Mid-Autumn), plus Sunday 09-20
    ],
)
def test_cal1_working_days_between(cal: WorkingCalendar, start: str, end: str, count: int) -> None:
    result = cal.working_days_between(d(start), d(end))
    assert result.value == count and result.calendar_confirmed


def test_cal1_between_and_add_agree(cal: WorkingCalendar) -> None:
    start = d("2026-09-01")
    for n in range(0, 40):
        deadline = cal.add_working_days(start, n).value
        assert cal.working_days_between(start, deadline).value == n


def test_cal1_year_without_schedule_counts_monday_to_friday_unconfirmed(cal: WorkingCalendar) -> None:
    assert not cal.is_confirmed(NO_SCHEDULE_YEAR)
    friday = date(NO_SCHEDULE_YEAR, 1, 1)
    assert friday.weekday() == 4 and cal.is_working_day(friday)  # New Year's Day, but no schedule
    result = cal.add_working_days(friday, 1)
    assert result.value == date(NO_SCHEDULE_YEAR, 1, 4)  # the Monday
    assert result.calendar_confirmed is False and result.unconfirmed_years == (NO_SCHEDULE_YEAR,)
    between = cal.working_days_between(friday, date(NO_SCHEDULE_YEAR, 1, 31))
    assert between.value == 20 and between.calendar_confirmed is False


def test_cal1_crossing_into_an_unscheduled_year_is_unconfirmed(cal: WorkingCalendar) -> None:
    late = date(PACKAGE_LAST, 12, 20)
    within = cal.add_working_days(late, 3)
    assert within.value.year == PACKAGE_LAST and within.calendar_confirmed
    across = cal.add_working_days(late, 20)
    assert across.value.year == PACKAGE_LAST + 1
    assert across.calendar_confirmed is False and across.unconfirmed_years == (PACKAGE_LAST + 1,)
    assert cal.working_days_between(late, across.value).calendar_confirmed is False


def test_cal1_loaded_year_overrides_the_package() -> None:
    # Pretend a correction moved the whole National Day holiday to 10-05..10-09 with no make-up days.
    loaded = WorkingCalendar({2026: {"holidays": [f"2026-10-0{i}" for i in range(5, 10)], "workdays": []}})
    assert loaded.is_working_day(d("2026-10-01")) and not loaded.is_working_day(d("2026-10-09"))
    assert not loaded.is_working_day(d("2026-09-20"))  # the package's make-up Sunday is gone
    assert loaded.is_working_day(d("2026-02-16"))  # the loaded year replaces the package's year whole
    # 09-30, 10-01, 10-02, then nothing until Monday 10-12 and 10-13
    assert loaded.add_working_days(d("2026-09-29"), 5).value == d("2026-10-13")
    assert WorkingCalendar().is_working_day(d("2025-10-01")) == loaded.is_working_day(d("2025-10-01"))


def test_cal1_loaded_new_year_is_confirmed_and_used() -> None:
    y = NO_SCHEDULE_YEAR
    loaded = WorkingCalendar({y: {"holidays": [date(y, 1, 1)], "workdays": [date(y, 1, 2)]}})
    assert loaded.is_confirmed(y)
    result = loaded.add_working_days(date(y, 1, 1), 1)
    assert result.value == date(y, 1, 2) and result.calendar_confirmed  # the Saturday make-up day
    assert not loaded.is_working_day(date(y, 1, 1))


def test_cal1_loaded_data_with_a_date_of_another_year_refused() -> None:
    with pytest.raises(ValueError, match="2027-01-01"):
        WorkingCalendar({2026: {"holidays": ["2027-01-01"]}})


# --- CAL-2, Asia/Shanghai and natural days ---


def test_cal2_calendar_days() -> None:
    result = package_calendar().add_calendar_days(d("2026-09-29"), 30)
    assert result.value == d("2026-10-29") and result.calendar_confirmed
    assert package_calendar().add_calendar_days(date(NO_SCHEDULE_YEAR, 1, 1), 30).calendar_confirmed


def test_cal2_timestamps_count_from_their_shanghai_date(cal: WorkingCalendar) -> None:
    # 17:30 UTC on 09-29 is 01:30 on 09-30 in Shanghai
    accepted = datetime(2026, 9, 29, 17, 30, tzinfo=UTC)
    assert local_date(accepted) == d("2026-09-30")
    assert cal.add_working_days(accepted, 1).value == d("2026-10-08")
    assert cal.add_calendar_days(accepted, 1).value == d("2026-10-01")
    assert not cal.is_working_day(datetime(2026, 9, 30, 16, 0, tzinfo=UTC))  # 10-01 00:00 in Shanghai


def test_cal2_naive_datetimes_refused(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="naive"):
        to_shanghai(datetime(2026, 9, 29, 12, 0))
    with pytest.raises(ValueError, match="naive"):
        cal.add_working_days(datetime(2026, 9, 29, 12, 0), 1)


def test_cal2_today_end_of_day_and_overdue() -> None:
    assert SHANGHAI.key == "Asia/Shanghai"
    assert today_shanghai(datetime(2026, 12, 31, 16, 0, tzinfo=UTC)) == d("2027-01-01")
    assert today_shanghai() == datetime.now(UTC).astimezone(SHANGHAI).date()
    last = end_of_day(d("2026-10-12"))
    assert last.astimezone(UTC) == datetime(2026, 10, 12, 15, 59, 59, 999999, tzinfo=UTC)
    assert not is_overdue(d("2026-10-12"), last)
    assert is_overdue(d("2026-10-12"), last + timedelta(microseconds=1))


# --- CAL-1, an official's year file ---

YEAR_FILE = {
    "year": 2027,
    "holidays": ["2027-01-01", "2027-01-02", "2027-01-03", "2027-10-01", "2027-10-04"],
    "workdays": ["2027-09-26"],
    "source": "国办发明电〔2026〕X号",
}


def test_cal1_year_file_accepted_with_weekend_holidays() -> None:
    data = CalendarYearData.model_validate(YEAR_FILE)
    assert d("2027-01-02").weekday() == 5  # a holiday on a Saturday is fine
    assert data.schedule() == {"holidays": YEAR_FILE["holidays"], "workdays": ["2027-09-26"]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"holidays": ["2027-01-01", "2028-01-01"]}, "holidays not in 2027: 2028-01-01"),
        ({"workdays": ["2026-12-27"]}, "workdays not in 2027: 2026-12-27"),
        ({"workdays": ["2027-01-02"]}, "both holiday and workday: 2027-01-02"),
        ({"workdays": ["2027-09-24"]}, "must be a Saturday or Sunday (调休), these are not: 2027-09-24"),
        ({"holidays": ["2027-10-01", "2027-10-01"]}, "holidays listed twice: 2027-10-01"),
        ({"holidays": []}, "at least 1 item"),
        ({"holidays": ["2027-02-30"]}, "valid date"),
        ({"source": ""}, "at least 1 character"),
        ({"source": None}, "valid string"),
        ({"year": 1999}, "greater than or equal to 2000"),
        ({"note": "x"}, "Extra inputs are not permitted"),
    ],
)
def test_cal1_invalid_year_files_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as err:
        CalendarYearData.model_validate({**YEAR_FILE, **change})
    assert isinstance(err.value, ValueError)
    assert message in str(err.value)


# --- CAL-1, loading a year into a service's database and reading it back ---


async def test_cal1_load_and_read_back_through_the_database(make_db) -> None:
    from services.projects.db import common

    db = await make_db("projects")
    async with db.sessionmaker() as session:
        row = await load_calendar_year(session, common, YEAR_FILE, loaded_by="official-7")
        assert (row.year, row.loaded_by, row.source) == (2027, "official-7", YEAR_FILE["source"])

        cal = await calendar_from_db(session, common)
        assert cal.is_confirmed(2027) and cal.is_confirmed(2026)
        assert not cal.is_working_day(d("2027-10-01")) and cal.is_working_day(d("2027-09-26"))
        result = cal.add_working_days(d("2027-09-30"), 1)
        assert result.value == d("2027-10-05") and result.calendar_confirmed

        # loading the year again replaces it
        await load_calendar_year(
            session, common, CalendarYearData.model_validate({**YEAR_FILE, "workdays": []}), loaded_by="official-8"
        )
        session.expunge_all()
        rows = (await session.execute(select(common.calendar_year))).scalars().all()
        assert [(r.year, r.workdays, r.loaded_by) for r in rows] == [(2027, [], "official-8")]
        assert not (await calendar_from_db(session, common)).is_working_day(d("2027-09-26"))


async def test_cal1_load_refuses_an_invalid_year_and_writes_nothing(make_db) -> None:
    from services.projects.db import common

    db = await make_db("projects")
    async with db.sessionmaker() as session:
        with pytest.raises(ValidationError):
            await load_calendar_year(session, common, {**YEAR_FILE, "workdays": ["2027-09-24"]}, "official-7")
        assert (await session.execute(select(common.calendar_year))).scalars().all() == []


async def test_cal1_a_tool_writes_a_service_database_without_importing_the_service(make_db) -> None:
    class ToolBase(DeclarativeBase):
        metadata = new_metadata()

    tables = CommonTables(ToolBase)
    db = await make_db("foundation")
    async with db.sessionmaker() as session:
        await load_calendar_year(session, tables, YEAR_FILE, loaded_by="cli")
        await session.commit()  # a savepoint release here; the test's transaction is rolled back

    from services.foundation.db import common

    async with db.sessionmaker() as session:
        cal = await calendar_from_db(session, common)
        assert cal.is_confirmed(2027) and not cal.is_working_day(d("2027-10-04"))
        row = await session.get(common.calendar_year, 2027)
        assert row is not None and row.loaded_by == "cli" and row.loaded_at.tzinfo is not None
