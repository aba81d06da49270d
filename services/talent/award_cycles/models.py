"""An award cycle (评审周期): one category (AW-1) in one year, with the figures the department sets for it
as data: each grade's quota, the committee (accounts) and each grade's vote rule, the panel's size and
disciplines, the AW-3 notice periods in natural days, and the nomination window (CAL-2)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.talent.db import Base
from shared.db.models import BigId, TimestampsMixin, VersionedMixin


class AwardCycle(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "award_cycles"
    __table_args__ = (UniqueConstraint("year", "category", name="uq_award_cycles_year_category"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. "JLSTA-2027-STP"
    year: Mapped[int] = mapped_column(Integer, index=True)
    category: Mapped[str] = mapped_column(String(40))  # rules.awards.AwardCategoryCode
    title: Mapped[str] = mapped_column(String(200))
    guide: Mapped[str | None] = mapped_column(Text)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    # {"1": 5, "2": 10, "3": 20}, or {"none": 2} for a category without grades (AW-1)
    quotas: Mapped[dict[str, int | None]] = mapped_column(JSON)
    # {"1": {"threshold": "2/3", "basis": "members", "at_least": true, "quorum": "2/3"}, ...}
    votes: Mapped[dict[str, dict[str, Any]]] = mapped_column(JSON)
    committee: Mapped[list[str]] = mapped_column(JSON)  # the members' accounts (Principal.subject)
    panel_size: Mapped[int] = mapped_column(Integer)  # reviewers per nomination (专业评审组)
    panel_disciplines: Mapped[list[str]] = mapped_column(JSON)  # the pool is read under these prefixes
    acceptance_days: Mapped[int] = mapped_column(Integer)  # AW-3, natural days
    winners_days: Mapped[int] = mapped_column(Integer)  # AW-3, natural days
    status: Mapped[str] = mapped_column(String(24), default="draft", index=True)
    created_by: Mapped[str] = mapped_column(String(64))
