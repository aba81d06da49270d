"""Yearly calls of a talent programme in and out: the window in Asia/Shanghai dates (CAL-2, both days
included) and the cap on the applications one organisation may endorse."""

from __future__ import annotations

from datetime import date

from pydantic import Field, model_validator

from shared.concurrency import Tagged
from shared.fields import PlanDate, ShanghaiTime
from shared.i18n import custom_error
from shared.schemas import InputSchema, Label
from shared.windows import OpenNow, WindowDaysLeft


class CallCreate(InputSchema):
    programme_id: int = Field(ge=1, le=2**63 - 1, examples=[1], description="an active talent programme")
    code: str = Field(min_length=2, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", examples=["JLQN2027"])
    year: int = Field(ge=2000, le=2199, examples=[2027], description="TAL-4: ages are taken on 1 January of it")
    title: str = Field(min_length=1, max_length=200, examples=["2027年度吉林省青年科技人才托举计划申报"])
    guide: str | None = Field(default=None, max_length=20000, description="申报指南")
    opens_on: PlanDate = Field(examples=["2027-03-01"], description="the first day applications are taken")
    closes_on: PlanDate = Field(examples=["2027-03-31"], description="the last day applications are taken")
    cap_per_org: int = Field(
        ge=1, le=10000, examples=[3], description="the most applications one organisation may endorse in this call"
    )

    @model_validator(mode="after")
    def _window(self) -> CallCreate:
        if self.closes_on < self.opens_on:
            raise custom_error("closes_before_opens", "截止日期早于开始日期", "closes_on is before opens_on")
        return self


class CallUpdate(InputSchema):
    """Editable while the call is a draft or published."""

    title: str | None = Field(default=None, min_length=1, max_length=200, examples=["2027年度青年科技人才托举计划申报"])
    guide: str | None = Field(default=None, max_length=20000)
    opens_on: PlanDate | None = None
    closes_on: PlanDate | None = None
    cap_per_org: int | None = Field(default=None, ge=1, le=10000)

    @model_validator(mode="after")
    def _no_nulls(self) -> CallUpdate:
        for name in ("title", "opens_on", "closes_on", "cap_per_org"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise custom_error("null_not_allowed", f"{name} 不能为 null", f"{name} may not be null")
        return self


class CallRead(Tagged):
    etag_kind = "talent_call"
    id: int
    programme_id: int
    programme_code: str
    programme_name: str
    level: str
    level_label: Label
    code: str
    year: int
    title: str
    guide: str | None
    opens_on: date
    closes_on: date
    open_now: OpenNow = Field(
        description="takes applications now: published and today (Asia/Shanghai) within opens_on..closes_on, both "
        "days included"
    )
    days_left: WindowDaysLeft
    cap_per_org: int
    status: str
    status_label: Label
    version: int
    created_at: ShanghaiTime
    updated_at: ShanghaiTime
