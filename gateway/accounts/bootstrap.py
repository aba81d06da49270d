"""The first administrator, created at start when the gateway has no account yet."""

from __future__ import annotations

import logging

from gateway.accounts import commands
from gateway.accounts.repository import UserRepository
from gateway.settings import GatewaySettings
from shared.db import Database
from shared.errors import Duplicate, ValidationFailed, localized_field_error

log = logging.getLogger("kjt.gateway.accounts")

# Only ever used outside production when KJT_ADMIN_PASSWORD is unset, and announced loudly.
DEVELOPMENT_ADMIN_PASSWORD = "Kjt-Dev-Admin-2026"
ADMIN_NAME = "平台管理员"


async def ensure_admin(db: Database, settings: GatewaySettings) -> None:
    """Create ``settings.admin_email`` as administrator when no account exists.

    Production refuses to start without ``KJT_ADMIN_PASSWORD``; development and tests fall back to
    ``DEVELOPMENT_ADMIN_PASSWORD`` and log it. A configured password must meet the password policy.
    """
    async with db.sessionmaker() as session:
        if await UserRepository(session).any_exists():
            return
    password = settings.admin_password
    if not password:
        if settings.env == "production":
            raise RuntimeError(
                "No account exists yet and KJT_ADMIN_PASSWORD is not set: set it (with KJT_ADMIN_EMAIL) "
                "so the first administrator can be created. 生产环境必须设置 KJT_ADMIN_PASSWORD。"
            )
        password = DEVELOPMENT_ADMIN_PASSWORD
        log.warning(
            "开发环境默认管理员 / development administrator created: e-mail %s, password %s "
            "(set KJT_ADMIN_PASSWORD to choose another; never use this outside development)",
            settings.admin_email,
            password,
        )
    try:
        user_id = await commands.create_admin(db, settings.admin_email, password, ADMIN_NAME)
    except Duplicate:
        return  # another replica created it a moment ago
    except ValidationFailed as exc:
        problems = "; ".join(
            f"{e['field']}: {e['message']}" for e in (localized_field_error(e, "en") for e in exc.extra["errors"])
        )
        raise RuntimeError(f"KJT_ADMIN_EMAIL / KJT_ADMIN_PASSWORD are not acceptable: {problems}") from exc
    log.info("first administrator %s created (user id %s)", settings.admin_email, user_id)
