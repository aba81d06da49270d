"""TAL-3 tenure, support in tranches, the annual assessment and its consequences, the final evaluation.

* The tenure runs ``years`` (**configurable**, default 3) from its first day; its last day is the day
  before the same date ``years`` later (a 29 February start ends on 28 February).
* The support amount is paid in tranches by shares (data, per programme) that are positive and sum to
  exactly 1. Each tranche but the last is its share of the amount truncated to the fen (never more than
  its exact share); the last tranche takes the rest, so it absorbs the rounding, is never negative and the
  tranches add up to the amount exactly.
* The annual assessment is graded excellent / pass / basic pass / fail. A fail, or a debarment (PRJ-5)
  that is in force during the tenure, stops the support and ends the title, with the reason recorded as a
  stable code. What each grade does is a table (``GRADE_CONSEQUENCES``) fixed by DOMAIN.
* The final evaluation is due ``final_evaluation_days`` after the tenure's last day (a placeholder the
  department sets, default 90 natural days; ``final_evaluation_counting`` may make them working days).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum
from typing import Literal

from services.talent.errors import InvalidProgrammeRules, InvalidTrancheSchedule
from shared.errors import InvalidValue, field_error
from shared.workdays import CalendarResult, WorkingCalendar, package_calendar

CLAUSE = "TAL-3"
FEN = Decimal("0.01")


class AnnualGrade(StrEnum):
    EXCELLENT = "excellent"  # 优秀
    PASS = "pass"  # 合格
    BASIC_PASS = "basic_pass"  # 基本合格
    FAIL = "fail"  # 不合格


# Stable reason codes recorded with a stopped support and an ended title.
REASON_ASSESSMENT_FAILED = "annual_assessment_failed"
REASON_DEBARRED = "debarred_during_tenure"


def share_problems(shares: Sequence[Decimal]) -> list[dict[str, str]]:
    """TAL-3: what is wrong with tranche shares (positive, summing to exactly 1), as ``field_error`` entries."""
    shares = [Decimal(s) for s in shares]
    errors = []
    if not shares:
        errors.append(field_error("tranche_shares", "required", "至少一期", "at least one tranche"))
    for i, share in enumerate(shares):
        if not share.is_finite() or share <= 0:
            errors.append(field_error(f"tranche_shares[{i}]", "not_positive", "比例须为正数", "must be positive"))
    total = sum((s for s in shares if s.is_finite()), Decimal(0))
    if shares and total != 1:
        errors.append(
            field_error(
                "tranche_shares",
                "shares_not_one",
                f"各期比例合计为 {total}，应恰为 1（TAL-3）",
                f"the shares sum to {total}, not exactly 1 (TAL-3)",
            )
        )
    return errors


@dataclass(frozen=True)
class TenureRules:
    """A programme's tenure figures. ``years`` 3 (TAL-3, **configurable**). ``tranche_shares`` (0.4, 0.3,
    0.3): a placeholder, DOMAIN gives no split; the programme sets its own. ``final_evaluation_days`` 90
    natural days after the tenure's last day: a placeholder as well."""

    years: int = 3
    tranche_shares: tuple[Decimal, ...] = (Decimal("0.4"), Decimal("0.3"), Decimal("0.3"))
    final_evaluation_days: int = 90
    final_evaluation_counting: Literal["calendar", "working"] = "calendar"

    def __post_init__(self) -> None:
        object.__setattr__(self, "tranche_shares", tuple(Decimal(s) for s in self.tranche_shares))
        errors = []
        if self.years < 1:
            errors.append(field_error("tenure.years", "not_positive", "任期至少 1 年", "at least 1 year"))
        if self.final_evaluation_days < 0:
            errors.append(field_error("tenure.final_evaluation_days", "negative", "不能为负数", "must not be negative"))
        if self.final_evaluation_counting not in ("calendar", "working"):
            errors.append(
                field_error(
                    "tenure.final_evaluation_counting", "unknown", "应为 calendar 或 working", "calendar or working"
                )
            )
        errors += share_problems(self.tranche_shares)
        if errors:
            raise InvalidProgrammeRules(
                "任期参数无效（TAL-3）。", "The tenure figures are not valid (TAL-3).", errors, clause=CLAUSE
            )


TENURE = TenureRules()


def tenure_ends_on(starts_on: date, years: int) -> date:
    """TAL-3: the tenure's last day, the day before the same date ``years`` later."""
    if years < 1:
        raise InvalidValue("任期至少 1 年（TAL-3）。", "A tenure is at least 1 year (TAL-3).", extra={"clause": CLAUSE})
    try:
        anniversary = starts_on.replace(year=starts_on.year + years)
    except ValueError:  # 29 February to a common year: the anniversary is 1 March
        anniversary = date(starts_on.year + years, 3, 1)
    return anniversary - timedelta(days=1)


