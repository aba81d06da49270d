"""Outbound training applications (出国(境)培训) in and out: where, when, who, the budget; the approval;
the report on return."""

from __future__ import annotations

from datetime import date

from pydantic import Field, model_validator

from services.foreign_experts.calls.schemas import BudgetItem, check_budget_items
from services.foreign_experts.nationality import Destination
from shared.actions import Actionable
from shared.concurrency import Tagged
from shared.fields import Money, MoneyOut, PlanDate, ShanghaiTime
from shared.i18n import custom_error
from shared.schemas import InputSchema, Label, OutputSchema
from shared.windows import DeadlineDaysLeft


class Participant(InputSchema):
    name: str = Field(min_length=1, max_length=100, examples=["刘洋"])
    position: str = Field(min_length=1, max_length=200, examples=["高级工程师"])
    organisation: str | None = Field(default=None, max_length=200, description="when not the applying unit")


class TrainingIn(InputSchema):
    topic: str = Field(min_length=1, max_length=200, examples=["智能制造与工业4.0管理培训"])
    destination: Destination
    host_institution: str = Field(min_length=1, max_length=300, examples=["Fraunhofer IPK, Berlin"])
    purpose: str = Field(min_length=1, max_length=10000)
    starts_on: PlanDate = Field(description="the day of departure")
    ends_on: PlanDate = Field(description="the day of return")
    participants: list[Participant] = Field(min_length=1, max_length=200)
    requested_amount: Money
    budget_items: list[BudgetItem] = Field(min_length=1, max_length=30, description="adds up to requested_amount")

    @model_validator(mode="after")
    def _consistent(self) -> TrainingIn:
        if self.ends_on < self.starts_on:
            raise custom_error("ends_before_start", "回国日期早于出发日期", "ends_on is before starts_on")
        names = [p.name for p in self.participants]
        if len(set(names)) != len(names):
            raise custom_error("participant_repeated", "参训人员重复", "a participant is listed twice")
        check_budget_items(self.budget_items, self.requested_amount, "requested_amount")
        return self


class TrainingCreate(InputSchema):
    call_id: int = Field(ge=1, le=2**63 - 1)
    unit_name: str = Field(
        min_length=1,
        max_length=200,
        examples=["吉林大学"],
        description="the applying unit: the caller's own organisation",
    )
    contact_name: str = Field(min_length=1, max_length=100)
    contact_phone: str = Field(pattern=r"^\+?[0-9][0-9\- ]{4,38}$", examples=["0431-85160000"])
    training: TrainingIn


class TrainingUpdate(InputSchema):
    contact_name: str | None = Field(default=None, min_length=1, max_length=100)
    contact_phone: str | None = Field(default=None, pattern=r"^\+?[0-9][0-9\- ]{4,38}$")
    training: TrainingIn | None = None


class TrainingApproveBody(InputSchema):
    approved_amount: Money | None = Field(default=None, description="default: the amount requested")
    comment: str | None = Field(default=None, max_length=2000)


class TrainingReportIn(InputSchema):
    returned_on: PlanDate = Field(description="the day the group came back")
    travelled: int = Field(ge=0, le=200, description="how many of the approved participants went")
    summary: str = Field(min_length=1, max_length=20000, description="what was learnt / 培训内容与收获")
    follow_up: str | None = Field(default=None, max_length=20000, description="how it will be used / 成果转化")
    spent: Money = Field(description="of the approved budget, yuan")


class TrainingReportRead(OutputSchema):
    returned_on: date
    travelled: int
    summary: str
    follow_up: str | None
    spent: MoneyOut
    unspent: MoneyOut


class TrainingRead(Tagged, Actionable):
    etag_kind = "training_application"
    actions_at = "/training-applications/{id}"
    id: int
    call_id: int
    call_code: str
    unit_uscc: str
    unit_name: str
    contact_name: str
    contact_phone: str
    topic: str
    destination: str
    destination_label: Label
    host_institution: str
    purpose: str
    starts_on: date
    ends_on: date
    days: int = Field(description="departure and return days both counted")
    participants: list[Participant]
    requested_amount: MoneyOut
    budget_items: list[BudgetItem]
    approved_amount: MoneyOut | None
    approved_participants: int | None
    decided_on: date | None
    report: TrainingReportRead | None
    report_due_on: date | None = Field(description="the report on return is due by then, once approved")
    report_overdue: bool
    report_days_left: DeadlineDaysLeft = Field(
        description="calendar days to report_due_on while the report on return is due (approved): 0 on the due day, "
        "negative once overdue; null otherwise"
    )
    reported_on: date | None
    status: str
    status_label: Label
    allowed_actions: list[str]
    version: int
    created_at: ShanghaiTime
    updated_at: ShanghaiTime
    submitted_at: ShanghaiTime | None


class TrainingSummary(Tagged):
    etag_kind = "training_application"
    id: int
    call_id: int
    unit_name: str
    topic: str
    destination: str
    starts_on: date
    ends_on: date
    participant_count: int
    requested_amount: MoneyOut
    approved_amount: MoneyOut | None
    status: str
    status_label: Label
    submitted_at: ShanghaiTime | None
    version: int
