"""Proposal lists (拟立项清单) by the entrusted agency and the official's approval of them: each item
names an application of the call with the amount proposed (fund) or a reason (not funded)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.projects.db import Base
from shared.db.models import AwareDateTime, BigId, TimestampsMixin, VersionedMixin


class ApprovalList(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "approval_lists"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    programme_id: Mapped[int] = mapped_column(BigId, ForeignKey("programmes.id"), index=True)
    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="proposed", index=True)
    # "manual" (an ordered list the agency typed) or "review_round" (the ranking of a review round)
    ranking_source: Mapped[str] = mapped_column(String(16), default="manual")
    ranking_reference: Mapped[str | None] = mapped_column(String(100))
    # the closed review round whose ranking ordered the list (ranking_source "review_round"; NSF-4)
    review_round_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("review_rounds.id"))
    note: Mapped[str | None] = mapped_column(Text)
    total_amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_org_id: Mapped[int | None] = mapped_column(BigInteger)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    decision_comment: Mapped[str | None] = mapped_column(Text)

    items: Mapped[list[ApprovalItem]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ApprovalItem.rank"
    )


class ApprovalItem(Base):
    """One application on a list. ``status``: proposed → approved | declined (the list approved),
    returned (the list returned or withdrawn), withdrawn (an upheld objection took the approval back,
    releasing ``amount`` to the programme's budget)."""

    __tablename__ = "approval_items"
    __table_args__ = (
        UniqueConstraint("list_id", "application_id"),
        Index("ix_approval_items_programme_status", "programme_id", "status"),
        Index("ix_approval_items_application_status", "application_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    list_id: Mapped[int] = mapped_column(BigId, ForeignKey("approval_lists.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id"))
    # copied from the list so the approved total of a programme is one indexed sum
    programme_id: Mapped[int] = mapped_column(BigId)
    rank: Mapped[int] = mapped_column(Integer)
    # from the review round's ranking (NSF-4), when the list was proposed from one: the application's
    # rank within its call and topic, and its aggregate score
    review_rank: Mapped[int | None] = mapped_column(Integer)
    review_score: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    decision: Mapped[str] = mapped_column(String(16))  # "fund" | "not_fund"
    amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    released_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
