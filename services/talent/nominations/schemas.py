"""Nominations in and out. The completers' ID numbers go in once and never come back in full (masked);
a Friendship Award nomination names the nominee's work-permit number and the employer, and only the check's
result comes back."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, model_validator

from shared.actions import Actionable
from shared.concurrency import Tagged
from shared.fields import ShanghaiTime
from shared.i18n import custom_error
from shared.schemas import InputSchema, Label, OutputSchema
from shared.validators import USCC, ResidentID

Discipline = Annotated[str, Field(pattern=r"^[A-Z](?:[0-9]{2}){1,3}$", examples=["F0203"])]
Keyword = Annotated[str, Field(min_length=1, max_length=40, examples=["玉米育种"])]
PermitNumber = Annotated[str, Field(pattern=r"^[0-9]{18}$", examples=["220202600000000017"])]


class UnitIn(InputSchema):
    name: str = Field(min_length=1, max_length=200, examples=["吉林大学"])
    uscc: USCC


class CompleterIn(InputSchema):
    """A completer (完成人), in order: the first is the first completer."""

    name: str = Field(min_length=1, max_length=100, examples=["张伟"])
    id_number: ResidentID | None = Field(
        default=None, description="required except for a Friendship Award nominee, who is known by the permit"
    )
    unit_name: str | None = Field(default=None, max_length=200, examples=["吉林大学"])


_UNITS = [{"name": "吉林大学", "uscc": "12220000412755413X"}]


class NominationCreate(InputSchema):
    cycle_id: int = Field(ge=1, le=2**63 - 1, examples=[1], description="an open award cycle")
    title: str = Field(min_length=1, max_length=300, examples=["玉米耐密抗逆新品种选育与推广"], description="项目名称")
    summary: str = Field(min_length=1, max_length=20000, examples=["主要科技创新、应用推广及效益……"])
    disciplines: list[Discipline] = Field(min_length=1, max_length=5, examples=[["D01"]])
    keywords: list[Keyword] = Field(default_factory=list, max_length=10)
    units: list[UnitIn] = Field(min_length=1, max_length=20, description="完成单位, the first unit first")
    completers: list[CompleterIn] = Field(min_length=1, max_length=15, description="完成人, the first completer first")
    permit_number: PermitNumber | None = Field(default=None, description="the Friendship Award nominee's permit (WP-8)")
    employer_uscc: USCC | None = Field(default=None, description="the Friendship Award nominee's employer")


class NominationUpdate(InputSchema):
    """Editable while a draft; the cycle is fixed once made."""

    title: str | None = Field(default=None, min_length=1, max_length=300, examples=["玉米耐密抗逆新品种选育与推广"])
    summary: str | None = Field(default=None, min_length=1, max_length=20000)
    disciplines: list[Discipline] | None = Field(default=None, min_length=1, max_length=5)
    keywords: list[Keyword] | None = Field(default=None, max_length=10)
    units: list[UnitIn] | None = Field(default=None, min_length=1, max_length=20)
    completers: list[CompleterIn] | None = Field(default=None, min_length=1, max_length=15)
    permit_number: PermitNumber | None = None
    employer_uscc: USCC | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> NominationUpdate:
        for name in ("title", "summary", "disciplines", "keywords", "units", "completers"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise custom_error("null_not_allowed", f"{name} 不能为 null", f"{name} may not be null")
        return self


class UnitRead(OutputSchema):
    name: str
    uscc: str


class CompleterRead(OutputSchema):
    position: int
    name: str
    unit_name: str | None
    id_number: str | None = Field(description="masked: the number goes in once and is stored encrypted (PIPL)")


class PermitCheckRead(OutputSchema):
    """The Friendship Award's permit check, as recorded: its result only."""

    checked_at: datetime
    valid: bool
    status: str
    employer_matches: bool


class NominationRead(Tagged, Actionable):
    etag_kind = "award_nomination"
    actions_at = "/nominations/{id}"
    id: int
    cycle_id: int
    year: int
    category: str
    category_label: Label
    nominator_id: int
    nominator_kind: str
    title: str
    summary: str
    disciplines: list[str]
    keywords: list[str]
    units: list[UnitRead]
    completers: list[CompleterRead]
    employer_uscc: str | None
    permit_check: PermitCheckRead | None
    score: Decimal | None = Field(description="the panel's mean score")
    grade: int | None = Field(description="the grade the committee voted (none for a category without grades)")
    vote: dict[str, Any] | None = Field(description="the committee's last vote and its outcome")
    certificate_no: str | None
    status: str
    status_label: Label
    allowed_actions: list[str]
    version: int
    created_at: ShanghaiTime
    updated_at: ShanghaiTime
    submitted_at: ShanghaiTime | None


class PanelDraw(InputSchema):
    seed: int | None = Field(
        default=None, ge=0, le=2**63 - 1, description="none: the platform draws one", examples=[20270410]
    )


class PanelMemberRead(OutputSchema):
    reviewer_id: int
    nomination_id: int
    scored: bool


class PanelRead(OutputSchema):
    cycle_id: int
    seed: int
    algorithm_version: str
    pool_hash: str
    applications_hash: str
    assignments: list[PanelMemberRead]
    shortfalls: list[dict[str, Any]]
    created_at: ShanghaiTime


class ScoreIn(InputSchema):
    score: Decimal = Field(ge=0, le=100, max_digits=5, decimal_places=2, examples=["88.5"])
    comment: str = Field(min_length=1, max_length=5000, examples=["创新性突出，应用效益显著"])


class VoteIn(InputSchema):
    """The committee's vote on a grade (AW-1): the members present and those in favour."""

    grade: int | None = Field(
        default=None, ge=1, le=3, description="1, 2 or 3; none for a category without grades", examples=[1]
    )
    present: int = Field(ge=0, le=1000, examples=[21])
    in_favour: int = Field(ge=0, le=1000, examples=[16])
    comment: str | None = Field(default=None, max_length=2000)
