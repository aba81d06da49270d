"""申报指南: a call for proposals of a programme, its topics and its eligibility figures."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.projects.db import Base
from shared.db.models import AwareDateTime, BigId, TimestampsMixin, VersionedMixin


class Call(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    programme_id: Mapped[int] = mapped_column(BigId, ForeignKey("programmes.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(300))
    guide: Mapped[str] = mapped_column(Text)
    opens_at: Mapped[datetime] = mapped_column(AwareDateTime())
    closes_at: Mapped[datetime] = mapped_column(AwareDateTime())
    # eligibility: figures the call states (defaults filled in from rules.eligibility.DEFAULTS)
    org_kinds: Mapped[list[str]] = mapped_column(JSON)
    leader_max_age: Mapped[int | None] = mapped_column(Integer)
    age_reference_date: Mapped[date] = mapped_column(Date)
    enterprise_cofunding_ratio: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    created_by: Mapped[str] = mapped_column(String(64))

    topics: Mapped[list[CallTopic]] = relationship(lazy="raise", cascade="all, delete-orphan", order_by="CallTopic.id")

    @property
    def eligibility(self) -> dict[str, Any]:
        return {
            "org_kinds": self.org_kinds,
            "leader_max_age": self.leader_max_age,
            "age_reference_date": self.age_reference_date,
            "enterprise_cofunding_ratio": self.enterprise_cofunding_ratio,
        }


class CallTopic(Base):
    """A topic (方向/课题) of a call, with its own budget cap."""

    __tablename__ = "call_topics"
    __table_args__ = (UniqueConstraint("call_id", "code", name="uq_call_topics_call_id_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    budget_cap: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
