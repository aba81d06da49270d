"""The ranking of a category (NSF-4) and its funding line, out."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from shared.fields import MoneyOut
from shared.schemas import OutputSchema


class RankingRow(OutputSchema):
    rank: int
    application_id: int
    title: str
    discipline_code: str
    applicant_name: str
    institution_name: str
    status: str
    score: Decimal | None = Field(description="mean over valid reviews (NSF-4), 4 places")
    valid_reviews: int
    priority_count: int
    tied_on_score: bool = Field(description="same score as the row above: the tie-break decided")
    requested_total: MoneyOut
    amount: MoneyOut = Field(description="the grant: the fixed amount, or min(requested, cap)")
    cumulative: MoneyOut = Field(description="running total of the amounts in rank order")
    within_quota: bool


class FundingLineRead(OutputSchema):
    project_count: int
    budget: MoneyOut
    amount_mode: str
    amount: MoneyOut
    funded_count: int
    funded_total: MoneyOut
    remaining_budget: MoneyOut
    remaining_count: int
    stopped_by: Literal["count", "budget"] | None = Field(description="why the line is where it is")
    first_outside: int | None = Field(description="the application just below the line")


class PendingRead(OutputSchema):
    application_id: int
    title: str
    status: str
    valid_reviews: int
    needed: int


class RankingRead(OutputSchema):
    plan_id: int
    category_id: int
    category_code: str
    category_name: str
    min_valid: int
    tie_break: list[str]
    rows: list[RankingRow]
    funding: FundingLineRead
    lacking: list[PendingRead] = Field(description="in review with fewer valid reviews than needed: not ranked")
    awaiting: list[PendingRead] = Field(description="reviewed, not ranked yet (POST the ranking)")
