"""Applications (申报书) in and out. The leader's birth date and sex come from the ID number (ID-2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from services.projects.programmes.schemas import Money, MoneyOut, ShanghaiTime
from services.projects.rules.eligibility import BUDGET_LINES
from shared.actions import Actionable
from shared.concurrency import Tagged
from shared.i18n import custom_error
from shared.review.schemas import ConflictDeclarations, DeclaredRelationRead, ExcludedPersonRead
from shared.schemas import InputSchema, OutputSchema
from shared.validators import USCC, ResidentID

OrgKind = Literal["university", "research_institute", "enterprise", "hospital", "other"]
Name = Annotated[str, Field(min_length=1, max_length=100)]
Keyword = Annotated[str, Field(min_length=1, max_length=40)]


class LeaderIn(InputSchema):
    name: Name = Field(examples=["王晓明"])
    id_number: ResidentID
    title: str | None = Field(default=None, max_length=100, examples=["研究员"])


class TeamMemberIn(InputSchema):
    name: Name
    id_number: ResidentID
    role: str = Field(min_length=1, max_length=50, examples=["骨干"])
    org_uscc: USCC


class PartnerIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    uscc: USCC


class BudgetLineIn(InputSchema):
    requested: Money = Field(default=Decimal("0.00"), description="funds requested from the programme, yuan")
    self_raised: Money = Field(default=Decimal("0.00"), description="funds the applicant raises itself, yuan")


class AttachmentIn(InputSchema):
    name: str = Field(min_length=1, max_length=255, examples=["申报书.pdf"])
    size: int = Field(ge=0, le=2**31, description="bytes")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    content_type: str = Field(pattern=r"^[\w.+-]+/[\w.+-]+$", max_length=100, examples=["application/pdf"])


def _check_lines(value: dict[str, BudgetLineIn] | None) -> dict[str, BudgetLineIn] | None:
    if value is not None:
        unknown = sorted(k for k in value if k not in BUDGET_LINES)
        if unknown:
            raise custom_error(
                "unknown_budget_line",
                "未知的预算科目：{lines}；可用：{known}",
                "unknown budget lines: {lines}; use {known}",
                lines=", ".join(unknown),
                known=", ".join(BUDGET_LINES),
            )
    return value


BUDGET_DESCRIPTION = "by budget line: " + ", ".join(f"{k} ({v[0]})" for k, v in BUDGET_LINES.items())


class ApplicationContent(InputSchema):
    @field_validator("budget", check_fields=False)
    @classmethod
    def _lines(cls, value: dict[str, BudgetLineIn] | None) -> dict[str, BudgetLineIn] | None:
        return _check_lines(value)


class ApplicationCreate(ApplicationContent, ConflictDeclarations):
    call_id: int = Field(ge=1, le=2**63 - 1)
    topic_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    title: str = Field(min_length=1, max_length=300)
    abstract: str = Field(min_length=1, max_length=8000)
    keywords: list[Keyword] = Field(min_length=1, max_length=10)
    leader: LeaderIn
    team: list[TeamMemberIn] = Field(default_factory=list, max_length=50)
    applicant_uscc: USCC
    applicant_org_name: str = Field(min_length=1, max_length=200, examples=["吉林大学"])
    organization_kind: OrgKind
    partners: list[PartnerIn] = Field(default_factory=list, max_length=20)
    budget: dict[str, BudgetLineIn] = Field(min_length=1, max_length=len(BUDGET_LINES), description=BUDGET_DESCRIPTION)
    duration_months: int = Field(ge=1, le=120)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=50)


class ApplicationUpdate(ApplicationContent, ConflictDeclarations):
    """Content changes while the application is a draft or returned; the call cannot change.
    ``exclusions`` / ``relations`` given replace the stored ones (``[]`` or ``null`` clears them)."""

    topic_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    title: str | None = Field(default=None, min_length=1, max_length=300)
    abstract: str | None = Field(default=None, min_length=1, max_length=8000)
    keywords: list[Keyword] | None = Field(default=None, min_length=1, max_length=10)
    leader: LeaderIn | None = None
    team: list[TeamMemberIn] | None = Field(default=None, max_length=50)
    applicant_org_name: str | None = Field(default=None, min_length=1, max_length=200)
    organization_kind: OrgKind | None = None
    partners: list[PartnerIn] | None = Field(default=None, max_length=20)
    budget: dict[str, BudgetLineIn] | None = Field(default=None, min_length=1, max_length=len(BUDGET_LINES))
    duration_months: int | None = Field(default=None, ge=1, le=120)
    attachments: list[AttachmentIn] | None = Field(default=None, max_length=50)


class LeaderRead(OutputSchema):
    name: str
    id_number: str = Field(description="masked (220102********1234) unless the caller needs it")
    title: str | None
    birth_date: date = Field(description="from the ID number (ID-2)")
    sex: Literal["male", "female"]


class TeamMemberRead(OutputSchema):
    name: str
    id_number: str
    role: str
    org_uscc: str


class PartnerRead(OutputSchema):
    name: str
    uscc: str


class BudgetLineRead(OutputSchema):
    requested: MoneyOut
    self_raised: MoneyOut


class AttachmentRead(OutputSchema):
    name: str
    size: int
    sha256: str
    content_type: str


class ApplicationRead(Tagged, Actionable):
    etag_kind = "application"
    actions_at = "/applications/{id}"
    id: int
    call_id: int
    topic_id: int | None
    programme_id: int
    year: int
    title: str
    abstract: str
    keywords: list[str]
    leader: LeaderRead
    team: list[TeamMemberRead]
    applicant_uscc: str
    applicant_org_name: str
    organization_kind: str
    partners: list[PartnerRead]
    budget: dict[str, BudgetLineRead]
    requested_total: MoneyOut
    self_raised_total: MoneyOut
    duration_months: int
    attachments: list[AttachmentRead]
    exclusions: list[ExcludedPersonRead] = Field(
        description="NSF-3: people the applicant asked to exclude from review (ID numbers masked unless the "
        "caller is the applicant, an official or the entrusted agency)"
    )
    relations: list[DeclaredRelationRead] = Field(
        description="NSF-3: relatives, co-authors and collaborators the applicant declared (masked likewise)"
    )
    status: str
    version: int
    allowed_actions: list[str] = Field(description="what the caller may do next")
    created_at: ShanghaiTime
    updated_at: ShanghaiTime
    submitted_at: ShanghaiTime | None


class ApplicationSummary(Tagged):
    etag_kind = "application"
    id: int
    call_id: int
    topic_id: int | None
    programme_id: int
    year: int
    title: str
    leader_name: str
    leader_id_number: str = Field(description="always masked in lists")
    applicant_org_name: str
    applicant_uscc: str
    requested_total: MoneyOut
    status: str
    version: int
    created_at: ShanghaiTime
    submitted_at: ShanghaiTime | None


class ActionBody(InputSchema):
    comment: str | None = Field(
        default=None, max_length=4000, description="required to return or reject; shown in the history"
    )


def as_dict(value: Any) -> dict[str, Any]:
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else dict(value)
