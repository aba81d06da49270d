"""申报书: an application to a call, from draft to final acceptance (rules/workflows.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.projects.db import Base
from shared.db.models import AwareDateTime, BigId, TimestampsMixin, VersionedMixin


class Application(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_owner_id", "owner", "id"),
        Index("ix_applications_applicant_uscc", "applicant_uscc"),
        Index("ix_applications_programme_status", "programme_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id"), index=True)
    topic_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("call_topics.id"))
    # copied from the call so lists filter and agencies are scoped without a join
    programme_id: Mapped[int] = mapped_column(BigId, ForeignKey("programmes.id"))
    year: Mapped[int] = mapped_column(Integer, index=True)
    owner: Mapped[str] = mapped_column(String(64))  # Principal.subject of the creating applicant

    title: Mapped[str] = mapped_column(String(300))
    abstract: Mapped[str] = mapped_column(Text)
    keywords: Mapped[list[str]] = mapped_column(JSON)

    leader_name: Mapped[str] = mapped_column(String(100))
    leader_id_number: Mapped[str] = mapped_column(String(18))
    leader_title: Mapped[str | None] = mapped_column(String(100))
    leader_birth_date: Mapped[date] = mapped_column(Date)  # from the ID number (ID-2), never typed
    leader_sex: Mapped[str] = mapped_column(String(8))
    team: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    applicant_uscc: Mapped[str] = mapped_column(String(18))
    applicant_org_name: Mapped[str] = mapped_column(String(200))
    organization_kind: Mapped[str] = mapped_column(String(32))
    partners: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    # {line: {"requested": "1.00", "self_raised": "2.00"}} with lines from rules.eligibility.BUDGET_LINES
    budget_lines: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON)
    requested_total: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    self_raised_total: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    duration_months: Mapped[int] = mapped_column(Integer)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # NSF-3, declared by the applicant (shared.review.schemas): up to 3 people to exclude from review,
    # and relatives, co-authors and collaborators; ID numbers as given, keyed only for the draw.
    exclusions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    relations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")

    status: Mapped[str] = mapped_column(String(32), default="draft", index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(AwareDateTime(), index=True)
