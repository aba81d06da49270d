"""Who is calling the gateway: a person with a Bearer JWT, an agency with an X-API-Key, or nobody.

``await authenticate(request)`` runs on every proxied request, so it costs at most one indexed
query (and, at most once a minute per API key, one small UPDATE of its last-used time). It reads the
gateway's database through ``request.app.state.db`` and its settings from ``request.app.state.settings``.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from fastapi import Request
from sqlalchemy.exc import SQLAlchemyError

from gateway.accounts import errors, keys, tokens
from gateway.accounts.repository import ApiKeyRepository, UserRepository
from gateway.settings import GatewaySettings
from shared.clock import now_of
from shared.db import Database
from shared.principal import ANONYMOUS, Principal

log = logging.getLogger("kjt.gateway.security")

API_KEY_HEADER = "x-api-key"
# last_used_at is a hint for administrators, not an access log: one write a minute per key is plenty.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_CACHE_ATTR = "kjt_authenticated"


async def authenticate(request: Request) -> Principal:
    """The caller's ``Principal``; ``ANONYMOUS`` without credentials; ``Unauthorized`` for bad ones.

    The result is remembered on the request, so a later call in the same request costs nothing.
    """
    cached = getattr(request.state, _CACHE_ATTR, None)
    if isinstance(cached, Principal):
        return cached
    authorization = request.headers.get("authorization")
    api_key = request.headers.get(API_KEY_HEADER)
    if authorization is not None and api_key is not None:
        raise errors.AmbiguousCredentials()
    if authorization is not None:
        principal = await _from_bearer(request, authorization)
    elif api_key is not None:
        principal = await _from_api_key(request, api_key.strip())
    else:
        principal = ANONYMOUS
    setattr(request.state, _CACHE_ATTR, principal)
    return principal


async def _from_bearer(request: Request, authorization: str) -> Principal:
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.InvalidToken(
            "Authorization 头应为“Bearer <访问令牌>”。", "The Authorization header must be 'Bearer <access token>'."
        )
    settings: GatewaySettings = request.app.state.settings
    now = now_of(request.app.state)
    claims = tokens.verify_access_token(token.strip(), settings.jwt_secret, now)
    db: Database = request.app.state.db
    async with db.read_sessionmaker() as session:
        row = await UserRepository(session).identity(claims.user_id)
    if row is None:
        raise errors.InvalidToken("访问令牌对应的用户不存在。", "The token's user no longer exists.")
    if not row.active or row.org_active is False:
        raise errors.AccountDisabled()
    if claims.issued_at < int(row.password_changed_at.timestamp()):
        raise errors.InvalidToken(
            "密码已更改，请重新登录。", "The password has changed since this token was issued; log in again."
        )
    # Roles and organisation come from the account as it is now, not as it was at login.
    return Principal(
        kind="user",
        subject=str(row.id),
        name=row.display_name,
        roles=frozenset(row.roles or ()),
        org_id=row.organization_id,
        org_uscc=row.uscc,
    )


async def _from_api_key(request: Request, key: str) -> Principal:
    key_id = keys.parse_key(key)
    if key_id is None:
        raise errors.InvalidApiKey()
    db: Database = request.app.state.db
    now = now_of(request.app.state)
    async with db.read_sessionmaker() as session:
        repo = ApiKeyRepository(session)
        row = await repo.credential(key_id)
        # The secret is checked before anything else is revealed about the key.
        if row is None or not keys.matches(key, row.key_digest):
            raise errors.InvalidApiKey()
        if row.revoked_at is not None or row.org_active is False:
            raise errors.ApiKeyRevoked()
        if row.expires_at is not None and row.expires_at <= now:
            raise errors.ApiKeyExpired()
        not_since = now - LAST_USED_RESOLUTION
        if row.last_used_at is None or row.last_used_at < not_since:
            try:
                await repo.touch(row.id, now, not_since)
                await session.commit()
            except SQLAlchemyError:
                # A busy database must not turn a valid key away; the next minute will try again.
                log.warning("could not record the last use of API key %s", row.id, exc_info=True)
                await session.rollback()
    return Principal(
        kind="api_key",
        subject=row.id,
        name=row.agency,
        scopes=frozenset(row.scopes or ()),
        org_id=row.organization_id,
        org_uscc=row.uscc,
    )
