"""Open-challenge lists (榜单), their indicators, and the bids (揭榜) teams make on them (PRJ-3)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.projects.db import Base
from shared.db.models import AwareDateTime, BigId, TimestampsMixin, VersionedMixin

Money = Numeric(16, 2)
# Indicator values: wide enough for counts and precise enough for rates and physical measures.
IndicatorValue = Numeric(24, 6)


class ChallengeList(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "challenge_lists"
    __table_args__ = (Index("ix_challenge_lists_status_deadline", "status", "bid_deadline"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # The programme (科技计划) the list belongs to; a plain id, no cross-folder foreign key.
    programme_id: Mapped[int] = mapped_column(BigInteger, index=True)
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text)
    budget_cap: Mapped[Decimal] = mapped_column(Money)
    bid_deadline: Mapped[datetime] = mapped_column(AwareDateTime())
    status: Mapped[str] = mapped_column(String(32), default="draft")
    published_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    selected_bid_id: Mapped[int | None] = mapped_column(BigInteger)
    selection_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))

    indicators: Mapped[list[ChallengeIndicator]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ChallengeIndicator.position"
    )


class ChallengeIndicator(Base):
    """A required indicator: name, unit, target and how it is measured."""

    __tablename__ = "challenge_indicators"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("challenge_lists.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(50))
    target_value: Mapped[Decimal] = mapped_column(IndicatorValue)
    comparison: Mapped[str] = mapped_column(String(16), default="at_least")
    measurement: Mapped[str] = mapped_column(Text)


class ChallengeBid(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "challenge_bids"
    # PRJ-3: one bid per organisation per list (a withdrawn bid still holds the place).
    __table_args__ = (UniqueConstraint("list_id", "organisation_uscc"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("challenge_lists.id", ondelete="CASCADE"), index=True)
    organisation_uscc: Mapped[str] = mapped_column(String(18))
    organisation_name: Mapped[str] = mapped_column(String(200))
    # Who may see the bid besides the agency: the submitting user and their organisation's accounts.
    submitted_by: Mapped[str] = mapped_column(String(64), index=True)
    submitter_org_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    leader_name: Mapped[str] = mapped_column(String(100))
    # Kept as entered because a failed pledge may propose an integrity record on the leader (PRJ-5);
    # never returned by the API, which shows the masked form only.
    leader_id_number: Mapped[str] = mapped_column(String(18))
    leader_id_masked: Mapped[str] = mapped_column(String(18))
    leader_title: Mapped[str | None] = mapped_column(String(100))
    team: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    technical_route: Mapped[str] = mapped_column(Text)
    requested_budget: Mapped[Decimal] = mapped_column(Money)
    milestones: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(32), default="submitted")

    promises: Mapped[list[BidPromise]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="BidPromise.indicator_id"
    )


class BidPromise(Base):
    """The value a bid promises for one of the list's indicators."""

    __tablename__ = "challenge_bid_promises"

    bid_id: Mapped[int] = mapped_column(ForeignKey("challenge_bids.id", ondelete="CASCADE"), primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("challenge_indicators.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[Decimal] = mapped_column(IndicatorValue)
