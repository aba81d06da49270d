"""A talent notice in and out: opened for a programme call's proposed list or an award cycle's
nominations, shown with its kind, call or cycle and year."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from shared.fields import PlanDate
from shared.i18n import custom_error
from shared.notices.schemas import NoticeReadBase, NoticeSummaryBase
from shared.schemas import InputSchema

RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]
Kind = Literal["selection", "award_acceptance", "award_winners"]


class NoticeCreate(InputSchema):
    """``selection``: the call's proposed applications not yet on a notice, for the programme's
    ``notice_working_days`` working days (TAL-5). ``award_acceptance`` and ``award_winners``: the cycle's
    accepted nominations (30 natural days) or proposed winners (15), as the cycle's figures say (AW-3)."""

    kind: Kind = Field(examples=["selection"])
    call_id: RowId | None = Field(default=None, description="the programme call (kind selection)")
    cycle_id: RowId | None = Field(default=None, description="the award cycle (kinds award_*)")
    title: str | None = Field(
        default=None, min_length=1, max_length=300, examples=["2027年度吉林省青年科技人才计划拟入选名单公示"]
    )
    starts_on: PlanDate | None = Field(default=None, description="default: today (Asia/Shanghai), from now")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"kind": "selection", "call_id": 1, "title": "2027年度吉林省青年科技人才计划拟入选名单公示"},
                {"kind": "award_acceptance", "cycle_id": 1, "starts_on": "2027-05-06"},
            ]
        }
    )

    @model_validator(mode="after")
    def _scope(self) -> NoticeCreate:
        wanted, other = ("call_id", "cycle_id") if self.kind == "selection" else ("cycle_id", "call_id")
        if getattr(self, wanted) is None or getattr(self, other) is not None:
            raise custom_error(
                "notice_scope",
                "人才计划公示（selection）须给出 call_id，奖励公示须给出 cycle_id，且只给其一",
                "give call_id for a selection notice, cycle_id for an award notice, and not the other",
            )
        return self


class NoticeSummary(NoticeSummaryBase):
    kind: str = Field(description="selection, award_acceptance or award_winners")
    call_id: int | None
    cycle_id: int | None
    year: int


class NoticeRead(NoticeReadBase):
    kind: str = Field(description="selection, award_acceptance or award_winners")
    call_id: int | None
    cycle_id: int | None
    year: int
