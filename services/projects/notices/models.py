"""The public notice (公示) of an approved list, its entries as published, and the real-name
objections raised against them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.projects.db import Base
from shared.db.models import AwareDateTime, BigId, utcnow


class PublicNotice(Base):
    __tablename__ = "public_notices"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    list_id: Mapped[int] = mapped_column(BigId, ForeignKey("approval_lists.id"), unique=True)
    programme_id: Mapped[int] = mapped_column(BigId, index=True)
    call_id: Mapped[int] = mapped_column(BigId)
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(AwareDateTime())
    closes_at: Mapped[datetime] = mapped_column(AwareDateTime())
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
        lazy="raise", cascade="all, delete-orphan", order_by="NoticeEntry.rank"
    )

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012


class NoticeEntry(Base):
    """One approved application as published: what the public reads (no ID numbers)."""

    __tablename__ = "notice_entries"
    __table_args__ = (
        UniqueConstraint("notice_id", "application_id"),
        Index("ix_notice_entries_application_id", "application_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notice_id: Mapped[int] = mapped_column(BigId, ForeignKey("public_notices.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id"))
    rank: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    applicant_org_name: Mapped[str] = mapped_column(String(200))
    leader_name: Mapped[str] = mapped_column(String(100))
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    status: Mapped[str] = mapped_column(String(16), default="listed")  # listed | withdrawn


class NoticeObjection(Base):
    """A written, real-name objection (异议): the objector's principal is recorded with the name and
    contact they give; the grounds and evidence metadata; an official's resolution with reasons."""

    __tablename__ = "notice_objections"
    __table_args__ = (Index("ix_notice_objections_notice_status", "notice_id", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notice_id: Mapped[int] = mapped_column(BigId, ForeignKey("public_notices.id"))
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
