"""A year's figures in and out."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from shared.fields import MoneyOut, ShanghaiTime
from shared.schemas import InputSchema, OutputSchema


class ParametersUpdate(InputSchema):
    figures: dict[str, Any] = Field(
        description="the year's figures by name (see GET for every name and its current value); a figure "
        "left out takes its documented default; an unknown name is refused",
        examples=[{"average_wage": "91650", "c_quota": 120, "provincial_points": 5}],
    )
    source: str | None = Field(
        default=None, max_length=300, description="where the figures come from, e.g. the notice that published the wage"
    )


class ParametersRead(OutputSchema):
    year: int
    figures: dict[str, Any] = Field(description="every figure of the year; money and multiples as decimal strings")
    a_salary_threshold: MoneyOut = Field(description="yuan a year: a_salary_multiple × average_wage (WP-2, A)")
    b_salary_threshold: MoneyOut = Field(description="yuan a year: b_salary_multiple × average_wage (WP-2, B)")
    source: str | None
    defaults: bool = Field(description="true while no official has set the year: the documented defaults apply")
    version: int
    updated_at: ShanghaiTime | None
