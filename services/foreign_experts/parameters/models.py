"""The figures of a year that DOMAIN marks configurable (WP-1 provincial points, WP-2 thresholds, the
average wage, the C quota, WP-5 caps ...), stored per year as data by an official."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.foreign_experts.db import Base
from shared.db.models import UpdatedAtMixin, VersionedMixin


class YearParameterRow(VersionedMixin, UpdatedAtMixin, Base):
    __tablename__ = "year_parameters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str | None] = mapped_column(String(300))  # e.g. the notice that set the wage
    updated_by: Mapped[str] = mapped_column(String(64))
