"""The talent service's public notices: the shared tables (``shared.notices``), a notice being of one
kind (``subjects.KINDS``) and one programme call (``call_id``) or award cycle (``cycle_id``). Its entries
are applications or nominations as the kind says, so they carry no foreign key of their own."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.talent.db import Base
from shared.db.models import BigId
from shared.notices.models import NoticeColumns, notice_tables


class TalentNotice(NoticeColumns, Base):
    __tablename__ = "notices"

    kind: Mapped[str] = mapped_column(String(24), index=True)  # selection | award_acceptance | award_winners
    call_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("calls.id"), index=True)
    cycle_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("award_cycles.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)


TABLES = notice_tables(Base, TalentNotice, subject_table=None)
NoticeEntry = TABLES.entry
NoticeObjection = TABLES.objection
