"""A projects notice in and out: opened for an approved list, shown with its programme and call."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from shared.notices.rules import DEFAULTS
from shared.notices.schemas import NoticeReadBase, NoticeSummaryBase
from shared.schemas import InputSchema

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


class NoticeRead(NoticeReadBase):
    list_id: int
    programme_id: int
    call_id: int


class NoticeSummary(NoticeSummaryBase):
    programme_id: int
