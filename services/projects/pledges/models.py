"""Performance pledges (军令状): the winner's dated milestones with indicator targets, their
assessments, and the consequences a failed pledge triggers (PRJ-3)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.projects.db import Base
from shared.db.models import AwareDateTime, BigId, CreatedAtMixin, TimestampsMixin, VersionedMixin

Money = Numeric(16, 2)


class Pledge(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "performance_pledges"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("challenge_lists.id"), index=True)
    # One pledge per winning bid.
    bid_id: Mapped[int] = mapped_column(ForeignKey("challenge_bids.id"), unique=True)
    programme_id: Mapped[int] = mapped_column(BigInteger, index=True)
    # The winning bidder, copied from the bid: who signs and who may read the pledge.
    bidder_id: Mapped[str] = mapped_column(String(64), index=True)
    bidder_org_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    # The project (application) the pledge binds, once the agency links it; a plain id.
    project_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    funded_amount: Mapped[Decimal] = mapped_column(Money)
    # Agreed consequences as data: [{"kind": "terminate" | "recover_funds" | "integrity_record",
    # "recovery_ratio": "0.5", "measure": "..."}]
    consequences: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(32), default="draft")
    signed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    signed_by: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64))

    milestones: Mapped[list[PledgeMilestone]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="PledgeMilestone.seq"
    )
    outcomes: Mapped[list[PledgeConsequence]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="PledgeConsequence.id"
    )


class PledgeMilestone(Base):
    __tablename__ = "pledge_milestones"
    __table_args__ = (UniqueConstraint("pledge_id", "seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("performance_pledges.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date] = mapped_column(Date)
    # [{"indicator_id": 1, "target_value": "12.5"}]
    targets: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(32), default="pending")
    outcome: Mapped[str | None] = mapped_column(String(16))
    achieved: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    evidence: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)
    assessed_by: Mapped[str | None] = mapped_column(String(64))
    assessed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


class PledgeConsequence(VersionedMixin, CreatedAtMixin, Base):
    """One consequence a failed pledge triggered: a termination (applied), an amount to recover
    (recorded), or an integrity record proposal an official confirms or dismisses."""

    __tablename__ = "pledge_consequences"
    __table_args__ = (UniqueConstraint("pledge_id", "kind"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("performance_pledges.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal | None] = mapped_column(Money)
    measure: Mapped[str | None] = mapped_column(String(500))
    # For an integrity record: whom it concerns (the organisation and the team leader of the bid).
    subject_uscc: Mapped[str | None] = mapped_column(String(18))
    subject_name: Mapped[str | None] = mapped_column(String(200))
    leader_name: Mapped[str | None] = mapped_column(String(100))
    leader_id_masked: Mapped[str | None] = mapped_column(String(18))
    # For a termination (PRJ-3): the project (application) concerned, its status afterwards, and what
    # happened: ``result`` is terminated | awaiting_official | no_project | project_not_found |
    # not_terminable | dismissed, explained in ``result_zh`` / ``result_en``.
    application_id: Mapped[int | None] = mapped_column(BigInteger)
    application_status: Mapped[str | None] = mapped_column(String(32))
    result: Mapped[str | None] = mapped_column(String(32))
    result_zh: Mapped[str | None] = mapped_column(Text)
    result_en: Mapped[str | None] = mapped_column(Text)
    # The integrity records created when an official confirmed the proposal.
    integrity_record_ids: Mapped[list[int] | None] = mapped_column(JSON)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    comment: Mapped[str | None] = mapped_column(Text)
