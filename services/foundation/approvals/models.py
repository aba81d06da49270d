"""Approval of a category's ranked list (批准资助), the public notice (公示) of the approved list with its
real-name objections, and what the public reads of it (no ID numbers ever)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.foundation.db import Base
from shared.db.models import AwareDateTime, BigId, utcnow


class CategoryApproval(Base):
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
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

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


class FoundationNotice(Base):
    """The public notice of a category's approved applications, for the plan's working days (CAL-1).
    ``open`` → ``concluded`` (the listed applications are then funded)."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("plans.id"), index=True)
    category_id: Mapped[int] = mapped_column(BigId, ForeignKey("plan_categories.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(AwareDateTime())
    closes_at: Mapped[datetime] = mapped_column(AwareDateTime())  # the end of ends_on, Asia/Shanghai
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    working_days: Mapped[int] = mapped_column(Integer)
    calendar_confirmed: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    opened_by: Mapped[str] = mapped_column(String(64))
    concluded_by: Mapped[str | None] = mapped_column(String(64))
    concluded_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow, onupdate=utcnow)

    entries: Mapped[list[NoticeEntry]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="NoticeEntry.position"
    )

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012


class NoticeEntry(Base):
    """One approved application as published: names, institution, title, amount; never an ID number.
    ``status``: listed | withdrawn (an objection upheld) | funded (the notice concluded)."""

    __tablename__ = "notice_entries"
    __table_args__ = (
        UniqueConstraint("notice_id", "application_id", name="uq_notice_entries_application"),
        Index("ix_notice_entries_application_id", "application_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notice_id: Mapped[int] = mapped_column(BigId, ForeignKey("notices.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id"))
    position: Mapped[int] = mapped_column(Integer)
    rank: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    applicant_name: Mapped[str] = mapped_column(String(100))
    institution_name: Mapped[str] = mapped_column(String(200))
    discipline_code: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    status: Mapped[str] = mapped_column(String(16), default="listed")


class NoticeObjection(Base):
    """A written, real-name objection (异议) to one entry: the objector's account with the name and
    contact they give, the grounds and evidence; an official's resolution with reasons."""

    __tablename__ = "notice_objections"
    __table_args__ = (Index("ix_notice_objections_notice_status", "notice_id", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notice_id: Mapped[int] = mapped_column(BigId, ForeignKey("notices.id"))
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id"))
    objector_actor: Mapped[str] = mapped_column(String(64), index=True)
    objector_name: Mapped[str] = mapped_column(String(100))
    objector_contact: Mapped[str] = mapped_column(String(100))
    grounds: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    submitted_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012
