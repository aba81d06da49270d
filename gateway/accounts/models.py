"""Tables of the accounts: organisations, users, login failures, API keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db import Base
from shared.db.models import AwareDateTime, BigId, CreatedAtMixin, TimestampsMixin, VersionedMixin, utcnow

ORG_KINDS: tuple[str, ...] = (
    "university",
    "research_institute",
    "enterprise",
    "government",
    "agency",
    "hospital",
    "other",
)


class Organization(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    # Characters 3-8 of the USCC: the administrative division where it was registered (DOMAIN ID-5).
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (CheckConstraint(f"kind IN ({', '.join(repr(k) for k in ORG_KINDS)})", name="kind"),)


class User(VersionedMixin, TimestampsMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # Stored lower-cased, so the unique constraint is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    roles: Mapped[list[str]] = mapped_column(JSON)
    organization_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("organizations.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # Access tokens issued before this instant are refused (a password reset logs everyone out).
    password_changed_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


class LoginFailure(Base):
    """Consecutive failed logins per e-mail address, kept for any address typed, registered or not,
    so that a lockout looks the same either way and reveals nothing about who has an account."""

    __tablename__ = "login_failures"

    email_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(AwareDateTime(), index=True)
    locked_until: Mapped[datetime | None] = mapped_column(AwareDateTime())


class ApiKey(CreatedAtMixin, Base):
    __tablename__ = "api_keys"

    # The public id embedded in the key (kjt_<id>_<secret>); shown in lists, logs and principals.
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    key_digest: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    agency: Mapped[str] = mapped_column(String(200))
    organization_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("organizations.id"), index=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    expires_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(64))
    last_used_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    created_by: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_api_keys_created_at_id", "created_at", "id"),)
