"""出国(境)培训计划: a unit's application for a group's training abroad under the year's plan (``calls``,
kind ``training``): where, when, who and the budget; the approval that takes budget and places from the
plan; the report on return (``rules/workflows.py`` TRAINING_WORKFLOW)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.foreign_experts.db import Base
from shared.db.models import AwareDateTime, BigId, TimestampsMixin, VersionedMixin


class TrainingApplication(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "training_applications"
    __table_args__ = (Index("ix_training_applications_unit_uscc_id", "unit_uscc", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("funding_calls.id"), index=True)
    unit_uscc: Mapped[str] = mapped_column(String(18))  # the applying unit: the clerk's organisation
    unit_name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(64))
    contact_name: Mapped[str] = mapped_column(String(100))
    contact_phone: Mapped[str] = mapped_column(String(40))

    topic: Mapped[str] = mapped_column(String(200))
    destination: Mapped[str] = mapped_column(String(3), index=True)  # ISO 3166-1 alpha-3 (HKG/MAC/TWN: 出境)
    host_institution: Mapped[str] = mapped_column(String(300))
    purpose: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    participants: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"name", "position", "organisation"}]
    requested_amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    budget_items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    approved_amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    approved_participants: Mapped[int | None] = mapped_column(Integer)
    decided_on: Mapped[date | None] = mapped_column(Date)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the report on return
    reported_on: Mapped[date | None] = mapped_column(Date)

    status: Mapped[str] = mapped_column(String(32), default="draft", index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
