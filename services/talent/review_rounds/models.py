"""Expert review of a talent call (NSF-2 to NSF-4, TAL-1): the shared tables (``shared.review_rounds``), a
round being one call's applications accepted at formal review (optionally narrowed to discipline prefixes),
drawn from the projects service's reviewer pool (another schema: no foreign key to its reviewers). The
round's review form is the programme's indicator system, copied onto the round when it is set up."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from services.talent.db import Base
from shared.db.models import BigId
from shared.review_rounds.models import RoundColumns, review_tables


class ReviewRound(RoundColumns, Base):
    __tablename__ = "review_rounds"

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id"), index=True)
    # the applications and the pool are read under these prefixes; empty: every discipline of the call
    discipline_prefixes: Mapped[list[str]] = mapped_column(JSON)


TABLES = review_tables(Base, ReviewRound, application_table="applications")
ReviewRoundInput = TABLES.inputs
ReviewAssignment = TABLES.assignment
ReviewExclusion = TABLES.exclusion
Review = TABLES.review
