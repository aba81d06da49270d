"""外国人工作许可: the permits issued, their lifelong numbers (WP-8), the changes each goes through
(延期, 变更, 注销) and the log of other agencies' verifications (WP-9)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.foreign_experts.db import Base
from shared.db.models import AwareDateTime, BigId, CreatedAtMixin, TimestampsMixin, VersionedMixin, utcnow


class Permit(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "permits"
    __table_args__ = (
        Index("ix_permits_number_id", "number", "id"),
        Index("ix_permits_employer_uscc_id", "employer_uscc", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(18))  # the foreigner's lifelong number; several permits share it
    foreigner_id: Mapped[int] = mapped_column(BigId, ForeignKey("foreigners.id"), index=True)
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("permit_applications.id"), unique=True)
    employer_id: Mapped[int] = mapped_column(BigId, ForeignKey("employers.id"), index=True)
    employer_uscc: Mapped[str] = mapped_column(String(18))
    employer_name: Mapped[str] = mapped_column(String(200))  # as at issue or the last approved change
    permit_class: Mapped[str] = mapped_column(String(1), index=True)
    nationality: Mapped[str] = mapped_column(String(3), index=True)
    position: Mapped[str] = mapped_column(String(200))
    work_city_code: Mapped[str] = mapped_column(String(4), index=True)
    contract_ends_on: Mapped[date] = mapped_column(Date)
    passport_key: Mapped[str] = mapped_column(String(64))  # the passport it was issued on (or changed to)
    passport_expires_on: Mapped[date] = mapped_column(Date)
    issued_on: Mapped[date] = mapped_column(Date, index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    # the rule of WP-5 that set valid_until: contract, passport, licence or cap
    valid_until_reason: Mapped[str] = mapped_column(String(16))
    notice_valid_until: Mapped[date] = mapped_column(Date)  # WP-6: the notice is valid 6 months
    entered_on: Mapped[date | None] = mapped_column(Date)  # WP-6: informational, from the employer
    residence_permit_due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="valid", index=True)


class PermitSerial(Base):
    """The last serial given for a year of first issue (WP-8), taken under a row lock."""

    __tablename__ = "permit_serials"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_serial: Mapped[int] = mapped_column(BigInteger)


class PermitChange(VersionedMixin, CreatedAtMixin, Base):
    """延期 (extension), 变更 (change of position or employer details) or 注销 (cancellation) of a permit."""

    __tablename__ = "permit_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    permit_id: Mapped[int] = mapped_column(BigId, ForeignKey("permits.id", ondelete="CASCADE"), index=True)
    employer_uscc: Mapped[str] = mapped_column(String(18), index=True)
    owner: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    # what is asked (schemas.ExtensionRequest / ChangeRequest / CancellationRequest, no PII in clear)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    # what the approval changed on the permit: {"field": [old, new]}
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="submitted", index=True)
    decided_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


class Verification(Base):
    """One verification by another agency (WP-9): who asked, about which number, and what it learnt."""

    __tablename__ = "permit_verifications"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow, index=True)
    caller_kind: Mapped[str] = mapped_column(String(16))
    caller_id: Mapped[str] = mapped_column(String(64))
    caller_name: Mapped[str | None] = mapped_column(String(200))
    caller_org_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    number: Mapped[str] = mapped_column(String(40))
    # found: the number and passport matched a permit; the passport itself is never stored
    found: Mapped[bool] = mapped_column()
    permit_id: Mapped[int | None] = mapped_column(BigInteger)
    valid: Mapped[bool | None] = mapped_column()
