"""Programmes in and out. ``Money``, ``MoneyOut`` and ``ShanghaiTime`` live in ``shared.fields`` (re-exported
here for the projects modules that import them from this one)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from shared.concurrency import Tagged
from shared.fields import Money, MoneyOut, ShanghaiTime
from shared.schemas import InputSchema

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,39}$"


class ProgrammeBase(InputSchema):
    @field_validator("agency_org_ids", check_fields=False)
    @classmethod
    def _unique(cls, value: list[int] | None) -> list[int] | None:
        return sorted(set(value)) if value is not None else None


class ProgrammeCreate(ProgrammeBase):
    code: str = Field(pattern=CODE_PATTERN, examples=["JLKJ-2026-ZD"], description="unique programme code")
    name: str = Field(min_length=1, max_length=200, examples=["吉林省科技发展计划重点研发项目"])
    year: int = Field(ge=2000, le=2200, examples=[2026])
    budget: Money
    max_project_budget: Money = Field(description="largest budget of one project, yuan")
    max_duration_months: int = Field(ge=1, le=120, examples=[36])
    agency_org_ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(
        min_length=1, max_length=20, description="organisations (gateway ids) of the entrusted agencies"
    )
    description: str | None = Field(default=None, max_length=5000)


class ProgrammeUpdate(ProgrammeBase):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    budget: Money | None = None
    max_project_budget: Money | None = None
    max_duration_months: int | None = Field(default=None, ge=1, le=120)
    agency_org_ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] | None = Field(
        default=None, min_length=1, max_length=20
    )
    description: str | None = Field(default=None, max_length=5000)


class ProgrammeRead(Tagged):
    etag_kind = "programme"
    id: int
    code: str
    name: str
    year: int
    budget: MoneyOut
    max_project_budget: MoneyOut
    max_duration_months: int
    agency_org_ids: list[int]
    description: str | None
    status: str
    version: int
    created_at: ShanghaiTime
    updated_at: ShanghaiTime


class ActionBody(InputSchema):
    comment: str | None = Field(default=None, max_length=2000)
