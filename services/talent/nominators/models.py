"""A registered nominator (AW-2): an account of the platform (an organisation's or a person's) that the
department admits to nominate, of one of the kinds AW-2 names. An expert's ID number is kept only as its
subject key (so the expert is never also a candidate in the year), never in the clear."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from services.talent.db import Base
from shared.db.models import BigId, TimestampsMixin, VersionedMixin


class Nominator(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "award_nominators"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(64), unique=True)  # Principal.subject of the nominating account
    kind: Mapped[str] = mapped_column(String(32))  # rules.nominations.NominatorKind
    name: Mapped[str] = mapped_column(String(200))
    org_id: Mapped[int | None] = mapped_column(BigInteger)
    # an expert's person key (shared.subject_keys); an organisation's key otherwise, when its USCC is given
    subject_key: Mapped[str | None] = mapped_column(String(64), index=True)
    recognised: Mapped[bool] = mapped_column(Boolean, default=False)  # recognised by the department (AW-2)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(64))
