"""Peer review of the foundation (NSF-2 to NSF-4): the shared tables (``shared.review_rounds``), a
round being one of a plan's category (optionally narrowed to discipline prefixes), drawn from the
projects service's reviewer pool (another schema: no foreign key to its reviewers)."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from services.foundation.db import Base
from shared.db.models import BigId
from shared.review_rounds.models import RoundColumns, review_tables


class ReviewRound(RoundColumns, Base):
    __tablename__ = "review_rounds"

    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("plans.id"), index=True)
    category_id: Mapped[int] = mapped_column(BigId, ForeignKey("plan_categories.id"), index=True)
    # the applications and the pool are read under these prefixes; empty: the category's every discipline
    discipline_prefixes: Mapped[list[str]] = mapped_column(JSON)


TABLES = review_tables(Base, ReviewRound, application_table="applications")
ReviewRoundInput = TABLES.inputs
ReviewAssignment = TABLES.assignment
ReviewExclusion = TABLES.exclusion
Review = TABLES.review
