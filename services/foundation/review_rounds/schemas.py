"""A foundation review round in and out (the shared schemas plus the plan, category and discipline
prefixes), and an application as its reviewer reads it."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from shared.clients.reviewers import DISCIPLINE_PREFIX_PATTERN
from shared.fields import MoneyOut
from shared.review_rounds.schemas import RoundCreateBase, RoundReadBase
from shared.schemas import OutputSchema

DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]
DisciplinePrefix = Annotated[str, Field(pattern=DISCIPLINE_PREFIX_PATTERN, examples=["F02"])]


class RoundCreate(RoundCreateBase):
    """A review round of one category of a plan. Figures left out take ``rules.reviews.DEFAULTS``; the
    reviewers per application are the category's (NSF-2: 3, 5 for key)."""

    plan_id: DbId
    category_id: DbId
    discipline_prefixes: list[DisciplinePrefix] | None = Field(
        default=None,
        max_length=10,
        description="Narrow the round to these discipline prefixes (its applications and the pool read); "
        "left out: every discipline of the category, the pool read under the plan's codes",
    )

    @field_validator("discipline_prefixes")
    @classmethod
    def _unique(cls, value: list[str] | None) -> list[str] | None:
        return list(dict.fromkeys(value)) if value is not None else None


class RoundRead(RoundReadBase):
    plan_id: int
    category_id: int
    discipline_prefixes: list[str]


class TeamMemberView(OutputSchema):
    name: str
    role: str | None


class ApplicationReviewView(OutputSchema):
    """What a reviewer reads of an application. Names are shown (the applicant, the host
    institution, the team with their roles), so the reviewer can judge the team and see a conflict
    the draw could not know of and decline; identification numbers, birth dates, sex, the
    applicant's exclusions and declared relations never are."""

    id: int
    plan_id: int
    year: int
    category_code: str
    category_kind: str
    category_name: str
    discipline_code: str
    title: str
    abstract: str
    keywords: list[str]
    applicant_name: str
    applicant_title: str | None
    degree: str | None
    institution_name: str
    team: list[TeamMemberView]
    budget_lines: dict[str, str]
    requested_total: MoneyOut
    duration_months: int
