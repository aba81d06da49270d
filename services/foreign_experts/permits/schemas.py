"""Permits (外国人工作许可), their changes and other agencies' verification (WP-9) in and out."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from services.foreign_experts.employers.schemas import CITY_DESCRIPTION, CityCode
from services.foreign_experts.rules.permit_status import PermitStatus
from shared.actions import Actionable
from shared.concurrency import Tagged
from shared.fields import ShanghaiTime
from shared.i18n import custom_error
from shared.schemas import InputSchema, Label, OutputSchema
from shared.validators import PassportNo

ChangeKind = Literal["extension", "change", "cancellation"]
CancellationReason = Literal["contract_ended", "contract_terminated", "left_china", "other"]


class PassportIn(InputSchema):
    number: PassportNo
    expires_on: date


class ExtensionRequest(InputSchema):
    """延期: the contract goes on; the permit's new valid-until is WP-5's earliest limit from the approval."""

    contract_ends_on: date
    passport: PassportIn | None = Field(default=None, description="a new passport, if the old one ends sooner")


class ChangeRequest(InputSchema):
    """变更: the position, the work location, the employer's name, or a new passport (recorded, WP-8)."""

    position: str | None = Field(default=None, min_length=1, max_length=200)
    work_city_code: CityCode | None = Field(default=None, description=CITY_DESCRIPTION)
    employer_name: str | None = Field(
        default=None, min_length=1, max_length=200, description="the employer's new registered name"
    )
    passport: PassportIn | None = None

    @model_validator(mode="after")
    def _something(self) -> ChangeRequest:
        if not self.model_fields_set - {"passport"} and self.passport is None:
            raise custom_error("nothing_to_change", "变更申请至少应修改一项内容", "a change must change something")
        return self


class CancellationRequest(InputSchema):
    """注销: the contract ended or was terminated, or the foreigner left."""

    reason: CancellationReason
    ended_on: date


class ChangeCreate(InputSchema):
    """One of the three bodies, the one ``kind`` names."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "change",
                    "change": {"position": "首席科学家", "work_city_code": "2201"},
                    "comment": "岗位调整",
                }
            ]
        }
    )

    kind: ChangeKind
    extension: ExtensionRequest | None = None
    change: ChangeRequest | None = None
    cancellation: CancellationRequest | None = None
    comment: str | None = Field(default=None, max_length=4000)

    @model_validator(mode="after")
    def _one_body(self) -> ChangeCreate:
        given = {k for k in ("extension", "change", "cancellation") if getattr(self, k) is not None}
        if given != {self.kind}:
            raise custom_error(
                "body_does_not_match_kind",
                f"类型为 {self.kind} 的变更只应填写 `{self.kind}` 对象",
                f"give exactly the `{self.kind}` object for a change of kind {self.kind}",
            )
        return self


class ChangeAction(InputSchema):
    comment: str | None = Field(default=None, max_length=4000, description="required to refuse")


class ChangeRead(Tagged, Actionable):
    etag_kind = "permit_change"
    actions_at = "/permit-changes/{id}"
    id: int
    permit_id: int
    kind: str
    kind_label: Label
    request: dict[str, object] = Field(description="what was asked (a passport number only masked)")
    outcome: dict[str, object] | None = Field(description="what the approval changed: {field: [before, after]}")
    reason: str | None
    status: str
    status_label: Label
    allowed_actions: list[str]
    version: int
    created_at: ShanghaiTime
    decided_at: ShanghaiTime | None


class EntryIn(InputSchema):
    entered_on: date = Field(description="the day the foreigner entered China on the notice (WP-6)")


class PermitRead(Tagged):
    etag_kind = "permit"
    id: int
    number: str = Field(description="the lifelong work-permit number (WP-8)")
    application_id: int
    employer_id: int
    employer_name: str
    name: str
    chinese_name: str | None
    nationality: str
    nationality_label: Label
    passport_number: str = Field(description="masked unless the caller is an official or the employer's clerk")
    passport_expires_on: date
    permit_class: str
    class_label: Label
    position: str
    work_city_code: str
    contract_ends_on: date
    issued_on: date
    valid_from: date
    valid_until: date
    valid_until_reason: str = Field(
        description="the WP-5 limit that set valid_until: contract, passport, licence or class_cap"
    )
    valid_until_reason_label: Label
    notice_valid_until: date = Field(description="WP-6: the notice of the permit is valid 6 months")
    entered_on: date | None
    residence_permit_due_on: date | None = Field(
        description="WP-6: apply for the residence permit by this day (30 days from entry)"
    )
    status: str
    status_label: Label
    valid_today: bool
    version: int


class PermitSummary(Tagged):
    etag_kind = "permit"
    id: int
    number: str
    employer_id: int
    name: str
    nationality: str
    passport_number: str = Field(description="always masked in lists")
    permit_class: str
    work_city_code: str
    valid_until: date
    status: str
    status_label: Label
    version: int


class VerificationRead(OutputSchema):
    """WP-9: only the permit's state, class, dates and employer, never the person's data."""

    valid: bool = Field(description="the permit is in force today (Asia/Shanghai): `status` is `in_force`")
    status: PermitStatus = Field(
        description="the permit's state today (Asia/Shanghai, CAL-2): `in_force`; `not_yet_in_force` (issued, "
        "valid from a later day); `expired` (past `valid_until`); `cancelled` (注销, or replaced by a newer permit "
        "under the same number); `revoked` (撤销 by the bureau)"
    )
    permit_class: Literal["A", "B", "C"]
    valid_from: date = Field(description="the first day the permit is in force")
    valid_until: date = Field(description="the last day the permit is in force (WP-5)")
    employer_name: str


class VerificationLogRead(OutputSchema):
    """One verification by another agency (WP-9), as officials and auditors review them."""

    id: int
    at: ShanghaiTime
    caller_kind: str
    caller_id: str = Field(description="the API key's id (or the official's account)")
    caller_name: str | None = Field(description="the agency the key belongs to")
    caller_org_id: int | None
    number: str
    found: bool = Field(description="the number and the passport matched a permit")
    permit_id: int | None
    valid: bool | None
