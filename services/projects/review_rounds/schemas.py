"""A projects review round in and out (the shared schemas plus the call, topic, category and
disciplines), and an application as its reviewer reads it."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, field_validator

from shared.clients.reviewers import DISCIPLINE_CODE_PATTERN
from shared.fields import MoneyOut
from shared.i18n import custom_error
from shared.review_rounds.schemas import CriterionCode, RoundCreateBase, RoundReadBase
from shared.schemas import InputSchema, OutputSchema

DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]
DisciplineCode = Annotated[str, Field(pattern=DISCIPLINE_CODE_PATTERN, examples=["F0203"])]


class CriterionIn(InputSchema):
    code: CriterionCode
    name: str = Field(min_length=1, max_length=100, examples=["创新性"])
    name_en: str | None = Field(default=None, max_length=100, examples=["Innovation"])
    weight: Decimal = Field(gt=0, le=1000, max_digits=8, decimal_places=4, examples=["0.3"])
    max_score: Decimal = Field(default=Decimal(100), gt=0, le=1000, max_digits=7, decimal_places=2)


class RoundCreate(RoundCreateBase):
    """A round of a call (optionally one topic). Figures left out take ``rules.reviews.DEFAULTS``."""

    call_id: DbId
    topic_id: DbId | None = None
    category: Literal["general", "key"] = Field(default="general", description="key: 5 reviewers (NSF-2)")
    discipline_codes: list[DisciplineCode] = Field(
        min_length=1,
        max_length=20,
        description="disciplines of the round's applications; the pool is drawn by their prefixes (F02 for F0203)",
    )
    reviewers_per_application: int | None = Field(default=None, ge=1, le=15, description="NSF-2, default 3")
    reviewers_per_category: (
        dict[Annotated[str, Field(pattern=r"^[a-z_]{1,32}$")], Annotated[int, Field(ge=1, le=15)]] | None
    ) = Field(default=None, max_length=10, description='NSF-2, default {"key": 5}')
    criteria: list[CriterionIn] | None = Field(
        default=None, max_length=20, description="scored review criteria with weights; [] = grade and opinion only"
    )
    trim_from: int | None = Field(default=None, ge=3, le=100, description="NSF-4 trimmed mean from, default 5")

    @field_validator("criteria")
    @classmethod
    def _unique_codes(cls, value: list[CriterionIn] | None) -> list[CriterionIn] | None:
        if value is not None and len({c.code for c in value}) != len(value):
            raise custom_error("duplicate_criterion", "评审指标代码不能重复", "criterion codes must be unique")
        return value

    @field_validator("discipline_codes")
    @classmethod
    def _unique_disciplines(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class RoundRead(RoundReadBase):
    call_id: int
    topic_id: int | None
    programme_id: int
    category: str
    discipline_codes: list[str]


class ApplicationReviewView(OutputSchema):
    """What a reviewer reads of an application: never the leader's or the team's ID numbers."""

    id: int
    call_id: int
    topic_id: int | None
    title: str
    abstract: str
    keywords: list[str]
    applicant_org_name: str
    requested_total: MoneyOut
    self_raised_total: MoneyOut
    budget_lines: dict[str, dict[str, str]]
    duration_months: int
