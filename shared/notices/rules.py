"""The public notice (公示) with real-name objections, as every service runs it: the period in working
days (CAL-1) counted from the start in Asia/Shanghai (CAL-2), objections only within it (written,
real-name, in time: AW-3 style), and conclusion only once the period is over and nothing is pending.
Pure rules: no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from shared.errors import field_error
from shared.notices.errors import NoticeClosed, NoticeNotStarted, ObjectionIncomplete
from shared.workdays import SHANGHAI, WorkingCalendar, end_of_day, to_shanghai, today_shanghai

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


def notice_start(starts_on: date | None, now: datetime) -> datetime:
    """A notice opened for today starts now; one for another day starts at that day's first instant in
    Asia/Shanghai (CAL-2)."""
    if starts_on is None or starts_on == today_shanghai(now):
        return now
    return datetime.combine(starts_on, time.min, tzinfo=SHANGHAI)


def notice_period(calendar: WorkingCalendar, starts_at: datetime, days: int, day_count: str = "working") -> Period:
    """The notice runs from ``starts_at`` to the end (Asia/Shanghai) of the ``days``-th working day
    (CAL-1; ``day_count="natural"``: natural day, CAL-2) after the start's date; the start's own day
    does not count."""
    start = to_shanghai(starts_at)
    if day_count == "natural":
        last = calendar.add_calendar_days(start, days)
    elif day_count == "working":
        last = calendar.add_working_days(start, days)
    else:
        raise ValueError(f"unknown day count {day_count!r}")
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


# --- objections ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Objection:
    objector_name: str
    objector_contact: str
    grounds: str  # the written objection
    evidence_count: int  # pieces of evidence attached
    submitted_at: datetime


def objection_problems(objection: Objection, *, evidence_required: bool = True) -> list[dict[str, str]]:
    """What an objection lacks to be taken: a real name, a contact, written grounds and (AW-3) evidence.
    Each is a ``field_error`` with the code ``required``."""
    lacking = [
        ("objector_name", not objection.objector_name.strip(), "须署真实姓名（匿名不受理）", "a real name is required"),
        ("objector_contact", not objection.objector_contact.strip(), "须留联系方式", "a contact is required"),
        ("grounds", not objection.grounds.strip(), "须书面写明异议理由", "the written grounds are required"),
        ("evidence", evidence_required and objection.evidence_count < 1, "须附证明材料", "evidence is required"),
    ]
    return [field_error(name, "required", zh, en) for name, bad, zh, en in lacking if bad]


def _sh(moment: datetime) -> str:
    return to_shanghai(moment).strftime("%Y-%m-%d %H:%M:%S")


def check_objection(
    objection: Objection,
    starts_at: datetime,
    closes_at: datetime,
    *,
    evidence_required: bool = False,
    clause: str | None = None,
) -> None:
    """An objection is taken only within the period (``objection_window``: up to the last day's
    23:59:59.999999 Asia/Shanghai), then only when written and real-name, and with evidence where the
    rules ask for it (AW-3). A late one is refused as late even when it is also incomplete."""
    cited = f"（{clause}）" if clause else ""
    cited_en = f" ({clause})" if clause else ""
    named = {"clause": clause} if clause else {}
    window = objection_window(objection.submitted_at, starts_at, closes_at)
    if window == "not_started":
        raise NoticeNotStarted(
            f"公示自 {_sh(starts_at)}（北京时间）开始，此前不受理异议{cited}。",
            f"The notice starts at {_sh(starts_at)} Asia/Shanghai; no objection before it{cited_en}.",
            extra={**named, "starts_at": to_shanghai(starts_at).isoformat()},
        )
    if window == "closed":
        ends_on = to_shanghai(closes_at).date().isoformat()
        raise NoticeClosed(
            f"公示期已于 {ends_on} 24 时（北京时间）结束，逾期异议不予受理{cited}。",
            f"The notice period ended at the end of {ends_on} Asia/Shanghai; late objections are not "
            f"accepted{cited_en}.",
            extra={**named, "ends_on": ends_on, "closes_at": to_shanghai(closes_at).isoformat()},
        )
    problems = objection_problems(objection, evidence_required=evidence_required)
    if problems:
        raise ObjectionIncomplete(
            f"异议不予受理{cited}：" + "；".join(p["message_zh"] for p in problems),
            f"The objection is not accepted{cited_en}: " + "; ".join(p["message_en"] for p in problems),
            problems,
            clause=clause,
        )
