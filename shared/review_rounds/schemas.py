"""Review rounds, assignments and reviews in and out, the same in every service. A service's own round
schemas extend ``RoundCreateBase`` and ``RoundReadBase`` with its scope (call and topic, plan and
category ...); its reviewers' view of an application is its own."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field

from shared.actions import Actionable
from shared.concurrency import Tagged
from shared.fields import ShanghaiTime
from shared.review.form import COMMENT_OVERALL
from shared.review_rounds.models import ASSIGNMENT_STATES
from shared.schemas import InputSchema, OutputSchema

CriterionCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$", examples=["innovation"])]
Score = Annotated[Decimal, Field(ge=0, le=1000, max_digits=7, decimal_places=2)]
Grade = Literal["A", "B", "C", "D"]
Opinion = Literal["priority", "fundable", "not_fundable"]
STATES = ", ".join(ASSIGNMENT_STATES)

# --- rounds -----------------------------------------------------------------------------------------


class RoundCreateBase(InputSchema):
    """What every round takes; figures left out take the service's documented defaults."""

    title: str = Field(min_length=1, max_length=200, examples=["2026年度评审 第一轮"])
    load_cap: int | None = Field(default=None, ge=1, le=1000, description="applications per reviewer, default 20")
    exclude_same_institution: bool | None = Field(default=None, description="NSF-3 (configurable), default true")
    min_valid: int | None = Field(
        default=None,
        ge=3,
        le=15,
        description="NSF-4: valid reviews needed to rank, default 3, at most the reviewers per application",
    )
    review_due_at: AwareDatetime | None = Field(
        default=None, description="After it a reviewer who has not submitted may be released as late"
    )


class CriterionRead(OutputSchema):
    code: str
    name: str
    name_en: str | None
    weight: Decimal | None = Field(description="scored 0..max_score with this weight; null: commented on only")
    max_score: Decimal
    comment_required: bool


class RoundSettingsRead(OutputSchema):
    reviewers_per_application: int
    reviewers_per_category: dict[str, int]
    load_cap: int
    exclude_same_institution: bool
    criteria: list[CriterionRead]
    graded: bool = Field(description="each review gives a grade A-D and a funding opinion (NSF-4)")
    trim_from: int | None = Field(description="the trimmed mean from this many valid reviews; null: the plain mean")
    min_valid: int


class DrawInfo(OutputSchema):
    seed: int
    seed_generated: bool
    algorithm_version: str
    pool_hash: str
    applications_hash: str
    replacements: int = Field(description="slots drawn again since (declined or late reviewers)")
    drawn_at: ShanghaiTime


class ShortfallRead(OutputSchema):
    application_id: int
    needed: int
    assigned: int
    reason: str = Field(description="not_enough_eligible_reviewers or load_cap_reached")


class RoundReadBase(Tagged, Actionable):
    etag_kind = "review_round"
    actions_at = "/review-rounds/{id}"
    id: int
    title: str
    settings: RoundSettingsRead
    review_due_at: ShanghaiTime | None
    status: str = Field(description="draft, drawn or closed")
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
        examples=[20270410],
    )


class SlotRead(OutputSchema):
    assignment_id: int
    reviewer_id: int = Field(description="the reviewer pool's id")
    slot: int
    status: str = Field(description=STATES)
    replaces_id: int | None
    release_reason: str | None


class ApplicationAssignmentsRead(OutputSchema):
    application_id: int
    reviewers: list[SlotRead]


class DrawReadBase(OutputSchema):
    applications: int = Field(description="applications the draw sent to review")
    assignments: list[ApplicationAssignmentsRead]
    objective: dict[str, Any] = Field(description="the draw's figures: costs, match counts, load spread")
    subject_groups: int = Field(description="NSF-2 groups of similar applications sharing a reviewer panel")


class DifferenceRead(OutputSchema):
    kind: str = Field(description="algorithm_version, pool_hash, applications_hash, assignment, replacement")
    application_id: int | None
    expected: Any = Field(description="what the assignment rows (or the record) say")
    actual: Any = Field(description="what re-running the draw from its frozen inputs gives")


class VerifyRead(OutputSchema):
    ok: bool
    differences: list[DifferenceRead]
    seed: int
    algorithm_version: str
    pool_hash: str
    applications_hash: str


