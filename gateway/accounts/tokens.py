"""People's access tokens: HS256 JWTs signed with ``KJT_JWT_SECRET``.

Verification pins the algorithm (so ``alg: none`` and RS256/HS256 confusion fail), the issuer and
the audience, and checks lifetimes against the caller's clock, which tests can move.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import jwt

from gateway.accounts.errors import InvalidToken, TokenExpired
from shared.principal import ISSUER

ALGORITHM = "HS256"
# Not the internal tokens' audience: an access token can never pass as a principal token, nor back.
AUDIENCE = "kjt-api"
LEEWAY_SECONDS = 5
# A real token is a few hundred bytes; anything far larger is refused before any parsing.
MAX_TOKEN_LENGTH = 4096
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    issued_at: int
    expires_at: int
    jti: str


def issue_access_token(
    *,
    user_id: int,
    roles: Iterable[str],
    org_id: int | None,
    secret: str,
    ttl_minutes: int,
    now: datetime,
) -> tuple[str, int]:
    """The signed token and its lifetime in seconds."""
    iat = int(now.timestamp())
    ttl = ttl_minutes * 60
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(user_id),
        "roles": sorted(roles),
        "org_id": org_id,
        "iat": iat,
        "exp": iat + ttl,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM), ttl


def _invalid() -> InvalidToken:
    return InvalidToken("访问令牌无效，请重新登录。", "The access token is not valid; log in again.")


def _int_claim(claims: dict[str, object], name: str) -> int:
    value = claims.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _invalid()
    return value


def verify_access_token(token: str, secret: str, now: datetime) -> AccessClaims:
    """Check signature, algorithm, issuer, audience and lifetime; raise ``InvalidToken`` or ``TokenExpired``."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise _invalid()
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            # Lifetimes are checked below against ``now`` (the app's clock), not the wall clock.
            options={
                "require": ["exp", "iat", "sub", "jti", "iss", "aud"],
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.PyJWTError as exc:
        raise _invalid() from exc
    issued_at = _int_claim(claims, "iat")
    expires_at = _int_claim(claims, "exp")
    now_ts = now.timestamp()
    if issued_at > now_ts + LEEWAY_SECONDS or expires_at <= issued_at:
        raise _invalid()
    if now_ts >= expires_at + LEEWAY_SECONDS:
        raise TokenExpired()
    sub, jti = claims.get("sub"), claims.get("jti")
    if not isinstance(sub, str) or not sub.isascii() or not sub.isdigit() or not isinstance(jti, str):
        raise _invalid()
    user_id = int(sub)
    if not 1 <= user_id <= MAX_ID:
        raise _invalid()
    return AccessClaims(user_id=user_id, issued_at=issued_at, expires_at=expires_at, jti=jti)
