"""Field types every service's schemas share: money in yuan as a two-place decimal string (docs/api-conventions.md
"Bodies"), and timestamps shown in Asia/Shanghai (CAL-2)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import AfterValidator, Field, PlainSerializer, StringConstraints

from shared.i18n import custom_error
from shared.workdays import to_shanghai

MAX_YUAN = Decimal("99999999999999.99")  # Numeric(16, 2)
CENT = Decimal("0.01")


def _money_out(value: Decimal) -> str:
    return f"{value:.2f}"


# Yuan as a decimal string with two places ("1500000.00"), in and out.
Money = Annotated[
    Decimal,
    Field(ge=0, le=MAX_YUAN, max_digits=16, decimal_places=2, examples=["1500000.00"]),
    PlainSerializer(_money_out, return_type=str, when_used="json"),
]
MoneyOut = Annotated[Decimal, PlainSerializer(_money_out, return_type=str, when_used="json")]
# A date the platform computes with (a plan's, a trip's, a notice's, a report's): within 2000-2199, so no
# date arithmetic on it (a due date 30 days later, a period's length) can overflow.
PlanDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2199, 12, 31))]
# Timestamps shown in Asia/Shanghai (CAL-2), whatever zone they were given or stored in.
ShanghaiTime = Annotated[datetime, AfterValidator(to_shanghai)]


def yuan(value: Decimal | float | int | None) -> Decimal:
    """A summed amount as exact yuan: SQLite sums NUMERIC as a float; rounding to the fen gives back
    the exact amount (NULL, an empty sum, is zero)."""
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


_EMAIL_RE = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,61}[A-Za-z0-9]"
)


def normalize_email(value: str) -> str:
    """Trimmed and lower-cased: e-mail addresses are unique regardless of case."""
    return value.strip().lower()


def _check_email(value: str) -> str:
    value = normalize_email(value)
    if len(value) > 254 or not _EMAIL_RE.fullmatch(value):
        raise custom_error("invalid_email", "电子邮箱地址格式无效", "not a valid e-mail address")
    return value


# An e-mail address, normalised (the gateway's accounts, contact people of the services' records).
Email = Annotated[str, StringConstraints(max_length=320), AfterValidator(_check_email)]
