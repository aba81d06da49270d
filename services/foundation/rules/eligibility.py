"""What a foundation application must meet, as pure functions and data (no I/O).

The plan's own figures (the window, discipline codes, each category's amount and age limits) come
from the plan; the figures a plan does not state are the documented defaults below (**configurable**
per plan and category: an official sets them when drafting the plan). The integrity (PRJ-5, NSF-7)
and limits (PRJ-1, NSF-5) answers come from the projects service; the application service asks for
them *before* anything changes and hands them to ``check_not_debarred`` and ``check_limits``.

Each guard raises an ``AppError`` with a stable code whose detail names the clause it applies.

Decisions (documented here because the rules leave them open):

* budget: the requested total may not exceed the category's ``amount``, whether that is a cap or
  the fixed grant (a fixed-grant project asks for at most the grant; the approval grants the fixed
  amount);
* a fixed-amount category's ``amount × project_count`` must fit its budget (refused at plan time);
* duration: ``DEFAULTS.min_duration_months`` to ``DEFAULTS.max_duration_months`` (12-60 months);
* NSF-6 "under 35 (men) or 40 (women) on 1 January": the completed age on 1 January of the plan's
  year must be *below* the limit, so one whose 35th birthday is 1 January is no longer eligible
  and one whose 35th birthday is 2 January still is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from services.foundation.errors import (
    BudgetOverAmount,
    DisciplineNotInPlan,
    DurationOutOfRange,
    OverAgeLimit,
    PlanClosed,
    PlanNotOpen,
)
from shared.clients.reviewers import DISCIPLINE_PREFIX_RE
from shared.errors import Debarred, LimitExceeded
from shared.workdays import to_shanghai, today_shanghai

FEN = Decimal("0.01")

# --- data -----------------------------------------------------------------------------------------

CATEGORY_KINDS: dict[str, tuple[str, str]] = {
    "general": ("面上项目（自由探索）", "general (free exploration)"),
    "youth": ("青年基金项目", "youth"),
    "key": ("重点项目", "key"),
    "joint": ("联合基金项目", "joint fund"),
}
AMOUNT_MODES: dict[str, tuple[str, str]] = {
    "fixed": ("定额资助", "fixed grant per project"),
    "cap": ("限额资助", "cap per project"),
}

# Budget lines of a foundation project (科目, after the 2021 simplification): code -> (zh, en).
BUDGET_LINES: dict[str, tuple[str, str]] = {
    "equipment": ("设备费", "equipment"),
    "business": ("业务费", "research operations (materials, testing, travel, meetings, publication)"),
    "labour": ("劳务费", "labour"),
    "indirect": ("间接费用", "indirect costs"),
}

# NSF-1: the reasons a formal review may reject an application, as data: code -> (zh, en).
FORMAL_REASONS: dict[str, tuple[str, str]] = {
    "ineligible": ("申请人不符合申请条件", "the applicant is not eligible"),
    "guide_mismatch": ("申请内容不符合本年度申请指南", "the application does not match the year's guide"),
    "over_limits": ("超过限项规定", "the applicant is over the limits (NSF-5)"),
    "debarred": ("申请人处于科研诚信处理期", "the applicant is under an integrity debarment"),
    "incomplete_documents": ("申请材料不齐全或不规范", "documents missing or incomplete"),
    "other": ("其他", "other"),
}

# Title ranks (职称级别) as an application states them; NSF-5 counts senior staff (正高, 副高).
TITLE_RANKS: dict[str, tuple[str, str]] = {
    "senior": ("正高级", "full senior (professor, research fellow)"),
    "associate": ("副高级", "associate senior (associate professor)"),
    "intermediate": ("中级", "intermediate"),
    "junior": ("初级", "junior"),
    "none": ("无", "none"),
}
DEGREES: dict[str, tuple[str, str]] = {
    "doctorate": ("博士", "doctorate"),
    "master": ("硕士", "master"),
    "bachelor": ("学士", "bachelor"),
    "other": ("其他", "other"),
}


@dataclass(frozen=True)
class FoundationDefaults:
    """Figures a plan or category may leave out (**configurable**: the plan states its own)."""

    # NSF-1: formal review within this many natural days (CAL-2) of the deadline.
    formal_review_days: int = 45
    # The public notice (公示) of the approved list, in working days (CAL-1).
    notice_working_days: int = 5
    # NSF-2: reviewers per application by category kind; never fewer than ``min_reviewers``.
    reviewers_per_application: Mapping[str, int] = field(
        default_factory=lambda: {"general": 3, "youth": 3, "key": 5, "joint": 3}
    )
    min_reviewers: int = 3
    # NSF-6: the youth category's age limits ("under N on 1 January of the plan's year"), by sex.
    youth_max_age_male: int = 35
    youth_max_age_female: int = 40
    # A project runs this many months at least and at most.
    min_duration_months: int = 12
    max_duration_months: int = 60


DEFAULTS = FoundationDefaults()


def default_reviewers(kind: str) -> int:
    return DEFAULTS.reviewers_per_application.get(kind, DEFAULTS.min_reviewers)


def default_age_limits(kind: str) -> tuple[int | None, int | None]:
    """(male, female) age limits a category of ``kind`` has unless the plan says otherwise."""
    if kind == "youth":
        return DEFAULTS.youth_max_age_male, DEFAULTS.youth_max_age_female
    return None, None


# --- problems ------------------------------------------------------------------------------------


# --- helpers -------------------------------------------------------------------------------------


def fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def total(amounts: Sequence[Decimal]) -> Decimal:
    return fen(sum(amounts, Decimal(0)))


def _local(moment: datetime) -> str:
    return to_shanghai(moment).strftime("%Y-%m-%d %H:%M:%S")


def formal_review_due(closes_at: datetime, days: int) -> date:
    """NSF-1, CAL-2: the last day of the formal review, ``days`` natural days after the deadline's
    date in Asia/Shanghai."""
    return to_shanghai(closes_at).date() + timedelta(days=days)


def formal_review_overdue(due: date, now: datetime) -> bool:
    """Overdue from the day after ``due`` (Asia/Shanghai)."""
    return today_shanghai(now) > due


# --- guards at submit ----------------------------------------------------------------------------


def check_plan_published(status: str) -> None:
    """Only a published plan takes applications; one closed by hand is closed whatever its times say."""
    if status != "published":
        raise PlanClosed(
            "本年度基金计划未在受理期（未发布或已关闭）。",
            "The plan is not taking applications.",
            extra={"status": status},
        )


def check_window(opens_at: datetime, closes_at: datetime, now: datetime) -> None:
    """CAL-2: applications from ``opens_at`` (inclusive) until ``closes_at`` (exclusive), in Asia/Shanghai."""
    if now < opens_at:
        raise PlanNotOpen(
            f"本年度基金于 {_local(opens_at)}（北京时间）开始受理申请（CAL-2）。",
            f"The plan takes applications from {_local(opens_at)} Asia/Shanghai (CAL-2).",
            extra={"opens_at": to_shanghai(opens_at).isoformat(), "clause": "CAL-2"},
        )
    if now >= closes_at:
        raise PlanClosed(
            f"本年度基金已于 {_local(closes_at)}（北京时间）截止申请（CAL-2）。",
            f"The plan closed at {_local(closes_at)} Asia/Shanghai (CAL-2).",
            extra={"closes_at": to_shanghai(closes_at).isoformat(), "clause": "CAL-2"},
        )


def discipline_in_plan(code: str, plan_codes: Sequence[str]) -> bool:
    """A discipline code is under the plan when one of the plan's codes is a prefix of it."""
    return any(code.startswith(p) for p in plan_codes if DISCIPLINE_PREFIX_RE.fullmatch(p))


