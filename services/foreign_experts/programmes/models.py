"""引进外国专家项目: an employer's application under a programme call (``calls``): the expert, the plan of
work and the funding requested; the review opinions recorded; the grant, its payment and the completion
report (``rules/workflows.py`` PROGRAMME_WORKFLOW)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.foreign_experts.db import Base
from shared.db.models import AwareDateTime, BigId, CreatedAtMixin, TimestampsMixin, VersionedMixin


class ProgrammeApplication(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "programme_applications"
    __table_args__ = (Index("ix_programme_applications_employer_uscc_id", "employer_uscc", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("funding_calls.id"), index=True)
    employer_id: Mapped[int] = mapped_column(BigId, ForeignKey("employers.id"), index=True)
    employer_uscc: Mapped[str] = mapped_column(String(18))  # for object-level filters
    owner: Mapped[str] = mapped_column(String(64))

    # the expert (no passport or birth date here: the work permit, when held, is named by its number)
    expert_name: Mapped[str] = mapped_column(String(200))
    expert_chinese_name: Mapped[str | None] = mapped_column(String(100))
    expert_nationality: Mapped[str] = mapped_column(String(3), index=True)
    expert_field: Mapped[str] = mapped_column(String(200))  # 专业领域
    expert_position: Mapped[str] = mapped_column(String(200))  # current post and institution
    expert_achievements: Mapped[str | None] = mapped_column(Text)
    permit_number: Mapped[str | None] = mapped_column(String(18))  # WP-8, when the expert holds a permit

    # the plan of work and its funding
    title: Mapped[str] = mapped_column(String(200))
    objectives: Mapped[str] = mapped_column(Text)
    work_plan: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    days_in_china: Mapped[int] = mapped_column(Integer)
    requested_amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    self_funding: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=Decimal(0))
    budget_items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"item", "amount"}]

    granted_amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    decided_on: Mapped[date | None] = mapped_column(Date)
    funded_on: Mapped[date | None] = mapped_column(Date)
    funding_reference: Mapped[str | None] = mapped_column(String(100))  # the payment voucher
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the completion report
    reported_on: Mapped[date | None] = mapped_column(Date)

    status: Mapped[str] = mapped_column(String(32), default="draft", index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


class ProgrammeReview(CreatedAtMixin, Base):
    """An expert panel member's opinion on an application under review, recorded by an official."""

    __tablename__ = "programme_reviews"
    __table_args__ = (UniqueConstraint("application_id", "reviewer_name", name="uq_programme_reviews_reviewer"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("programme_applications.id", ondelete="CASCADE"), index=True
    )
    reviewer_name: Mapped[str] = mapped_column(String(100))
    score: Mapped[int] = mapped_column(Integer)  # 0..100
    recommendation: Mapped[str] = mapped_column(String(16))  # support | revise | oppose
    opinion: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
