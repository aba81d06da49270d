"""The public notice (公示) of a category's approved applications: the shared tables
(``shared.notices``), a notice being one of a plan's category, found by year."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from services.foundation.db import Base
from shared.db.models import BigId
from shared.notices.models import NoticeColumns, notice_tables


class FoundationNotice(NoticeColumns, Base):
    __tablename__ = "notices"

    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("plans.id"), index=True)
    category_id: Mapped[int] = mapped_column(BigId, ForeignKey("plan_categories.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)


TABLES = notice_tables(Base, FoundationNotice, subject_table="applications")
NoticeEntry = TABLES.entry
NoticeObjection = TABLES.objection
