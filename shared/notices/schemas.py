"""Public notices and objections in and out, the same in every service. Times are shown in
Asia/Shanghai (CAL-2) with the notice's first and last days; a notice shows names, units, titles and
amounts, never an identification number. A service's own notice schemas extend ``NoticeReadBase``
and ``NoticeSummaryBase`` with its scope, and its ``POST /notices`` takes its own body."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import Field

from shared.concurrency import Tagged
from shared.fields import MoneyOut, ShanghaiTime
from shared.schemas import InputSchema, OutputSchema

RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class ObjectionEvidence(InputSchema):
    """A piece of evidence, described (the file itself is kept by the document store)."""

    name: str = Field(min_length=1, max_length=255, examples=["论文对比.pdf"])
    size: int = Field(ge=0, le=2**40, description="bytes")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    content_type: str | None = Field(default=None, pattern=r"^[\w.+-]+/[\w.+-]+$", max_length=100)


class ObjectionCreate(InputSchema):
    """A written, real-name objection to one listed record: the name, a contact and the grounds are
    required (blank ones, and no evidence where the rules ask for it, are ``objection_incomplete``, every
    lack listed); anonymous callers are refused before the body is read."""

    subject_id: RowId = Field(description="the listed record objected to (an application, a nomination)")
    objector_name: str = Field(max_length=100, examples=["张伟"])
    objector_contact: str = Field(max_length=100, examples=["13800000000"])
    grounds: str = Field(max_length=8000)
    evidence: list[ObjectionEvidence] = Field(default_factory=list, max_length=20)


class ResolutionBody(InputSchema):
    comment: str = Field(
        min_length=1,
        max_length=4000,
        description="the reasons (处理意见)",
        examples=["经核查，异议所述代表作确为他人成果，异议成立。", "Checked: the work is another's; upheld."],
    )


class NoticeEntryRead(OutputSchema):
    subject_id: int
    position: int
    rank: int | None
    title: str
    person_name: str
    organisation_name: str
    amount: MoneyOut | None
    details: dict[str, Any] = Field(description="the service's own public facts (a discipline, a grade ...)")
    status: str = Field(description="listed, withdrawn (an objection upheld), or what the conclusion made it")


class NoticeSummaryBase(Tagged):
    etag_kind = "public_notice"
    id: int
    title: str
    starts_at: ShanghaiTime
    closes_at: ShanghaiTime
    starts_on: date
    ends_on: date
    status: str = Field(description="open or concluded")
    version: int


class NoticeReadBase(NoticeSummaryBase):
    days: int = Field(description="the period's length, counted as day_count says")
    day_count: str = Field(description="working (CAL-1: working days) or natural (CAL-2: natural days)")
    calendar_confirmed: bool = Field(description="false: a year with no official schedule, Monday-Friday counted")
    accepting_objections: bool
    entries: list[NoticeEntryRead]
    concluded_at: ShanghaiTime | None


class ObjectionRead(Tagged):
    etag_kind = "notice_objection"
    id: int
    notice_id: int
    subject_id: int
    objector_actor: str
    objector_name: str
    objector_contact: str
    grounds: str
    evidence: list[dict[str, Any]]
    status: str = Field(description="pending, upheld or dismissed")
    resolution: str | None
    resolved_by: str | None
    resolved_at: ShanghaiTime | None
    submitted_at: ShanghaiTime
    version: int
