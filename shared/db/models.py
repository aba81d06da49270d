"""Metadata conventions and the tables every service has: workflow history, idempotency, audit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import JSON, BigInteger, DateTime, Index, Integer, LargeBinary, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


T = TypeVar("T")


def new(model: type[T], **values: Any) -> T:
    """A row of a mapped class typed by its column mixin (the mixin declares the columns, the mapped class
    built from it by a table factory takes them as keyword arguments)."""
    return cast(T, cast(Any, model)(**values))


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class AwareDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp on every database (SQLite hands back naive values, which are UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime: timestamps must carry a time zone")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class VersionedMixin:
    """The row's ``version`` (docs/api-conventions.md "Safety of writes"): shown in its ETag, checked by SQLAlchemy on
    every UPDATE (a concurrent change is a ``StaleDataError``, a 412 through ``flush_versioned``) and
    bumped by the code itself (``version_id_generator`` off), so one ETag names exactly one state."""

    version: Mapped[int] = mapped_column(Integer, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        table: Any = getattr(cls, "__table__")  # noqa: B009 - the mapped class's table, set by then
        return {"version_id_col": table.c.version, "version_id_generator": False}


class CreatedAtMixin:
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class UpdatedAtMixin:
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow, onupdate=utcnow)


class TimestampsMixin(CreatedAtMixin, UpdatedAtMixin):
    """``created_at`` and ``updated_at``, the latter set again by every UPDATE that does not set it."""


class WorkflowHistoryMixin:
    """One row per state change of any workflow resource (ARCHITECTURE rule 7)."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(64))
    to_state: Mapped[str] = mapped_column(String(64))
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class IdempotencyMixin(CreatedAtMixin):
    """A POST's first response, kept 24 h per (caller, key), replayed for the same body."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_headers: Mapped[dict[str, str] | None] = mapped_column(JSON)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    completed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


class AuditMixin:
    """Append-only audit trail; each row's SM3 hash covers the previous row's hash."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    actor_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class CalendarYearMixin:
    """A year's official holiday schedule loaded by an official as data (CAL-1)."""

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holidays: Mapped[list[str]] = mapped_column(JSON)
    workdays: Mapped[list[str]] = mapped_column(JSON)
    source: Mapped[str | None] = mapped_column(Text)
    loaded_by: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class CommonTables:
    """Declares the history, idempotency and audit tables on a service's own declarative base."""

    def __init__(self, base: type[DeclarativeBase]) -> None:
        self.history: type[Any] = type(
            "WorkflowHistory",
            (WorkflowHistoryMixin, base),
            {
                "__tablename__": "workflow_history",
                "__table_args__": (Index("ix_workflow_history_entity", "entity_type", "entity_id", "id"),),
            },
        )
        self.idempotency: type[Any] = type(
            "IdempotencyRecord",
            (IdempotencyMixin, base),
            {
                "__tablename__": "idempotency_records",
                "__table_args__": (
                    Index("uq_idempotency_records_scope_key", "scope", "key", unique=True),
                    Index("ix_idempotency_records_created_at", "created_at"),
                ),
            },
        )
        self.audit: type[Any] = type(
            "AuditEntry",
            (AuditMixin, base),
            {
                "__tablename__": "audit_log",
                "__table_args__": (Index("ix_audit_log_entity", "entity_type", "entity_id"),),
            },
        )
        self.calendar_year: type[Any] = type(
            "CalendarYear", (CalendarYearMixin, base), {"__tablename__": "calendar_years"}
        )