class ExclusionRead(OutputSchema):
    application_id: int
    reviewer_id: int
    rules: list[str] = Field(
        description="NSF-3 rule ids: self, team_member, same_institution, declared_by_reviewer, "
        "declared_by_applicant, applicant_exclusion"
    )


# --- results (NSF-4) --------------------------------------------------------------------------------


class AggregateRead(OutputSchema):
    application_id: int
    title: str
    valid_reviews: int
    ignored_reviews: int = Field(description="reviews not counted: not complete")
    mean: Decimal | None = Field(description="the plain mean over valid reviews, 4 places")
    score: Decimal | None = Field(description="the mean, or the trimmed mean when trimmed")
    trimmed: bool
    priority_count: int
    status: str = Field(description="ranked, or lacking_reviews")
    submitted_at: ShanghaiTime
    rank: int | None = None
    tied_on_score: bool = Field(default=False, description="same score as the row above: the tie-break decided")


class RankingGroup(OutputSchema):
    group: dict[str, Any] = Field(description="what the applications of the group share (the service's scope)")
    entries: list[AggregateRead]


class RankingRead(OutputSchema):
    round_id: int
    status: str
    tie_break: list[str] = Field(description="the order after the score, as applied")
    groups: list[RankingGroup]


class OpenAssignmentRead(OutputSchema):
    """An assignment still holding its slot without a submitted review."""

    assignment_id: int
    reviewer_id: int
    slot: int
    status: str
    review_status: Literal["none", "draft"]


class LackingRead(OutputSchema):
    """An application in review with fewer valid reviews than the round needs (NSF-4)."""

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


class CloseReadBase(OutputSchema):
    results: list[AggregateRead]
    reviewed: list[int] = Field(description="applications moved on: enough valid reviews (NSF-4)")
    lacking: list[LackingRead] = Field(description="applications left in review, with the slots still open")


# --- the reviewer's side ------------------------------------------------------------------------------


class AssignmentRead(Tagged):
    """One of the reviewer's own assignments: never another reviewer's identity or review."""

    etag_kind = "review_assignment"

    id: int
    round_id: int
    round_title: str
    round_status: str
    application_id: int
    application_title: str
    status: str = Field(description=STATES)
    criteria: list[CriterionRead] = Field(description="what the review scores and comments on")
    graded: bool
    review_due_at: ShanghaiTime | None
    released_at: ShanghaiTime | None
    created_at: ShanghaiTime
    version: int


class ReleaseIn(InputSchema):
    reason: str = Field(min_length=1, max_length=500, examples=["与申请人存在合作关系"])


class LateReleaseIn(InputSchema):
    reason: str | None = Field(default=None, max_length=500, examples=["逾期未提交评审意见"])


class ReleaseRead(OutputSchema):
    id: int
    status: str = Field(description="declined or late")
    release_reason: str | None
    released_at: ShanghaiTime | None
    replaced: bool = Field(description="another reviewer took the slot; false: the application is short of one")


class ReviewIn(InputSchema):
    """The whole draft, each time (PUT): scores by criterion, grade and opinion where the round's form
    has them, comments by criterion code or ``overall``."""

    scores: dict[CriterionCode, Score] = Field(default_factory=dict, max_length=20, examples=[{"innovation": "85"}])
    grade: Grade | None = Field(default=None, description="NSF-4: A/B/C/D = 4/3/2/1 points", examples=["A"])
    opinion: Opinion | None = Field(
        default=None, examples=["priority"], description="NSF-4: priority / fundable / not_fundable = 4/2/0 points"
    )
    comments: dict[CriterionCode, Annotated[str, Field(max_length=5000)]] = Field(
        default_factory=dict,
        max_length=21,
        examples=[{"innovation": "选题新颖，具有原创性。", COMMENT_OVERALL: "建议优先资助。"}],
    )


class ReviewRead(Tagged):
    etag_kind = "review"
    etag_key = "assignment_id"
    assignment_id: int
    round_id: int
    application_id: int
    scores: dict[str, Decimal]
    grade: str | None
    opinion: str | None
    comments: dict[str, str]
    status: str = Field(description="draft | submitted (final)")
    submitted_at: ShanghaiTime | None
    version: int
    updated_at: ShanghaiTime
