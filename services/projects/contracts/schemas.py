"""Contracts (任务书) in and out: milestones, tranches, mid-term check, termination, final acceptance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field

from services.projects.programmes.schemas import Money, MoneyOut, ShanghaiTime
from shared.actions import Actionable
from shared.concurrency import Tagged
from shared.schemas import InputSchema, OutputSchema

RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]
Condition = Literal["on_signing", "after_midterm", "after_acceptance"]


class IndicatorIn(InputSchema):
    name: str = Field(min_length=1, max_length=200, examples=["示范面积"])
    unit: str = Field(min_length=1, max_length=40, examples=["万亩"])
    target: str = Field(min_length=1, max_length=100, examples=["10"])


class MilestoneIn(InputSchema):
    title: str = Field(min_length=1, max_length=200, examples=["完成田间试验"])
    due_on: date
    deliverables: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(min_length=1, max_length=50)
    indicators: list[IndicatorIn] = Field(default_factory=list, max_length=50)


class TrancheIn(InputSchema):
    title: str = Field(min_length=1, max_length=200, examples=["首笔拨款"])
    amount: Annotated[Money, Field(gt=0)]
    due_on: date
    condition: Condition = Field(
        default="on_signing", description="on_signing, after_midterm (passed) or after_acceptance"
    )


class ContractCreate(InputSchema):
    application_id: RowId
    starts_on: date
    ends_on: date
    milestones: list[MilestoneIn] = Field(min_length=1, max_length=50, description="in date order")
    tranches: list[TrancheIn] = Field(min_length=1, max_length=20, description="in date order")


class ContractUpdate(InputSchema):
    starts_on: date | None = None
    ends_on: date | None = None
    milestones: list[MilestoneIn] | None = Field(default=None, min_length=1, max_length=50)
    tranches: list[TrancheIn] | None = Field(default=None, min_length=1, max_length=20)


class PaymentIn(InputSchema):
    paid_on: date
    reference: str = Field(
        min_length=1, max_length=100, description="the payment voucher number", examples=["JLCZ-2026-000123"]
    )


class MidtermIn(InputSchema):
    outcome: Literal["passed", "failed"]
    comment: str = Field(min_length=1, max_length=4000)
    findings: list[dict[str, Any]] = Field(default_factory=list, max_length=50)


class ReasonBody(InputSchema):
    comment: str = Field(min_length=1, max_length=4000)


class AcceptanceRequest(InputSchema):
    report: str = Field(min_length=1, max_length=20000, description="the final report's summary (结题报告)")


class FinalIn(InputSchema):
    outcome: Literal["passed", "failed"]
    comment: str = Field(min_length=1, max_length=4000)


class MilestoneRead(OutputSchema):
    seq: int
    title: str
    due_on: date
    deliverables: list[str]
    indicators: list[dict[str, Any]]


class TrancheRead(OutputSchema):
    seq: int
    title: str
    amount: MoneyOut
    due_on: date
    condition: str
    status: str
    paid_on: date | None
    paid_reference: str | None
    paid_at: ShanghaiTime | None


class ContractRead(Tagged, Actionable):
    etag_kind = "contract"
    actions_at = "/contracts/{id}"
    id: int
    application_id: int
    programme_id: int
    title: str
    approved_amount: MoneyOut
    planned_total: MoneyOut = Decimal("0.00")
    paid_total: MoneyOut = Decimal("0.00")
    starts_on: date
    ends_on: date
    status: str
    application_status: str = ""
    milestones: list[MilestoneRead]
    tranches: list[TrancheRead]
    signed_at: ShanghaiTime | None
    midterm_outcome: str | None
    midterm_comment: str | None
    midterm_at: ShanghaiTime | None
    acceptance_requested_at: ShanghaiTime | None
    final_outcome: str | None
    final_comment: str | None
    final_at: ShanghaiTime | None
    termination_reason: str | None
    terminated_at: ShanghaiTime | None
    version: int
    created_at: ShanghaiTime
    allowed_actions: list[str] = Field(default_factory=list)


class ContractSummary(Tagged):
    etag_kind = "contract"
    id: int
    application_id: int
    programme_id: int
    title: str
    approved_amount: MoneyOut
    status: str
    starts_on: date
    ends_on: date
    version: int
