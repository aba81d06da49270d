"""Performance pledges (军令状) in and out (PRJ-3)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, get_args

from pydantic import ConfigDict, Field, model_validator

from services.projects.challenges.schemas import IndicatorNumber, Money, Text200, _ShanghaiTimes
from services.projects.integrity.schemas import MeasureField
from services.projects.rules.challenges import CONSEQUENCE_KINDS, DEFAULT_RULES, OUTCOMES
from shared.concurrency import Tagged
from shared.i18n import custom_error
from shared.schemas import InputSchema

ConsequenceKindField = Literal["terminate", "recover_funds", "integrity_record"]
OutcomeField = Literal["passed", "partially", "failed"]
assert set(CONSEQUENCE_KINDS) == set(get_args(ConsequenceKindField))  # the schema lists the rules' table
assert set(OUTCOMES) == set(get_args(OutcomeField))


class TargetIn(InputSchema):
    indicator_id: int = Field(ge=1, le=2**63 - 1)
    target_value: IndicatorNumber


class MilestoneIn(InputSchema):
    title: Text200
    due_date: date
    targets: list[TargetIn] = Field(min_length=1, max_length=50)


class ConsequenceIn(InputSchema):
    kind: ConsequenceKindField
    recovery_ratio: Annotated[Decimal, Field(gt=0, le=1, max_digits=5, decimal_places=4)] | None = Field(
        default=None,
        description=f"recover_funds: share of the funded amount (default {DEFAULT_RULES.default_recovery_ratio}).",
    )
    measure: MeasureField | None = Field(default=None, description="integrity_record: the measure proposed.")


class PledgeCreate(InputSchema):
    funded_amount: Money
    project_id: int | None = Field(default=None, ge=1, le=2**63 - 1, description="The project it binds, if known.")
    milestones: list[MilestoneIn] = Field(min_length=1, max_length=DEFAULT_RULES.max_milestones)
    consequences: list[ConsequenceIn] = Field(
        min_length=1, max_length=len(CONSEQUENCE_KINDS), description="What a failed pledge triggers (agreed)."
    )

    @model_validator(mode="after")
    def _each_kind_once(self) -> PledgeCreate:
        kinds = [c.kind for c in self.consequences]
        if len(kinds) != len(set(kinds)):
            raise custom_error(
                "consequence_repeated", "每种后果只能约定一次", "each consequence kind may be agreed once"
            )
        return self

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "funded_amount": "7800000.00",
                    "project_id": None,
                    "milestones": [
                        {
                            "title": "样机完成",
                            "due_date": "2026-12-31",
                            "targets": [{"indicator_id": 1, "target_value": "-25"}],
                        },
                        {
                            "title": "验收",
                            "due_date": "2027-12-31",
                            "targets": [{"indicator_id": 1, "target_value": "-32"}],
                        },
                    ],
                    "consequences": [
                        {"kind": "terminate"},
                        {"kind": "recover_funds", "recovery_ratio": "0.5"},
                        {"kind": "integrity_record", "measure": "criticism"},
                    ],
                }
            ]
        }
    )


class AchievedIn(InputSchema):
    indicator_id: int = Field(ge=1, le=2**63 - 1)
    value: IndicatorNumber


class EvidenceIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0, le=2**40)
    content_type: str | None = Field(default=None, max_length=100)


class AssessmentIn(InputSchema):
    outcome: OutcomeField
    achieved: list[AchievedIn] = Field(default_factory=list, max_length=50)
    evidence: list[EvidenceIn] = Field(min_length=1, max_length=50)
    comment: str = Field(min_length=1, max_length=4000)


class ActionBody(InputSchema):
    comment: str | None = Field(default=None, max_length=4000)


class ConfirmBody(InputSchema):
    """The integrity record to create (PRJ-5) for the subjects chosen: the bid's leader, its
    organisation, or both; the numbers come from the bid and are never shown."""

    subjects: list[Literal["leader", "organisation"]] = Field(min_length=1, max_length=2)
    conduct: str = Field(min_length=1, max_length=4000, description="The conduct found (失信行为).")
    measure: MeasureField
    severity: Literal["general", "very_serious"] = "general"
    period_start: date | None = None
    period_end: date | None = None
    decision_no: str = Field(min_length=1, max_length=100, description="The deciding document's number.")
    comment: str | None = Field(default=None, max_length=4000)


class DismissBody(InputSchema):
    comment: str = Field(
        min_length=1,
        max_length=4000,
        description="Why no record is made (or, for a termination, why the project goes on).",
    )


class TerminateBody(InputSchema):
    """An official applies a proposed termination (PRJ-3): the reason goes into the project's history."""

    comment: str = Field(min_length=1, max_length=4000, examples=["军令状里程碑考核未通过，按约定终止项目"])


class MilestoneRead(_ShanghaiTimes):
    id: int
    seq: int
    title: str
    due_date: date
    targets: list[dict[str, object]]
    status: str
    outcome: str | None
    achieved: list[dict[str, object]] | None
    evidence: list[dict[str, object]] | None
    comment: str | None
    assessed_by: str | None
    assessed_at: datetime | None


class ConsequenceRead(Tagged, _ShanghaiTimes):
    etag_kind = "pledge_consequence"
    id: int
    pledge_id: int
    kind: str
    status: str
    amount: Decimal | None
    measure: str | None
    subject_uscc: str | None
    subject_name: str | None
    leader_name: str | None
    leader_id_masked: str | None
    integrity_record_ids: list[int] | None
    application_id: int | None = Field(description="terminate: the pledge's project (application)")
    application_status: str | None = Field(description="terminate: the project's status after the decision")
    result: str | None = Field(
        description="terminate: terminated, awaiting_official, no_project, project_not_found, not_terminable "
        "or dismissed"
    )
    result_zh: str | None = Field(description="terminate: what happened to the project, in Chinese")
    result_en: str | None = Field(description="terminate: what happened to the project, in English")
    decided_by: str | None
    decided_at: datetime | None
    comment: str | None
    version: int
    created_at: datetime


class PledgeRead(Tagged, _ShanghaiTimes):
    etag_kind = "performance_pledge"
    id: int
    list_id: int
    bid_id: int
    programme_id: int
    project_id: int | None
    funded_amount: Decimal
    consequences: list[dict[str, object]]
    status: str
    signed_at: datetime | None
    milestones: list[MilestoneRead]
    outcomes: list[ConsequenceRead] = Field(description="Consequences the pledge's failure triggered.")
    version: int
    created_at: datetime
    updated_at: datetime


class PledgeSummary(Tagged, _ShanghaiTimes):
    etag_kind = "performance_pledge"
    id: int
    list_id: int
    bid_id: int
    programme_id: int
    funded_amount: Decimal
    status: str
    version: int
    created_at: datetime
