"""Statistics out."""

from __future__ import annotations

from pydantic import Field

from shared.schemas import Label, OutputSchema


class CountRow(OutputSchema):
    key: str
    label: Label
    count: int


class PermitStatistics(OutputSchema):
    by: str
    year: int | None
    status: str | None
    total: int
    items: list[CountRow]


class ProcessingStatistics(OutputSchema):
    """WP-4: from acceptance to the decision, in working days (CAL-1), waits for documents left out."""

    year: int
    permit_class: str | None
    decided: int = Field(description="applications decided in the year (approved, issued or refused)")
    mean_working_days: float | None
    p90_working_days: float | None = Field(description="the 90th percentile, nearest rank")
    max_working_days: int | None
