"""Who is calling: the internal principal token the gateway signs and every service verifies.

The gateway authenticates people (JWT) and agencies (API keys) and forwards each request with a
short-lived token in ``X-KJT-Principal`` (HS256, audience ``kjt-internal``). A service refuses any
request without a valid one, so a call that bypasses the gateway gets a 401. Services authorise:
roles and scopes are checked with the dependencies below, object-level rules in the services.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

import jwt
from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from shared.errors import Forbidden, InvalidInternalToken, Unauthorized
from shared.scopes import registered

PRINCIPAL_HEADER = "x-kjt-principal"
ISSUER = "kjt-gateway"
AUDIENCE = "kjt-internal"
ALGORITHM = "HS256"

Role = Literal["admin", "official", "agency", "org_admin", "applicant", "reviewer", "auditor"]
ROLES: tuple[str, ...] = ("admin", "official", "agency", "org_admin", "applicant", "reviewer", "auditor")
Kind = Literal["user", "api_key", "anonymous", "service"]


class Principal(BaseModel):
    """The caller as the gateway (or a calling service) vouches for it."""

    model_config = ConfigDict(frozen=True)

    kind: Kind
    subject: str = Field(description="user id, API key id, service name, or 'anonymous'")
    name: str | None = None
    roles: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()
    org_id: int | None = None
    org_uscc: str | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.kind == "anonymous"

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def actor_id(self) -> str:
        return f"{self.kind}:{self.subject}"


ANONYMOUS = Principal(kind="anonymous", subject="anonymous")


def sign_principal(principal: Principal, secret: str, ttl_seconds: int = 60) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + ttl_seconds,
        "sub": principal.subject,
        "kind": principal.kind,
        "name": principal.name,
        "roles": sorted(principal.roles),
        "scopes": sorted(principal.scopes),
        "org_id": principal.org_id,
        "org_uscc": principal.org_uscc,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_principal(token: str, secret: str) -> Principal:
    """Decode and check an internal token; any defect is a 401."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            leeway=5,
        )
        return Principal(
            kind=claims["kind"],
            subject=str(claims["sub"]),
            name=claims.get("name"),
            roles=frozenset(claims.get("roles") or ()),
            scopes=frozenset(claims.get("scopes") or ()),
            org_id=claims.get("org_id"),
            org_uscc=claims.get("org_uscc"),
        )
    except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
        raise InvalidInternalToken(
            "内部身份令牌无效或已过期；请通过网关访问。",
            "The internal principal token is missing, invalid or expired; call through the gateway.",
        ) from exc


def request_principal(request: Request) -> Principal:
    """The principal the internal-token middleware put on the request."""
    principal = getattr(request.state, "principal", None)
    if not isinstance(principal, Principal):
        raise InvalidInternalToken()
    return principal


def authenticated(request: Request) -> Principal:
    principal = request_principal(request)
    if principal.is_anonymous:
        raise Unauthorized("请先登录或提供 API 密钥。", "Log in or present an API key.")
    return principal


Caller = Annotated[Principal, Depends(authenticated)]
MaybeCaller = Annotated[Principal, Depends(request_principal)]

# Marks an operation that anonymous callers may use (published calls, listings, notices).
PUBLIC: dict[str, Any] = {"openapi_extra": {"x-kjt-public": True}}


def require_roles(*roles: str) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency that lets through only people holding one of ``roles``."""

    async def check(request: Request) -> Principal:
        principal = authenticated(request)
        if not principal.has_role(*roles):
            raise Forbidden(
                f"需要以下角色之一：{'、'.join(roles)}。", f"Requires one of the roles: {', '.join(roles)}."
            )
        return principal

    return check


def require_scope(scope: str, *, or_roles: tuple[str, ...] = ()) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency for agency API keys holding ``scope`` (or people holding one of ``or_roles``).

    ``scope`` must be declared in ``shared.scopes``, else the service does not start (``LookupError``)."""
    registered(scope)

    async def check(request: Request) -> Principal:
        principal = authenticated(request)
        if principal.has_scope(scope) or (or_roles and principal.has_role(*or_roles)):
            return principal
        raise Forbidden(f"需要授权范围 {scope}。", f"Requires the scope {scope}.")

    return check
