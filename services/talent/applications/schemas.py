"""Talent applications in and out. The ID number goes in once and never comes back in full (it is shown
masked, ``mask_id``); the sex and the birth date are the number's to say (ID-2)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, model_validator

from services.talent.programmes.schemas import Level, OrgKind
from shared.actions import Actionable
from shared.clients.reviewers import DISCIPLINE_CODE_PATTERN
from shared.concurrency import Tagged
from shared.fields import PlanDate, ShanghaiTime
from shared.i18n import custom_error
from shared.schemas import InputSchema, Label, OutputSchema
from shared.validators import ResidentID

# The discipline the experts are drawn by (NSF-2): a section letter, then two digits per level ("C13", "F0203").
DisciplineCode = Annotated[str, Field(pattern=DISCIPLINE_CODE_PATTERN, max_length=16, examples=["C13"])]
WorkKind = Literal["paper", "patent", "standard", "product", "report", "transformed_achievement"]


class Work(InputSchema):
    """A representative work (代表作, TAL-1) and what the applicant did for it."""

    kind: WorkKind
    title: str = Field(min_length=1, max_length=300, examples=["玉米耐旱基因挖掘及分子育种应用"])
    own_contribution: str = Field(
        min_length=1, max_length=2000, examples=["提出研究思路，主持田间试验，第一作者"], description="本人贡献"
    )


class Member(InputSchema):
    name: str = Field(min_length=1, max_length=100, examples=["李明"])
    role: str = Field(min_length=1, max_length=100, examples=["核心成员：分子育种"])


class Title(InputSchema):
    """A national title the applicant holds (TAL-2), at the level the department maps it to."""

    title: str = Field(min_length=1, max_length=200, examples=["国家级青年人才计划"])
    level: Level
    ends_on: PlanDate | None = Field(default=None, description="the last day of its support (none: still running)")


_WORKS = [{"kind": "paper", "title": "玉米耐旱基因挖掘及分子育种应用", "own_contribution": "第一作者，提出研究思路"}]


class ApplicationCreate(InputSchema):
    call_id: int = Field(ge=1, le=2**63 - 1, examples=[1], description="a published call, open today")
    applicant_name: str = Field(min_length=1, max_length=100, examples=["张伟"])
    id_number: ResidentID
    org_name: str = Field(min_length=1, max_length=200, examples=["吉林大学"])
    org_kind: OrgKind = Field(description="the host organisation's kind; the programme admits some (org_kinds)")
    title: str = Field(min_length=1, max_length=300, examples=["作物抗逆分子育种"], description="研究方向")
    discipline_code: DisciplineCode = Field(description="the discipline experts are drawn by (NSF-2)")
    summary: str = Field(min_length=1, max_length=20000, examples=["近五年主要创新成果与贡献……"])
    works: list[Work] = Field(default_factory=list, max_length=5, examples=[_WORKS])
    team: list[Member] = Field(default_factory=list, max_length=50, description="an innovation team's members")
    national_titles: list[Title] = Field(default_factory=list, max_length=10)


class ApplicationUpdate(InputSchema):
    """Editable in ``draft`` and ``returned``; the call and the ID number are fixed once made."""

    applicant_name: str | None = Field(default=None, min_length=1, max_length=100)
    org_name: str | None = Field(default=None, min_length=1, max_length=200)
    org_kind: OrgKind | None = None
    title: str | None = Field(default=None, min_length=1, max_length=300)
    discipline_code: DisciplineCode | None = None
    summary: str | None = Field(default=None, min_length=1, max_length=20000)
    works: list[Work] | None = Field(default=None, max_length=5, examples=[_WORKS])
    team: list[Member] | None = Field(default=None, max_length=50)
    national_titles: list[Title] | None = Field(default=None, max_length=10)

    @model_validator(mode="after")
    def _no_nulls(self) -> ApplicationUpdate:
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                raise custom_error("null_not_allowed", f"{name} 不能为 null", f"{name} may not be null")
        return self


class WorkRead(OutputSchema):
    kind: str
    kind_label: Label
    title: str
    own_contribution: str


class TitleRead(OutputSchema):
    title: str
    level: str
    ends_on: date | None


class MemberRead(OutputSchema):
    name: str
    role: str


class ApplicationRead(Tagged, Actionable):
    etag_kind = "talent_application"
    actions_at = "/applications/{id}"
    id: int
    call_id: int
    programme_id: int
    year: int
    org_id: int
    org_uscc: str | None
    org_name: str
    org_kind: str
    applicant_name: str
    id_number: str = Field(description="masked: the number goes in once and is stored encrypted (PIPL)")
    title: str
    discipline_code: str
    summary: str
    works: list[WorkRead]
    team: list[MemberRead]
    national_titles: list[TitleRead]
    status: str
    status_label: Label
    allowed_actions: list[str]
    version: int
    created_at: ShanghaiTime
    updated_at: ShanghaiTime
    submitted_at: ShanghaiTime | None
    endorsed_at: ShanghaiTime | None
    noticed_at: ShanghaiTime | None
