"""WP-5 the permit's valid-until date and the passport check; WP-6 the notice's and the residence permit's
informational dates.

Periods in months and years end, as the Civil Code counts them (民法典 arts. 201, 203), on the
corresponding day of the last month, or on that month's last day when it has no such day: 6 months from
31 August is 28 February (29 in a leap year), a year from 29 February is 28 February. Periods in days
are natural days (自然日, CAL-2) with the start day not counted: 90 days from 1 March is 30 May. The
valid-until date is a last valid day; no holiday shift applies (art. 203's shift is for acts due on a day,
not for the end of a permission).

* valid-until = the earliest of the contract's end, the passport's expiry, the employer's licence expiry
  (None: a licence without expiry, 长期) and the class cap from the permit's start (A 5 years, B 2 years,
  C 90 days, configurable); every limit that equals the result is reported as binding;
* a passport is refused when its expiry is before the day 6 months after the application date: on
  that day it has exactly 6 months left and passes, the day before it is refused
  (``passport_expires_too_soon``);
* the notice (通知) is valid 6 months from its issue; the residence permit is applied for within 30
  days of entry: the last day is 30 days after the entry date.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from services.foreign_experts.errors import InvalidFacts, PassportExpiresTooSoon
from services.foreign_experts.rules.labels import VALIDITY_LIMITS, label, text
from services.foreign_experts.rules.parameters import YearParameters
from shared.schemas import Label


def add_months(day: date, months: int) -> date:
    """The corresponding day ``months`` later (earlier when negative), else the last day of that month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def class_cap_end(permit_class: str, starts_on: date, params: YearParameters) -> date:
    """The last day the class's maximum term allows for a permit starting on ``starts_on``."""
    if permit_class == "A":
        return add_years(starts_on, params.a_validity_years)
    if permit_class == "B":
        return add_years(starts_on, params.b_validity_years)
    if permit_class == "C":
        return starts_on + timedelta(days=params.c_validity_days)
    raise InvalidFacts("permit_class", f"未知的类别“{permit_class}”", f"unknown permit class {permit_class!r}")


@dataclass(frozen=True)
class ValidityLimit:
    code: str
    label: Label
    ends_on: date


@dataclass(frozen=True)
class Validity:
    valid_from: date
    valid_until: date
    binding: tuple[str, ...]  # the codes of every limit equal to valid_until
    limits: tuple[ValidityLimit, ...]


def permit_validity(
    *,
    permit_class: str,
    starts_on: date,
    contract_ends_on: date,
    passport_expires_on: date,
    licence_expires_on: date | None,
    params: YearParameters,
) -> Validity:
    """WP-5 from the permit's start (the contract's start, or the issue day if later: the caller's choice)."""
    limits = [
        ValidityLimit("contract", label(VALIDITY_LIMITS, "contract"), contract_ends_on),
        ValidityLimit("passport", label(VALIDITY_LIMITS, "passport"), passport_expires_on),
    ]
    if licence_expires_on is not None:
        limits.append(ValidityLimit("licence", label(VALIDITY_LIMITS, "licence"), licence_expires_on))
    limits.append(
        ValidityLimit("class_cap", label(VALIDITY_LIMITS, "class_cap"), class_cap_end(permit_class, starts_on, params))
    )
    until = min(limit.ends_on for limit in limits)
    if until < starts_on:
        raise InvalidFacts(
            "valid_until",
            f"有效期截止日{until.isoformat()}早于起始日{starts_on.isoformat()}",
            f"the permit would end on {until.isoformat()}, before it starts on {starts_on.isoformat()}",
        )
    return Validity(starts_on, until, tuple(limit.code for limit in limits if limit.ends_on == until), tuple(limits))


# --- the passport ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PassportRefusal:
    """WP-5's typed refusal: the passport expires before ``needed_until``."""

    expires_on: date
    applied_on: date
    needed_until: date
    reason: Label
    code: str = PassportExpiresTooSoon.code


def passport_refusal(expires_on: date, applied_on: date, params: YearParameters) -> PassportRefusal | None:
    """None when the passport has at least ``params.passport_min_months`` left on ``applied_on``."""
    needed = add_months(applied_on, params.passport_min_months)
    if expires_on >= needed:
        return None
    months = params.passport_min_months
    return PassportRefusal(
        expires_on,
        applied_on,
        needed,
        text(
            f"护照于{expires_on.isoformat()}到期，申请日{applied_on.isoformat()}剩余有效期不足{months}个月"
            f"（须至少有效至{needed.isoformat()}）",
            f"the passport expires on {expires_on.isoformat()}: under {months} months left on {applied_on.isoformat()} "
            f"(it must be valid until {needed.isoformat()} at least)",
        ),
    )


def check_passport(expires_on: date, applied_on: date, params: YearParameters) -> None:
    """Raise ``PassportExpiresTooSoon`` (409, ``passport_expires_too_soon``) when ``passport_refusal`` refuses."""
    refusal = passport_refusal(expires_on, applied_on, params)
    if refusal is not None:
        raise PassportExpiresTooSoon(
            refusal.reason.zh,
            refusal.reason.en,
            extra={"expires_on": expires_on.isoformat(), "needed_until": refusal.needed_until.isoformat()},
        )


# --- WP-6 ------------------------------------------------------------------------------------------


def notice_valid_until(issued_on: date, params: YearParameters) -> date:
    """The last day of the work-permit notice (通知): 6 months from its issue."""
    return add_months(issued_on, params.notice_validity_months)


def residence_permit_apply_by(entry_on: date, params: YearParameters) -> date:
    """The last day to apply for the residence permit: 30 natural days after entry."""
    return entry_on + timedelta(days=params.residence_permit_days)
