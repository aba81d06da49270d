"""Review rounds, assignments and reviews in and out."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from services.projects.programmes.schemas import MoneyOut, ShanghaiTime
from shared.clients.reviewers import DISCIPLINE_CODE_PATTERN
from shared.schemas import InputSchema, OutputSchema

DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]
CriterionCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
DisciplineCode = Annotated[str, Field(pattern=DISCIPLINE_CODE_PATTERN, examples=["F0203"])]
Grade = Literal["A", "B", "C", "D"]
Opinion = Literal["priority", "fundable", "not_fundable"]
Score = Annotated[Decimal, Field(ge=0, le=1000, max_digits=7, decimal_places=2)]
COMMENT_OVERALL = "overall"


class CriterionIn(InputSchema):
    code: CriterionCode = Field(examples=["innovation"])
    name: str = Field(min_length=1, max_length=100, examples=["创新性"])
    weight: Decimal = Field(gt=0, le=1000, max_digits=8, decimal_places=4, examples=["0.3"])
    max_score: Decimal = Field(default=Decimal(100), gt=0, le=1000, max_digits=7, decimal_places=2)


class RoundCreate(InputSchema):
    """A round of a call (optionally one topic). Figures left out take ``policy.DEFAULTS``."""

    call_id: DbId
    topic_id: DbId | None = None
    title: str = Field(min_length=1, max_length=200, examples=["2026年度重点研发项目会评 第一轮"])
    category: Literal["general", "key"] = Field(default="general", description="key: 5 reviewers (NSF-2)")
    discipline_codes: list[DisciplineCode] = Field(
        min_length=1,
        max_length=20,
        description="disciplines of the round's applications; the pool is drawn by their prefixes (F02 for F0203)",
    )
    reviewers_per_application: int | None = Field(default=None, ge=1, le=15, description="NSF-2, default 3")
    reviewers_per_category: (
        dict[Annotated[str, Field(pattern=r"^[a-z_]{1,32}$")], Annotated[int, Field(ge=1, le=15)]] | None
    ) = Field(default=None, max_length=10, description='NSF-2, default {"key": 5}')
    load_cap: int | None = Field(default=None, ge=1, le=1000, description="applications per reviewer, default 20")
    exclude_same_institution: bool | None = Field(default=None, description="NSF-3, default true")
    criteria: list[CriterionIn] | None = Field(
        default=None, max_length=20, description="review criteria with weights; [] = grade and opinion only"
    )
    trim_from: int | None = Field(default=None, ge=3, le=100, description="NSF-4 trimmed mean from, default 5")
    min_valid: int | None = Field(default=None, ge=1, le=100, description="NSF-4 valid reviews to rank, default 3")

    @field_validator("criteria")
    @classmethod
    def _unique_codes(cls, value: list[CriterionIn] | None) -> list[CriterionIn] | None:
        if value is not None and len({c.code for c in value}) != len(value):
            raise ValueError("criterion codes must be unique")
        return value

    @field_validator("discipline_codes")
    @classmethod
    def _unique_disciplines(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class CriterionRead(OutputSchema):
    code: str
    name: str
    weight: Decimal
    max_score: Decimal


class RoundSettingsRead(OutputSchema):
    reviewers_per_application: int
    reviewers_per_category: dict[str, int]
    load_cap: int
    exclude_same_institution: bool
    criteria: list[CriterionRead]
    trim_from: int
    min_valid: int


class DrawInfo(OutputSchema):
    seed: int
    seed_generated: bool
    algorithm_version: str
    pool_hash: str
    applications_hash: str
    replacements: int
    drawn_at: ShanghaiTime


class ShortfallRead(OutputSchema):
    application_id: int
    needed: int
    assigned: int
    reason: str


class RoundRead(OutputSchema):
    id: int
    call_id: int
    topic_id: int | None
    programme_id: int
    title: str
    category: str
    discipline_codes: list[str]
    settings: RoundSettingsRead
    status: str
    draw: DrawInfo | None
    shortfalls: list[ShortfallRead]
    closed_at: ShanghaiTime | None
    version: int
    created_at: ShanghaiTime
    allowed_actions: list[str]


class DrawIn(InputSchema):
    seed: int | None = Field(
        default=None,
        ge=0,
        le=2**63 - 1,
        description="reuse a recorded seed; left out, the platform draws one (secrets)",
    )


class SlotRead(OutputSchema):
    assignment_id: int
    reviewer_id: int
    slot: int
    status: str
    replaces_id: int | None
    decline_reason: str | None


class ApplicationAssignmentsRead(OutputSchema):
    application_id: int
    reviewers: list[SlotRead]


class DrawRead(OutputSchema):
    round: RoundRead
    assignments: list[ApplicationAssignmentsRead]
    objective: dict[str, Any]


class DifferenceRead(OutputSchema):
    kind: str = Field(description="algorithm_version, pool_hash, applications_hash, assignment, replacement")
    application_id: int | None
    expected: Any
    actual: Any


class VerifyRead(OutputSchema):
    match: bool
    differences: list[DifferenceRead]
    seed: int
    algorithm_version: str
    pool_hash: str
    applications_hash: str


class ExclusionRead(OutputSchema):
    application_id: int
    reviewer_id: int
    rules: list[str] = Field(
        description="NSF-3 rule ids: self, team_member, same_institution, "
        "declared_by_reviewer, declared_by_applicant, applicant_exclusion"
    )


class DeclineIn(InputSchema):
    reason: str = Field(min_length=1, max_length=500, examples=["与申请人有合作关系"])


class ReviewIn(InputSchema):
    scores: dict[CriterionCode, Score] = Field(default_factory=dict, max_length=20)
    grade: Grade | None = Field(default=None, description="NSF-4: A/B/C/D = 4/3/2/1")
    opinion: Opinion | None = Field(default=None, description="NSF-4: priority/fundable/not_fundable = 4/2/0")
    comments: dict[CriterionCode, Annotated[str, Field(max_length=5000)]] = Field(
        default_factory=dict, max_length=21, description='by criterion code, and "overall"'
    )


class ReviewRead(OutputSchema):
    assignment_id: int
    scores: dict[str, Decimal]
    grade: str | None
    opinion: str | None
    comments: dict[str, str]
    status: str
    submitted_at: ShanghaiTime | None
    version: int
    updated_at: ShanghaiTime


class ApplicationReviewView(OutputSchema):
    """What a reviewer reads of an application: never the leader's or the team's ID numbers."""

    id: int
    call_id: int
    topic_id: int | None
    title: str
    abstract: str
    keywords: list[str]
    applicant_org_name: str
    requested_total: MoneyOut
    self_raised_total: MoneyOut
    budget: dict[str, dict[str, str]]
    duration_months: int


class AssignmentRead(OutputSchema):
    id: int
    round_id: int
    round_title: str
    round_status: str
    status: str
    criteria: list[CriterionRead]
    application: ApplicationReviewView
    review: ReviewRead | None


class AggregateRead(OutputSchema):
    application_id: int
    title: str
    call_id: int
    topic_id: int | None
    valid_reviews: int
    ignored_reviews: int
    mean: Decimal | None
    score: Decimal | None = Field(description="the mean, or the trimmed mean when trimmed")
    trimmed: bool
    priority_count: int
    status: str = Field(description="ranked, or lacking_reviews")
    submitted_at: ShanghaiTime
    rank: int | None = None
    tied_on_score: bool = False


class CloseRead(OutputSchema):
    round: RoundRead
    results: list[AggregateRead]
    moved_to_reviewed: list[int]
    lacking_reviews: list[int]


class RankingGroup(OutputSchema):
    call_id: int
    topic_id: int | None
    topic_code: str | None
    entries: list[AggregateRead]


class RankingRead(OutputSchema):
    round_id: int
    status: str
    tie_break: list[str] = Field(description="the order after the score, as applied")
    groups: list[RankingGroup]


class DeclineRead(OutputSchema):
    id: int
    status: str = Field(description="replaced: the slot went to another reviewer; declined: nobody could take it")
    decline_reason: str | None
    declined_at: ShanghaiTime | None
