"""Pure rules of the project contract (任务书): dated milestones within the project's term, a
disbursement plan in tranches never above the approved amount, and when a tranche may be paid."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

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
        problems.append({"field": "ends_on", "code": "ends_before_start", "message": "the term ends after it starts"})
    months = (ends_on.year - starts_on.year) * 12 + ends_on.month - starts_on.month
    if months > max_months:
        problems.append(
            {
                "field": "ends_on",
                "code": "term_over_cap",
                "message": f"{months} months is longer than the programme's {max_months}",
            }
        )
    return problems


def dated_problems(field: str, dates: Sequence[date], starts_on: date, ends_on: date) -> list[dict[str, str]]:
    """Milestones and tranches fall within the term, in date order."""
    problems: list[dict[str, str]] = []
    for n, day in enumerate(dates):
        if not starts_on <= day <= ends_on:
            problems.append(
                {
                    "field": f"{field}.{n}.due_on",
                    "code": "outside_term",
                    "message": f"{day.isoformat()} is outside {starts_on.isoformat()}..{ends_on.isoformat()}",
                }
            )
        if n and day < dates[n - 1]:
            problems.append(
                {"field": f"{field}.{n}.due_on", "code": "out_of_order", "message": "dates must not go backwards"}
            )
    return problems


def payable(condition: str, application_status: str) -> bool:
    return application_status in PAYABLE_STATES[condition]
