"""A talent programme (科技人才计划): its level and kind, who may apply (TAL-4 age limits by sex, the
organisation kinds), how talent is judged (TAL-1: indicators under the four dimensions, weights summing to
1, up to ``max_works`` representative works), and what selection brings (TAL-3: the tenure, the support and
its tranches; TAL-5: the notice period). All of it is data an official keeps."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.talent.db import Base
from shared.db.models import BigId, TimestampsMixin, VersionedMixin


class Programme(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. "JLQN", 吉林省青年科技人才
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(32), index=True)  # rules/workflows.py LEVELS (TAL-2)
    kind: Mapped[str] = mapped_column(String(32))  # leading_talent | young_talent | innovation_team
    org_kinds: Mapped[list[str]] = mapped_column(JSON)  # the applicant organisation kinds admitted
    # TAL-4: "at most N years old on 1 January of the call's year", by sex; None: no limit
    max_age_male: Mapped[int | None] = mapped_column(Integer)
    max_age_female: Mapped[int | None] = mapped_column(Integer)
    # TAL-1: [{"code", "name", "dimension", "weight"}], weights as decimal strings summing to 1
    indicators: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    max_works: Mapped[int] = mapped_column(Integer, default=5)  # representative works (代表作), TAL-1
    tenure_years: Mapped[int] = mapped_column(Integer, default=3)  # TAL-3
    support_amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))  # per person or team, over the tenure
    tranche_shares: Mapped[list[str]] = mapped_column(JSON)  # TAL-3: decimal strings summing to 1
    notice_working_days: Mapped[int] = mapped_column(Integer, default=5)  # TAL-5
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    created_by: Mapped[str] = mapped_column(String(64))
