"""Funded projects in and out: disbursements, annual reports, the final report and its outputs."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from shared.actions import Actionable
from shared.concurrency import Tagged
from shared.fields import Money, MoneyOut, ShanghaiTime
from shared.schemas import InputSchema, OutputSchema

Text = Annotated[str, Field(min_length=1, max_length=20000)]
Count = Annotated[int, Field(ge=0, le=100000)]


class DisbursementIn(InputSchema):
    amount: Annotated[Money, Field(gt=0)] = Field(description="yuan, more than zero", examples=["300000.00"])
    paid_on: date = Field(description="the payment date; not after today (Asia/Shanghai)")
    reference: str = Field(
        min_length=1, max_length=100, description="the payment voucher number", examples=["JLCZ-2026-000123"]
    )


class DisbursementRead(OutputSchema):
    id: int
    application_id: int
    seq: int
    amount: MoneyOut
    paid_on: date
    reference: str
    recorded_by: str
    recorded_at: ShanghaiTime


class DisbursementList(OutputSchema):
    application_id: int
    approved_amount: MoneyOut = Field(description="the grant, yuan")
    disbursed_total: MoneyOut = Field(description="the sum of the disbursements, yuan")
    remaining: MoneyOut = Field(description="approved_amount - disbursed_total")
    items: list[DisbursementRead] = Field(description="in payment order (seq)")


# --- outputs (成果) -------------------------------------------------------------------------------


class Paper(InputSchema):
    title: str = Field(min_length=1, max_length=500, examples=["黑土退化的微生物机制"])
    journal: str = Field(min_length=1, max_length=300, examples=["土壤学报"])
    year: int = Field(ge=1900, le=2200, examples=[2027])
    indexed: Literal["SCI", "EI", "CSSCI", "other"] = Field(description="where the paper is indexed")


class Patent(InputSchema):
    title: str = Field(min_length=1, max_length=500, examples=["一种玉米秸秆还田装置"])
    number: str = Field(
        min_length=1,
        max_length=50,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-/ ]*$",
        description="the application or grant number",
        examples=["CN202710123456.7"],
    )
    kind: Literal["invention", "utility", "design"] = Field(description="发明 / 实用新型 / 外观设计")
    status: Literal["filed", "granted"] = Field(description="申请 / 授权")


class Talents(InputSchema):
    """Talents trained (人才培养): people, each count at least 0."""

    phd: Count = Field(default=0, description="doctoral students trained")
    master: Count = Field(default=0, description="master's students trained")
    postdoc: Count = Field(default=0, description="postdoctoral researchers trained")


class Outputs(InputSchema):
    papers: list[Paper] = Field(default_factory=list, max_length=1000)
    patents: list[Patent] = Field(default_factory=list, max_length=500)
    talents: Talents = Field(default_factory=Talents)


class Spending(InputSchema):
    spent: Money = Field(description="the funds spent, yuan")
    notes: str | None = Field(default=None, max_length=20000, description="how they were spent, by budget line")


class PaperRead(OutputSchema):
    title: str
    journal: str
    year: int
    indexed: str


class PatentRead(OutputSchema):
    title: str
    number: str
    kind: str
    status: str


class TalentsRead(OutputSchema):
    phd: int
    master: int
    postdoc: int


class OutputsRead(OutputSchema):
    papers: list[PaperRead]
    patents: list[PatentRead]
    talents: TalentsRead


class SpendingRead(OutputSchema):
    spent: MoneyOut
    notes: str | None


# --- annual reports -------------------------------------------------------------------------------


class AnnualReportContent(InputSchema):
    progress: Text = Field(description="the progress of the year (进展情况)")
    outputs: Outputs = Field(default_factory=Outputs, description="outputs so far")
    spending: Spending = Field(description="funds spent so far")


class AnnualReportCreate(AnnualReportContent):
    year: int = Field(
        ge=2000,
        le=2200,
        description="the year reported on: a year of the project's term that has begun; one report per year",
        examples=[2027],
    )


class AnnualReportRead(Tagged, Actionable):
    etag_kind = "foundation_annual_report"
    actions_at = "/applications/{application_id}/annual-reports/{year}"
    id: int
    application_id: int
    year: int
    status: str = Field(description="submitted | returned | accepted")
    progress: str
    outputs: OutputsRead
    spending: SpendingRead
    submitted_at: ShanghaiTime
    version: int
    allowed_actions: list[str] = Field(default_factory=list)


class CommentBody(InputSchema):
    comment: str | None = Field(default=None, max_length=4000)


class RequiredComment(InputSchema):
    comment: str = Field(min_length=1, max_length=4000)


# --- the final report ------------------------------------------------------------------------------


class FinalReportIn(InputSchema):
    summary: Text = Field(description="the summary of the work and its results (工作总结)")
    outputs: Outputs = Field(default_factory=Outputs)
    spending: Spending


class FinalReportRead(Tagged, Actionable):
    etag_kind = "foundation_final_report"
    actions_at = "/applications/{application_id}/final-report"
    id: int
    application_id: int
    status: str = Field(
        description="draft (the project is funded), submitted, concluded or failed; "
        "the application's state says the same"
    )
    application_status: str
    summary: str
    outputs: OutputsRead
    spending: SpendingRead
    submitted_at: ShanghaiTime | None
    decided_at: ShanghaiTime | None
    decision_comment: str | None
    version: int
    allowed_actions: list[str] = Field(default_factory=list)
