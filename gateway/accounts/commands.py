"""What the ``kjt`` command-line tool does with accounts. Each call is its own unit of work.

Errors are the same ``AppError``s the API raises (``ValidationFailed``, ``Duplicate``, ``NotFound``,
``UnknownScope``), so the tool can print their ``detail_zh``/``detail_en`` and ``extra["errors"]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from gateway.accounts import service
from gateway.accounts.schemas import ApiKeyCreate, UserCreate
from shared.db import Database, utcnow
from shared.errors import ValidationFailed
from shared.i18n import field_errors

CLI_ACTOR = "cli"


def _validated(model: type[BaseModel], **fields: Any) -> Any:
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc.errors()), "输入未通过校验。", "The input is not valid.") from exc


async def create_admin(db: Database, email: str, password: str, name: str) -> int:
    """Create an administrator; return the new user's id. ``Duplicate`` if the e-mail is taken."""
    data = _validated(UserCreate, email=email, display_name=name, roles=["admin"], password=password)
    async with db.sessionmaker() as session:
        user = await service.create_user(session, CLI_ACTOR, data, utcnow())
        await session.commit()
        return user.id


async def create_api_key(
    db: Database, name: str, agency: str, scopes: Sequence[str], expires_at: datetime | None
) -> tuple[str, str]:
    """Issue a key to ``agency``; return ``(key_id, key)``. The key is not stored: show it once."""
    data = _validated(ApiKeyCreate, name=name, agency=agency, scopes=list(scopes), expires_at=expires_at)
    async with db.sessionmaker() as session:
        row, secret = await service.create_api_key(
            session,
            CLI_ACTOR,
            name=data.name,
            agency=data.agency,
            scopes=data.scopes,
            expires_at=data.expires_at,
            now=utcnow(),
        )
        await session.commit()
        return row.id, secret


async def revoke_api_key(db: Database, key_id: str) -> None:
    """Revoke a key at once (``NotFound`` if there is no such key; revoking twice is harmless)."""
    async with db.sessionmaker() as session:
        await service.revoke_api_key(session, CLI_ACTOR, key_id, utcnow())
        await session.commit()
