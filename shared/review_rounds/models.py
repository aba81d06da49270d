"""The tables of review rounds, the same in every service that reviews (NSF-2 to NSF-4), declared on
the service's own declarative base so each lives in the service's schema.

A service declares its round with ``RoundColumns`` plus its own scope (the call and topic, the plan
and category ...) and gets the four other tables from ``review_tables``:

* ``review_round_inputs``: the frozen inputs of a round's draw (the pool snapshot and the
  applications as the draw saw them, and each drawn reviewer's platform account), kept apart from
  the round so reading a round does not load them;
* ``review_assignments``: one reviewer on one application, in a slot: ``assigned`` → ``submitted``,
  or ``assigned`` → ``declined`` (by the reviewer) / ``late`` (released by the staff after the
  round's ``review_due_at``); a released slot drawn again is a new row whose ``replaces_id`` names it;
* ``review_exclusions``: a reviewer the draw passed over for an application, with the NSF-3 rules;
* ``reviews``: a reviewer's review of one assignment: criteria scores, grade, funding opinion and
  comments by criterion; a draft is edited with If-Match, a submitted review never changes.

Reviewers are the projects service's pool (专家库): ``reviewer_id`` is the pool's id (a foreign key
only where the pool lives in the same schema) and ``reviewer_user_id`` the platform account linked to
it when the round was drawn, by which a reviewer is shown their assignments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from shared.db.models import AwareDateTime, BigId, CreatedAtMixin, TimestampsMixin, VersionedMixin

ROUNDS = "review_rounds"
ASSIGNMENTS = "review_assignments"

# Assignment states: still holding the slot, or released (and drawn again where anyone fits).
ASSIGNED, SUBMITTED, DECLINED, LATE = "assigned", "submitted", "declined", "late"
HOLDING = (ASSIGNED, SUBMITTED)
ASSIGNMENT_STATES = (ASSIGNED, SUBMITTED, DECLINED, LATE)
DRAFT, DRAWN, CLOSED = "draft", "drawn", "closed"


class RoundColumns(VersionedMixin, TimestampsMixin):
    """A review round's own columns; the service adds its scope and ``__tablename__ = "review_rounds"``.

    ``criteria`` and ``graded`` are the round's review form (``shared.review_rounds.form.ReviewForm``):
    what a review scores and comments on, and whether it gives a grade and a funding opinion."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    # the draw (NSF-2, NSF-3): reviewers per application, and per draw category where the service has them
    reviewers_per_application: Mapped[int] = mapped_column(Integer)
    reviewers_per_category: Mapped[dict[str, int]] = mapped_column(JSON)
    load_cap: Mapped[int] = mapped_column(Integer)
    exclude_same_institution: Mapped[bool] = mapped_column(Boolean)
    # the review form and its aggregation (NSF-4): the trimmed mean from ``trim_from`` valid reviews
    # (None: the plain mean), ``min_valid`` valid reviews to rank
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    graded: Mapped[bool] = mapped_column(Boolean, default=True)
    trim_from: Mapped[int | None] = mapped_column(Integer)
    min_valid: Mapped[int] = mapped_column(Integer)
    review_due_at: Mapped[datetime | None] = mapped_column(AwareDateTime())  # after it a reviewer is late
    # the draw (NSF-2): seed, whether the platform generated it, shared.review.draw's record
    seed: Mapped[int | None] = mapped_column(BigInteger)
    seed_generated: Mapped[bool | None] = mapped_column(Boolean)
    draw_record: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    shortfalls: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    drawn_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    status: Mapped[str] = mapped_column(String(16), default=DRAFT, index=True)  # draft | drawn | closed
    created_by: Mapped[str] = mapped_column(String(64))


