"""Employers (用人单位) in and out."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from shared.concurrency import Tagged
from shared.fields import Email, ShanghaiTime
from shared.schemas import InputSchema, Label
from shared.validators import JILIN_REGIONS, USCC

CITY_CODES = tuple(code for code in JILIN_REGIONS if len(code) == 4)
CityCode = Literal[CITY_CODES]  # type: ignore[valid-type]
CITY_DESCRIPTION = "a city of Jilin (ID-5): " + ", ".join(f"{c} {JILIN_REGIONS[c][0]}" for c in CITY_CODES)
Phone = str


class EmployerCreate(InputSchema):
    uscc: USCC = Field(
        description="统一社会信用代码; a clerk registers its own organisation's (the USCC of its account)"
    )
    name: str = Field(min_length=1, max_length=200, examples=["长春新能源汽车研究院有限公司"])
    name_en: str | None = Field(default=None, max_length=300, examples=["Changchun New Energy Vehicle Institute"])
    city_code: CityCode = Field(description=CITY_DESCRIPTION, examples=["2201"])
    address: str | None = Field(default=None, max_length=300)
    contact_name: str = Field(min_length=1, max_length=100, examples=["张敏"])
    contact_phone: Phone = Field(pattern=r"^\+?[0-9][0-9\- ]{4,38}$", examples=["0431-85000000"])
    contact_email: Email | None = Field(default=None, max_length=254)
    licence_expires_on: date | None = Field(
        default=None,
        description="the business licence's expiry (营业期限); empty when it has none (长期). "
        "A permit never runs past it (WP-5).",
    )


class EmployerUpdate(InputSchema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=300)
    city_code: CityCode | None = Field(default=None, description=CITY_DESCRIPTION)
    address: str | None = Field(default=None, max_length=300)
    contact_name: str | None = Field(default=None, min_length=1, max_length=100)
    contact_phone: Phone | None = Field(default=None, pattern=r"^\+?[0-9][0-9\- ]{4,38}$")
    contact_email: Email | None = Field(default=None, max_length=254)
    licence_expires_on: date | None = None


class EmployerRead(Tagged):
    etag_kind = "employer"
    id: int
    uscc: str
    name: str
    name_en: str | None
    city_code: str
    city: Label
    address: str | None
    contact_name: str
    contact_phone: str
    contact_email: str | None
    licence_expires_on: date | None
    status: str
    status_label: Label
    version: int
    created_at: ShanghaiTime
    updated_at: ShanghaiTime


class ActionBody(InputSchema):
    comment: str | None = Field(default=None, max_length=2000, description="required to suspend or reinstate")
