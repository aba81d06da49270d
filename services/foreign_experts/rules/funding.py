"""The bureau's own yearly calls: foreign-expert programmes (引进外国专家项目) and outbound training plans
(出国(境)培训计划). Pure rules, no I/O; every figure is the call's data, set by an official per call.

* A call takes applications while it is published and today is within ``opens_on``..``closes_on``
  (both days included, Asia/Shanghai dates).
* A request never exceeds the call's per-application cap (``max_amount``, when set); a grant never
  exceeds the request, the cap, or what is left of the call's budget. The caller holds the call's row
  lock while it adds a grant, so two approvals cannot both spend the last of it.
* A training plan admits at most ``participant_quota`` people in all and trips of at most
  ``max_duration_days`` days, the day of departure and the day of return both counted.
* A report is due ``report_due_days`` calendar days (CAL-2) after the work ends or the group returns;
  the grant spent never exceeds the grant paid, and what is left unspent is to be paid back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from services.foreign_experts.errors import (
    BudgetExhausted,
    GrantExceedsRequest,
    InvalidPeriod,
    ParticipantQuotaExhausted,
    RequestExceedsCap,
    SpentExceedsGrant,
    TripTooLong,
)

# The window's rule (CAL-2) is every service's: shared.windows, named here as this module's rules.
from shared.errors import CallNotOpen as CallNotOpen
from shared.windows import check_open as check_open
from shared.windows import is_open as is_open


@dataclass(frozen=True)
class CallFigures:
    """What the rules need of a call: its limits and what approvals have taken so far."""

    budget: Decimal
    approved_amount: Decimal = Decimal(0)
    max_amount: Decimal | None = None
    participant_quota: int | None = None
    approved_participants: int = 0
    max_duration_days: int | None = None

    @property
    def remaining_budget(self) -> Decimal:
        return self.budget - self.approved_amount

    @property
    def remaining_places(self) -> int | None:
        return None if self.participant_quota is None else self.participant_quota - self.approved_participants


def check_request(requested: Decimal, figures: CallFigures) -> None:
    if figures.max_amount is not None and requested > figures.max_amount:
        raise RequestExceedsCap(
            f"申请 {requested:.2f} 元，单项上限 {figures.max_amount:.2f} 元。",
            f"{requested:.2f} yuan requested; the cap is {figures.max_amount:.2f} yuan.",
            extra={"max_amount": f"{figures.max_amount:.2f}"},
        )


def check_grant(requested: Decimal, granted: Decimal, figures: CallFigures) -> None:
    """A grant within the request, the per-application cap and the budget left (the call's row locked)."""
    if granted > requested:
        raise GrantExceedsRequest(
            f"批准 {granted:.2f} 元，申请仅 {requested:.2f} 元。",
            f"{granted:.2f} yuan granted, only {requested:.2f} yuan requested.",
        )
    check_request(granted, figures)
    if granted > figures.remaining_budget:
        raise BudgetExhausted(
            f"预算余额 {figures.remaining_budget:.2f} 元，不足 {granted:.2f} 元。",
            f"{figures.remaining_budget:.2f} yuan of the budget is left, less than {granted:.2f} yuan.",
            extra={"remaining_budget": f"{figures.remaining_budget:.2f}"},
        )


def check_places(participants: int, figures: CallFigures) -> None:
    left = figures.remaining_places
    if left is not None and participants > left:
        raise ParticipantQuotaExhausted(
            f"剩余名额 {left} 人，不足 {participants} 人。",
            f"{left} places are left, fewer than {participants}.",
            extra={"remaining_places": left},
        )


def check_period(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise InvalidPeriod(
            f"结束日期 {ends_on} 早于开始日期 {starts_on}。", f"The end {ends_on} is before the start {starts_on}."
        )


def trip_days(starts_on: date, ends_on: date) -> int:
    """A trip's length: departure and return days both counted (a trip out and back the same day is 1)."""
    check_period(starts_on, ends_on)
    return (ends_on - starts_on).days + 1


def check_trip(starts_on: date, ends_on: date, figures: CallFigures) -> None:
    days = trip_days(starts_on, ends_on)
    if figures.max_duration_days is not None and days > figures.max_duration_days:
        raise TripTooLong(
            f"培训 {days} 天，计划规定不超过 {figures.max_duration_days} 天。",
            f"The stay is {days} days; the plan allows at most {figures.max_duration_days}.",
            extra={"days": days, "max_duration_days": figures.max_duration_days},
        )


def report_due_on(ended_on: date, report_due_days: int) -> date:
    return ended_on + timedelta(days=report_due_days)


def check_spent(spent: Decimal, granted: Decimal, field: str = "grant_spent") -> Decimal:
    """The grant left unspent (to be paid back); refuses a report that spends more than was granted."""
    if spent > granted:
        raise SpentExceedsGrant(
            f"报告支出 {spent:.2f} 元，资助仅 {granted:.2f} 元。",
            f"The report spends {spent:.2f} yuan of a {granted:.2f} yuan grant.",
            extra={"field": field},
        )
    return granted - spent
