"""The tables of public notices (公示), the same in every service, declared on the service's own
declarative base so each lives in the service's schema.

A service declares its notice with ``NoticeColumns`` plus its scope (the approval list, the plan and
category ...) and its table name, and gets the entries and objections from ``notice_tables``:

* ``notice_entries``: a record as published (an application, a nomination: its ``subject_id``): what
  the public reads, names and amounts, never an identification number; ``listed``, ``withdrawn`` (an
  objection upheld) or whatever the service records at the conclusion (``funded`` ...);
* ``notice_objections``: a written, real-name objection (异议) to one entry: the objector's account
  with the name and contact they give, the grounds and evidence; an official's resolution with reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from shared.db.models import AwareDateTime, BigId, TimestampsMixin, VersionedMixin, utcnow

OPEN, CONCLUDED = "open", "concluded"
LISTED, WITHDRAWN = "listed", "withdrawn"
PENDING = "pending"
WORKING, NATURAL = "working", "natural"


class NoticeColumns(VersionedMixin, TimestampsMixin):
    """A notice's own columns; the service adds its scope and ``__tablename__``."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(AwareDateTime())
    closes_at: Mapped[datetime] = mapped_column(AwareDateTime())  # the end of the last day, Asia/Shanghai
    days: Mapped[int] = mapped_column(Integer)  # the period's length, counted as ``day_count`` says
    day_count: Mapped[str] = mapped_column(String(8), default=WORKING)  # working (CAL-1) | natural (CAL-2)
    calendar_confirmed: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16), default=OPEN, index=True)  # open | concluded
    opened_by: Mapped[str] = mapped_column(String(64))
    concluded_by: Mapped[str | None] = mapped_column(String(64))
    concluded_at: Mapped[datetime | None] = mapped_column(AwareDateTime())

    @declared_attr
    def entries(cls) -> Mapped[list[Any]]:
        # the registry of the service's own base resolves the names
        return relationship(
            "NoticeEntry", lazy="selectin", cascade="all, delete-orphan", order_by="NoticeEntry.position"
        )


class _OfNotice:
    """Rows of one notice about one record: the service's notice and subject tables are named by the
    mapped class (``notice_tables`` sets them)."""

    notice_table: ClassVar[str]
    subject_table: ClassVar[str | None]

    @declared_attr
    def subject_id(cls) -> Mapped[int]:
        if cls.subject_table is None:  # records of several tables (the scope says which by the notice)
            return mapped_column(BigId)
        return mapped_column(BigId, ForeignKey(f"{cls.subject_table}.id"))


class EntryColumns(_OfNotice):
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)

    @declared_attr
    def notice_id(cls) -> Mapped[int]:
        return mapped_column(BigId, ForeignKey(f"{cls.notice_table}.id", ondelete="CASCADE"))

    position: Mapped[int] = mapped_column(Integer)
    rank: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    person_name: Mapped[str] = mapped_column(String(100))  # the leader, applicant or candidate
    organisation_name: Mapped[str] = mapped_column(String(200))  # the applicant unit or host institution
    amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the service's own public facts
    status: Mapped[str] = mapped_column(String(16), default=LISTED)


class ObjectionColumns(_OfNotice, VersionedMixin):
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)

    @declared_attr
    def notice_id(cls) -> Mapped[int]:
        return mapped_column(BigId, ForeignKey(f"{cls.notice_table}.id"))

    objector_actor: Mapped[str] = mapped_column(String(64), index=True)
    objector_name: Mapped[str] = mapped_column(String(100))
    # sealed (``shared.pii``) where the service's scope gives a cipher: a phone is personal data
    objector_contact: Mapped[str] = mapped_column(Text)
    grounds: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)  # pending | upheld | dismissed
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    submitted_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


@dataclass(frozen=True)
class NoticeTables:
    notice: type[NoticeColumns]
    entry: type[EntryColumns]
    objection: type[ObjectionColumns]


def notice_tables(
    base: type[DeclarativeBase], notice_model: type[NoticeColumns], *, subject_table: str | None = "applications"
) -> NoticeTables:
    """Declare the entries and objections of ``notice_model``'s notices on ``base``; the records listed
    are rows of ``subject_table`` (``None``: of several tables, no foreign key; the notice's own columns
    say which)."""
    names = {"notice_table": getattr(notice_model, "__tablename__"), "subject_table": subject_table}  # noqa: B009
    entry = type(
        "NoticeEntry",
        (EntryColumns, base),
        {
            "__tablename__": "notice_entries",
            "__table_args__": (
                UniqueConstraint("notice_id", "subject_id", name="uq_notice_entries_subject"),
                Index("ix_notice_entries_subject_id", "subject_id"),
            ),
            **names,
        },
    )
    objection = type(
        "NoticeObjection",
        (ObjectionColumns, base),
        {
            "__tablename__": "notice_objections",
            "__table_args__": (Index("ix_notice_objections_notice_status", "notice_id", "status"),),
            **names,
        },
    )
    return NoticeTables(notice_model, entry, objection)
