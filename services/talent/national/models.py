"""The department's nominations for the national S&T awards: each year's quota per national category
(data, set by officials) and each provincial winner nominated."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.talent.db import Base
from shared.db.models import BigId, TimestampsMixin, VersionedMixin


class NationalQuota(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "national_quotas"
    __table_args__ = (UniqueConstraint("year", "national_category", name="uq_national_quotas_year_category"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer)
    national_category: Mapped[str] = mapped_column(String(40))
    quota: Mapped[int] = mapped_column(Integer)


class NationalNomination(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "national_nominations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    national_category: Mapped[str] = mapped_column(String(40))
    nomination_id: Mapped[int] = mapped_column(BigId, ForeignKey("award_nominations.id"), unique=True)
    statement: Mapped[str] = mapped_column(Text)  # 提名意见
    status: Mapped[str] = mapped_column(String(16), default="nominated", index=True)  # nominated | withdrawn
    created_by: Mapped[str] = mapped_column(String(64))
