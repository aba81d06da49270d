"""A nomination (提名书) of one cycle, its people and the panel's work on it.

* ``award_nominations``: the project or achievement, its units (USCC), the nominator, the Friendship
  Award's permit check (only its result, and the number sealed), the panel's mean score, the committee's
  vote and grade, and the certificate number once awarded;
* ``award_nomination_people``: each completer in order, the ID number SM4-sealed (``shared.pii``) with its
  subject key, indexed by (year, key) so the AW-2 guards read only the people a nomination names;
* ``award_panels`` and ``award_panel_assignments``: a cycle's panel (专业评审组) drawn from the projects
  reviewer pool (``shared.review.draw``: seed, pool and nominations hashes recorded) and each member's score
  of each nomination assigned to them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.talent.db import Base
from shared.db.models import AwareDateTime, BigId, CreatedAtMixin, TimestampsMixin, VersionedMixin


class Nomination(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "award_nominations"
    __table_args__ = (
        Index("ix_award_nominations_cycle_status", "cycle_id", "status"),
        Index("ix_award_nominations_year_nominator_key", "year", "nominator_key"),
        Index("ix_award_nominations_owner_id", "owner", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    cycle_id: Mapped[int] = mapped_column(BigId, ForeignKey("award_cycles.id"))
    year: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(40))
    nominator_id: Mapped[int] = mapped_column(BigId, ForeignKey("award_nominators.id"), index=True)
    nominator_kind: Mapped[str] = mapped_column(String(32))
    nominator_key: Mapped[str] = mapped_column(String(64))  # the nominator's subject key, or its account's
    owner: Mapped[str] = mapped_column(String(64))  # the nominating account (Principal.subject)
    title: Mapped[str] = mapped_column(String(300))  # the project or achievement (项目名称)
    summary: Mapped[str] = mapped_column(Text)
    disciplines: Mapped[list[str]] = mapped_column(JSON)
    keywords: Mapped[list[str]] = mapped_column(JSON)
    units: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"name", "uscc"}], the first unit first
    # the Friendship Award: the permit number sealed, the employer named, and the check's result only
    permit_number_sealed: Mapped[str | None] = mapped_column(String(200))
    employer_uscc: Mapped[str | None] = mapped_column(String(18))
    permit_check: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # the panel's mean
    grade: Mapped[int | None] = mapped_column(Integer)  # the committee's grade; None without grades
    vote: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the last committee vote and its outcome
    certificate_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(32), default="draft", index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


class NominationPerson(Base):
    __tablename__ = "award_nomination_people"
    __table_args__ = (
        UniqueConstraint("nomination_id", "position", name="uq_award_nomination_people_position"),
        Index("ix_award_nomination_people_year_key", "year", "person_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    nomination_id: Mapped[int] = mapped_column(BigId, ForeignKey("award_nominations.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)  # 1 = first completer
    name: Mapped[str] = mapped_column(String(100))
    unit_name: Mapped[str | None] = mapped_column(String(200))
    id_number_sealed: Mapped[str | None] = mapped_column(String(200))
    person_key: Mapped[str] = mapped_column(String(64))


class AwardPanel(CreatedAtMixin, Base):
    __tablename__ = "award_panels"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    cycle_id: Mapped[int] = mapped_column(BigId, ForeignKey("award_cycles.id"), unique=True)
    seed: Mapped[int] = mapped_column(BigInteger)
    draw_record: Mapped[dict[str, Any]] = mapped_column(JSON)  # shared.review.draw.DrawRecord.as_dict()
    shortfalls: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(64))


class PanelAssignment(Base):
    __tablename__ = "award_panel_assignments"
    __table_args__ = (
        UniqueConstraint("nomination_id", "reviewer_id", name="uq_award_panel_assignments_nomination_reviewer"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    panel_id: Mapped[int] = mapped_column(BigId, ForeignKey("award_panels.id", ondelete="CASCADE"), index=True)
    nomination_id: Mapped[int] = mapped_column(BigId, ForeignKey("award_nominations.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(BigInteger)  # the projects pool's id
    reviewer_user_id: Mapped[str | None] = mapped_column(String(64), index=True)  # the member's account
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    comment: Mapped[str | None] = mapped_column(Text)
    scored_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
