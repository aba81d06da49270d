"""Challenge lists and bids in and out (PRJ-3). Money is yuan as a decimal string; times carry an
offset and are shown in Asia/Shanghai (CAL-2)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, ConfigDict, Field, field_serializer

from shared.concurrency import Tagged
from shared.schemas import InputSchema, OutputSchema
from shared.validators import USCC, ResidentID
from shared.workdays import to_shanghai

Money = Annotated[
    Decimal,
    Field(
        gt=0,
        max_digits=14,
        decimal_places=2,
        description='Yuan as a decimal string, e.g. "1500000.00"',
        examples=["1500000.00"],
    ),
]
IndicatorNumber = Annotated[Decimal, Field(ge=Decimal("-1e17"), le=Decimal("1e17"), max_digits=24, decimal_places=6)]
Text200 = Annotated[str, Field(min_length=1, max_length=200)]


class IndicatorIn(InputSchema):
    name: Text200
    unit: str = Field(min_length=1, max_length=50)
    target_value: IndicatorNumber
    comparison: Literal["at_least", "at_most"] = Field(
        default="at_least", description="at_least: a promise must reach the target; at_most: stay at or below it."
    )
    measurement: str = Field(min_length=1, max_length=2000, description="How the indicator is measured (测试方法).")


class ChallengeListCreate(InputSchema):
    programme_id: int = Field(ge=1, le=2**63 - 1)
    title: Text200
    problem: str = Field(min_length=1, max_length=20000, description="The problem to solve (需求/难题).")
    budget_cap: Money
    bid_deadline: AwareDatetime = Field(description="Bids are taken strictly before this moment.")
    indicators: list[IndicatorIn] = Field(min_length=1, max_length=50)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "programme_id": 1,
                    "title": "高寒地区氢燃料电池低温冷启动技术",
                    "problem": "在-30℃环境下实现燃料电池系统无辅助冷启动。",
                    "budget_cap": "8000000.00",
                    "bid_deadline": "2026-03-31T17:00:00+08:00",
                    "indicators": [
                        {
                            "name": "冷启动温度",
                            "unit": "℃",
                            "target_value": "-30",
                            "comparison": "at_most",
                            "measurement": "第三方检测机构按 GB/T 33979 测试",
                        }
                    ],
                }
            ]
        }
    )


class ChallengeListUpdate(InputSchema):
    """Fields of a draft list; those given replace the stored ones (indicators as a whole)."""

    programme_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    title: Text200 | None = None
    problem: str | None = Field(default=None, min_length=1, max_length=20000)
    budget_cap: Money | None = None
    bid_deadline: AwareDatetime | None = None
    indicators: list[IndicatorIn] | None = Field(default=None, min_length=1, max_length=50)


class _ShanghaiTimes(OutputSchema):
    @field_serializer("*", when_used="json")
    def _local(self, value: object) -> object:
        return to_shanghai(value).isoformat() if isinstance(value, datetime) else value


class IndicatorRead(OutputSchema):
    id: int
    name: str
    unit: str
    target_value: Decimal
    comparison: str
    measurement: str


class ChallengeListRead(Tagged, _ShanghaiTimes):
    etag_kind = "challenge_list"
    id: int
    programme_id: int
    title: str
    problem: str
    budget_cap: Decimal
    bid_deadline: datetime
    status: str
    published_at: datetime | None
    bidding_open: bool = False
    selected_bid_id: int | None
    selection_reason: str | None = Field(description="Shown to the agency and officials only.")
    indicators: list[IndicatorRead]
    version: int
    created_at: datetime
    updated_at: datetime


class ChallengeListSummary(Tagged, _ShanghaiTimes):
    etag_kind = "challenge_list"
    id: int
    programme_id: int
    title: str
    budget_cap: Decimal
    bid_deadline: datetime
    status: str
    published_at: datetime | None
    version: int


class ActionBody(InputSchema):
    comment: str | None = Field(default=None, max_length=4000, description="Reason or note of the action.")


class SelectBody(InputSchema):
    bid_id: int = Field(ge=1, le=2**63 - 1)
    reason: str = Field(min_length=1, max_length=4000, description="Why this bid was chosen (recorded).")


class TeamMember(InputSchema):
    name: str = Field(min_length=1, max_length=100)
    role: str = Field(min_length=1, max_length=100, description="Role in the team (e.g. 技术负责人).")
    title: str | None = Field(default=None, max_length=100)
    organisation: str | None = Field(default=None, max_length=200)


class PromiseIn(InputSchema):
    indicator_id: int = Field(ge=1, le=2**63 - 1)
    value: IndicatorNumber


class ProposedMilestone(InputSchema):
    title: Text200
    due_date: date
    deliverables: str = Field(min_length=1, max_length=4000)


class BidCreate(InputSchema):
    organisation_uscc: USCC
    organisation_name: Text200
    leader_name: str = Field(min_length=1, max_length=100)
    leader_id_number: ResidentID
    leader_title: str | None = Field(default=None, max_length=100)
    team: list[TeamMember] = Field(default_factory=list, max_length=100)
    technical_route: str = Field(min_length=1, max_length=20000, description="技术路线")
    requested_budget: Money
    promises: list[PromiseIn] = Field(min_length=1, max_length=50, description="One value per indicator of the list.")
    milestones: list[ProposedMilestone] = Field(min_length=1, max_length=24)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "organisation_uscc": "912201011234567897",
                    "organisation_name": "中国第一汽车集团有限公司",
                    "leader_name": "李明",
                    "leader_id_number": "110105199503070013",
                    "leader_title": "研究员",
                    "team": [{"name": "王芳", "role": "技术负责人", "title": "高级工程师"}],
                    "technical_route": "自增湿膜电极与余热回收耦合的冷启动策略……",
                    "requested_budget": "7800000.00",
                    "promises": [{"indicator_id": 1, "value": "-32"}],
                    "milestones": [{"title": "样机", "due_date": "2026-12-31", "deliverables": "完成样机低温测试"}],
                }
            ]
        }
    )


class PromiseRead(OutputSchema):
    indicator_id: int
    value: Decimal


class BidRead(Tagged, _ShanghaiTimes):
    etag_kind = "challenge_bid"
    id: int
    list_id: int
    organisation_uscc: str
    organisation_name: str
    leader_name: str
    leader_id_masked: str
    leader_title: str | None
    team: list[dict[str, object]]
    technical_route: str
    requested_budget: Decimal
    promises: list[PromiseRead]
    milestones: list[dict[str, object]]
    status: str
    version: int
    created_at: datetime
    updated_at: datetime
