"""Yearly funding plans (年度资助计划) of the Provincial Natural Science Foundation and their categories."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.foundation.db import Base
from shared.db.models import AwareDateTime, BigId, TimestampsMixin, VersionedMixin


class FundingPlan(VersionedMixin, TimestampsMixin, Base):
    """One year's plan: its categories, the discipline codes it takes, the application window.

    ``draft`` → ``published`` (public from then on) → ``closed``. The management staff of a plan are
    the officials and the agencies (the foundation committee's office, 基金委办公室) in ``agencies``."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. "JJ2026"
    year: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(200))
    guide: Mapped[str | None] = mapped_column(Text)  # 申请指南
    discipline_codes: Mapped[list[str]] = mapped_column(JSON)  # accepted codes or prefixes ("F", "F02")
    opens_at: Mapped[datetime] = mapped_column(AwareDateTime())
    closes_at: Mapped[datetime] = mapped_column(AwareDateTime())
    # NSF-1: formal review within this many (natural) days of the deadline (configurable, default 45)
    formal_review_days: Mapped[int] = mapped_column(Integer, default=45)
    # public notice (公示) of the approved list, in working days (configurable, default 5)
    notice_working_days: Mapped[int] = mapped_column(Integer, default=5)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    created_by: Mapped[str] = mapped_column(String(64))

    categories: Mapped[list[PlanCategory]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="PlanCategory.position"
    )
    agencies: Mapped[list[PlanAgency]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="PlanAgency.org_id"
    )

    @property
    def agency_org_ids(self) -> list[int]:
        return [a.org_id for a in self.agencies]


class PlanAgency(Base):
    """An agency (the gateway's organisation id of an ``agency`` user) that runs a plan with the officials."""

    __tablename__ = "plan_agencies"

    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True)
    org_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, index=True)


class PlanCategory(VersionedMixin, Base):
    """A category of a plan (面上/青年/重点/联合基金). ``amount_mode`` says whether ``amount`` is the
    fixed grant per project or a cap. ``approved_total``/``approved_count`` are what approvals have
    granted so far: the row is locked (SELECT ... FOR UPDATE) while an approval adds to them, so the
    budget and the count are never exceeded."""

    __tablename__ = "plan_categories"
    __table_args__ = (UniqueConstraint("plan_id", "code", name="uq_plan_categories_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(32))  # unique within the plan, e.g. "youth", "joint-cc"
    kind: Mapped[str] = mapped_column(String(16))  # general | youth | key | joint
    name: Mapped[str] = mapped_column(String(100))
    partner: Mapped[str | None] = mapped_column(String(200))  # joint funds: the city or enterprise
    project_count: Mapped[int] = mapped_column(Integer)
    amount_mode: Mapped[str] = mapped_column(String(8))  # fixed | cap
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    budget: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    reviewers_per_application: Mapped[int] = mapped_column(Integer)  # NSF-2: 3, or 5 for key
    # NSF-6: "under N on 1 January of the plan's year" by sex; None: no age limit
    max_age_male: Mapped[int | None] = mapped_column(Integer)
    max_age_female: Mapped[int | None] = mapped_column(Integer)
    approved_total: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=Decimal("0.00"))
    approved_count: Mapped[int] = mapped_column(Integer, default=0)
