"""Yearly funding plans (年度资助计划) and their categories, in and out.

Figures a category leaves out take the documented defaults (``rules.eligibility.DEFAULTS``):
reviewers per application 3, or 5 for a key category (NSF-2, never fewer than 3); the youth
category's age limits 35 for men and 40 for women (NSF-6); no age limit in the other kinds.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, field_validator, model_validator

from services.foundation.rules.eligibility import DEFAULTS
from shared.clients.reviewers import DISCIPLINE_PREFIX_PATTERN
from shared.concurrency import Tagged
from shared.fields import Money, MoneyOut, ShanghaiTime
from shared.i18n import custom_error
from shared.schemas import InputSchema, OutputSchema
from shared.windows import CalendarConfirmed, DeadlineDaysLeft, OpenNow, WindowDaysLeft

PLAN_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,39}$"
CATEGORY_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,31}$"

CategoryKind = Literal["general", "youth", "key", "joint"]
AmountMode = Literal["fixed", "cap"]
DisciplinePrefix = Annotated[str, Field(pattern=DISCIPLINE_PREFIX_PATTERN, examples=["F02"])]
OrgId = Annotated[int, Field(ge=1, le=2**63 - 1)]
AgeLimit = Annotated[int, Field(ge=18, le=100)]


class CategoryIn(InputSchema):
    code: str = Field(pattern=CATEGORY_CODE_PATTERN, examples=["youth"], description="unique within the plan")
    kind: CategoryKind = Field(description="general (面上), youth (青年), key (重点) or joint (联合基金)")
    name: str = Field(min_length=1, max_length=100, examples=["青年基金项目"])
    partner: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="the joint fund's partner (a city or an enterprise); joint only",
    )
    project_count: int = Field(ge=1, le=100_000, description="projects to fund")
    amount_mode: AmountMode = Field(description="fixed: the grant per project; cap: the most per project")
    amount: Money = Field(gt=0, description="yuan per project (fixed) or the cap (cap)")
    budget: Money = Field(gt=0, description="the category's total budget, yuan")
    reviewers_per_application: int | None = Field(
        default=None,
        ge=DEFAULTS.min_reviewers,
        le=15,
        description="NSF-2 (configurable): default 3, 5 for a key category; at least 3",
    )
    max_age_male: AgeLimit | None = Field(
        default=None,
        description="NSF-6: men under this age on 1 January of the year; default 35 for youth, none otherwise",
    )
    max_age_female: AgeLimit | None = Field(
        default=None,
        description="NSF-6: women under this age on 1 January of the year; default 40 for youth, none otherwise",
    )

    @model_validator(mode="after")
    def _consistent(self) -> CategoryIn:
        if self.kind == "joint" and not self.partner:
            raise custom_error("partner_required", "联合基金应填写合作方", "a joint fund names its partner")
        if self.kind != "joint" and self.partner:
            raise custom_error("partner_not_allowed", "只有联合基金才有合作方", "only a joint fund has a partner")
        if self.amount > self.budget:
            raise custom_error(
                "amount_over_budget", "单项资助额度超过预算", "the amount per project exceeds the budget"
            )
        if self.amount_mode == "fixed" and self.amount * self.project_count > self.budget:
            raise custom_error(
                "budget_too_small",
                "固定资助额度乘以资助项数超过预算（需 {need} 元）",
                "a fixed amount times the project count exceeds the budget ({need} yuan)",
                need=f"{self.amount * self.project_count:.2f}",
            )
        return self


def _unique_categories(categories: list[CategoryIn] | None) -> None:
    if categories is not None:
        codes = [c.code for c in categories]
        if len(codes) != len(set(codes)):
            raise custom_error(
                "duplicate_code", "同一计划内类别代码不能重复", "category codes must be unique within a plan"
            )


def _unique(values: list[str] | list[int] | None, what: str) -> None:
    if values is not None and len(values) != len(set(values)):
        raise custom_error("duplicate_value", "{what} 中有重复的值", "{what} repeats a value", what=what)


class PlanBase(InputSchema):
    @field_validator("discipline_codes", check_fields=False)
    @classmethod
    def _codes(cls, value: list[str] | None) -> list[str] | None:
        _unique(value, "discipline_codes")
        return value

    @field_validator("agency_org_ids", check_fields=False)
    @classmethod
    def _agencies(cls, value: list[int] | None) -> list[int] | None:
        _unique(value, "agency_org_ids")
        return value

    @field_validator("categories", check_fields=False)
    @classmethod
    def _categories(cls, value: list[CategoryIn] | None) -> list[CategoryIn] | None:
        _unique_categories(value)
        return value


class PlanCreate(PlanBase):
    code: str = Field(pattern=PLAN_CODE_PATTERN, examples=["JJ2026"], description="unique plan code")
    year: int = Field(ge=2000, le=2200, examples=[2026])
    title: str = Field(min_length=1, max_length=200, examples=["2026年度吉林省自然科学基金"])
    guide: str | None = Field(default=None, max_length=100_000, description="the year's guide (申请指南)")
    discipline_codes: list[DisciplinePrefix] = Field(
        min_length=1, max_length=200, description="discipline codes or prefixes the plan funds (A-H, A01 ...)"
    )
    opens_at: AwareDatetime = Field(examples=["2026-03-01T09:00:00+08:00"])
    closes_at: AwareDatetime = Field(examples=["2026-04-15T17:00:00+08:00"], description="exclusive")
    formal_review_days: int = Field(
        default=DEFAULTS.formal_review_days,
        ge=1,
        le=365,
        description="NSF-1: natural days after the deadline (default 45)",
    )
    notice_working_days: int = Field(
        default=DEFAULTS.notice_working_days,
        ge=1,
        le=60,
        description="the public notice of the approved list, working days (default 5)",
    )
    agency_org_ids: list[OrgId] = Field(
        default_factory=list,
        max_length=20,
        description="organisations (gateway ids) of the agencies that run the plan with the officials",
    )
    categories: list[CategoryIn] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _window(self) -> PlanCreate:
        if self.closes_at <= self.opens_at:
            raise custom_error("before_opens_at", "截止时间应晚于开始时间", "closes_at must be after opens_at")
        return self


class PlanUpdate(PlanBase):
    """Changes to a draft plan; ``categories`` and ``agency_org_ids`` replace the lists (categories are
    matched by code, so their ids stay)."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    guide: str | None = Field(default=None, max_length=100_000)
    discipline_codes: list[DisciplinePrefix] | None = Field(default=None, min_length=1, max_length=200)
    opens_at: AwareDatetime | None = None
    closes_at: AwareDatetime | None = None
    formal_review_days: int | None = Field(default=None, ge=1, le=365)
    notice_working_days: int | None = Field(default=None, ge=1, le=60)
    agency_org_ids: list[OrgId] | None = Field(default=None, max_length=20)
    categories: list[CategoryIn] | None = Field(default=None, min_length=1, max_length=50)


