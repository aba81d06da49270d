"""The public notice (公示) with real-name objections, as every service runs it: the period in working
days (CAL-1) counted from the start in Asia/Shanghai (CAL-2), objections only within it (written,
real-name, in time: AW-3 style), and conclusion only once the period is over and nothing is pending.
Pure rules: no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from shared.workdays import WorkingCalendar, end_of_day, to_shanghai

# --- the rules ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeRules:
    """``working_days``: the period of a notice unless the official opening it (or the plan) sets
    another (default 5, **configurable** within ``min_days``..``max_days``)."""

    working_days: int = 5
    min_days: int = 1
    max_days: int = 30


DEFAULTS = NoticeRules()


@dataclass(frozen=True)
class Period:
    starts_at: datetime
    closes_at: datetime
    calendar_confirmed: bool


def notice_period(calendar: WorkingCalendar, starts_at: datetime, working_days: int) -> Period:
    """The notice runs from ``starts_at`` to the end (Asia/Shanghai) of the ``working_days``-th
    working day after the start's date; the start's own day does not count (CAL-1, CAL-2)."""
    start = to_shanghai(starts_at)
    last = calendar.add_working_days(start, working_days)
    return Period(start, end_of_day(last.value), last.calendar_confirmed)


def objection_window(now: datetime, starts_at: datetime, closes_at: datetime) -> str | None:
    """``None`` when an objection is in time; ``not_started`` or ``closed`` otherwise (AW-3 style:
    written, real-name, within the period; a late one is not accepted)."""
    if now < starts_at:
        return "not_started"
    if now > closes_at:
        return "closed"
    return None


def conclusion_blockers(now: datetime, closes_at: datetime, unresolved: Sequence[int]) -> list[str]:
    """A notice is concluded only once its period is over and every objection is resolved."""
    blockers: list[str] = []
    if now <= closes_at:
        blockers.append("period_running")
    if unresolved:
        blockers.append("objections_unresolved")
    return blockers
