"""The foreigner behind every permit: one row a person for life (WP-8), named by keyed hashes, with the
passport and birth date only ever stored encrypted (SM4, ``shared.pii``).

A person is recognised by nationality, passport number and birth date; a new passport is recorded as
another row of ``foreigner_passports`` of the same person, so the lifelong permit number follows them
through renewals, changes and new employers.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.foreign_experts.db import Base
from shared.db.models import AwareDateTime, BigId, CreatedAtMixin, utcnow


class Foreigner(CreatedAtMixin, Base):
    __tablename__ = "foreigners"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    nationality: Mapped[str] = mapped_column(String(3), index=True)  # ISO 3166-1 alpha-3
    # keyed hash of the birth date (matching) and the date itself encrypted
    birth_key: Mapped[str] = mapped_column(String(64))
    birth_date_enc: Mapped[str] = mapped_column(String(200))
    sex: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(200))  # as in the latest passport
    chinese_name: Mapped[str | None] = mapped_column(String(100))
    # WP-8: set at the first issue, never changed
    permit_number: Mapped[str | None] = mapped_column(String(18), unique=True)
    first_issued_year: Mapped[int | None] = mapped_column(Integer)


class ForeignerPassport(Base):
    """A passport a foreigner has held; the newest is the current one."""

    __tablename__ = "foreigner_passports"
    __table_args__ = (UniqueConstraint("passport_key", name="passport_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    foreigner_id: Mapped[int] = mapped_column(BigId, ForeignKey("foreigners.id", ondelete="CASCADE"), index=True)
    passport_key: Mapped[str] = mapped_column(String(64))  # keyed hash of nationality + number
    passport_enc: Mapped[str] = mapped_column(String(200))
    passport_masked: Mapped[str] = mapped_column(String(20))
    expires_on: Mapped[date] = mapped_column(Date)
    application_id: Mapped[int | None] = mapped_column(BigInteger)  # the application it came with
    recorded_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
