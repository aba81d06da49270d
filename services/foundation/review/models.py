"""Peer review of the foundation (NSF-2 to NSF-4): a round per plan category (optionally narrowed to
discipline prefixes), its reproducible draw from the projects service's reviewer pool (the frozen
inputs ``verify`` re-runs it from, the assignments, the NSF-3 exclusions met) and the reviews.

Reviewers are the projects pool's reviewers: ``reviewer_id`` is the pool's id (another service's
record, so no foreign key) and ``reviewer_user_id`` the platform account linked to it, by which a
reviewer is shown their assignments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.foundation.db import Base
from shared.db.models import AwareDateTime, BigId, utcnow


class ReviewRound(Base):
    __tablename__ = "review_rounds"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("plans.id"), index=True)
    category_id: Mapped[int] = mapped_column(BigId, ForeignKey("plan_categories.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    # the pool is read under these prefixes; empty: the plan's discipline codes
    discipline_prefixes: Mapped[list[str]] = mapped_column(JSON)
    # settings: reviewers per application (the category's, NSF-2), load cap, same-institution rule (NSF-3)
    reviewers_per_application: Mapped[int] = mapped_column(Integer)
    load_cap: Mapped[int] = mapped_column(Integer)
    exclude_same_institution: Mapped[bool] = mapped_column(Boolean)
    min_valid: Mapped[int] = mapped_column(Integer)  # NSF-4: valid reviews needed to rank (3)
    review_due_at: Mapped[datetime | None] = mapped_column(AwareDateTime())  # after it a reviewer is late
    # the draw (NSF-2): seed, whether the platform generated it, shared.review.draw's record
    seed: Mapped[int | None] = mapped_column(BigInteger)
    seed_generated: Mapped[bool | None] = mapped_column(Boolean)
    draw_record: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    shortfalls: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    drawn_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())

    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)  # draft | drawn | closed
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012


class ReviewRoundInput(Base):
    """The frozen inputs of a round's draw: the pool snapshot and the applications as the draw saw
    them (``shared.review.draw.reviewer_snapshot``/``application_snapshot``)."""

    __tablename__ = "review_round_inputs"

    round_id: Mapped[int] = mapped_column(BigId, ForeignKey("review_rounds.id", ondelete="CASCADE"), primary_key=True)
    pool: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    applications: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # pool reviewer id -> linked platform account (not part of the draw's inputs)
    accounts: Mapped[dict[str, str | None]] = mapped_column(JSON)


class ReviewAssignment(Base):
    """One reviewer on one application of a round, in a slot: ``assigned`` → ``submitted``, or
    ``assigned`` → ``declined`` (by the reviewer) / ``late`` (released by the staff after the round's
    ``review_due_at``). A released slot is drawn again: the new row's ``replaces_id`` names the
    released one; when nobody could take it, the round lists the application as a shortfall."""

    __tablename__ = "review_assignments"
    __table_args__ = (
        UniqueConstraint("round_id", "application_id", "reviewer_id", name="uq_review_assignments_reviewer"),
        Index("ix_review_assignments_user_id", "reviewer_user_id", "id"),
        Index("ix_review_assignments_application_id", "application_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(BigId, ForeignKey("review_rounds.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id"))
    reviewer_id: Mapped[int] = mapped_column(BigInteger)  # the projects pool's reviewer id
    reviewer_user_id: Mapped[str | None] = mapped_column(String(64))
    slot: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="assigned")
    replaces_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("review_assignments.id"))
    release_reason: Mapped[str | None] = mapped_column(String(500))  # why a decline or late release
    released_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
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
    reviewer_id: Mapped[int] = mapped_column(BigInteger)
    rules: Mapped[list[str]] = mapped_column(JSON)


class Review(Base):
    """A reviewer's review of one assignment (NSF-4): grade A/B/C/D, funding opinion priority /
    fundable / not_fundable, comments by criterion. A draft is edited with If-Match; a submitted
    review never changes."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    assignment_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("review_assignments.id", ondelete="CASCADE"), unique=True
    )
    grade: Mapped[str | None] = mapped_column(String(1))
    opinion: Mapped[str | None] = mapped_column(String(16))
    comments: Mapped[dict[str, str]] = mapped_column(JSON)  # criterion code (or "overall") -> text
    status: Mapped[str] = mapped_column(String(16), default="draft")
    submitted_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012
