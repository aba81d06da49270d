"""查重 tables: the documents screened or screened against, and the flags screening raised (PRJ-4).

No foreign key leaves these tables: applications and funded projects are named by plain reference
ids (the foundation's too, later), so screening never blocks or is blocked by their life cycles.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Float, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.projects.db import Base
from shared.db.models import BigId, CreatedAtMixin


class ScreenedDocument(CreatedAtMixin, Base):
    """A submitted application or a funded project, kept with what comparison needs.

    ``title``/``abstract``/``keywords`` are the truth; ``signature`` (a serialized LeanMinHash) and
    ``token_hashes`` (sorted uint32 token hashes, for the exact Jaccard) derive from them under
    ``scheme``. A changed document is a new row (a new id), so every replica's index sees it.
    """

    __tablename__ = "screening_documents"
    __table_args__ = (
        UniqueConstraint("source", "reference_id", name="uq_screening_documents_source_reference_id"),
        Index("ix_screening_documents_kind_year", "kind", "year"),
        # ids are never reused (SQLite would reuse the highest after a delete): the indexes of
        # other replicas load by id, so a replaced document must come back with a higher one
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(32))  # the service that owns the record
    kind: Mapped[str] = mapped_column(String(16))  # application | funded
    reference_id: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    abstract: Mapped[str] = mapped_column(Text)
    keywords: Mapped[list[str]] = mapped_column(JSON)
    scheme: Mapped[str] = mapped_column(String(64))
    token_count: Mapped[int] = mapped_column(Integer)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    token_hashes: Mapped[bytes] = mapped_column(LargeBinary)


class ScreeningFlag(CreatedAtMixin, Base):
    """One match of a screened application: the record it resembles (copied, so the flag still
    reads right after that record changes), the score and the rule that raised it."""

    __tablename__ = "screening_flags"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(BigInteger, index=True)
    document_id: Mapped[int] = mapped_column(BigInteger)
    matched_source: Mapped[str] = mapped_column(String(32))
    matched_kind: Mapped[str] = mapped_column(String(16))
    matched_reference_id: Mapped[str] = mapped_column(String(64))
    matched_year: Mapped[int] = mapped_column(Integer)
    matched_title: Mapped[str] = mapped_column(String(300))
    score: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    rule: Mapped[str] = mapped_column(String(200))
