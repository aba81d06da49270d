"""The limits ledger: one row per item a service reports, keyed by (service, item id)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.projects.db import Base
from shared.db.models import BigId, UpdatedAtMixin, VersionedMixin


class LedgerItem(UpdatedAtMixin, Base):
    __tablename__ = "ledger_items"
    __table_args__ = (
        UniqueConstraint("service", "item_id", name="uq_ledger_items_service_item"),
        Index("ix_ledger_items_person", "person_key", "removed"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    service: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[str] = mapped_column(String(64))
    person_key: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    programme: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    # The caller's monotonic revision: a report with a lower one arrived late and is ignored.
    revision: Mapped[int] = mapped_column(BigInteger)
    # A removed item stays as a tombstone, so a late report of an older revision cannot revive it.
    removed: Mapped[bool] = mapped_column(Boolean, default=False)


class LedgerLimit(VersionedMixin, UpdatedAtMixin, Base):
    """An official's override of a limit rule's figure (PRJ-1, NSF-5 are configurable); year 0 = every year."""

    __tablename__ = "ledger_limits"
    __table_args__ = (UniqueConstraint("rule_code", "year", name="uq_ledger_limits_rule_year"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    rule_code: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    max_items: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(64))
