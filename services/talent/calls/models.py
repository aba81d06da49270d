"""A yearly call of one talent programme (年度申报): its window in Asia/Shanghai dates (CAL-2) and the cap
on the recommendations one organisation may endorse (its count kept on the application side, under a lock)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.talent.db import Base
from shared.db.models import BigId, TimestampsMixin, VersionedMixin


class TalentCall(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "calls"
    __table_args__ = (UniqueConstraint("programme_id", "year", name="uq_calls_programme_year"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    programme_id: Mapped[int] = mapped_column(BigId, ForeignKey("programmes.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. "JLQN2027"
    year: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(200))
    guide: Mapped[str | None] = mapped_column(Text)  # 申报指南
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    # the most applications one organisation may endorse (recommend) in this call
    cap_per_org: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    created_by: Mapped[str] = mapped_column(String(64))
