"""A yearly call of the bureau's own (``kind``): the foreign-expert programmes' call for applications
(引进外国专家项目申报) or the outbound training plan (出国(境)培训计划). Its figures are data an official sets
(``rules/funding.py``); ``approved_amount``/``approved_count``/``approved_participants`` are what approvals
have taken so far, changed only while the row is locked (SELECT ... FOR UPDATE)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.foreign_experts.db import Base
from shared.db.models import BigId, TimestampsMixin, VersionedMixin


class FundingCall(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "funding_calls"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # programme | training
    code: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. "WZXM2026", "CGPX2026"
    year: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(300))
    guide: Mapped[str | None] = mapped_column(Text)  # 申报指南 / the plan's notes
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    budget: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    max_amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))  # per application
    participant_quota: Mapped[int | None] = mapped_column(Integer)  # training: people in all
    max_duration_days: Mapped[int | None] = mapped_column(Integer)  # training: the longest stay
    report_due_days: Mapped[int] = mapped_column(Integer, default=30)
    approved_amount: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=Decimal(0))
    approved_count: Mapped[int] = mapped_column(Integer, default=0)
    approved_participants: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    created_by: Mapped[str] = mapped_column(String(64))
