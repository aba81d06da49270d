"""The foundation's statistics out: one ``Figures`` shape for the totals and for every group."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, PlainSerializer

from shared.fields import MoneyOut
from shared.schemas import OutputSchema

# A ratio to four places as a decimal string ("0.3333"), exact like the amounts.
Rate = Annotated[Decimal, PlainSerializer(lambda v: f"{v:.4f}", return_type=str, when_used="json")]


class Figures(OutputSchema):
    applications: int = Field(description="applications submitted (drafts are never counted)")
    accepted: int = Field(
        description="applications past formal review: accepted and every later state "
        "(in review ... not approved, funded ... concluded); withdrawn ones are not counted"
    )
    approved: int = Field(description="approved and every later state, except an approval taken back")
    funded: int = Field(description="funded and every later state (final report, concluded, failed, terminated)")
    funding_rate: Rate | None = Field(
        description="funded / accepted to four places; null when nothing was accepted", examples=["0.2500"]
    )
    requested_amount: MoneyOut = Field(
        description="the funds requested by the applications counted, yuan", examples=["1500000.00"]
    )
    approved_amount: MoneyOut = Field(description="the grants of the approved applications, yuan")
    disbursed_amount: MoneyOut = Field(description="the disbursements paid to them, yuan")


class CategoryFigures(Figures):
    category_id: int
    plan_id: int
    plan_code: str
    year: int
    code: str
    kind: str = Field(description="general | youth | key | joint")
    name: str


class DisciplineFigures(Figures):
    discipline: str = Field(
        description="the code prefix: the section letter (F) or the first three characters "
        "(F02), by `discipline_prefix`",
        examples=["F"],
    )


class InstitutionFigures(Figures):
    uscc: str = Field(description="the host institution's unified social credit code")
    name: str = Field(description="its name as the applications give it")


class RegionFigures(Figures):
    region_code: str = Field(
        description="ID-5 region of the host institution's USCC (characters 3-8): 2201 长春市 "
        "... 22 for province-level units; the 2-digit province code outside the table",
        examples=["2201"],
    )
    name: str | None = Field(examples=["长春市"])
    name_en: str | None = Field(examples=["Changchun"])


class YearFigures(Figures):
    year: int


class StatisticsFilters(OutputSchema):
    plan_id: int | None
    year: int | None
    discipline_prefix: int


class Definitions(OutputSchema):
    accepted_states: list[str] = Field(description="states counted as past formal review (the rate's denominator)")
    approved_states: list[str]
    funded_states: list[str] = Field(description="states counted as funded (the rate's numerator)")


class StatisticsRead(OutputSchema):
    filters: StatisticsFilters
    definitions: Definitions
    totals: Figures
    by_category: list[CategoryFigures] = Field(description="newest plan first, then the plan's category order")
    by_discipline: list[DisciplineFigures] = Field(description="ordered by code")
    by_institution: list[InstitutionFigures] = Field(description="ordered by USCC")
    by_region: list[RegionFigures] = Field(description="ordered by region code")
    by_year: list[YearFigures] = Field(description="newest year first")
