"""Foundation applications (基金申请书) in and out. The applicant's birth date and sex come from the ID
number (ID-2, ID-3), never typed; the NSF-3 declarations are ``shared.review.schemas``'."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from services.foundation.rules.eligibility import BUDGET_LINES, FORMAL_REASONS
from shared.actions import Actionable
from shared.clients.reviewers import DISCIPLINE_CODE_PATTERN
from shared.concurrency import Tagged
from shared.fields import MAX_YUAN, Money, MoneyOut, ShanghaiTime
from shared.i18n import custom_error
from shared.review.schemas import ConflictDeclarations, DeclaredRelationRead, ExcludedPersonRead
from shared.schemas import InputSchema, OutputSchema
from shared.validators import USCC, ResidentID
from shared.windows import CalendarConfirmed, DeadlineDaysLeft

TitleRank = Literal["senior", "associate", "intermediate", "junior", "none"]
Degree = Literal["doctorate", "master", "bachelor", "other"]
FormalReason = Literal["ineligible", "guide_mismatch", "over_limits", "debarred", "incomplete_documents", "other"]
Name = Annotated[str, Field(min_length=1, max_length=100)]
Keyword = Annotated[str, Field(min_length=1, max_length=40)]
DisciplineCode = Annotated[
    str,
    Field(
        pattern=DISCIPLINE_CODE_PATTERN,
        examples=["F0203"],
        description="the application's discipline (申请代码), e.g. F0203",
    ),
]
BUDGET_DESCRIPTION = "yuan by budget line: " + ", ".join(f"{k} ({v[0]})" for k, v in BUDGET_LINES.items())
assert set(FormalReason.__args__) == set(FORMAL_REASONS)  # type: ignore[attr-defined]


class ApplicantIn(InputSchema):
    name: Name = Field(examples=["王晓明"])
    id_number: ResidentID = Field(
        description="resident ID (ID-2) or foreign permanent residence ID (ID-3); "
        "the birth date and sex are read from it"
    )
    title: str | None = Field(default=None, max_length=100, examples=["副教授"], description="职称")
    title_rank: TitleRank = Field(
        description="senior (正高), associate (副高), intermediate, junior or none; "
        "NSF-5 counts senior and associate as senior staff"
    )
    degree: Degree | None = None


class TeamMemberIn(InputSchema):
    name: Name
    id_number: ResidentID
    role: str = Field(min_length=1, max_length=50, examples=["骨干"])
    org_uscc: USCC


class AttachmentIn(InputSchema):
    name: str = Field(min_length=1, max_length=255, examples=["申请书.pdf"])
    size: int = Field(ge=0, le=2**31, description="bytes")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    content_type: str = Field(pattern=r"^[\w.+-]+/[\w.+-]+$", max_length=100, examples=["application/pdf"])


def _check_lines(value: dict[str, Any] | None) -> dict[str, Any] | None:
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


def _unique_keywords(value: list[str] | None) -> list[str] | None:
    if value is not None and len({k.casefold() for k in value}) != len(value):
        raise custom_error("duplicate_keyword", "关键词重复", "a keyword is repeated")
    return value


class ApplicationContent(ConflictDeclarations):
    @field_validator("budget", check_fields=False)
    @classmethod
    def _lines(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        value = _check_lines(value)
        if value is not None and sum(value.values(), Decimal(0)) > MAX_YUAN:
            raise custom_error(
                "budget_too_large",
                "预算科目合计超过 {max} 元",
                "the budget lines sum to more than {max} yuan",
                max=str(MAX_YUAN),
            )
        return value

    @field_validator("keywords", check_fields=False)
    @classmethod
    def _keywords(cls, value: list[str] | None) -> list[str] | None:
        return _unique_keywords(value)


class ApplicationCreate(ApplicationContent):
    plan_id: int = Field(ge=1, le=2**63 - 1)
    category_id: int = Field(ge=1, le=2**63 - 1)
    discipline_code: DisciplineCode
    title: str = Field(min_length=1, max_length=300)
    abstract: str = Field(min_length=1, max_length=8000)
    keywords: list[Keyword] = Field(min_length=1, max_length=10)
    applicant: ApplicantIn
    institution_uscc: USCC = Field(
        description="the host institution (依托单位); an applicant registered with an organisation applies through it"
    )
    institution_name: str = Field(min_length=1, max_length=200, examples=["吉林大学"])
    team: list[TeamMemberIn] = Field(default_factory=list, max_length=50)
    budget: dict[str, Money] = Field(min_length=1, max_length=len(BUDGET_LINES), description=BUDGET_DESCRIPTION)
    duration_months: int = Field(ge=1, le=120)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=50)


class ApplicationUpdate(ApplicationContent):
    """Content changes while the application is a draft or returned; the plan and the host
    institution cannot change (the category can, within the plan)."""

    category_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    discipline_code: DisciplineCode | None = None
    title: str | None = Field(default=None, min_length=1, max_length=300)
    abstract: str | None = Field(default=None, min_length=1, max_length=8000)
    keywords: list[Keyword] | None = Field(default=None, min_length=1, max_length=10)
    applicant: ApplicantIn | None = None
    institution_name: str | None = Field(default=None, min_length=1, max_length=200)
    team: list[TeamMemberIn] | None = Field(default=None, max_length=50)
    budget: dict[str, Money] | None = Field(default=None, min_length=1, max_length=len(BUDGET_LINES))
    duration_months: int | None = Field(default=None, ge=1, le=120)
    attachments: list[AttachmentIn] | None = Field(default=None, max_length=50)


class ActionBody(InputSchema):
    comment: str | None = Field(default=None, max_length=4000, description="required to return; shown in the history")


class FormalRejection(InputSchema):
    """NSF-1: why the formal review does not accept the application."""

    comment: str = Field(min_length=1, max_length=4000, description="the reasons in words (shown in the history)")
    reasons: list[FormalReason] = Field(
        min_length=1,
        max_length=len(FORMAL_REASONS),
        description="one or more of: " + ", ".join(f"{k} ({v[0]})" for k, v in FORMAL_REASONS.items()),
    )

    @field_validator("reasons")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise custom_error("duplicate_reason", "理由重复", "a reason is repeated")
        return value


class ApplicantRead(OutputSchema):
    name: str
    id_number: str = Field(description="in full for the owner and the plan's staff, masked otherwise")
    id_kind: Literal["resident", "foreign_permanent_resident"]
    birth_date: date = Field(description="from the ID number (ID-2)")
    sex: Literal["male", "female"] = Field(description="from the ID number (ID-2)")
    title: str | None
    title_rank: str
    degree: str | None


class TeamMemberRead(OutputSchema):
    name: str
    id_number: str
    role: str
    org_uscc: str


class AttachmentRead(OutputSchema):
    name: str
    size: int
    sha256: str
    content_type: str


class ApplicationRead(Tagged, Actionable):
    etag_kind = "foundation_application"
    actions_at = "/applications/{id}"
    id: int
    plan_id: int
    category_id: int
    year: int
    discipline_code: str
    title: str
    abstract: str
    keywords: list[str]
    applicant: ApplicantRead
    institution_uscc: str
    institution_name: str
    team: list[TeamMemberRead]
    budget: dict[str, MoneyOut]
    requested_total: MoneyOut
    duration_months: int
    exclusions: list[ExcludedPersonRead]
    relations: list[DeclaredRelationRead]
    attachments: list[AttachmentRead]
    formal_reasons: list[str] | None = Field(description="NSF-1: why the formal review rejected it")
    formal_review_due: date = Field(description="NSF-1: the plan's closing date + its formal review days (CAL-2)")
    formal_review_overdue: bool = Field(description="still awaiting formal review after formal_review_due")
    formal_review_days_left: DeadlineDaysLeft = Field(
        description="days left to formal_review_due while the application awaits formal review; null once reviewed"
    )
    formal_review_calendar_confirmed: CalendarConfirmed = Field(
        description="always true: NSF-1 counts natural days, which need no holiday schedule"
    )
    score: Decimal | None = Field(description="NSF-4: mean over valid reviews, once ranked")
    valid_reviews: int | None
    rank: int | None
    approved_amount: MoneyOut | None
    status: str
    version: int
    allowed_actions: list[str] = Field(description="what the caller may do next")
    created_at: ShanghaiTime
    updated_at: ShanghaiTime
    submitted_at: ShanghaiTime | None


class ApplicationSummary(Tagged):
    etag_kind = "foundation_application"
    id: int
    plan_id: int
    category_id: int
    year: int
    discipline_code: str
    title: str
    applicant_name: str
    applicant_id_number: str = Field(description="always masked in lists")
    institution_uscc: str
    institution_name: str
    requested_total: MoneyOut
    formal_review_due: date
    formal_review_days_left: DeadlineDaysLeft = Field(
        description="days left to formal_review_due while the application awaits formal review; null once reviewed"
    )
    status: str
    version: int
    created_at: ShanghaiTime
    submitted_at: ShanghaiTime | None
