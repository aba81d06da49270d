"""What the banner of ``kjt run`` states, read from the platform rather than from the settings: the
administrators the gateway's database holds, whether the demo's login would work (checked before it is
tried: a failed login counts towards the account's lockout), and whether the demo data loaded, and if not,
why and how to fix it.

A password is printed only when the platform set it itself: the development default, which the gateway
gives the first administrator when ``KJT_ADMIN_PASSWORD`` is unset and announces in its log. A password the
operator chose is named by where it came from, never shown.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from gateway.accounts.bootstrap import DEVELOPMENT_ADMIN_PASSWORD
from gateway.accounts.passwords import verify_password
from gateway.accounts.repository import UserRepository
from gateway.settings import GatewaySettings
from shared.db import Database, database_url_for

ADMINS_SHOWN = 3

# How the password of an administrator is known.
DEFAULT = "default"  # the development default: the platform set it, so it may be printed
CONFIGURED = "configured"  # KJT_ADMIN_PASSWORD
UNKNOWN = "unknown"  # set by someone, some time: not ours to show


@dataclass(frozen=True)
class Admin:
    email: str
    password: str  # DEFAULT, CONFIGURED or UNKNOWN

    def describe(self) -> str:
        if self.password == DEFAULT:
            return f"{self.email}   password {DEVELOPMENT_ADMIN_PASSWORD} (the development default)"
        if self.password == CONFIGURED:
            return f"{self.email}   password: the value of KJT_ADMIN_PASSWORD"
        return f"{self.email}   password: its own (neither KJT_ADMIN_PASSWORD nor the development default)"


@dataclass(frozen=True)
class Accounts:
    """What the gateway's database says about its administrators and the demo's login."""

    admins: list[Admin] = field(default_factory=list)  # active administrators, oldest first
    total: int = 0  # how many active administrators there are in all
    demo_login: str | None = None  # why the demo's login would fail; None when it would work
    fixes: list[str] = field(default_factory=list)  # what to do about it
    error: str | None = None  # the database could not be read


async def _password_kind(stored_hash: str, settings: GatewaySettings) -> str:
    if settings.admin_password and (await verify_password(stored_hash, settings.admin_password))[0]:
        return CONFIGURED
    if settings.env != "production" and (await verify_password(stored_hash, DEVELOPMENT_ADMIN_PASSWORD))[0]:
        return DEFAULT
    return UNKNOWN


async def _read(settings: GatewaySettings, limit: int) -> Accounts:
    db = Database(database_url_for("gateway", settings.database_url, settings.var_dir), "gateway", pool_size=1)
    email = settings.admin_email.strip().lower()
    try:
        async with db.sessionmaker() as session:
            repository = UserRepository(session)
            rows, total = await repository.administrators(limit)
            configured = await repository.by_email(email)
    finally:
        await db.dispose()
    admins = [Admin(row.email, await _password_kind(row.password_hash, settings)) for row in rows]
    fresh = afresh(settings)
    # The demo logs in as KJT_ADMIN_EMAIL with KJT_ADMIN_PASSWORD, else the development default (kjt.demo.seed).
    password = settings.admin_password or DEVELOPMENT_ADMIN_PASSWORD
    if configured is None or not configured.active or "admin" not in configured.roles:
        what = "has no account" if configured is None else "is no active administrator"
        fixes = [f"start as the administrator that exists: {_start_as(other, settings)}" for other in admins[:1]]
        if settings.database_url:
            fixes.append(f"create it: .venv/bin/kjt create-admin --email {email}, then start with KJT_ADMIN_PASSWORD")
        return Accounts(admins, total, f"KJT_ADMIN_EMAIL={email} {what} in this gateway database", fixes + fresh)
    if not (await verify_password(configured.password_hash, password))[0]:
        why = (
            f"KJT_ADMIN_PASSWORD is not the password of {email}"
            if settings.admin_password
            else f"the password of {email} is not the development default, and KJT_ADMIN_PASSWORD is not set"
        )
        return Accounts(admins, total, why, [f"start with KJT_ADMIN_PASSWORD set to the password of {email}", *fresh])
    return Accounts(admins, total)


def afresh(settings: GatewaySettings) -> list[str]:
    """How to start from empty SQLite databases (nothing to say on PostgreSQL: no var/ to delete)."""
    if settings.database_url:
        return []
    reset = "make reset" if settings.var_dir == Path("var") else f"KJT_VAR_DIR={settings.var_dir} make reset"
    return [f"start afresh: {reset} (deletes {settings.var_dir} after asking)"]


def _start_as(admin: Admin, settings: GatewaySettings) -> str:
    """The command that starts the platform with ``admin`` as the demo's administrator."""
    if admin.password == CONFIGURED or (admin.password == DEFAULT and not settings.admin_password):
        password = ""
    elif admin.password == DEFAULT:
        password = " KJT_ADMIN_PASSWORD="  # unset: the development default
    else:
        password = " KJT_ADMIN_PASSWORD=<its password>"
    return f"KJT_ADMIN_EMAIL={admin.email}{password} make run"


def read_accounts(settings: GatewaySettings, limit: int = ADMINS_SHOWN) -> Accounts:
    """The administrators and the demo's login, from the gateway's database (after the gateway started)."""
    try:
        return asyncio.run(_read(settings, limit))
    except Exception as exc:
        return Accounts(error=f"{type(exc).__name__}: {exc}"[:300])


@dataclass(frozen=True)
class DemoOutcome:
    """Whether the demo data is there, for the banner: a headline, detail lines, and when it failed, the fix."""

    loaded: bool
    headline: str
    lines: list[str] = field(default_factory=list)
    fixes: list[str] = field(default_factory=list)
