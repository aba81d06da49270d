"""A foundation notice in and out: opened for a category's approved applications, shown with its plan,
category and year."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.fields import PlanDate
from shared.notices.schemas import NoticeReadBase, NoticeSummaryBase
from shared.schemas import InputSchema

RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class NoticeCreate(InputSchema):
    """The category's approved applications not yet on a notice go on it, for the plan's
    ``notice_working_days`` working days (CAL-1)."""

    plan_id: RowId
    category_id: RowId
    title: str | None = Field(
        default=None, min_length=1, max_length=300, examples=["2026年度吉林省自然科学基金面上项目拟资助名单公示"]
    )
    starts_on: PlanDate | None = Field(default=None, description="default: today (Asia/Shanghai), from now")


class NoticeSummary(NoticeSummaryBase):
    plan_id: int
    category_id: int
    year: int


class NoticeRead(NoticeReadBase):
    plan_id: int
    category_id: int
    year: int
