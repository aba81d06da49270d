"""Pure rules of the project contract (任务书): dated milestones within the project's term, a
disbursement plan in tranches never above the approved amount, and when a tranche may be paid."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from shared.errors import field_error

# When a tranche may be paid, by the application's state. "on_signing": once the project runs;
# "after_midterm": once the mid-term check passed; "after_acceptance": once finally accepted.
PAYABLE_STATES: dict[str, frozenset[str]] = {
    "on_signing": frozenset({"in_progress", "midterm_passed", "acceptance_requested", "accepted_final"}),
    "after_midterm": frozenset({"midterm_passed", "acceptance_requested", "accepted_final"}),
    "after_acceptance": frozenset({"accepted_final"}),
}
CONDITIONS: tuple[str, ...] = tuple(PAYABLE_STATES)
# Where the project has ended without success, unpaid tranches are cancelled.
ENDED_UNSUCCESSFULLY = frozenset({"terminated", "failed_final"})


def planned_total(amounts: Sequence[Decimal]) -> Decimal:
    return sum(amounts, Decimal("0.00"))


def over_approved(approved: Decimal, amounts: Sequence[Decimal]) -> bool:
    """The tranches' total never exceeds the approved amount (equal is allowed)."""
    return planned_total(amounts) > approved


def term_problems(starts_on: date, ends_on: date, max_months: int) -> list[dict[str, str]]:
    problems: list[dict[str, str]] = []
    if ends_on <= starts_on:
        problems.append(
            field_error("ends_on", "ends_before_start", "结束日期须晚于开始日期", "the term ends after it starts")
        )
    months = (ends_on.year - starts_on.year) * 12 + ends_on.month - starts_on.month
    if months > max_months:
        problems.append(
            field_error(
                "ends_on",
                "term_over_cap",
                f"{months} 个月超过本计划规定的 {max_months} 个月",
                f"{months} months is longer than the programme's {max_months}",
            )
        )
    return problems


def dated_problems(field: str, dates: Sequence[date], starts_on: date, ends_on: date) -> list[dict[str, str]]:
    """Milestones and tranches fall within the term, in date order."""
    problems: list[dict[str, str]] = []
    for n, day in enumerate(dates):
        if not starts_on <= day <= ends_on:
            problems.append(
                field_error(
                    f"{field}.{n}.due_on",
                    "outside_term",
                    f"{day.isoformat()} 不在 {starts_on.isoformat()} 至 {ends_on.isoformat()} 之间",
                    f"{day.isoformat()} is outside {starts_on.isoformat()}..{ends_on.isoformat()}",
                )
            )
        if n and day < dates[n - 1]:
            problems.append(
                field_error(f"{field}.{n}.due_on", "out_of_order", "日期不能早于前一项", "dates must not go backwards")
            )
    return problems


def payable(condition: str, application_status: str) -> bool:
    return application_status in PAYABLE_STATES[condition]
