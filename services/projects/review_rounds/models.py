"""Review rounds (评审轮次): a round of a call (optionally one topic) run by the entrusted agency,
its draw (assignments, the NSF-3 exclusions it met, the frozen inputs it can be verified from) and
the reviews (NSF-4) its reviewers write."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.projects.db import Base
from shared.db.models import AwareDateTime, BigId, utcnow


class ReviewRound(Base):
    __tablename__ = "review_rounds"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id"), index=True)
    topic_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("call_topics.id"))
    # copied from the call so agencies are scoped without a join (PRJ-2)
    programme_id: Mapped[int] = mapped_column(BigId, ForeignKey("programmes.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32))  # "general" or "key" (NSF-2: 5 reviewers for key)
    discipline_codes: Mapped[list[str]] = mapped_column(JSON)
    # settings (defaults in review_rounds.policy.DEFAULTS)
    reviewers_per_application: Mapped[int] = mapped_column(Integer)
    reviewers_per_category: Mapped[dict[str, int]] = mapped_column(JSON)
    load_cap: Mapped[int] = mapped_column(Integer)
    exclude_same_institution: Mapped[bool] = mapped_column(Boolean)
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    trim_from: Mapped[int] = mapped_column(Integer)
    min_valid: Mapped[int] = mapped_column(Integer)
    # the draw (NSF-2): seed, whether the platform generated it, the record shared.review.draw made
    seed: Mapped[int | None] = mapped_column(BigInteger)
    seed_generated: Mapped[bool | None] = mapped_column(Boolean)
    draw_record: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    shortfalls: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    drawn_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())

    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012


class ReviewRoundInput(Base):
    """The frozen inputs of a round's draw: the pool snapshot and the applications as the draw saw
    them, so ``verify`` re-runs it later whatever happened to the pool since. Kept apart from the
    round so reading a round does not load them."""

    __tablename__ = "review_round_inputs"

    round_id: Mapped[int] = mapped_column(BigId, ForeignKey("review_rounds.id", ondelete="CASCADE"), primary_key=True)
    pool: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    applications: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class ReviewAssignment(Base):
    """One reviewer on one application of a round, in a slot. ``assigned`` → ``submitted`` once the
    review is in; a decline makes it ``replaced`` (a new row ``replaces_id`` it) or ``declined``
    (nobody could take the slot)."""

    __tablename__ = "review_assignments"
    __table_args__ = (
        UniqueConstraint("round_id", "application_id", "reviewer_id", name="uq_review_assignments_reviewer"),
        Index("ix_review_assignments_reviewer_id", "reviewer_id", "id"),
        Index("ix_review_assignments_application_id", "application_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(BigId, ForeignKey("review_rounds.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id"))
    reviewer_id: Mapped[int] = mapped_column(BigId, ForeignKey("reviewers.id"))
    slot: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="assigned")
    replaces_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("review_assignments.id"))
    decline_reason: Mapped[str | None] = mapped_column(String(500))
    declined_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012


class ReviewExclusion(Base):
    """A reviewer the draw passed over for an application, with the NSF-3 rule ids that matched."""

    __tablename__ = "review_exclusions"
    __table_args__ = (UniqueConstraint("round_id", "application_id", "reviewer_id", name="uq_review_exclusions_pair"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(BigId, ForeignKey("review_rounds.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id"))
    reviewer_id: Mapped[int] = mapped_column(BigId, ForeignKey("reviewers.id"))
    rules: Mapped[list[str]] = mapped_column(JSON)


class Review(Base):
    """A reviewer's review of one assignment (NSF-4): criteria scores, grade, funding opinion and
    comments by criterion. A draft is edited with If-Match; a submitted review never changes."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    assignment_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("review_assignments.id", ondelete="CASCADE"), unique=True
    )
    scores: Mapped[dict[str, str]] = mapped_column(JSON)  # criterion code -> decimal string
    grade: Mapped[str | None] = mapped_column(String(1))
    opinion: Mapped[str | None] = mapped_column(String(16))
    comments: Mapped[dict[str, str]] = mapped_column(JSON)  # criterion code (or "overall") -> text
    status: Mapped[str] = mapped_column(String(16), default="draft")
    submitted_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012
