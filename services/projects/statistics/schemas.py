"""Statistics out: one ``Figures`` shape for the totals and for every group."""

from __future__ import annotations

from pydantic import Field

from services.projects.programmes.schemas import MoneyOut
from shared.schemas import OutputSchema


class Figures(OutputSchema):
    applications: int = Field(description="applications counted (drafts are never counted)")
    requested: MoneyOut = Field(description="sum of the requested funds, yuan", examples=["1500000.00"])
    approved_applications: int = Field(description="of those, approved or further along (contracted, ...)")
    approved: MoneyOut = Field(description="sum of the approved funds, yuan")


class ProgrammeFigures(Figures):
    programme_id: int
    code: str
    name: str
    year: int


class StatusFigures(Figures):
    status: str


class YearFigures(Figures):
    year: int


class RegionFigures(Figures):
    region_code: str = Field(
        description="ID-5 prefix of the applicant organisation's USCC region (characters 3-8): 2201 长春市 ... "
        "22 for province-level units; the 2-digit province code for organisations outside the ID-5 table",
        examples=["2201"],
    )
    name: str | None = Field(description="长春市, 吉林市 ... (ID-5); null outside the table", examples=["长春市"])
    name_en: str | None = Field(examples=["Changchun"])


class StatisticsFilters(OutputSchema):
    year: int | None
    programme_id: int | None


class StatisticsRead(OutputSchema):
    filters: StatisticsFilters
    approved_states: list[str] = Field(description="the application states whose funds count as approved")
    totals: Figures
    by_programme: list[ProgrammeFigures] = Field(description="ordered by programme year (newest first), code")
    by_status: list[StatusFigures] = Field(description="ordered by status")
    by_year: list[YearFigures] = Field(description="newest year first")
    by_region: list[RegionFigures] = Field(description="ordered by region code")
