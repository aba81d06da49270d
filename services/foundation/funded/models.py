"""Funded projects (资助项目): disbursements (拨款), annual progress reports (年度进展报告) and the
final report (结题报告) of a ``funded`` foundation application."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.foundation.db import Base
from shared.db.models import AwareDateTime, BigId, TimestampsMixin, VersionedMixin, utcnow


class Disbursement(Base):
    """One payment of the grant. The application row is locked while one is added, so the sum of an
    application's disbursements never exceeds its ``approved_amount``; ``seq`` numbers them 1, 2, ...
    (the unique (application_id, seq) index also serves the lookups by application)."""

    __tablename__ = "disbursements"
    __table_args__ = (UniqueConstraint("application_id", "seq", name="uq_disbursements_application_seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id"))
    seq: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    paid_on: Mapped[date] = mapped_column(Date)  # Asia/Shanghai, never in the future
    reference: Mapped[str] = mapped_column(String(100))  # the payment voucher number
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class AnnualReport(VersionedMixin, TimestampsMixin, Base):
    """The progress report of one year of the project (one per year): submitted → returned (for
    revision) → submitted ... → accepted (``funded.rules.ANNUAL_REPORT_WORKFLOW``)."""

    __tablename__ = "annual_reports"
    __table_args__ = (UniqueConstraint("application_id", "year", name="uq_annual_reports_application_year"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id"))
    year: Mapped[int] = mapped_column(Integer)
    owner: Mapped[str] = mapped_column(String(64))  # the application's owner (Principal.subject)
    progress: Mapped[str] = mapped_column(Text)
    # outputs so far: {"papers": [...], "patents": [...], "talents": {"phd", "master", "postdoc"}}
    outputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    spent_amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))  # spent so far, yuan
    spending_notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    submitted_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class FinalReport(VersionedMixin, TimestampsMixin, Base):
    """The final report of a project: a draft the owner edits while the application is ``funded``;
    submitting moves the application to ``final_submitted``, and the staff's decision (concluded,
    failed, or returned to ``funded``) is the application's state and history."""

    __tablename__ = "final_reports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id"), unique=True)
    owner: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)
    # [{"title", "journal", "year", "indexed": SCI | EI | CSSCI | other}]
    papers: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # [{"title", "number", "kind": invention | utility | design, "status": filed | granted}]
    patents: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # {"phd": n, "master": n, "postdoc": n}
    talents: Mapped[dict[str, int]] = mapped_column(JSON)
    spent_amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    spending_notes: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    decision_comment: Mapped[str | None] = mapped_column(Text)
