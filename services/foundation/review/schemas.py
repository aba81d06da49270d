"""Review rounds, the draw, verify, exclusions and assignments in and out (NSF-2, NSF-3). The review
itself (grade, opinion) is in ``review_schemas.py``."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AwareDatetime, Field, field_validator

from shared.clients.reviewers import DISCIPLINE_PREFIX_PATTERN
from shared.fields import MoneyOut, ShanghaiTime
from shared.schemas import InputSchema, OutputSchema

DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]
DisciplinePrefix = Annotated[str, Field(pattern=DISCIPLINE_PREFIX_PATTERN, examples=["F02"])]


class RoundCreate(InputSchema):
    """A review round of one category of a plan. Figures left out take ``policy.DEFAULTS``; the
    reviewers per application are the category's (NSF-2: 3, 5 for key)."""

    plan_id: DbId
    category_id: DbId
    title: str = Field(min_length=1, max_length=200, examples=["2026年度面上项目通讯评审"])
    discipline_prefixes: list[DisciplinePrefix] | None = Field(
        default=None,
        max_length=10,
        description="Narrow the round to these discipline prefixes (its applications and the pool read); "
        "left out: every discipline of the category, the pool read under the plan's codes",
    )
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

    @field_validator("discipline_prefixes")
    @classmethod
    def _unique(cls, value: list[str] | None) -> list[str] | None:
        return list(dict.fromkeys(value)) if value is not None else None


class RoundSettingsRead(OutputSchema):
    reviewers_per_application: int
    load_cap: int
    exclude_same_institution: bool
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


class RoundRead(OutputSchema):
    id: int
    plan_id: int
    category_id: int
    title: str
    discipline_prefixes: list[str]
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
    )


class SlotRead(OutputSchema):
    assignment_id: int
    reviewer_id: int = Field(description="the projects pool's reviewer id")
    slot: int
    status: str = Field(description="assigned, submitted, declined or late")
    replaces_id: int | None
    release_reason: str | None


class ApplicationAssignmentsRead(OutputSchema):
    application_id: int
    reviewers: list[SlotRead]


class DrawRead(OutputSchema):
    round: RoundRead
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
        description="NSF-3 rule ids: self, team_member, same_institution, "
        "declared_by_reviewer, declared_by_applicant, applicant_exclusion"
    )


# --- the reviewer's side --------------------------------------------------------------------------


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


class TeamMemberView(OutputSchema):
    name: str
    role: str | None


class ApplicationReviewView(OutputSchema):
    """What a reviewer reads of an application. Names are shown (the applicant, the host
    institution, the team with their roles), so the reviewer can judge the team and see a conflict
    the draw could not know of and decline; identification numbers, birth dates, sex, the
    applicant's exclusions and declared relations never are."""

    id: int
    plan_id: int
    year: int
    category_code: str
    category_kind: str
    category_name: str
    discipline_code: str
    title: str
    abstract: str
    keywords: list[str]
    applicant_name: str
    applicant_title: str | None
    degree: str | None
    institution_name: str
    team: list[TeamMemberView]
    budget_lines: dict[str, str]
    requested_total: MoneyOut
    duration_months: int


class AssignmentRead(OutputSchema):
    """One of the reviewer's own assignments: never another reviewer's identity or score."""

    id: int
    round_id: int
    round_title: str
    round_status: str
    application_id: int
    application_title: str
    status: str = Field(description="assigned, submitted, declined or late")
    review_due_at: ShanghaiTime | None
    released_at: ShanghaiTime | None
    created_at: ShanghaiTime
    version: int
