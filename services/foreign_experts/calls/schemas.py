"""The bureau's yearly calls in and out: a programme call (引进外国专家项目申报) or a training plan
(出国(境)培训计划). The figures are the call's data (``rules/funding.py``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from shared.concurrency import Tagged
from shared.fields import Money, MoneyOut, PlanDate, ShanghaiTime
from shared.i18n import custom_error
from shared.schemas import InputSchema, Label
from shared.windows import OpenNow, WindowDaysLeft

CallKind = Literal["programme", "training"]
KIND_LABELS: dict[str, tuple[str, str]] = {
    "programme": ("引进外国专家项目", "foreign-expert programme"),
    "training": ("出国(境)培训计划", "outbound training plan"),
}


class CallCreate(InputSchema):
    code: str = Field(
        min_length=2,
        max_length=40,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
        examples=["WZXM2027"],
        description="the call's unique code",
    )
    year: int = Field(ge=2000, le=2199, examples=[2027])
    title: str = Field(min_length=1, max_length=200, examples=["2027年度吉林省引进外国专家项目"])
    title_en: str | None = Field(default=None, max_length=300, examples=["Jilin Foreign Expert Programmes 2027"])
    guide: str | None = Field(default=None, max_length=20000, description="申报指南 / the plan's notes")
    opens_on: PlanDate = Field(description="the first day applications are taken")
    closes_on: PlanDate = Field(description="the last day applications are taken")
    budget: Money = Field(description="the call's whole budget, yuan")
    max_amount: Money | None = Field(default=None, description="the cap per application, yuan (none: no cap)")
    participant_quota: int | None = Field(
        default=None, ge=1, le=100000, description="training plans: people in all (none: no quota)"
    )
    max_duration_days: int | None = Field(
        default=None, ge=1, le=366, description="training plans: the longest stay abroad, in days"
    )
    report_due_days: int = Field(
        default=30, ge=1, le=366, description="the report is due this many calendar days after the end or return"
    )

    @model_validator(mode="after")
    def _window(self) -> CallCreate:
        if self.closes_on < self.opens_on:
            raise custom_error("closes_before_opens", "截止日期早于开始日期", "closes_on is before opens_on")
        if self.max_amount is not None and self.max_amount > self.budget:
            raise custom_error("max_amount_over_budget", "单项上限超过总预算", "max_amount exceeds the budget")
        return self


class CallUpdate(InputSchema):
    """Editable while the call is a draft or published; the budget and the quota never below what
    approvals have already taken."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    title_en: str | None = Field(default=None, max_length=300)
    guide: str | None = Field(default=None, max_length=20000)
    opens_on: PlanDate | None = None
    closes_on: PlanDate | None = None
    budget: Money | None = None
    max_amount: Money | None = None
    participant_quota: int | None = Field(default=None, ge=1, le=100000)
    max_duration_days: int | None = Field(default=None, ge=1, le=366)
    report_due_days: int | None = Field(default=None, ge=1, le=366)


class CallRead(Tagged):
    etag_kind = "funding_call"
    id: int
    kind: str
    kind_label: Label
    code: str
    year: int
    title: str
    title_en: str | None
    guide: str | None
    opens_on: date
    closes_on: date
    open_now: OpenNow = Field(
        description="takes applications now: published and today (Asia/Shanghai) within opens_on..closes_on, both "
        "days included"
    )
    days_left: WindowDaysLeft
    budget: MoneyOut
    max_amount: MoneyOut | None
    participant_quota: int | None
    max_duration_days: int | None
    report_due_days: int
    approved_amount: MoneyOut
    approved_count: int
    approved_participants: int
    remaining_budget: MoneyOut
    remaining_places: int | None
    status: str
    status_label: Label
    version: int
    created_at: ShanghaiTime
    updated_at: ShanghaiTime


class BudgetItem(InputSchema):
    item: str = Field(min_length=1, max_length=100, examples=["国际旅费"])
    amount: Money


def check_budget_items(items: list[BudgetItem], total: Decimal, field: str) -> None:
    """The items of a budget add up to the amount requested (raised in a validator: a 422)."""
    if sum((i.amount for i in items), Decimal(0)) != total:
        raise custom_error(
            "budget_items_mismatch", "预算明细合计与申请金额不符", f"the budget items do not add up to {field}"
        )
