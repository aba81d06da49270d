"""The facts of a points assessment (WP-1..WP-3), as an employer states them, and its explained result.

The same facts make up a permit application (``applications.schemas``): what an employer checks before
applying is what the bureau assesses at submission.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field

from services.foreign_experts.employers.schemas import CITY_DESCRIPTION, CityCode
from shared.fields import Money
from shared.schemas import InputSchema, Label, OutputSchema

Education = Literal["doctorate", "top_skills_certificate", "master", "technician", "bachelor", "senior_worker", "other"]
ACriterion = Literal[
    "talent_programme", "recognised_achievement", "encouraged_post", "innovation_talent", "young_talent"
]
Bonus = Literal["renowned_university", "fortune_500", "intellectual_property", "five_years_in_china"]
PostKind = Literal["regular", "temporary", "seasonal", "short_term", "quota_programme"]


class LanguageTeacherFacts(InputSchema):
    """WP-3: a language teacher's extra conditions."""

    native_speaker: bool
    education_or_language_degree: bool = False
    teaching_certificate: bool = False
    tefl_hours: int = Field(default=0, ge=0, le=100000)


class PersonFacts(InputSchema):
    birth_date: date
    education: Education = Field(description="the highest degree or skills qualification (WP-1)")
    degree_institution: str | None = Field(default=None, max_length=200, examples=["Technische Universität München"])
    degree_from_chinese_university: bool = False
    degree_from_top100_university: bool = Field(default=False, description="a world top-100 university (WP-3)")
    degree_taught_in_chinese: bool = False
    former_chinese_national: bool = False
    hsk_level: int = Field(default=0, ge=0, le=9, description="HSK level passed (1-6, or HSK 3.0 up to 9), 0 for none")
    work_years: int = Field(ge=0, le=80, description="years of relevant work experience")
    a_criteria: list[ACriterion] = Field(
        default_factory=list, max_length=5, description="the A-class criteria claimed (WP-2)"
    )
    bonuses: list[Bonus] = Field(default_factory=list, max_length=4, description="WP-1 bonus items")
    language_teacher: LanguageTeacherFacts | None = None


class PostFacts(InputSchema):
    work_city_code: CityCode = Field(description=CITY_DESCRIPTION)
    annual_salary: Money = Field(description="yuan a year from the employer in China")
    months_per_year: Decimal = Field(
        ge=0, le=12, max_digits=4, decimal_places=1, description="expected months a year working in China"
    )
    post_kind: PostKind = Field(
        default="regular",
        description="regular, or one of the posts the state lists for "
        "C (temporary, seasonal, short_term ≤ 90 days, quota_programme)",
    )


class PostIn(PostFacts):
    """The post of an application: its contract's dates also tell whether the work is of 90 days or less."""

    position: str = Field(min_length=1, max_length=200, examples=["动力电池研发工程师"])
    contract_starts_on: date
    contract_ends_on: date


class AssessmentRequest(InputSchema):
    person: PersonFacts
    post: PostFacts
    year: int | None = Field(
        default=None, ge=2000, le=2200, description="whose figures apply (default: the year of ``on``)"
    )
    on: date | None = Field(default=None, description="the day the age is taken on (default: today, Asia/Shanghai)")


class FactorRead(OutputSchema):
    code: str
    label: Label
    value: str | None
    points: int
    cap: int
    rule: Label
    band: str = Field(description="the band of the table that gave the points")
    note: Label | None = None


class ConditionRead(OutputSchema):
    code: str
    label: Label
    held: bool
    waived: bool = False
    reason: Label


class RouteRead(OutputSchema):
    code: str
    label: Label


class RefusalRead(OutputSchema):
    code: str = Field(description="the stable code of the problem an approval would raise")
    reason: Label


class AssessmentRead(OutputSchema):
    year: int
    on: date
    factors: list[FactorRead]
    total: int
    permit_class: Literal["A", "B", "C"]
    class_label: Label
    routes: list[RouteRead] = Field(description="every rule that put the foreigner in the class (WP-2)")
    basic_conditions: list[ConditionRead] = Field(description="WP-3's basic conditions of B, each held or failed")
    basic_conditions_hold: bool
    approvable: bool = Field(description="C only within the year's quota and for a post the state lists")
    refusals: list[RefusalRead] = Field(description="why the class cannot be approved, when it cannot")
    notes: list[Label]
