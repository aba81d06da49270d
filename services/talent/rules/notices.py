"""TAL-5 and AW-3 public notices (公示): their periods, and which objections are taken.

* TAL-5: a programme's proposed list is published for ``working_days`` (**configurable**, default 5,
  within the platform's 1..30) working days before selection, counted as every notice of the platform
  counts them (``shared.notices.rules.notice_period``: CAL-1 working days after the start's own day, the
  last one ending 23:59:59 Asia/Shanghai, ``calendar_confirmed`` false past the known schedules).
* AW-3: accepted nominations are published for ``acceptance_days`` (30) and the proposed winners for
  ``proposed_winners_days`` (15) natural days (CAL-2, **configurable**), likewise counted from the day
  after the start and ending at the end of the last day in Asia/Shanghai.
* Objections (AW-3, and TAL-5 by reference): written, real-name, within the period, with evidence. In
  time is ``shared.notices.rules.objection_window``: up to the last day's 23:59:59.999999 Asia/Shanghai,
  so 00:00:00 of the next day is late (``notice_closed``), before the start is early (``notice_not_started``).
  Anonymous (no name or no contact), unwritten (no grounds) or unevidenced ones are ``objection_incomplete``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services.talent.errors import InvalidProgrammeRules
from shared.errors import field_error
from shared.notices.rules import NoticeRules, Objection, Period, notice_period
from shared.notices.rules import check_objection as shared_check
from shared.workdays import WorkingCalendar, package_calendar

# TAL-5: 5 working days (**configurable** per programme within the shared bounds 1..30).
PROPOSED_LIST = NoticeRules(working_days=5)


def proposed_list_period(
    calendar: WorkingCalendar, starts_at: datetime, working_days: int | None = None, rules: NoticeRules = PROPOSED_LIST
) -> Period:
    """TAL-5: the proposed list's notice period, ``working_days`` (the programme's) or the default."""
    days = rules.working_days if working_days is None else working_days
    if not rules.min_days <= days <= rules.max_days:
        raise InvalidProgrammeRules(
            f"公示期应为 {rules.min_days} 至 {rules.max_days} 个工作日（TAL-5）。",
            f"The notice period must be {rules.min_days} to {rules.max_days} working days (TAL-5).",
            [field_error("notice_working_days", "out_of_range", "超出允许范围", "out of range")],
            clause="TAL-5",
        )
    return notice_period(calendar, starts_at, days)


class AwardNotice(StrEnum):
    ACCEPTANCE = "acceptance"  # 受理公示: the nominations accepted after formal review
    PROPOSED_WINNERS = "proposed_winners"  # 拟授奖公示


# The bounds a cycle's AW-3 notice periods are kept within (natural days).
MIN_AWARD_NOTICE_DAYS, MAX_AWARD_NOTICE_DAYS = 1, 90


@dataclass(frozen=True)
class AwardNoticeRules:
    """AW-3 periods in natural days (**configurable** per cycle): acceptance 30, proposed winners 15."""

    acceptance_days: int = 30
    proposed_winners_days: int = 15

    def __post_init__(self) -> None:
        errors = [
            field_error(f"notices.{name}", "out_of_range", "应在 1 至 90 天之间", "between 1 and 90 days")
            for name in ("acceptance_days", "proposed_winners_days")
            if not MIN_AWARD_NOTICE_DAYS <= getattr(self, name) <= MAX_AWARD_NOTICE_DAYS
        ]
        if errors:
            raise InvalidProgrammeRules(
                "公示天数无效（AW-3）。", "The notice periods are not valid (AW-3).", errors, clause="AW-3"
            )

    def days(self, notice: str) -> int:
        return self.acceptance_days if AwardNotice(notice) is AwardNotice.ACCEPTANCE else self.proposed_winners_days


AWARD_NOTICES = AwardNoticeRules()


def award_notice_period(
    starts_at: datetime, notice: str, rules: AwardNoticeRules = AWARD_NOTICES, calendar: WorkingCalendar | None = None
) -> Period:
    """AW-3: the notice runs from ``starts_at`` to the end (Asia/Shanghai) of the N-th natural day after
    the start's date (CAL-2); natural days never depend on a holiday schedule, so it is always confirmed."""
    return notice_period(calendar or package_calendar(), starts_at, rules.days(notice), "natural")


# --- objections ------------------------------------------------------------------------------------


def check_objection(objection: Objection, period: Period, *, clause: str = "AW-3") -> None:
    """AW-3 (TAL-5 by reference: ``clause="TAL-5"``): an objection is taken only within the period, then
    only when written, real-name and evidenced: the platform's check (``shared.notices.rules``) with
    evidence required."""
    shared_check(objection, period.starts_at, period.closes_at, evidence_required=True, clause=clause)