def check_discipline(code: str, plan_codes: Sequence[str]) -> None:
    """NSF-1 ("matches the year's guide"): the application's discipline is one the plan funds."""
    if not discipline_in_plan(code, plan_codes):
        raise DisciplineNotInPlan(
            f"申请代码 {code} 不在本年度资助范围（{'、'.join(plan_codes)}）内（NSF-1）。",
            f"The discipline {code} is not under the plan's codes ({', '.join(plan_codes)}) (NSF-1).",
            extra={"discipline_code": code, "plan_codes": list(plan_codes), "clause": "NSF-1"},
        )


def age_on(birth_date: date, day: date) -> int:
    """Completed years on ``day`` (a 29 February birthday is reached on 1 March in other years)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def check_age(birth_date: date, sex: str, year: int, max_age_male: int | None, max_age_female: int | None) -> None:
    """NSF-6: under the category's limit (by the sex in the ID number, ID-2/ID-3) on 1 January of the
    plan's year; no limit for that sex: eligible."""
    limit = max_age_male if sex == "male" else max_age_female
    if limit is None:
        return
    reference = date(year, 1, 1)
    age = age_on(birth_date, reference)
    if age >= limit:
        who_zh, who_en = ("男性", "men") if sex == "male" else ("女性", "women")
        raise OverAgeLimit(
            f"申请人于 {reference.isoformat()} 已满 {age} 周岁；本类别要求{who_zh}申请人未满 {limit} 周岁（NSF-6）。",
            f"The applicant is {age} on {reference.isoformat()}; this category takes {who_en} under {limit} (NSF-6).",
            extra={
                "age": age,
                "max_age": limit,
                "sex": sex,
                "reference_date": reference.isoformat(),
                "clause": "NSF-6",
            },
        )


