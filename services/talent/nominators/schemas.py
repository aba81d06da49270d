"""Registered nominators in and out (AW-2). An expert's ID number goes in once, to key the expert (so an
expert who nominates is never a candidate that year); it is never stored in the clear nor shown."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from shared.concurrency import Tagged
from shared.fields import ShanghaiTime
from shared.i18n import custom_error
from shared.schemas import InputSchema, Label
from shared.validators import USCC, ResidentID

NominatorKind = Literal["city_government", "provincial_department", "central_unit_in_jilin", "expert", "organisation"]


class NominatorCreate(InputSchema):
    account: str = Field(min_length=1, max_length=64, examples=["720"], description="the nominating account")
    kind: NominatorKind
    name: str = Field(min_length=1, max_length=200, examples=["长春市人民政府"])
    org_id: int | None = Field(default=None, ge=1, le=2**63 - 1, description="the account's organisation")
    id_number: ResidentID | None = Field(default=None, description="an expert's ID number (required for experts)")
    uscc: USCC | None = Field(default=None, description="an organisation's unified social credit code")
    recognised: bool = Field(default=False, description="AW-2: an expert or organisation recognised by the department")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"account": "720", "kind": "city_government", "name": "长春市人民政府", "org_id": 90},
                {
                    "account": "722",
                    "kind": "expert",
                    "name": "刘院士",
                    "id_number": "110105199503070013",
                    "recognised": True,
                },
            ]
        }
    )

    @model_validator(mode="after")
    def _expert_id(self) -> NominatorCreate:
        if self.kind == "expert" and self.id_number is None:
            raise custom_error("required", "专家提名者须提供身份证号码", "an expert nominator needs an ID number")
        if self.kind != "expert" and self.id_number is not None:
            raise custom_error("not_allowed", "只有专家提名者提供身份证号码", "only an expert gives an ID number")
        return self


class NominatorUpdate(InputSchema):
    name: str | None = Field(default=None, min_length=1, max_length=200, examples=["吉林省农业农村厅"])
    recognised: bool | None = None
    active: bool | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> NominatorUpdate:
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                raise custom_error("null_not_allowed", f"{name} 不能为 null", f"{name} may not be null")
        return self


class NominatorRead(Tagged):
    etag_kind = "award_nominator"
    id: int
    account: str
    kind: str
    kind_label: Label
    name: str
    org_id: int | None
    recognised: bool
    active: bool
    version: int
    created_at: ShanghaiTime
    updated_at: ShanghaiTime
