"""The provincial reviewer pool (专家库): reviewers, their disciplines, keywords, declared conflicts
and the review load other services report.

Personal numbers are never stored: a reviewer and every person they declare a conflict with are kept
as a keyed hash (``shared.subject_keys``) plus a masked display form.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.projects.db import Base
from shared.db.models import BigId, TimestampsMixin, UpdatedAtMixin, VersionedMixin


class Reviewer(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "reviewers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    person_key: Mapped[str] = mapped_column(String(64), unique=True)
    id_number_masked: Mapped[str] = mapped_column(String(32))
    # The gateway account of the reviewer, when they have one: how a reviewer principal finds its entry.
    user_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    organisation_name: Mapped[str] = mapped_column(String(200))
    organisation_uscc: Mapped[str] = mapped_column(String(18), index=True)
    organisation_key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(100))
    unavailable: Mapped[bool] = mapped_column(Boolean, default=False)
    # Unavailable through this day (inclusive); None with ``unavailable`` = until the reviewer says otherwise.
    unavailable_until: Mapped[date | None] = mapped_column(Date)
    conflict_notes: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)

    disciplines: Mapped[list[ReviewerDiscipline]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ReviewerDiscipline.position"
    )
    keywords: Mapped[list[ReviewerKeyword]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ReviewerKeyword.position"
    )
    conflicts: Mapped[list[ReviewerConflict]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ReviewerConflict.id"
    )
    loads: Mapped[list[ReviewerLoad]] = relationship(lazy="raise", cascade="all, delete-orphan")


class ReviewerDiscipline(Base):
    """One discipline code of a reviewer; the first (position 0) is the main one. A row per code so a
    prefix (``F02``) is an indexed ``LIKE 'F02%'``."""

    __tablename__ = "reviewer_disciplines"
    # varchar_pattern_ops: PostgreSQL uses the index for LIKE 'F02%' whatever the database collation.
    __table_args__ = (
        Index("ix_reviewer_disciplines_code", "code", "reviewer_id", postgresql_ops={"code": "varchar_pattern_ops"}),
    )

    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class ReviewerKeyword(Base):
    __tablename__ = "reviewer_keywords"
    __table_args__ = (Index("ix_reviewer_keywords_norm", "norm", "reviewer_id"),)

    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id", ondelete="CASCADE"), primary_key=True)
    norm: Mapped[str] = mapped_column(String(64), primary_key=True)
    keyword: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)


class ReviewerConflict(Base):
    """A person (by keyed ID number) or an organisation (by keyed USCC) the reviewer declared."""

    __tablename__ = "reviewer_conflicts"
    __table_args__ = (UniqueConstraint("reviewer_id", "kind", "subject_key", name="uq_reviewer_conflicts_subject"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # person | organisation
    subject_key: Mapped[str] = mapped_column(String(64))
    display: Mapped[str] = mapped_column(String(32))  # the number, masked
    name: Mapped[str | None] = mapped_column(String(200))
    relation: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(String(500))


class ReviewerLoad(UpdatedAtMixin, Base):
    """Open review assignments of a reviewer as one source (a service, or a round of this one) reports
    them; the current load is the sum over sources. Reported idempotently: the last report wins."""

    __tablename__ = "reviewer_loads"

    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id", ondelete="CASCADE"), primary_key=True)
    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    open_assignments: Mapped[int] = mapped_column(Integer)
