"""Research-integrity measures and debarment (PRJ-5, NSF-7), as data and pure functions.

PRJ-5: an integrity record names a subject (person or organisation), the conduct, the measure and
its period; an active debarment blocks submission to any programme, the foundation and talent
programmes. NSF-7: misconduct debarment runs 1-3 years, 3-5 years for very serious cases.

Periods are whole days, both ends inclusive: a record from 2026-03-01 to 2027-02-28 blocks on both
of those days and not on 2027-03-01. Its length is measured in calendar months from the first day
to the day after the last (``2026-03-01 .. 2027-02-28`` is exactly 12 months), so "1 year" means
the same date one year on, whatever the leap years; a month end is clamped (31 Jan + 1 month =
28/29 Feb).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, Protocol

Severity = Literal["general", "very_serious"]
SEVERITIES: tuple[str, ...] = ("general", "very_serious")


@dataclass(frozen=True)
class PeriodBounds:
    """Shortest and longest period of a measure, in months (inclusive)."""

    min_months: int
    max_months: int


@dataclass(frozen=True)
class Measure:
    code: str
    name_zh: str
    name_en: str
    # An active record of this measure blocks submission to every programme (PRJ-5).
    blocks_submission: bool
    period_required: bool
    # Bounds per severity; a severity missing here is not allowed for the measure. Empty: any period.
    bounds: Mapping[str, PeriodBounds]


# NSF-7's figures, the defaults; DOMAIN does not mark them configurable, but they are data all the same.
MEASURES: Mapping[str, Measure] = {
    m.code: m
    for m in (
        Measure(
            "debarment",
            "取消申报资格",
            "Debarment from applying",
            blocks_submission=True,
            period_required=True,
            bounds={"general": PeriodBounds(12, 36), "very_serious": PeriodBounds(36, 60)},
        ),
        Measure("warning", "警示", "Warning", blocks_submission=False, period_required=False, bounds={}),
        Measure("criticism", "通报批评", "Public criticism", blocks_submission=False, period_required=False, bounds={}),
        Measure(
            "recovery_of_funds",
            "追回已拨经费",
            "Recovery of funds",
            blocks_submission=False,
            period_required=False,
            bounds={},
        ),
        Measure(
            "termination",
            "终止项目",
            "Termination of the project",
            blocks_submission=False,
            period_required=False,
            bounds={},
        ),
    )
}


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the end of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class PeriodProblem:
    """Why a period does not fit its measure: a stable code and both languages."""

    code: str
    field: str
    message_zh: str
    message_en: str


def check_period(
    measure_code: str,
    severity: str,
    start: date | None,
    end: date | None,
    measures: Mapping[str, Measure] = MEASURES,
) -> PeriodProblem | None:
    """None when the period fits the measure's bounds for this severity (NSF-7), else the problem."""
    measure = measures.get(measure_code)
    if measure is None:
        return PeriodProblem(
            "unknown_measure", "measure", f"未知的处理措施 {measure_code}", f"unknown measure {measure_code}"
        )
    if (start is None) != (end is None):
        return PeriodProblem(
            "incomplete_period",
            "period_end" if end is None else "period_start",
            "期限须同时给出起止日期",
            "a period needs both a start and an end",
        )
    if start is None or end is None:
        if measure.period_required:
            return PeriodProblem(
                "period_required",
                "period_start",
                f"“{measure.name_zh}”须给出期限",
                f"'{measure.name_en}' needs a period",
            )
        return None
    if end < start:
        return PeriodProblem("period_reversed", "period_end", "结束日期早于开始日期", "the end is before the start")
    if measure.bounds:
        bounds = measure.bounds.get(severity)
        if bounds is None:
            return PeriodProblem(
                "severity_not_allowed",
                "severity",
                f"“{measure.name_zh}”不适用严重程度 {severity}",
                f"severity '{severity}' does not apply to '{measure.name_en}'",
            )
        after_end = end + timedelta(days=1)
        shortest, longest = add_months(start, bounds.min_months), add_months(start, bounds.max_months)
        if not shortest <= after_end <= longest:
            return PeriodProblem(
                "period_out_of_bounds",
                "period_end",
                f"“{measure.name_zh}”（{severity}）的期限应为 {bounds.min_months} 至 {bounds.max_months} 个月"
                f"（NSF-7），即结束日期在 {shortest - timedelta(days=1)} 与 {longest - timedelta(days=1)} 之间",
                f"'{measure.name_en}' ({severity}) runs {bounds.min_months} to {bounds.max_months} months "
                f"(NSF-7): the end must fall between {shortest - timedelta(days=1)} and "
                f"{longest - timedelta(days=1)}",
            )
    return None


class RecordLike(Protocol):
    """What ``is_debarred`` reads of an integrity record (ORM rows and plain objects alike)."""

    @property
    def measure(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def period_start(self) -> date | None: ...
    @property
    def period_end(self) -> date | None: ...


@dataclass(frozen=True)
class DebarmentPeriod:
    measure: str
    start: date
    end: date


def is_debarred(
    records: Iterable[RecordLike], on_date: date, measures: Mapping[str, Measure] = MEASURES
) -> tuple[bool, list[DebarmentPeriod]]:
    """PRJ-5: is the subject barred from submitting on ``on_date``, and by which periods.

    Only active (not revoked) records of a blocking measure count, on every day from the first to
    the last of their period. The periods are sorted by start.
    """
    periods = sorted(
        (
            DebarmentPeriod(r.measure, r.period_start, r.period_end)
            for r in records
            if r.status == "active"
            and r.measure in measures
            and measures[r.measure].blocks_submission
            and r.period_start is not None
            and r.period_end is not None
            and r.period_start <= on_date <= r.period_end
        ),
        key=lambda p: (p.start, p.end, p.measure),
    )
    return bool(periods), periods
