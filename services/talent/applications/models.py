"""An application to a talent programme's yearly call (人才计划申报书), by a person or by a team's leader.

The applicant's ID number is stored only SM4-encrypted (``id_number_sealed``, PIPL, ``shared.pii``), with
its subject key (``person_key``: the keyed hash the integrity check and TAL-2 look people up by); the sex
and the birth date are read from it when needed (ID-2), never typed and never stored in the clear."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.talent.db import Base
from shared.db.models import AwareDateTime, BigId, TimestampsMixin, VersionedMixin


class TalentApplication(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_owner_id", "owner", "id"),
        Index("ix_applications_call_org_status", "call_id", "org_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id"))
    programme_id: Mapped[int] = mapped_column(BigId, ForeignKey("programmes.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    owner: Mapped[str] = mapped_column(String(64))  # Principal.subject of the applicant who created it
    # the host organisation, as the gateway registers it (the applicant's own organisation)
    org_id: Mapped[int] = mapped_column(BigInteger)
    org_uscc: Mapped[str | None] = mapped_column(String(18))
    org_name: Mapped[str] = mapped_column(String(200))
    org_kind: Mapped[str] = mapped_column(String(32))

    applicant_name: Mapped[str] = mapped_column(String(100))
    id_number_sealed: Mapped[str] = mapped_column(String(200))
    person_key: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(300))  # the applicant's or the team's research direction
    # the discipline the experts are drawn by (NSF-2), e.g. "C13" or "F0203" (shared.clients.reviewers)
    discipline_code: Mapped[str] = mapped_column(String(16), index=True)
    summary: Mapped[str] = mapped_column(Text)
    # TAL-1: [{"kind", "title", "own_contribution"}], up to the programme's max_works
    works: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # an innovation team's members: [{"name", "role"}]
    team: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # TAL-2: national titles the applicant declares, [{"title", "level", "ends_on"}]
    national_titles: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    status: Mapped[str] = mapped_column(String(32), default="draft", index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    endorsed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    # when the application was put on the proposed list's public notice (TAL-5): one notice each
    noticed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
