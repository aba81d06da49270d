"""The talent service's statistics out: selections (talent programmes) and awards, each with its
totals and the same figures per group."""

from __future__ import annotations

from pydantic import Field

from shared.schemas import OutputSchema


class SelectionFigures(OutputSchema):
    applications: int = Field(description="applications submitted (drafts are never counted)")
    accepted: int = Field(description="past formal review: accepted and every later state")
    selected: int = Field(description="selected and every later state (terminated, completed)")
    terminated: int = Field(description="titles ended early: a failed assessment or a new debarment (TAL-3)")


class AwardFigures(OutputSchema):
    nominations: int = Field(description="nominations submitted (drafts are never counted)")
    accepted: int = Field(description="past formal review: accepted and every later state")
    awarded: int = Field(description="awarded: the results published with a certificate number")


class Organisation(OutputSchema):
    name: str = Field(description="the organisation (an application's host, a nomination's first unit)")


class City(OutputSchema):
    region_code: str | None = Field(
        description="ID-5 region of the organisation's USCC (characters 3-8): 2201 长春市 ... 2224 延边朝鲜族"
        "自治州, 22 for province-level units; null when no USCC was given",
        examples=["2201"],
    )
    name: str | None = Field(examples=["长春市"])
    name_en: str | None = Field(examples=["Changchun"])


class ProgrammeSelections(SelectionFigures):
    programme_id: int
    code: str
    name: str
    level: str
    kind: str


class YearSelections(SelectionFigures):
    year: int


class OrganisationSelections(SelectionFigures, Organisation):
    pass


class CitySelections(SelectionFigures, City):
    pass


class CategoryAwards(AwardFigures):
    category: str = Field(description="the award category (AW-1)", examples=["progress"])


class GradeAwards(AwardFigures):
    category: str
    grade: int | None = Field(description="1, 2 or 3; null for a category without grades")


class YearAwards(AwardFigures):
    year: int


class OrganisationAwards(AwardFigures, Organisation):
    pass


class CityAwards(AwardFigures, City):
    pass


class Selections(OutputSchema):
    total: SelectionFigures
    by_programme: list[ProgrammeSelections]
    by_year: list[YearSelections]
    by_organisation: list[OrganisationSelections]
    by_city: list[CitySelections]


class Awards(OutputSchema):
    total: AwardFigures
    by_category: list[CategoryAwards]
    by_grade: list[GradeAwards] = Field(
        description="by category and the committee's grade (null: not graded yet, or a category without grades)"
    )
    by_year: list[YearAwards]
    by_organisation: list[OrganisationAwards]
    by_city: list[CityAwards]


class Definitions(OutputSchema):
    accepted_states: list[str] = Field(description="application states counted as past formal review")
    selected_states: list[str]
    nomination_accepted_states: list[str]
    awarded_states: list[str]


class StatisticsRead(OutputSchema):
    year: int | None
    programme_id: int | None
    category: str | None
    definitions: Definitions
    selections: Selections
    awards: Awards
