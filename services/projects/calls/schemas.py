"""Calls (申报指南) in and out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal, cast

from pydantic import AwareDatetime, Field, model_validator

from services.projects.programmes.schemas import CODE_PATTERN, Money, MoneyOut, ShanghaiTime
from services.projects.rules.eligibility import DEFAULTS
from shared.concurrency import Tagged
from shared.i18n import custom_error
from shared.schemas import InputSchema, OutputSchema
from shared.windows import OpenNow, WindowDaysLeft

OrgKind = Literal["university", "research_institute", "enterprise", "hospital", "other"]
Ratio = Annotated[Decimal, Field(ge=0, le=100, max_digits=6, decimal_places=2)]


class TopicIn(InputSchema):
    code: str = Field(pattern=CODE_PATTERN, examples=["T01"])
    title: str = Field(min_length=1, max_length=300, examples=["黑土地保护与利用关键技术"])
    budget_cap: Money | None = Field(default=None, description="largest budget of a project on this topic")


class EligibilityIn(InputSchema):
    """Who may apply. Figures left out take the documented defaults (rules.eligibility.DEFAULTS)."""

    org_kinds: list[OrgKind] = Field(default=cast(list[OrgKind], list(DEFAULTS.org_kinds)), min_length=1, max_length=5)
    leader_max_age: int | None = Field(
        default=DEFAULTS.leader_max_age,
        ge=18,
        le=100,
        description="the leader's age limit in completed years on the reference date (ID-2); null: none",
    )
    age_reference_date: date | None = Field(
        default=None, description="the day the leader's age is taken on; default: the closing date (Asia/Shanghai)"
    )
    enterprise_cofunding_ratio: Ratio | None = Field(
        default=DEFAULTS.enterprise_cofunding_ratio,
        description="an enterprise's self-raised funds at least this multiple of the requested funds; null: none",
    )


def _topics_unique(topics: list[TopicIn] | None) -> None:
    if topics is not None:
        codes = [t.code for t in topics]
        if len(codes) != len(set(codes)):
            raise custom_error(
                "duplicate_topic_code", "同一指南内专题代码不能重复", "topic codes must be unique within a call"
            )


class CallCreate(InputSchema):
    programme_id: int = Field(ge=1, le=2**63 - 1)
    title: str = Field(min_length=1, max_length=300, examples=["2026年度吉林省科技发展计划重点研发项目申报指南"])
    guide: str = Field(min_length=1, max_length=100_000, description="the guide's text")
    topics: list[TopicIn] = Field(default_factory=list, max_length=200)
    opens_at: AwareDatetime = Field(examples=["2026-03-01T09:00:00+08:00"])
    closes_at: AwareDatetime = Field(examples=["2026-04-01T17:00:00+08:00"])
    eligibility: EligibilityIn = Field(default_factory=EligibilityIn)

    @model_validator(mode="after")
    def _consistent(self) -> CallCreate:
        if self.closes_at <= self.opens_at:
            raise custom_error("before_opens_at", "截止时间应晚于开始时间", "closes_at must be after opens_at")
        _topics_unique(self.topics)
        return self


class CallUpdate(InputSchema):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    guide: str | None = Field(default=None, min_length=1, max_length=100_000)
    topics: list[TopicIn] | None = Field(default=None, max_length=200)
    opens_at: AwareDatetime | None = None
    closes_at: AwareDatetime | None = None
    eligibility: EligibilityIn | None = None

    @model_validator(mode="after")
    def _consistent(self) -> CallUpdate:
        _topics_unique(self.topics)
        return self


class TopicRead(OutputSchema):
    id: int
    code: str
    title: str
    budget_cap: MoneyOut | None


class EligibilityRead(OutputSchema):
    org_kinds: list[str]
    leader_max_age: int | None
    age_reference_date: date
    enterprise_cofunding_ratio: MoneyOut | None


class CallRead(Tagged):
    etag_kind = "call"
    id: int
    programme_id: int
    year: int
    title: str
    guide: str
    topics: list[TopicRead]
    opens_at: ShanghaiTime
    closes_at: ShanghaiTime
    open_now: OpenNow
    days_left: WindowDaysLeft
    eligibility: EligibilityRead
    status: str
    version: int
    created_at: ShanghaiTime
    updated_at: ShanghaiTime


class CallSummary(Tagged):
    etag_kind = "call"
    id: int
    programme_id: int
    year: int
    title: str
    opens_at: ShanghaiTime
    closes_at: ShanghaiTime
    open_now: OpenNow
    days_left: WindowDaysLeft
    status: str
    version: int
