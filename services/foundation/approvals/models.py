"""Approval of a category's ranked list (批准资助): the applications approved in rank order with their
amounts, the rest declined when the list is final."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.foundation.db import Base
from shared.db.models import AwareDateTime, BigId, CreatedAtMixin


class CategoryApproval(CreatedAtMixin, Base):
    """An official's approval of (part of) a category's ranked list: the applications approved in rank
    order with their amounts, and, when ``final``, the rest of the ranked ones declined."""

    __tablename__ = "category_approvals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("plans.id"), index=True)
    category_id: Mapped[int] = mapped_column(BigId, ForeignKey("plan_categories.id"), index=True)
    final: Mapped[bool] = mapped_column(Boolean)
    # "funding_line": the default list within the category's remaining count and budget; "official": named
    source: Mapped[str] = mapped_column(String(16))
    total_amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    approved_count: Mapped[int] = mapped_column(Integer)
    declined_count: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    approved_by: Mapped[str] = mapped_column(String(64))

    items: Mapped[list[CategoryApprovalItem]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="CategoryApprovalItem.position"
    )


class CategoryApprovalItem(Base):
    """One application of an approval. ``status``: approved | declined | withdrawn (an upheld objection
    took the approval back and gave ``amount`` back to the category)."""

    __tablename__ = "category_approval_items"
    __table_args__ = (Index("ix_category_approval_items_application_status", "application_id", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    approval_id: Mapped[int] = mapped_column(BigId, ForeignKey("category_approvals.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id"))
    position: Mapped[int] = mapped_column(Integer)
    rank: Mapped[int | None] = mapped_column(Integer)  # the application's rank in the category (NSF-4)
    decision: Mapped[str] = mapped_column(String(16))  # approve | decline
    amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    status: Mapped[str] = mapped_column(String(16))
    released_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
