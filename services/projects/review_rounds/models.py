"""Review rounds (评审轮次) of the projects service: the shared tables (``shared.review_rounds``), a
round being one of a call (optionally one topic) run by the agency entrusted with its programme."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.projects.db import Base
from shared.db.models import BigId
from shared.review_rounds.models import RoundColumns, review_tables


class ReviewRound(RoundColumns, Base):
    __tablename__ = "review_rounds"

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id"), index=True)
    topic_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("call_topics.id"))
    # copied from the call so agencies are scoped without a join (PRJ-2)
    programme_id: Mapped[int] = mapped_column(BigId, ForeignKey("programmes.id"), index=True)
    category: Mapped[str] = mapped_column(String(32))  # "general" or "key" (NSF-2: 5 reviewers for key)
    discipline_codes: Mapped[list[str]] = mapped_column(JSON)  # the round's applications' disciplines


TABLES = review_tables(Base, ReviewRound, application_table="applications", reviewer_table="reviewers")
ReviewRoundInput = TABLES.inputs
ReviewAssignment = TABLES.assignment
ReviewExclusion = TABLES.exclusion
Review = TABLES.review
