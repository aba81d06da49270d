"""Foreign-expert programme applications (引进外国专家项目) in and out: the expert, the plan of work, the
funding requested with its budget items; review opinions; the grant, the payment, the completion report."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from services.foreign_experts.calls.schemas import BudgetItem, check_budget_items
from services.foreign_experts.nationality import Nationality
from services.foreign_experts.rules.permit_number import PermitNo
from shared.actions import Actionable
from shared.concurrency import Tagged
from shared.fields import Money, MoneyOut, PlanDate, ShanghaiTime
from shared.i18n import custom_error
from shared.schemas import InputSchema, Label, OutputSchema
from shared.windows import DeadlineDaysLeft

Recommendation = Literal["support", "revise", "oppose"]
RECOMMENDATIONS: dict[str, tuple[str, str]] = {
    "support": ("同意资助", "fund it"),
    "revise": ("修改后资助", "fund it after changes"),
    "oppose": ("不同意资助", "do not fund it"),
}


class ExpertIn(InputSchema):
    name: str = Field(min_length=1, max_length=200, examples=["DUPONT, Jean"])
    chinese_name: str | None = Field(default=None, max_length=100, examples=["杜邦"])
    nationality: Nationality
    field: str = Field(min_length=1, max_length=200, examples=["玉米育种 / maize breeding"])
    position: str = Field(min_length=1, max_length=200, examples=["Professor, Université Paris-Saclay"])
    achievements: str | None = Field(default=None, max_length=5000)
    permit_number: PermitNo | None = Field(default=None, description="the expert's work permit (WP-8), if held")


class PlanIn(InputSchema):
    title: str = Field(min_length=1, max_length=200, examples=["黑土地保护性耕作技术合作"])
    objectives: str = Field(min_length=1, max_length=10000)
    work_plan: str = Field(min_length=1, max_length=20000)
    starts_on: PlanDate
    ends_on: PlanDate
    days_in_china: int = Field(ge=1, le=366, description="days the expert works in Jilin under the plan")
    requested_amount: Money = Field(description="funding requested from the call, yuan")
    self_funding: Money = Field(default=Decimal(0), description="the employer's own contribution, yuan")
    budget_items: list[BudgetItem] = Field(min_length=1, max_length=30, description="adds up to requested_amount")

    @model_validator(mode="after")
    def _consistent(self) -> PlanIn:
        if self.ends_on < self.starts_on:
            raise custom_error("ends_before_start", "结束日期早于开始日期", "ends_on is before starts_on")
        if self.days_in_china > (self.ends_on - self.starts_on).days + 1:
            raise custom_error(
                "days_in_china_over_period", "来华天数超过项目期限", "days_in_china exceed the plan's period"
            )
        check_budget_items(self.budget_items, self.requested_amount, "requested_amount")
        return self


class ProgrammeCreate(InputSchema):
    call_id: int = Field(ge=1, le=2**63 - 1)
    employer_id: int = Field(ge=1, le=2**63 - 1)
    expert: ExpertIn
    plan: PlanIn


class ProgrammeUpdate(InputSchema):
    """A draft or a returned application: the expert and the plan, each replaced whole."""

    expert: ExpertIn | None = None
    plan: PlanIn | None = None


class ReviewIn(InputSchema):
    reviewer_name: str = Field(min_length=1, max_length=100, examples=["李明（吉林农业大学）"])
    score: int = Field(ge=0, le=100)
    recommendation: Recommendation
    opinion: str = Field(min_length=1, max_length=5000)


class ReviewRead(OutputSchema):
    id: int
    reviewer_name: str
    score: int
    recommendation: str
    recommendation_label: Label
    opinion: str
    created_at: ShanghaiTime


class ApproveBody(InputSchema):
    granted_amount: Money | None = Field(default=None, description="default: the amount requested")
    comment: str | None = Field(default=None, max_length=2000)


class FundBody(InputSchema):
    reference: str = Field(min_length=1, max_length=100, description="the payment voucher's number / 拨款凭证号")
    comment: str | None = Field(default=None, max_length=2000)


class ProgrammeReportIn(InputSchema):
    summary: str = Field(min_length=1, max_length=20000, description="what was done / 项目执行情况")
    outcomes: str = Field(min_length=1, max_length=20000, description="results: papers, patents, trainees ...")
    actual_days_in_china: int = Field(ge=0, le=3660)
    grant_spent: Money = Field(description="of the grant, yuan; never more than was paid")


class ReportRead(OutputSchema):
    summary: str
    outcomes: str
    actual_days_in_china: int
    grant_spent: MoneyOut
    unspent: MoneyOut = Field(description="the grant left, to be paid back")


class ExpertRead(OutputSchema):
    name: str
    chinese_name: str | None
    nationality: str
    nationality_label: Label
    field: str
    position: str
    achievements: str | None
    permit_number: str | None


class ProgrammeRead(Tagged, Actionable):
    etag_kind = "expert_programme_application"
    actions_at = "/programme-applications/{id}"
    id: int
    call_id: int
    call_code: str
    employer_id: int
    employer_name: str
    expert: ExpertRead
    title: str
    objectives: str
    work_plan: str
    starts_on: date
    ends_on: date
    days_in_china: int
    requested_amount: MoneyOut
    self_funding: MoneyOut
    budget_items: list[BudgetItem]
    review_count: int
    mean_score: float | None
    granted_amount: MoneyOut | None
    decided_on: date | None
    funded_on: date | None
    funding_reference: str | None
    report: ReportRead | None
    report_due_on: date | None = Field(description="the completion report's due date, once funded")
    report_overdue: bool
    report_days_left: DeadlineDaysLeft = Field(
        description="calendar days to report_due_on while the completion report is due (funded): 0 on the due day, "
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


class ProgrammeSummary(Tagged):
    etag_kind = "expert_programme_application"
    id: int
    call_id: int
    employer_id: int
    expert_name: str
    expert_nationality: str
    title: str
    requested_amount: MoneyOut
    granted_amount: MoneyOut | None
    status: str
    status_label: Label
    submitted_at: ShanghaiTime | None
    version: int