class _OfApplication:
    """Rows about one application of one round: the service's application table and pool are named by
    the mapped class (``review_tables`` sets them)."""

    application_table: ClassVar[str]
    reviewer_table: ClassVar[str | None]

    @declared_attr
    def round_id(cls) -> Mapped[int]:
        return mapped_column(BigId, ForeignKey(f"{ROUNDS}.id", ondelete="CASCADE"), index=True)

    @declared_attr
    def application_id(cls) -> Mapped[int]:
        return mapped_column(BigId, ForeignKey(f"{cls.application_table}.id"))

    @declared_attr
    def reviewer_id(cls) -> Mapped[int]:
        if cls.reviewer_table is None:
            return mapped_column(BigInteger)  # another service's pool: no foreign key across schemas
        return mapped_column(BigId, ForeignKey(f"{cls.reviewer_table}.id"))


class InputColumns:
    """The frozen inputs of a round's draw (``verify`` re-runs it from them)."""

    round_id: Mapped[int] = mapped_column(BigId, ForeignKey(f"{ROUNDS}.id", ondelete="CASCADE"), primary_key=True)
    pool: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    applications: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # pool reviewer id -> linked platform account (not part of the draw's inputs)
    accounts: Mapped[dict[str, str | None]] = mapped_column(JSON)


class AssignmentColumns(_OfApplication, VersionedMixin, CreatedAtMixin):
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    reviewer_user_id: Mapped[str | None] = mapped_column(String(64))
    slot: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=ASSIGNED)
    replaces_id: Mapped[int | None] = mapped_column(BigId, ForeignKey(f"{ASSIGNMENTS}.id"))
    release_reason: Mapped[str | None] = mapped_column(String(500))  # why a decline or a late release
    released_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


class ExclusionColumns(_OfApplication):
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    rules: Mapped[list[str]] = mapped_column(JSON)  # NSF-3 rule ids (shared.review.conflicts.Rule)


class ReviewColumns(VersionedMixin, TimestampsMixin):
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    assignment_id: Mapped[int] = mapped_column(BigId, ForeignKey(f"{ASSIGNMENTS}.id", ondelete="CASCADE"), unique=True)
    scores: Mapped[dict[str, str]] = mapped_column(JSON)  # criterion code -> decimal string
    grade: Mapped[str | None] = mapped_column(String(1))
    opinion: Mapped[str | None] = mapped_column(String(16))
    comments: Mapped[dict[str, str]] = mapped_column(JSON)  # criterion code (or "overall") -> text
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | submitted
    submitted_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


@dataclass(frozen=True)
class ReviewTables:
    """The mapped classes of one service's review rounds."""

    round: type[RoundColumns]
    inputs: type[InputColumns]
    assignment: type[AssignmentColumns]
    exclusion: type[ExclusionColumns]
    review: type[ReviewColumns]


def review_tables(
    base: type[DeclarativeBase],
    round_model: type[RoundColumns],
    *,
    application_table: str = "applications",
    reviewer_table: str | None = None,
) -> ReviewTables:
    """Declare the inputs, assignment, exclusion and review tables on ``base``: applications are rows
    of ``application_table``; reviewers rows of ``reviewer_table`` when the pool is in this schema."""
    names = {"application_table": application_table, "reviewer_table": reviewer_table}
    inputs = type("ReviewRoundInput", (InputColumns, base), {"__tablename__": "review_round_inputs"})
    assignment = type(
        "ReviewAssignment",
        (AssignmentColumns, base),
        {
            "__tablename__": ASSIGNMENTS,
            "__table_args__": (
                UniqueConstraint("round_id", "application_id", "reviewer_id", name="uq_review_assignments_reviewer"),
                Index("ix_review_assignments_reviewer_id", "reviewer_id", "id"),
                Index("ix_review_assignments_user_id", "reviewer_user_id", "id"),
                Index("ix_review_assignments_application_id", "application_id"),
            ),
            **names,
        },
    )
    exclusion = type(
        "ReviewExclusion",
        (ExclusionColumns, base),
        {
            "__tablename__": "review_exclusions",
            "__table_args__": (
                UniqueConstraint("round_id", "application_id", "reviewer_id", name="uq_review_exclusions_pair"),
            ),
            **names,
        },
    )
    review = type("Review", (ReviewColumns, base), {"__tablename__": "reviews"})
    return ReviewTables(round_model, inputs, assignment, exclusion, review)
