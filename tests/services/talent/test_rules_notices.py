"""TAL-5 and AW-3: notice periods and objections (rules/notices.py, on shared/notices/rules.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.talent.errors import InvalidProgrammeRules
from services.talent.rules.notices import (
    AWARD_NOTICES,
    PROPOSED_LIST,
    AwardNotice,
    AwardNoticeRules,
    Objection,
    award_notice_period,
    check_objection,
    proposed_list_period,
)
from shared.notices.errors import NoticeClosed, NoticeNotStarted, ObjectionIncomplete
from shared.notices.rules import Period
from shared.workdays import WorkingCalendar, package_calendar

SH = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


# --- TAL-5 ------------------------------------------------------------------------------------------


def test_tal5_proposed_list_is_published_for_5_working_days() -> None:
    assert PROPOSED_LIST.working_days == 5
    # Monday 2026-03-02 10:00: the start's own day does not count; Tue..Mon
    period = proposed_list_period(package_calendar(), sh(2026, 3, 2, 10, 0))
    assert period.closes_at.date().isoformat() == "2026-03-09"
    assert (period.closes_at.hour, period.closes_at.minute, period.closes_at.second) == (23, 59, 59)
    assert period.calendar_confirmed


def test_tal5_working_days_skip_holidays_and_count_make_up_days() -> None:
    """TAL-5 with CAL-1: from Wednesday 2026-09-30, 8, 9, 10 (make-up Saturday), 12, 13 October."""
    period = proposed_list_period(package_calendar(), sh(2026, 9, 30, 9, 0))
    assert period.closes_at.date().isoformat() == "2026-10-13"


def test_tal5_period_is_configurable_per_programme_within_bounds() -> None:
    assert proposed_list_period(package_calendar(), sh(2026, 3, 2, 10, 0), 7).closes_at.date().isoformat() == (
        "2026-03-11"
    )
    for days in (0, 31):
        with pytest.raises(InvalidProgrammeRules) as err:
            proposed_list_period(package_calendar(), sh(2026, 3, 2, 10, 0), days)
        assert err.value.extra["clause"] == "TAL-5"


def test_tal5_a_year_without_schedule_is_counted_monday_to_friday_and_flagged() -> None:
    """TAL-5 with CAL-1: calendar_confirmed false past the known schedules."""
    period = proposed_list_period(WorkingCalendar(use_package=False), sh(2031, 3, 3, 10, 0))
    assert period.closes_at.date().isoformat() == "2031-03-10" and not period.calendar_confirmed


def test_tal5_objections_follow_aw3() -> None:
    period = proposed_list_period(package_calendar(), sh(2026, 3, 2, 10, 0))
    late = Objection("张伟", "13800000000", "代表作署名存疑", 1, sh(2026, 3, 10, 0, 0))
    with pytest.raises(NoticeClosed) as err:
        check_objection(late, period, clause="TAL-5")
    assert err.value.extra["clause"] == "TAL-5"
    check_objection(Objection("张伟", "13800000000", "代表作署名存疑", 1, sh(2026, 3, 9, 23, 59, 59)), period)


# --- AW-3 -------------------------------------------------------------------------------------------

START = sh(2026, 3, 1, 9, 0)


def test_aw3_acceptance_notice_runs_30_calendar_days() -> None:
    period = award_notice_period(START, AwardNotice.ACCEPTANCE)
    assert AWARD_NOTICES.acceptance_days == 30
    assert period.starts_at == START
    assert period.closes_at.date().isoformat() == "2026-03-31" and period.closes_at.tzinfo == SH
    assert period.calendar_confirmed


def test_aw3_proposed_winners_notice_runs_15_calendar_days_whatever_the_holidays() -> None:
    assert award_notice_period(START, AwardNotice.PROPOSED_WINNERS).closes_at.date().isoformat() == "2026-03-16"
    # natural days: the National Day holidays count like any day
    assert award_notice_period(sh(2026, 9, 30, 9, 0), "proposed_winners").closes_at.date().isoformat() == "2026-10-15"


def test_aw3_periods_are_configurable() -> None:
    rules = AwardNoticeRules(acceptance_days=20, proposed_winners_days=7)
    assert award_notice_period(START, "acceptance", rules).closes_at.date().isoformat() == "2026-03-21"
    assert award_notice_period(START, "proposed_winners", rules).closes_at.date().isoformat() == "2026-03-08"
    with pytest.raises(InvalidProgrammeRules):
        AwardNoticeRules(acceptance_days=0)


def test_aw3_a_start_given_in_utc_is_counted_in_shanghai() -> None:
    """AW-3 with CAL-2: 2026-02-28 17:00 UTC is 1 March 01:00 in Shanghai."""
    period = award_notice_period(datetime(2026, 2, 28, 17, 0, tzinfo=UTC), "acceptance")
    assert period.closes_at.date().isoformat() == "2026-03-31"


def objection(at: datetime, **changes: object) -> Objection:
    fields: dict[str, object] = {
        "objector_name": "李娜",
        "objector_contact": "lina@example.cn",
        "grounds": "第二完成人未实际参与该项目研究。",
        "evidence_count": 2,
        "submitted_at": at,
    }
    fields.update(changes)
    return Objection(**fields)  # type: ignore[arg-type]


ACCEPTANCE: Period = award_notice_period(START, AwardNotice.ACCEPTANCE)


def test_aw3_objection_at_23_59_59_of_the_last_day_is_in_time() -> None:
    check_objection(objection(sh(2026, 3, 31, 23, 59, 59)), ACCEPTANCE)
    check_objection(objection(sh(2026, 3, 31, 23, 59, 59, 999999)), ACCEPTANCE)


def test_aw3_objection_at_00_00_00_the_next_day_is_late() -> None:
    with pytest.raises(NoticeClosed) as err:
        check_objection(objection(sh(2026, 4, 1, 0, 0, 0)), ACCEPTANCE)
    assert err.value.code == "notice_closed"
    assert err.value.extra["clause"] == "AW-3" and err.value.extra["ends_on"] == "2026-03-31"
    assert "AW-3" in (err.value.detail_zh or "")


def test_aw3_the_deadline_is_shanghai_midnight_whatever_the_zone() -> None:
    """AW-3 with CAL-2: 2026-03-31 15:59:59 UTC is 23:59:59 in Shanghai, 16:00:00 UTC is the next day."""
    check_objection(objection(datetime(2026, 3, 31, 15, 59, 59, tzinfo=UTC)), ACCEPTANCE)
    with pytest.raises(NoticeClosed):
        check_objection(objection(datetime(2026, 3, 31, 16, 0, 0, tzinfo=UTC)), ACCEPTANCE)


def test_aw3_objection_before_the_start_is_not_taken() -> None:
    with pytest.raises(NoticeNotStarted):
        check_objection(objection(START - timedelta(microseconds=1)), ACCEPTANCE)
    check_objection(objection(START), ACCEPTANCE)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"objector_name": ""}, "objector_name"),  # anonymous
        ({"objector_name": "   "}, "objector_name"),
        ({"objector_contact": ""}, "objector_contact"),
        ({"grounds": " \n"}, "grounds"),  # not written
        ({"evidence_count": 0}, "evidence"),  # no evidence
    ],
)
def test_aw3_objection_must_be_written_real_name_with_evidence(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ObjectionIncomplete) as err:
        check_objection(objection(sh(2026, 3, 10, 12, 0), **changes), ACCEPTANCE)
    assert err.value.code == "objection_incomplete" and err.value.status == 422
    assert [e["field"] for e in err.value.extra["errors"]] == [field]
    assert err.value.extra["clause"] == "AW-3"


def test_aw3_a_late_objection_is_refused_as_late_even_when_incomplete() -> None:
    with pytest.raises(NoticeClosed):
        check_objection(objection(sh(2026, 4, 2, 9, 0), objector_name="", evidence_count=0), ACCEPTANCE)
