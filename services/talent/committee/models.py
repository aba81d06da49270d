"""A talent call's evaluation committee (评审委员会): the member accounts an official names, the vote rule
(threshold, its basis, quorum: data), each member's ballot on the ranked list, and the tally per application.

One committee per call. A ballot says whether the member is present and, when present, a vote on every
application of the ranked list (for, against or abstain). The tally applies the rule to each application
(``rules.awards.decide_vote``) and records the figures it decided on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.talent.db import Base
from shared.db.models import AwareDateTime, BigId, CreatedAtMixin, TimestampsMixin, VersionedMixin


class Committee(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "committees"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id"), unique=True)
    members: Mapped[list[str]] = mapped_column(JSON)  # platform accounts (Principal.subject), sorted
    # the vote rule (rules.awards.VoteRule): in favour >= (or >) threshold × members or those present,
    # counted only with quorum × members present; fractions as "n/d"
    threshold: Mapped[str] = mapped_column(String(16))
    basis: Mapped[str] = mapped_column(String(16))  # members | present
    at_least: Mapped[bool] = mapped_column(Boolean)
    quorum: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open | tallied
    tallied_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    created_by: Mapped[str] = mapped_column(String(64))


class Ballot(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "committee_ballots"
    __table_args__ = (UniqueConstraint("committee_id", "member", name="uq_committee_ballots_member"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    committee_id: Mapped[int] = mapped_column(BigId, ForeignKey("committees.id", ondelete="CASCADE"), index=True)
    member: Mapped[str] = mapped_column(String(64))
    present: Mapped[bool] = mapped_column(Boolean)
    votes: Mapped[dict[str, str]] = mapped_column(JSON)  # application id -> for | against | abstain


class Tally(CreatedAtMixin, Base):
    __tablename__ = "committee_tallies"
    __table_args__ = (UniqueConstraint("committee_id", "application_id", name="uq_committee_tallies_application"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    committee_id: Mapped[int] = mapped_column(BigId, ForeignKey("committees.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id"), index=True)
    rank: Mapped[int | None] = mapped_column(Integer)
    members: Mapped[int] = mapped_column(Integer)
    present: Mapped[int] = mapped_column(Integer)
    in_favour: Mapped[int] = mapped_column(Integer)
    against: Mapped[int] = mapped_column(Integer)
    abstain: Mapped[int] = mapped_column(Integer)
    votes_needed: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(32))  # below_threshold when not passed
    rule: Mapped[dict[str, Any]] = mapped_column(JSON)  # the rule as applied
    decided_by: Mapped[str] = mapped_column(String(64))
