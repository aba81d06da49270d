"""基金申请书: an application to a category of a yearly plan, from draft to the final report
(``rules/workflows.py``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.foundation.db import Base
from shared.db.models import AwareDateTime, BigId, TimestampsMixin, VersionedMixin


class FoundationApplication(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_owner_id", "owner", "id"),
        Index("ix_applications_institution_uscc", "institution_uscc"),
        Index("ix_applications_plan_category_status", "plan_id", "category_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("plans.id"))
    category_id: Mapped[int] = mapped_column(BigId, ForeignKey("plan_categories.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)  # the plan's year
    owner: Mapped[str] = mapped_column(String(64))  # Principal.subject of the applicant who created it

    discipline_code: Mapped[str] = mapped_column(String(16), index=True)  # e.g. "F0203"
    title: Mapped[str] = mapped_column(String(300))
    abstract: Mapped[str] = mapped_column(Text)
    keywords: Mapped[list[str]] = mapped_column(JSON)

    # the applicant (申请人); birth date and sex come from the ID number (ID-2), never typed
    applicant_name: Mapped[str] = mapped_column(String(100))
    applicant_id_number: Mapped[str] = mapped_column(String(18))
    applicant_birth_date: Mapped[date] = mapped_column(Date)
    applicant_sex: Mapped[str] = mapped_column(String(8))  # male | female
    applicant_title: Mapped[str | None] = mapped_column(String(100))  # 职称, e.g. 副教授
    # senior (正高) | associate (副高) | intermediate | junior | none: NSF-5 counts senior staff
    title_rank: Mapped[str] = mapped_column(String(16))
    degree: Mapped[str | None] = mapped_column(String(16))  # doctorate | master | bachelor | other

    # the host institution (依托单位)
    institution_uscc: Mapped[str] = mapped_column(String(18))
    institution_name: Mapped[str] = mapped_column(String(200))
    # [{"name", "id_number", "role", "org_uscc"}]
    team: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    # {line: "12345.00"}, lines from rules.eligibility.BUDGET_LINES
    budget_lines: Mapped[dict[str, str]] = mapped_column(JSON)
    requested_total: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    duration_months: Mapped[int] = mapped_column(Integer)
    # NSF-3 (shared.review.schemas): people to exclude (≤ 3) and declared relations
    exclusions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    relations: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    # formal review (NSF-1): the reason codes of a rejection
    formal_reasons: Mapped[list[str] | None] = mapped_column(JSON)
    # the ranking (NSF-4): mean over valid reviews, valid reviews, 1-based rank within the category
    score: Mapped[Decimal | None] = mapped_column(Numeric(8, 4))
    valid_reviews: Mapped[int | None] = mapped_column(Integer)
    rank: Mapped[int | None] = mapped_column(Integer)
    # what the approval granted (None until approved)
    approved_amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))

    status: Mapped[str] = mapped_column(String(32), default="draft", index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(AwareDateTime(), index=True)