def check_budget(requested: Decimal, amount: Decimal, mode: str) -> None:
    """The requested total is at most the category's amount (a cap, or the fixed grant)."""
    if requested > amount:
        what_zh = "资助额度" if mode == "fixed" else "资助上限"
        raise BudgetOverAmount(
            f"申请经费 {fen(requested)} 元超过本类别{what_zh} {fen(amount)} 元。",
            f"The requested {fen(requested)} yuan exceed the category's {mode} amount of {fen(amount)} yuan.",
            extra={"requested": str(fen(requested)), "amount": str(fen(amount)), "amount_mode": mode},
        )


def check_duration(
    months: int, *, minimum: int = DEFAULTS.min_duration_months, maximum: int = DEFAULTS.max_duration_months
) -> None:
    if not minimum <= months <= maximum:
        raise DurationOutOfRange(
            f"研究期限 {months} 个月不在 {minimum} 至 {maximum} 个月之间。",
            f"A duration of {months} months is outside {minimum} to {maximum} months.",
            extra={"duration_months": months, "min": minimum, "max": maximum},
        )


@dataclass(frozen=True)
class DebarmentFinding:
    """One active debarment of a subject, as the integrity check answers (PRJ-5, NSF-7)."""

    subject: str  # "applicant" or "institution"
    measure: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None


def check_not_debarred(findings: Sequence[DebarmentFinding], *, clause: str = "PRJ-5") -> None:
    """PRJ-5, NSF-7 (and NSF-1 at formal review): an active debarment of the applicant or the host
    institution blocks the application."""
    if findings:
        who_zh = "、".join("申请人" if f.subject == "applicant" else "依托单位" for f in findings)
        who_en = ", ".join("the applicant" if f.subject == "applicant" else "the host institution" for f in findings)
        raise Debarred(
            f"{who_zh}存在有效的科研诚信处理（取消申请资格），不能申请（{clause}）。",
            f"An integrity debarment of {who_en} is in force; the application cannot proceed ({clause}).",
            extra={
                "clause": clause,
                "debarments": [
                    {
                        "subject": f.subject,
                        "measure": f.measure,
                        "starts_on": f.starts_on.isoformat() if f.starts_on else None,
                        "ends_on": f.ends_on.isoformat() if f.ends_on else None,
                    }
                    for f in findings
                ],
            },
        )


@dataclass(frozen=True)
class LimitViolation:
    """One limit the ledger says the applicant has reached (NSF-5, PRJ-1)."""

    clause: str
    rule: str
    limit: int
    count: int
    items: tuple[Mapping[str, Any], ...] = ()


def check_limits(violations: Sequence[LimitViolation]) -> None:
    """NSF-5, PRJ-1: the ledger's answer; the refusal names each limit with its figure and the count held."""
    if violations:
        first = violations[0]
        raise LimitExceeded(
            f"申请人已有 {first.count} 项，达到限项规定的 {first.limit} 项（{first.clause}）。",
            f"The applicant holds {first.count}; the limit is {first.limit} ({first.clause}).",
            extra={
                "clause": first.clause,
                "counts": [
                    {"clause": v.clause, "rule": v.rule, "limit": v.limit, "count": v.count, "items": list(v.items)}
                    for v in violations
                ],
            },
        )
