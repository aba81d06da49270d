"""Public notices and objections in and out. Times are shown in Asia/Shanghai (CAL-2)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from services.projects.notices.rules import DEFAULTS
from services.projects.programmes.schemas import MoneyOut, ShanghaiTime
from shared.schemas import InputSchema, OutputSchema

RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class NoticeCreate(InputSchema):
    approval_list_id: RowId
    title: str | None = Field(
        default=None, min_length=1, max_length=300, examples=["2026年度省科技发展计划重点研发项目拟立项公示"]
    )
    starts_at: datetime | None = Field(default=None, description="default: now; with a time zone")
    working_days: int = Field(
        default=DEFAULTS.working_days,
        ge=DEFAULTS.min_days,
        le=DEFAULTS.max_days,
        description=f"the period in working days (default {DEFAULTS.working_days})",
    )


class EvidenceIn(InputSchema):
    name: str = Field(min_length=1, max_length=255, examples=["论文对比.pdf"])
    size: int = Field(ge=0, le=2**40, description="bytes")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    content_type: str | None = Field(default=None, pattern=r"^[\w.+-]+/[\w.+-]+$", max_length=100)


class ObjectionCreate(InputSchema):
    """A written, real-name objection: the name and a contact are required; anonymous callers are
    refused before the body is read."""

    application_id: RowId
    objector_name: str = Field(min_length=1, max_length=100, examples=["张伟"])
    objector_contact: str = Field(min_length=3, max_length=100, examples=["13800000000"])
    grounds: str = Field(min_length=1, max_length=8000)
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=20)


class ResolutionBody(InputSchema):
    comment: str = Field(min_length=1, max_length=4000, description="the reasons (处理意见)")


class ActionBody(InputSchema):
    comment: str | None = Field(default=None, max_length=2000)


class NoticeEntryRead(OutputSchema):
    application_id: int
    rank: int
    title: str
    applicant_org_name: str
    leader_name: str
    amount: MoneyOut
    status: str


class NoticeRead(OutputSchema):
    id: int
    list_id: int
    programme_id: int
    call_id: int
    title: str
    starts_at: ShanghaiTime
    closes_at: ShanghaiTime
    working_days: int
    calendar_confirmed: bool
    status: str
    accepting_objections: bool = False
    entries: list[NoticeEntryRead]
    concluded_at: ShanghaiTime | None
    version: int


class NoticeSummary(OutputSchema):
    id: int
    programme_id: int
    title: str
    starts_at: ShanghaiTime
    closes_at: ShanghaiTime
    status: str


class ObjectionRead(OutputSchema):
    id: int
    notice_id: int
    application_id: int
    objector_actor: str
    objector_name: str
    objector_contact: str
    grounds: str
    evidence: list[dict[str, Any]]
    status: str
    resolution: str | None
    resolved_by: str | None
    resolved_at: ShanghaiTime | None
    submitted_at: ShanghaiTime
    version: int
