"""Integrity records in and out. Officials give the ID number or USCC; it is hashed on the way in
and only its masked form is ever shown."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, ConfigDict, Field, WithJsonSchema, model_validator

from services.projects.rules.integrity import MEASURES
from shared.concurrency import Tagged
from shared.i18n import custom_error
from shared.schemas import InputSchema, OutputSchema
from shared.validators import USCC, ResidentID

SubjectKindField = Literal["person", "organisation"]
SeverityField = Literal["general", "very_serious"]


def _known_measure(value: str) -> str:
    if value not in MEASURES:
        raise custom_error(
            "unknown_measure",
            "处理措施应为以下之一：{allowed}",
            "measure must be one of: {allowed}",
            allowed=", ".join(MEASURES),
        )
    return value


# The measures are data (rules/integrity.py); the schema lists whatever that table holds.
MeasureField = Annotated[
    str,
    AfterValidator(_known_measure),
    WithJsonSchema(
        {
            "type": "string",
            "enum": list(MEASURES),
            "description": "; ".join(f"{m.code}: {m.name_zh} {m.name_en}" for m in MEASURES.values()),
        }
    ),
]


class IntegrityRecordCreate(InputSchema):
    subject_kind: SubjectKindField
    id_number: ResidentID | None = Field(default=None, description="A person's resident ID number (ID-2, ID-3).")
    uscc: USCC | None = Field(default=None, description="An organisation's unified social credit code (ID-1).")
    subject_name: str | None = Field(default=None, min_length=1, max_length=200)
    conduct: str = Field(min_length=1, max_length=4000, description="The misconduct found (失信行为).")
    measure: MeasureField = Field(description="The measure taken (处理措施); debarment blocks submission.")
    severity: SeverityField = Field(default="general", description="very_serious: NSF-7's 3-5 years.")
    period_start: date | None = None
    period_end: date | None = Field(default=None, description="The last day of the period (inclusive).")
    decision_no: str = Field(min_length=1, max_length=100, description="The deciding document's number.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "subject_kind": "person",
                    "id_number": "110105199503070013",
                    "subject_name": "张三",
                    "conduct": "项目申报材料中伪造论文发表情况",
                    "measure": "debarment",
                    "severity": "general",
                    "period_start": "2026-03-01",
                    "period_end": "2028-02-29",
                    "decision_no": "吉科诚〔2026〕3号",
                }
            ]
        }
    )

    @model_validator(mode="after")
    def _one_number_for_the_kind(self) -> Self:
        if self.subject_kind == "person" and (self.id_number is None or self.uscc is not None):
            raise custom_error(
                "one_number_for_the_kind", "个人只填写 id_number", "a person is named by id_number alone"
            )
        if self.subject_kind == "organisation" and (self.uscc is None or self.id_number is not None):
            raise custom_error("one_number_for_the_kind", "单位只填写 uscc", "an organisation is named by uscc alone")
        return self


class IntegrityRecordUpdate(InputSchema):
    """A correction: the fields given replace the recorded ones; the subject cannot change (revoke
    the record and create a new one instead)."""

    subject_name: str | None = Field(default=None, min_length=1, max_length=200)
    conduct: str | None = Field(default=None, min_length=1, max_length=4000)
    measure: MeasureField | None = None
    severity: SeverityField | None = None
    period_start: date | None = None
    period_end: date | None = None
    decision_no: str | None = Field(default=None, min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=2000, description="Why the record is corrected.")


class RevokeBody(InputSchema):
    reason: str = Field(min_length=1, max_length=2000, description="Why the record is revoked (撤销理由).")


class IntegrityRecordRead(Tagged):
    etag_kind = "integrity_record"
    id: int
    subject_kind: str
    subject_display: str = Field(description="The masked ID number or USCC.")
    subject_name: str | None
    conduct: str
    measure: str
    severity: str
    period_start: date | None
    period_end: date | None
    decision_no: str
    status: Literal["active", "revoked"]
    version: int
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class DebarmentPeriodRead(OutputSchema):
    measure: str
    start: date
    end: date


class IntegrityCheckRead(OutputSchema):
    """All a check tells: clear or debarred on that day, and the periods that debar."""

    status: Literal["clear", "debarred"]
    on: date
    periods: list[DebarmentPeriodRead]

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "status": "debarred",
                    "on": "2026-05-20",
                    "periods": [{"measure": "debarment", "start": "2026-03-01", "end": "2028-02-29"}],
                }
            ]
        },
    )