# --- tranches --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tranche:
    number: int  # 1-based
    share: Decimal
    amount: Decimal  # yuan, to the fen


def tranche_schedule(amount: Decimal, shares: Sequence[Decimal]) -> tuple[Tranche, ...]:
    """TAL-3: the support ``amount`` (yuan, to the fen) split by ``shares``; see the module docstring."""
    amount = Decimal(amount)
    shares = [Decimal(s) for s in shares]
    errors = share_problems(shares)
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(FEN, rounding=ROUND_DOWN):
        errors.append(
            field_error(
                "amount", "invalid_amount", "支持经费须为非负数且精确到分", "the amount must be non-negative, in fen"
            )
        )
    if errors:
        raise InvalidTrancheSchedule(
            "分期拨付方案无效（TAL-3）：" + "；".join(e["message_zh"] for e in errors),
            "The tranche schedule breaks TAL-3: " + "; ".join(e["message_en"] for e in errors),
            errors,
            clause=CLAUSE,
        )
    tranches = []
    paid = Decimal(0)
    for number, share in enumerate(shares[:-1], start=1):
        part = (amount * share).quantize(FEN, rounding=ROUND_DOWN)
        tranches.append(Tranche(number, share, part))
        paid += part
    tranches.append(Tranche(len(shares), shares[-1], amount - paid))
    return tuple(tranches)


# --- assessment and consequences -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Consequence:
    """What happens to the tenure: support stopped and title ended (with a stable ``reason`` and the day it
    takes effect), or nothing."""

    stop_support: bool
    end_title: bool
    reason: str | None = None
    effective_on: date | None = None
    clause: str = CLAUSE


CONTINUES = Consequence(stop_support=False, end_title=False)

# TAL-3 fixes it: a fail stops support and ends the title; the other grades keep the tenure running.
GRADE_CONSEQUENCES: dict[AnnualGrade, Consequence] = {
    AnnualGrade.EXCELLENT: CONTINUES,
    AnnualGrade.PASS: CONTINUES,
    AnnualGrade.BASIC_PASS: CONTINUES,
    AnnualGrade.FAIL: Consequence(stop_support=True, end_title=True, reason=REASON_ASSESSMENT_FAILED),
}


def annual_grade(value: str) -> AnnualGrade:
    try:
        return AnnualGrade(value)
    except ValueError:
        raise InvalidValue(
            f"年度考核等次应为 {'、'.join(AnnualGrade)} 之一（TAL-3）。",
            f"The annual grade must be one of {', '.join(AnnualGrade)} (TAL-3).",
            extra={"clause": CLAUSE, "grade": value, "grades": list(AnnualGrade)},
        ) from None


def consequence_of_grade(grade: str, assessed_on: date | None = None) -> Consequence:
    """TAL-3: the consequence of an annual assessment's grade (a fail stops support and ends the title
    from ``assessed_on``)."""
    found = GRADE_CONSEQUENCES[annual_grade(grade)]
    if found.stop_support and assessed_on is not None:
        return Consequence(found.stop_support, found.end_title, found.reason, assessed_on)
    return found


def consequence_of_debarment(
    tenure_starts_on: date, tenure_ends_on: date, debarment_starts_on: date, debarment_ends_on: date | None
) -> Consequence:
    """TAL-3 with PRJ-5: a debarment in force on any day of the tenure stops support and ends the title from
    the first such day; one over before the tenure or starting after it changes nothing
    (``debarment_ends_on`` None: open-ended)."""
    if debarment_starts_on > tenure_ends_on:
        return CONTINUES
    if debarment_ends_on is not None and debarment_ends_on < tenure_starts_on:
        return CONTINUES
    return Consequence(
        stop_support=True,
        end_title=True,
        reason=REASON_DEBARRED,
        effective_on=max(debarment_starts_on, tenure_starts_on),
    )


def final_evaluation_due(
    tenure_ends_on: date, rules: TenureRules = TENURE, calendar: WorkingCalendar | None = None
) -> CalendarResult[date]:
    """TAL-3: the final evaluation's due date, ``final_evaluation_days`` after the tenure's last day, in
    natural days (CAL-2) or working days (CAL-1, ``calendar_confirmed`` false past the known schedules)."""
    cal = calendar or package_calendar()
    if rules.final_evaluation_counting == "working":
        return cal.add_working_days(tenure_ends_on, rules.final_evaluation_days)
    return cal.add_calendar_days(tenure_ends_on, rules.final_evaluation_days)
