"""Permit applications (外国人来华工作许可申请) in and out. The foreigner's facts are those of the points
assessment (``assessments.schemas.ForeignerFacts``); the passport number and birth date go in once and
come back only in full to officials and the employer's own clerks (PIPL), masked to anyone else."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field, model_validator

from services.foreign_experts.assessments.schemas import (
    AssessmentRead,
    PersonFacts,
    PostIn,
)
from services.foreign_experts.nationality import Nationality
from services.foreign_experts.rules.documents import DOCUMENT_CODES
from shared.actions import Actionable
from shared.concurrency import Tagged
from shared.fields import ShanghaiTime
from shared.i18n import custom_error
from shared.schemas import InputSchema, Label, OutputSchema
from shared.validators import PassportNo
from shared.windows import CalendarConfirmed, DeadlineDaysLeft

DocumentCode = Literal[DOCUMENT_CODES]  # type: ignore[valid-type]
Sex = Literal["male", "female", "unspecified"]
RefusalCode = Literal[
    "passport_expires_too_soon",
    "basic_conditions_not_met",
    "c_quota_exhausted",
    "c_post_not_listed",
    "documents_invalid",
    "false_information",
    "other",
]


REFUSAL_LABELS: dict[str, tuple[str, str]] = {
    "passport_expires_too_soon": ("护照有效期不足6个月", "the passport has less than 6 months left"),
    "basic_conditions_not_met": ("不符合B类基本条件", "the basic conditions of class B are not met"),
    "c_quota_exhausted": ("本年度C类配额已用完", "the year's class C quota is used up"),
    "c_post_not_listed": ("不属于国家规定的C类岗位", "not a post the state lists for class C"),
    "documents_invalid": ("申请材料不符合要求", "the documents are not valid"),
    "false_information": ("提供虚假信息或材料", "false information or documents"),
    "other": ("其他原因", "other reasons"),
}
SEX_LABELS: dict[str, tuple[str, str]] = {
    "male": ("男", "male"),
    "female": ("女", "female"),
    "unspecified": ("未注明", "unspecified"),
}


class DocumentIn(InputSchema):
    """One item of the WP-7 checklist: the file's metadata (the file itself lives in the document store)."""

    code: DocumentCode
    name: str = Field(min_length=1, max_length=255, examples=["criminal-record.pdf"])
    size: int = Field(ge=1, le=2**31, description="bytes")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    content_type: str = Field(pattern=r"^[\w.+-]+/[\w.+-]+$", max_length=100, examples=["application/pdf"])
    issued_on: date | None = Field(
        default=None, description="the certificate's date of issue (criminal record: within 6 months, WP-7)"
    )
    authenticated: bool = Field(default=False, description="legalised or apostilled (degree, criminal record)")


class ForeignerIn(PersonFacts):
    name: str = Field(min_length=1, max_length=200, description="as in the passport", examples=["MÜLLER, Anna"])
    chinese_name: str | None = Field(default=None, max_length=100, examples=["安娜"])
    nationality: Nationality
    passport_number: PassportNo
    passport_expires_on: date
    sex: Sex
    previous_passport_number: PassportNo | None = Field(
        default=None, description="a passport under which the foreigner held a permit before (WP-8 keeps the number)"
    )
    previous_permit_number: str | None = Field(
        default=None, pattern=r"^[0-9]{18}$", description="the foreigner's permit number, if one was ever issued"
    )


class ApplicationCreate(InputSchema):
    employer_id: int = Field(ge=1, le=2**63 - 1)
    foreigner: ForeignerIn
    post: PostIn
    documents: list[DocumentIn] = Field(default_factory=list, max_length=40)

    @model_validator(mode="after")
    def _contract(self) -> ApplicationCreate:
        if self.post.contract_ends_on <= self.post.contract_starts_on:
            raise custom_error(
                "ends_before_start", "合同终止日期应晚于起始日期", "the contract must end after it starts"
            )
        return self


class ApplicationUpdate(InputSchema):
    foreigner: ForeignerIn | None = None
    post: PostIn | None = None
    documents: list[DocumentIn] | None = Field(default=None, max_length=40)


class ActionBody(InputSchema):
    comment: str | None = Field(
        default=None,
        max_length=4000,
        description="required to return, request "
        "documents, extend, waive the age limit or refuse; shown in the history",
    )


class RefusalBody(InputSchema):
    comment: str = Field(min_length=1, max_length=4000)
    reasons: list[RefusalCode] = Field(min_length=1, max_length=7)


class DocumentRead(OutputSchema):
    code: str
    label: Label
    name: str
    size: int
    sha256: str
    content_type: str
    issued_on: date | None
    authenticated: bool


class ForeignerRead(OutputSchema):
    name: str
    chinese_name: str | None
    nationality: str
    nationality_label: Label
    sex: str
    passport_number: str = Field(description="masked unless the caller is an official or the employer's clerk")
    passport_expires_on: date
    birth_date: str = Field(description="YYYY-MM-DD, masked (YYYY-**-**) unless the caller may see it")
    sex_label: Label
    education_label: Label
    facts: dict[str, Any]


class DeadlineRead(OutputSchema):
    """WP-4: the decision's due date from acceptance in working days (CAL-1), documents' waits left out."""

    working_days: int
    accepted_on: date
    due_on: date | None = Field(description="None while the clock stands, waiting for documents")
    working_days_used: int = Field(description="working days counted so far (to the decision, once decided)")
    working_days_left: int | None
    days_left: DeadlineDaysLeft = Field(
        description="calendar days to due_on while the decision is pending: 0 on the due day, negative once "
        "overdue; null while the clock stands or once decided"
    )
    paused: bool
    extended: bool
    overdue: bool
    due_soon: bool = Field(description="due within the configured number of working days (3)")
    calendar_confirmed: CalendarConfirmed


class ApplicationRead(Tagged, Actionable):
    etag_kind = "permit_application"
    actions_at = "/permit-applications/{id}"
    id: int
    employer_id: int
    employer_name: str
    foreigner: ForeignerRead
    post: dict[str, Any]
    post_kind_label: Label
    work_city: Label
    documents: list[DocumentRead]
    missing_documents: list[Label]
    assessment: AssessmentRead | None
    permit_class: str | None
    green_channel: bool
    deadline: DeadlineRead | None
    age_waiver_reason: str | None
    refusal_codes: list[str] | None
    refusal_labels: list[Label]
    permit_id: int | None
    status: str
    status_label: Label
    allowed_actions: list[str]
    version: int
    created_at: ShanghaiTime
    updated_at: ShanghaiTime
    submitted_at: ShanghaiTime | None


class ApplicationSummary(Tagged):
    etag_kind = "permit_application"
    id: int
    employer_id: int
    name: str
    nationality: str
    passport_number: str = Field(description="always masked in lists")
    position: str
    work_city_code: str
    permit_class: str | None
    status: str
    status_label: Label
    decision_due_on: date | None
    decision_days_left: DeadlineDaysLeft = Field(
        description="calendar days to decision_due_on (WP-4) while the decision is pending"
    )
    overdue: bool
    due_soon: bool
    submitted_at: ShanghaiTime | None
    version: int
