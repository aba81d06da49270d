"""任务书: the contract of an approved project, its milestones, and its disbursement plan in tranches;
the mid-term check, termination and final acceptance are recorded on it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.projects.db import Base
from shared.db.models import AwareDateTime, BigId, TimestampsMixin, VersionedMixin


class Contract(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "contracts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id"), unique=True)
    programme_id: Mapped[int] = mapped_column(BigId, index=True)
    owner: Mapped[str] = mapped_column(String(64), index=True)  # the application's owner (Principal.subject)
    title: Mapped[str] = mapped_column(String(300))
    approved_amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    signed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    signed_by: Mapped[str | None] = mapped_column(String(64))
    midterm_outcome: Mapped[str | None] = mapped_column(String(16))
    midterm_comment: Mapped[str | None] = mapped_column(Text)
    midterm_findings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    midterm_by: Mapped[str | None] = mapped_column(String(64))
    midterm_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    acceptance_report: Mapped[str | None] = mapped_column(Text)
    acceptance_requested_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    final_outcome: Mapped[str | None] = mapped_column(String(16))
    final_comment: Mapped[str | None] = mapped_column(Text)
    final_by: Mapped[str | None] = mapped_column(String(64))
    final_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    termination_reason: Mapped[str | None] = mapped_column(Text)
    terminated_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    created_by: Mapped[str] = mapped_column(String(64))

    milestones: Mapped[list[ContractMilestone]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ContractMilestone.seq"
    )
    tranches: Mapped[list[ContractTranche]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ContractTranche.seq"
    )


class ContractMilestone(Base):
    __tablename__ = "contract_milestones"
    __table_args__ = (UniqueConstraint("contract_id", "seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contract_id: Mapped[int] = mapped_column(BigId, ForeignKey("contracts.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    deliverables: Mapped[list[str]] = mapped_column(JSON)
    # [{"name": "...", "unit": "...", "target": "12.5"}]
    indicators: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class ContractTranche(Base):
    """One instalment of the disbursement plan: planned → paid, or cancelled when the project ends
    without success."""

    __tablename__ = "contract_tranches"
    __table_args__ = (UniqueConstraint("contract_id", "seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contract_id: Mapped[int] = mapped_column(BigId, ForeignKey("contracts.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    due_on: Mapped[date] = mapped_column(Date)
    condition: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="planned")
    paid_on: Mapped[date | None] = mapped_column(Date)
    paid_reference: Mapped[str | None] = mapped_column(String(100))
    paid_by: Mapped[str | None] = mapped_column(String(64))
    paid_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
