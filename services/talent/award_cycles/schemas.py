"""Award cycles in and out: a category's figures for one year as data (AW-1 quotas, vote rules, the
committee; AW-3 notice periods; the CAL-2 window), checked by ``rules.awards``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, model_validator

from services.talent.rules.notices import AWARD_NOTICES, MAX_AWARD_NOTICE_DAYS, MIN_AWARD_NOTICE_DAYS
from shared.actions import Actionable
from shared.concurrency import Tagged
from shared.fields import PlanDate, ShanghaiTime
from shared.i18n import custom_error
from shared.schemas import InputSchema, Label, OutputSchema
from shared.windows import OpenNow, WindowDaysLeft

Category = Literal[
    "outstanding_contribution",
    "natural_science",
    "technical_invention",
    "st_progress",
    "international_cooperation",
    "friendship",
    "transformation_contribution",
]
GradeKey = Literal["1", "2", "3", "none"]
Fraction = Annotated[str, Field(pattern=r"^[0-9]{1,3}(/[0-9]{1,3})?$", examples=["2/3"])]
Discipline = Annotated[str, Field(pattern=r"^[A-Z](?:[0-9]{2}){0,3}$", examples=["F02"])]
Account = Annotated[str, Field(min_length=1, max_length=64, examples=["701"])]


class VoteIn(InputSchema):
    """A grade's committee vote (AW-1): passes when in favour reach ``threshold`` of the ``basis``, with a
    quorum of members present."""

    threshold: Fraction = Field(description="a fraction, e.g. 2/3")
    basis: Literal["members", "present"] = "members"
    at_least: bool = Field(default=True, description="'以上': in favour >= threshold (else strictly more)")
    quorum: Fraction = "2/3"


_QUOTAS = {"1": 3, "2": 8, "3": 15}
_VOTES = {
    "1": {"threshold": "2/3", "basis": "members"},
    "2": {"threshold": "1/2", "basis": "present"},
    "3": {"threshold": "1/2", "basis": "present"},
}


class CycleCreate(InputSchema):
    category: Category = Field(description="AW-1 category; the outstanding contribution award runs every 2 years")
    year: int = Field(ge=2000, le=2199, examples=[2027])
    code: str = Field(min_length=2, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", examples=["JLSTA-2027-STP"])
    title: str = Field(min_length=1, max_length=200, examples=["2027年度吉林省科学技术进步奖"])
    guide: str | None = Field(default=None, max_length=20000, description="提名指南")
    opens_on: PlanDate = Field(examples=["2027-03-01"], description="the first day nominations are taken")
    closes_on: PlanDate = Field(examples=["2027-04-30"], description="the last day nominations are taken")
    quotas: dict[GradeKey, int] = Field(
        examples=[_QUOTAS],
        description="AW-1: recipients per grade ('1', '2', '3'), or 'none' for a category without grades",
    )
    votes: dict[GradeKey, VoteIn] = Field(
        default_factory=dict,
        examples=[_VOTES],
        description="AW-1: the committee's vote rule per grade (a grade left out keeps the category's default)",
    )
    committee: list[Account] = Field(
        min_length=1, max_length=200, examples=[["701", "702", "703"]], description="the committee's accounts"
    )
    panel_size: int = Field(default=5, ge=1, le=15, description="panel members scoring each nomination")
    panel_disciplines: list[Discipline] = Field(
        default_factory=lambda: ["A", "B", "C", "D", "E", "F", "G", "H"],
        min_length=1,
        max_length=20,
        description="discipline prefixes the reviewer pool is read under",
    )
    acceptance_days: int = Field(
        default=AWARD_NOTICES.acceptance_days,
        ge=MIN_AWARD_NOTICE_DAYS,
        le=MAX_AWARD_NOTICE_DAYS,
        description="AW-3: acceptance notice, natural days",
    )
    winners_days: int = Field(
        default=AWARD_NOTICES.proposed_winners_days,
        ge=MIN_AWARD_NOTICE_DAYS,
        le=MAX_AWARD_NOTICE_DAYS,
        description="AW-3: proposed-winners notice, natural days",
    )

    @model_validator(mode="after")
    def _window(self) -> CycleCreate:
        if self.closes_on < self.opens_on:
            raise custom_error("closes_before_opens", "截止日期早于开始日期", "closes_on is before opens_on")
        if len(set(self.committee)) != len(self.committee):
            raise custom_error("duplicate_member", "评审委员会成员重复", "a committee member appears twice")
        return self


class CycleUpdate(InputSchema):
    """Editable while the cycle is a draft or open (quotas and votes also while closed)."""

    title: str | None = Field(default=None, min_length=1, max_length=200, examples=["2027年度吉林省科学技术进步奖"])
    guide: str | None = Field(default=None, max_length=20000)
    opens_on: PlanDate | None = None
    closes_on: PlanDate | None = None
    quotas: dict[GradeKey, int] | None = None
    votes: dict[GradeKey, VoteIn] | None = None
    committee: list[Account] | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _no_nulls(self) -> CycleUpdate:
        for name in ("title", "opens_on", "closes_on", "quotas", "votes", "committee"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise custom_error("null_not_allowed", f"{name} 不能为 null", f"{name} may not be null")
        return self


class GradeRead(OutputSchema):
    grade: int | None
    quota: int | None
    taken: int = Field(description="nominations proposed, confirmed or awarded at this grade")
    vote: dict[str, str | bool]


class CycleRead(Tagged, Actionable):
    etag_kind = "award_cycle"
    actions_at = "/award-cycles/{id}"
    id: int
    code: str
    year: int
    category: str
    category_label: Label
    title: str
    guide: str | None
    opens_on: date
    closes_on: date
    open_now: OpenNow
    days_left: WindowDaysLeft
    grades: list[GradeRead]
    committee: list[str]
    panel_size: int
    panel_disciplines: list[str]
    acceptance_days: int
    winners_days: int
    status: str
    status_label: Label
    allowed_actions: list[str]
    version: int
    created_at: ShanghaiTime
    updated_at: ShanghaiTime


class CategoryRead(OutputSchema):
    """An AW-1 category's standing rules (a cycle sets its quotas and votes)."""

    code: str
    name: Label
    graded: bool
    grades: list[int]
    default_quota: int | None
    every_years: int
    anchor_year: int | None
    for_foreigners: bool