class CategoryRead(OutputSchema):
    id: int
    code: str
    kind: str
    name: str
    partner: str | None
    project_count: int
    amount_mode: str
    amount: MoneyOut
    budget: MoneyOut
    reviewers_per_application: int
    max_age_male: int | None
    max_age_female: int | None
    approved_total: MoneyOut
    approved_count: int


class PlanRead(Tagged):
    etag_kind = "funding_plan"
    id: int
    code: str
    year: int
    title: str
    guide: str | None
    discipline_codes: list[str]
    opens_at: ShanghaiTime
    closes_at: ShanghaiTime
    open_now: OpenNow
    days_left: WindowDaysLeft
    formal_review_days: int
    formal_review_due: date = Field(description="NSF-1: the closing date (Asia/Shanghai) + formal_review_days")
    formal_review_days_left: DeadlineDaysLeft
    formal_review_calendar_confirmed: CalendarConfirmed = Field(
        description="always true: NSF-1 counts natural days, which need no holiday schedule"
    )
    notice_working_days: int
    agency_org_ids: list[int]
    categories: list[CategoryRead]
    status: str
    version: int
    created_at: ShanghaiTime
    updated_at: ShanghaiTime


class PlanSummary(Tagged):
    etag_kind = "funding_plan"
    id: int
    code: str
    year: int
    title: str
    opens_at: ShanghaiTime
    closes_at: ShanghaiTime
    open_now: OpenNow
    days_left: WindowDaysLeft
    status: str
    version: int


class ActionBody(InputSchema):
    comment: str | None = Field(default=None, max_length=4000, description="shown in the history")
