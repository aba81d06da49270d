"""The tenure, its tranches and its assessments in and out (TAL-3)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field

from shared.concurrency import Tagged
from shared.fields import MoneyOut, ShanghaiTime
from shared.schemas import InputSchema, Label, OutputSchema

Grade = Literal["excellent", "pass", "basic_pass", "fail"]


class TenureRead(OutputSchema):
    application_id: int
    starts_on: date
    ends_on: date = Field(description="the tenure's last day (TAL-3)")
    years: int
    support_amount: MoneyOut
    status: str = Field(description="running, terminated (support stopped, title ended) or completed")
    status_label: Label
    ended_on: date | None
    end_reason: str | None = Field(description="annual_assessment_failed or debarred_during_tenure (TAL-3)")
    end_comment: str | None


class TrancheRead(Tagged):
    etag_kind = "talent_tranche"
    id: int
    application_id: int
    number: int
    share: Decimal
    amount: MoneyOut
    status: str = Field(description="due, paid or cancelled (support stopped)")
    status_label: Label
    paid_at: ShanghaiTime | None
    cancelled_at: ShanghaiTime | None
    cancel_reason: str | None
    version: int


class PaymentRead(OutputSchema):
    """The outcome of a payment: paid, or refused because a debarment found by the integrity check (PRJ-5)
    stopped the support and ended the title (TAL-3), recorded with its reason."""

    paid: bool
    tranche: TrancheRead
    tenure: TenureRead
    application_status: str
    debarment: dict[str, object] | None = Field(
        default=None, description="the integrity check's finding when it stopped the support"
    )


class AssessmentCreate(InputSchema):
    kind: Literal["annual", "final"] = Field(description="annual: one per tenure year; final: at the tenure's end")
    year_no: int = Field(ge=1, le=10, description="the tenure year (1..years); the final evaluation: the last")
    report: str = Field(min_length=1, max_length=20000, examples=["本年度完成的主要任务、取得的成果与绩效……"])


class AssessmentGrade(InputSchema):
    grade: Grade = Field(description="excellent / pass / basic_pass / fail (TAL-3)", examples=["pass"])
    comment: str | None = Field(
        default=None,
        max_length=2000,
        description="required with a fail",
        examples=["年度任务基本完成，考核合格。", "The year's tasks done; passed."],
    )


class AssessmentRead(Tagged):
    etag_kind = "talent_assessment"
    id: int
    application_id: int
    kind: str
    year_no: int
    report: str
    filed_at: ShanghaiTime
    status: str = Field(description="filed or graded")
    status_label: Label
    grade: str | None
    grade_label: Label | None
    grade_comment: str | None
    graded_at: ShanghaiTime | None
    version: int
