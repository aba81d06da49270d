"""Integrity records: subjects are stored as keyed hashes (shared.subject_keys), never as numbers."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.projects.db import Base
from shared.db.models import BigId, TimestampsMixin, VersionedMixin


class IntegrityRecord(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "integrity_records"
    __table_args__ = (Index("ix_integrity_records_subject", "subject_key", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_key: Mapped[str] = mapped_column(String(64))
    # What officials see: the masked number (220102********1234) and the name, never the number.
    subject_display: Mapped[str] = mapped_column(String(32))
    subject_name: Mapped[str | None] = mapped_column(String(200))
    conduct: Mapped[str] = mapped_column(Text)
    measure: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16), default="general")
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    decision_no: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_by: Mapped[str] = mapped_column(String(64))
    updated_by: Mapped[str] = mapped_column(String(64))
