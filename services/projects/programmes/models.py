"""科技计划/专项: a programme of the provincial plan and the agencies entrusted with it (PRJ-2)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.projects.db import Base
from shared.db.models import BigId, TimestampsMixin, VersionedMixin


class Programme(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer, index=True)
    budget: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    max_project_budget: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    max_duration_months: Mapped[int] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_by: Mapped[str] = mapped_column(String(64))

    agencies: Mapped[list[ProgrammeAgency]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ProgrammeAgency.org_id"
    )

    @property
    def agency_org_ids(self) -> list[int]:
        return [a.org_id for a in self.agencies]


class ProgrammeAgency(Base):
    """A project-management agency (the gateway's organisation id of an ``agency`` user) entrusted
    with a programme."""

    __tablename__ = "programme_agencies"

    programme_id: Mapped[int] = mapped_column(BigId, ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True)
    org_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, index=True)
