"""National S&T award nominations in and out: a year's quotas per national category (data) and each
provincial winner the department nominates."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from shared.concurrency import Tagged
from shared.fields import ShanghaiTime
from shared.schemas import InputSchema, Label, OutputSchema

NationalCategory = Literal["natural_science", "technical_invention", "st_progress", "international_cooperation"]


class QuotasIn(InputSchema):
    quotas: dict[NationalCategory, Annotated[int, Field(ge=0, le=1000)]] = Field(
        examples=[{"natural_science": 2, "technical_invention": 2, "st_progress": 5}],
        description="nominations per national category this year (data the department sets)",
    )


class QuotaRead(OutputSchema):
    year: int
    national_category: str
    label: Label
    quota: int
    used: int


class NationalNominationCreate(InputSchema):
    nomination_id: int = Field(ge=1, le=2**63 - 1, description="a provincial winner (awarded, results published)")
    national_category: NationalCategory
    statement: str = Field(min_length=1, max_length=5000, examples=["该项目获2027年度吉林省科学技术进步奖一等奖……"])


class NationalNominationRead(Tagged):
    etag_kind = "national_nomination"
    id: int
    year: int
    national_category: str
    national_category_label: Label
    nomination_id: int
    title: str
    provincial_category: str
    provincial_grade: int | None
    certificate_no: str | None
    first_completer: str
    first_unit: str
    statement: str
    status: str
    version: int
    created_at: ShanghaiTime
    updated_at: ShanghaiTime
