"""The tenure of a selected application (TAL-3): its days, the support's tranches and the assessments.

A tenure starts when the proposed list's notice concludes (TAL-5) and runs the programme's years. Its
support is split into tranches (``rules.tenure.tranche_schedule``) stored as rows: ``due`` → ``paid`` by an
official, or ``cancelled`` when the support stops. The organisation files an annual assessment for each
tenure year, an official grades it; a fail, or a debarment found before a payment (PRJ-5), stops the
support (every unpaid tranche cancelled) and ends the title, the reason recorded as a stable code. The
final evaluation is filed and graded the same way after the last annual one, and ends the tenure."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.talent.db import Base
from shared.db.models import AwareDateTime, BigId, TimestampsMixin, VersionedMixin


class Tenure(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "tenures"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id"), unique=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)  # the last day (rules.tenure.tenure_ends_on)
    years: Mapped[int] = mapped_column(Integer)
    support_amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    status: Mapped[str] = mapped_column(String(16), default="running", index=True)  # running|terminated|completed
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(40))  # rules.tenure REASON_* when terminated
    end_comment: Mapped[str | None] = mapped_column(Text)


class Tranche(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "tranches"
    __table_args__ = (UniqueConstraint("application_id", "number", name="uq_tranches_number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1-based
    share: Mapped[str] = mapped_column(String(16))  # decimal string
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    status: Mapped[str] = mapped_column(String(16), default="due")  # due | paid | cancelled
    paid_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    paid_by: Mapped[str | None] = mapped_column(String(64))
    cancelled_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(String(40))


class Assessment(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("application_id", "kind", "year_no", name="uq_assessments_year"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # annual | final
    year_no: Mapped[int] = mapped_column(Integer)  # the tenure year (1..years); the final evaluation: years
    report: Mapped[str] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(64))
    filed_at: Mapped[datetime] = mapped_column(AwareDateTime())
    status: Mapped[str] = mapped_column(String(16), default="filed")  # filed | graded
    grade: Mapped[str | None] = mapped_column(String(16))  # rules.tenure.AnnualGrade
    grade_comment: Mapped[str | None] = mapped_column(Text)
    graded_by: Mapped[str | None] = mapped_column(String(64))
    graded_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
