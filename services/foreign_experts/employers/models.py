"""用人单位: an employer of foreigners, registered with its USCC (ID-1). Its clerks (the gateway accounts of
the organisation with that USCC) act only for it; an official may suspend it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from services.foreign_experts.db import Base
from shared.db.models import BigId, TimestampsMixin, VersionedMixin


class Employer(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "employers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(300))
    # the 4-digit city code of ID-5 (2201 长春市 ...), where the employer is registered
    city_code: Mapped[str] = mapped_column(String(4), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    contact_name: Mapped[str] = mapped_column(String(100))
    contact_phone: Mapped[str] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    # WP-5: a permit never outlives the employer's business licence
    licence_expires_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="registered", index=True)
    created_by: Mapped[str] = mapped_column(String(64))
