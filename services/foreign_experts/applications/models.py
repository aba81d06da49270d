"""外国人来华工作许可申请: an employer's application for a foreigner's work permit, from draft to the
issued permit (``rules/workflows.py``), with WP-4's decision clock and its pauses for documents."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.foreign_experts.db import Base
from shared.db.models import AwareDateTime, BigId, TimestampsMixin, VersionedMixin


class PermitApplication(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "permit_applications"
    __table_args__ = (
        Index("ix_permit_applications_employer_uscc_id", "employer_uscc", "id"),
        Index("ix_permit_applications_status_due", "status", "decision_due_on"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    employer_id: Mapped[int] = mapped_column(BigId, ForeignKey("employers.id"), index=True)
    employer_uscc: Mapped[str] = mapped_column(String(18))  # the employer's, for object-level filters
    owner: Mapped[str] = mapped_column(String(64))  # Principal.subject of the clerk who created it

    # the foreigner (PIPL: the passport number and birth date only encrypted, with keyed hashes)
    name: Mapped[str] = mapped_column(String(200))  # as in the passport
    chinese_name: Mapped[str | None] = mapped_column(String(100))
    nationality: Mapped[str] = mapped_column(String(3), index=True)  # ISO 3166-1 alpha-3
    passport_enc: Mapped[str] = mapped_column(String(200))
    passport_key: Mapped[str] = mapped_column(String(64), index=True)
    passport_masked: Mapped[str] = mapped_column(String(20))
    passport_expires_on: Mapped[date] = mapped_column(Date)
    birth_date_enc: Mapped[str] = mapped_column(String(200))
    birth_key: Mapped[str] = mapped_column(String(64))
    sex: Mapped[str] = mapped_column(String(8))
    # a foreigner who held a permit under another passport names the old one (or the permit number)
    previous_passport_key: Mapped[str | None] = mapped_column(String(64))
    previous_permit_number: Mapped[str | None] = mapped_column(String(18))
    # the assessment's facts other than the birth date (schemas.ForeignerFacts as JSON)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)

    # the post
    position: Mapped[str] = mapped_column(String(200))
    post_kind: Mapped[str] = mapped_column(String(32))
    work_city_code: Mapped[str] = mapped_column(String(4), index=True)
    contract_starts_on: Mapped[date] = mapped_column(Date)
    contract_ends_on: Mapped[date] = mapped_column(Date)
    annual_salary: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    months_per_year: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    # WP-7: [{"code", "name", "size", "sha256", "content_type", "issued_on", "authenticated"}]
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    # the points assessment at the last submission (WP-1..WP-3) and the class it gave
    assessment: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    permit_class: Mapped[str | None] = mapped_column(String(1), index=True)
    green_channel: Mapped[bool] = mapped_column(Boolean, default=False)  # A: accepted with documents to follow

    # WP-4's clock: accepted on (Asia/Shanghai), the one extension, the due date (None while paused)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    decision_due_on: Mapped[date | None] = mapped_column(Date)
    age_waiver_reason: Mapped[str | None] = mapped_column(Text)  # WP-3, recorded by an official
    decided_on: Mapped[date | None] = mapped_column(Date)
    processing_working_days: Mapped[int | None] = mapped_column(Integer)  # acceptance to decision, pauses out
    refusal_codes: Mapped[list[str] | None] = mapped_column(JSON)
    foreigner_id: Mapped[int | None] = mapped_column(BigInteger, index=True)  # set at issue
    permit_id: Mapped[int | None] = mapped_column(BigInteger)

    status: Mapped[str] = mapped_column(String(32), default="draft", index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


class ClockPause(Base):
    """WP-4: the time an accepted application waits for documents (补正) does not count."""

    __tablename__ = "clock_pauses"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("permit_applications.id", ondelete="CASCADE"), index=True
    )
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
