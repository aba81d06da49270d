"""The public notice (公示) of an approved list: the shared tables (``shared.notices``), a notice being
one of an approval list, with the programme and call copied from it."""

from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from services.projects.db import Base
from shared.db.models import BigId
from shared.notices.models import NoticeColumns, notice_tables


class PublicNotice(NoticeColumns, Base):
    __tablename__ = "public_notices"

    list_id: Mapped[int] = mapped_column(BigId, ForeignKey("approval_lists.id"), unique=True)
    programme_id: Mapped[int] = mapped_column(BigId, index=True)
    call_id: Mapped[int] = mapped_column(BigId)


TABLES = notice_tables(Base, PublicNotice, subject_table="applications")
NoticeEntry = TABLES.entry
NoticeObjection = TABLES.objection
