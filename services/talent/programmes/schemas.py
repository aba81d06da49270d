"""Talent programmes in and out. The indicator system as a whole (TAL-1) and the tranches of the support
(TAL-3) are the rules' to check (``rules/indicators.py``, ``rules/tenure.py``): the service asks them."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from shared.concurrency import Tagged
from shared.fields import Money, MoneyOut, ShanghaiTime
from shared.i18n import custom_error
from shared.schemas import InputSchema, Label, OutputSchema

Level = Literal["national_recommendation", "provincial_key", "provincial_general"]
Kind = Literal["leading_talent", "young_talent", "innovation_team"]
# TAL-1: talent is judged by innovation ability, quality, contribution and performance (创新能力、质量、贡献、绩效).
Dimension = Literal["innovation_ability", "quality", "contribution", "performance"]
# The organisations that may host an applicant (the gateway's kinds, government and agencies excepted).
OrgKind = Literal["university", "research_institute", "enterprise", "hospital", "other"]
Share = Annotated[Decimal, Field(gt=0, le=1, max_digits=5, decimal_places=4, examples=["0.4"])]


class Indicator(InputSchema):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$", examples=["original_results"])
    name: str = Field(min_length=1, max_length=100, examples=["原创性成果与创新能力"])
    name_en: str | None = Field(default=None, max_length=200, examples=["Original results"])
    dimension: Dimension
    weight: Share = Field(description="its weight; the weights of a programme sum to 1 (TAL-1)")


class IndicatorRead(OutputSchema):
    code: str
    name: str
    name_en: str | None = None
    dimension: str
    dimension_label: Label
    weight: Decimal


_EXAMPLE_INDICATORS = [
    {"code": "original_results", "name": "原创性成果", "dimension": "innovation_ability", "weight": "0.35"},
    {"code": "work_quality", "name": "代表作质量", "dimension": "quality", "weight": "0.25"},
    {"code": "contribution", "name": "对产业与学科的贡献", "dimension": "contribution", "weight": "0.25"},
    {"code": "performance", "name": "任期绩效", "dimension": "performance", "weight": "0.15"},
]


class ProgrammeCreate(InputSchema):
    code: str = Field(min_length=2, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", examples=["JLQN"])
    name: str = Field(min_length=1, max_length=200, examples=["吉林省青年科技人才托举计划"])
    name_en: str | None = Field(default=None, max_length=300, examples=["Jilin Young S&T Talent Programme"])
    description: str | None = Field(default=None, max_length=20000)
    level: Level = Field(description="TAL-2: a person holds one programme of a level at a time")
    kind: Kind
    org_kinds: list[OrgKind] = Field(
        min_length=1, max_length=5, examples=[["university", "research_institute", "enterprise", "hospital"]]
    )
    max_age_male: int | None = Field(
        default=None,
        ge=18,
        le=100,
        examples=[35],
        description="TAL-4: at most this age on 1 January of the call's year",
    )
    max_age_female: int | None = Field(default=None, ge=18, le=100, examples=[40], description="TAL-4, for women")
    indicators: list[Indicator] = Field(
        min_length=4, max_length=40, examples=[_EXAMPLE_INDICATORS], description="TAL-1: the indicator system"
    )
    max_works: int = Field(default=5, ge=1, le=5, description="TAL-1: representative works (代表作) at most")
    tenure_years: int = Field(default=3, ge=1, le=10, description="TAL-3: the tenure, in years")
    support_amount: Money = Field(description="the support over the tenure, yuan", examples=["600000.00"])
    tranche_shares: list[Share] = Field(
        min_length=1, max_length=10, examples=[["0.4", "0.3", "0.3"]], description="TAL-3: the tranches, summing to 1"
    )
    notice_working_days: int = Field(default=5, ge=1, le=30, description="TAL-5: the public notice, working days")

    @field_validator("org_kinds")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        return sorted(set(value))


# In a PATCH, these may be left out but never set to null.
NOT_NULL: tuple[str, ...] = ("name", "org_kinds", "indicators", "max_works", "tenure_years", "support_amount")
NOT_NULL += ("tranche_shares", "notice_working_days")


class ProgrammeUpdate(InputSchema):
    """Any part but the code, the level and the kind; the indicators and the shares as a whole."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=20000)
    org_kinds: list[OrgKind] | None = Field(default=None, min_length=1, max_length=5)
    max_age_male: int | None = Field(default=None, ge=18, le=100)
    max_age_female: int | None = Field(default=None, ge=18, le=100)
    indicators: list[Indicator] | None = Field(
        default=None, min_length=4, max_length=40, examples=[_EXAMPLE_INDICATORS]
    )
    max_works: int | None = Field(default=None, ge=1, le=5)
    tenure_years: int | None = Field(default=None, ge=1, le=10)
    support_amount: Money | None = None
    tranche_shares: list[Share] | None = Field(default=None, min_length=1, max_length=10, examples=[["0.5", "0.5"]])
    notice_working_days: int | None = Field(default=None, ge=1, le=30)

    @model_validator(mode="after")
    def _no_nulls(self) -> ProgrammeUpdate:
        for name in NOT_NULL:
            if name in self.model_fields_set and getattr(self, name) is None:
                raise custom_error("null_not_allowed", f"{name} 不能为 null", f"{name} may not be null")
        return self


class ProgrammeRead(Tagged):
    etag_kind = "talent_programme"
    id: int
    code: str
    name: str
    name_en: str | None
    description: str | None
    level: str
    level_label: Label
    kind: str
    kind_label: Label
    org_kinds: list[str]
    max_age_male: int | None
    max_age_female: int | None
    indicators: list[IndicatorRead]
    max_works: int
    tenure_years: int
    support_amount: MoneyOut
    tranche_shares: list[Decimal]
    notice_working_days: int
    status: str
    status_label: Label
    version: int
    created_at: ShanghaiTime
    updated_at: ShanghaiTime
