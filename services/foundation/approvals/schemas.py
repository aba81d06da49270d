"""Approvals, public notices and objections in and out. Money is yuan as a decimal string; times are
shown in Asia/Shanghai (CAL-2). A notice shows names, institutions, titles and amounts, never an ID
number."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.concurrency import Tagged
from shared.fields import Money, MoneyOut, ShanghaiTime
from shared.schemas import InputSchema, OutputSchema

RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class ApprovalItemIn(InputSchema):
    application_id: RowId
    amount: Annotated[Money, Field(gt=0)] | None = Field(
        default=None,
        examples=["200000.00"],
        description="yuan; default: the category's grant (the fixed amount, or min(requested, cap)); an "
        "official may lower it, never raise it",
    )


class ApprovalCreate(InputSchema):
    """The applications approved, in rank order. Without ``items``: those within the funding line of
    the ranking, i.e. in rank order while the category's remaining count and budget last."""

    items: list[ApprovalItemIn] | None = Field(default=None, max_length=1000)
    final: bool = Field(
        default=True,
        description="the list is final: the category's other ranked applications are declined (not_approved)",
    )
    comment: str | None = Field(default=None, max_length=2000)


class ApprovalItemRead(OutputSchema):
    application_id: int
    position: int
    rank: int | None
    decision: str
    amount: MoneyOut | None
    status: str
    released_at: ShanghaiTime | None


class BudgetRead(Tagged):
    etag_kind = "plan_category"
    etag_key = "category_id"
    plan_id: int
    category_id: int
    code: str
    name: str
    amount_mode: str
    amount: MoneyOut
    budget: MoneyOut
    approved_total: MoneyOut
    remaining: MoneyOut
    project_count: int
    approved_count: int
    remaining_count: int
    version: int


class ApprovalRead(OutputSchema):
    id: int
    plan_id: int
    category_id: int
    final: bool
    source: str
    total_amount: MoneyOut
    approved_count: int
    declined_count: int
    comment: str | None
    approved_by: str
    created_at: ShanghaiTime
    items: list[ApprovalItemRead]
    budget: BudgetRead | None = None
