"""Proposal lists in and out. Amounts are yuan as decimal strings (docs/api-conventions.md)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from services.projects.programmes.schemas import Money, MoneyOut, ShanghaiTime
from shared.actions import Actionable
from shared.concurrency import Tagged
from shared.schemas import InputSchema, OutputSchema

RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class ProposedItemIn(InputSchema):
    application_id: RowId
    amount: Annotated[Money, Field(gt=0)] = Field(description="the amount proposed, yuan", examples=["800000.00"])


class NotFundedIn(InputSchema):
    application_id: RowId
    reason: str = Field(min_length=1, max_length=2000, examples=["评审排名靠后，预算不足"])


class ApprovalListCreate(InputSchema):
    """The agency's proposal for one call: ``items`` in ranking order (the first is ranked 1), and
    optionally the applications it proposes not to fund. Applications the list does not name are
    left as they are (a later list may name them).

    With ``ranking_source`` ``review_round`` the order is the closed review round's ranking (NSF-4),
    not the body's: every application named must be ranked in that round, and each item shows its
    rank and score there. The round is ``review_round_id`` (or, as before, a numeric
    ``ranking_reference``)."""

    call_id: RowId
    items: list[ProposedItemIn] = Field(min_length=1, max_length=500)
    not_funded: list[NotFundedIn] = Field(default_factory=list, max_length=500)
    ranking_source: Literal["manual", "review_round"] = Field(
        default="manual", description="manual: an ordered list typed by the agency; review_round: a round's ranking"
    )
    ranking_reference: str | None = Field(default=None, max_length=100, description="e.g. the review round id")
    review_round_id: RowId | None = Field(
        default=None, description="ranking_source review_round: the closed round whose ranking orders the list"
    )
    note: str | None = Field(default=None, max_length=4000)


class DecisionBody(InputSchema):
    comment: str | None = Field(default=None, max_length=2000)


class ApprovalItemRead(OutputSchema):
    application_id: int
    rank: int = Field(description="position on the list (funded items first)")
    review_rank: int | None = Field(
        default=None, description="rank in the review round's ranking of its call and topic (NSF-4)"
    )
    review_score: Decimal | None = Field(default=None, description="aggregate score in the review round (NSF-4)")
    decision: str
    amount: MoneyOut | None
    reason: str | None
    status: str
    released_at: ShanghaiTime | None


class ApprovalListRead(Tagged, Actionable):
    etag_kind = "approval_list"
    actions_at = "/approval-lists/{id}"
    id: int
    programme_id: int
    call_id: int
    status: str
    ranking_source: str
    ranking_reference: str | None
    review_round_id: int | None
    note: str | None
    total_amount: MoneyOut
    items: list[ApprovalItemRead]
    proposed_by: str
    decided_by: str | None
    decided_at: ShanghaiTime | None
    decision_comment: str | None
    version: int
    created_at: ShanghaiTime
    updated_at: ShanghaiTime
    allowed_actions: list[str] = Field(default_factory=list)


class ApprovalListSummary(Tagged):
    etag_kind = "approval_list"
    id: int
    programme_id: int
    call_id: int
    status: str
    total_amount: MoneyOut
    version: int
    created_at: ShanghaiTime


class BudgetRead(OutputSchema):
    programme_id: int
    budget: MoneyOut
    approved_total: MoneyOut
    remaining: MoneyOut
    as_of: datetime
