"""Reviews (NSF-4), closing a round, and the ranking of a category, in and out."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from services.foundation.rules.reviews import COMMENT_OVERALL
from shared.fields import MoneyOut, ShanghaiTime
from shared.schemas import InputSchema, OutputSchema

Grade = Literal["A", "B", "C", "D"]
Opinion = Literal["priority", "fundable", "not_fundable"]
CriterionCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$", examples=["innovation"])]
Comment = Annotated[str, Field(max_length=5000)]

# --- reviews ----------------------------------------------------------------------------------------


class ReviewIn(InputSchema):
    """The whole draft, each time (PUT). Comments are keyed by criterion code (``GET
    /review-criteria``): innovation, feasibility, foundation, team, overall."""

    grade: Grade | None = Field(default=None, description="NSF-4: A/B/C/D = 4/3/2/1 points", examples=["A"])
    opinion: Opinion | None = Field(
        default=None, examples=["priority"], description="NSF-4: priority / fundable / not_fundable = 4/2/0 points"
    )
    comments: dict[CriterionCode, Comment] = Field(
        default_factory=dict,
        max_length=20,
        examples=[{"innovation": "选题新颖，具有原创性。", COMMENT_OVERALL: "建议优先资助。"}],
    )


class ReviewRead(OutputSchema):
    assignment_id: int
    round_id: int
    application_id: int
    grade: str | None
    opinion: str | None
    comments: dict[str, str]
    status: str = Field(description="draft | submitted (final)")
    submitted_at: ShanghaiTime | None
    version: int
    updated_at: ShanghaiTime


class CriterionRead(OutputSchema):
    code: str
    name_zh: str
    name_en: str
    required: bool = Field(description="a comment on it is needed to submit")


# --- closing a round and the lacking list ----------------------------------------------------------


class OpenAssignmentRead(OutputSchema):
    """An assignment still holding its slot without a submitted review."""

    assignment_id: int
    reviewer_id: int
    slot: int
    status: str
    review_status: Literal["none", "draft"]


class LackingRead(OutputSchema):
    """An application with fewer valid reviews than the round needs (NSF-4): it cannot be ranked."""

    application_id: int
    title: str
    status: str
    valid_reviews: int
    needed: int
    open_assignments: list[OpenAssignmentRead]


class LackingList(OutputSchema):
    round_id: int
    round_status: str
    min_valid: int
    items: list[LackingRead]


class RoundCloseRead(OutputSchema):
    round_id: int
    status: str
    closed_at: ShanghaiTime | None
    version: int
    min_valid: int
    reviewed: list[int] = Field(description="applications moved in_review → reviewed")
    lacking: list[LackingRead] = Field(description="applications left in_review, with the slots still open")


# --- ranking ----------------------------------------------------------------------------------------


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
