"""Field types every service's schemas share: money in yuan as a two-place decimal string (API.md
"Bodies"), and timestamps shown in Asia/Shanghai (CAL-2)."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import AfterValidator, Field, PlainSerializer

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
# Timestamps shown in Asia/Shanghai (CAL-2), whatever zone they were given or stored in.
ShanghaiTime = Annotated[datetime, AfterValidator(to_shanghai)]


def yuan(value: Decimal | float | int | None) -> Decimal:
    """A summed amount as exact yuan: SQLite sums NUMERIC as a float; rounding to the fen gives back
    the exact amount (NULL, an empty sum, is zero)."""
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)
