"""Use cases of the accounts. Nothing here commits: the request's unit of work does, once."""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from gateway.accounts import keys, passwords, tokens
from gateway.accounts.errors import AccountDisabled, AccountLocked, InvalidCredentials, SelfLockout, UnknownScope
from gateway.accounts.models import ApiKey, Organization, User
from gateway.accounts.repository import (
    ApiKeyRepository,
    LoginFailureRepository,
    OrganizationRepository,
    UserRepository,
)
from gateway.accounts.schemas import (
    OrganizationCreate,
    OrganizationUpdate,
    TokenRead,
    UserCreate,
    UserUpdate,
    normalize_email,
)
from gateway.db import common
from gateway.settings import GatewaySettings
from shared import audit
from shared import scopes as scope_registry
from shared.concurrency import check_if_match
from shared.errors import Duplicate, NotFound, PreconditionFailed, ValidationFailed, field_error
from shared.principal import Principal

ORGANIZATION_SORTS = OrganizationRepository.sort_spec  # the orders its list takes, as the router documents them
USER_SORTS = UserRepository.sort_spec
API_KEY_SORTS = ApiKeyRepository.sort_spec

Actor = Principal | str

ORG_ETAG = "organization"
USER_ETAG = "user"


async def _flush(session: AsyncSession, duplicate_field: str | None = None) -> None:
    """Flush, turning a lost race into the problem the client would have got a moment later."""
    try:
        await session.flush()
    except StaleDataError as exc:
        raise PreconditionFailed(
            "资源已被他人修改，请重新读取后再提交。",
            "The resource was changed by someone else; read it again and retry.",
        ) from exc
    except IntegrityError as exc:
        if duplicate_field is None:
            raise
        raise _duplicate(duplicate_field) from exc


def _duplicate(field: str) -> Duplicate:
    labels = {"email": ("电子邮箱", "e-mail address"), "uscc": ("统一社会信用代码", "unified social credit code")}
    zh, en = labels.get(field, (field, field))
    return Duplicate(f"该{zh}已被登记。", f"This {en} is already registered.", extra={"field": field})


def _changes(model: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """Apply ``fields`` to ``model``; return ``{field: [old, new]}`` for those that changed."""
    changed: dict[str, Any] = {}
    for name, value in fields.items():
        old = getattr(model, name)
        if old != value:
            setattr(model, name, value)
            changed[name] = [old, value]
    return changed


# --- organisations ------------------------------------------------------------------------------


async def list_organizations(
    session: AsyncSession,
    *,
    kind: str | None,
    active: bool | None,
    region_code: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[Organization], str | None]:
    return await OrganizationRepository(session).page(
        kind=kind, active=active, region_code=region_code, limit=limit, cursor=cursor, sort=sort
    )


async def get_organization(session: AsyncSession, org_id: int) -> Organization:
    org = await OrganizationRepository(session).get(org_id)
    if org is None:
        raise NotFound("该组织不存在。", "No such organisation.")
    return org


async def create_organization(session: AsyncSession, actor: Actor, data: OrganizationCreate) -> Organization:
    repo = OrganizationRepository(session)
    if await repo.by_uscc(data.uscc) is not None:
        raise _duplicate("uscc")
    org = Organization(name=data.name, kind=data.kind, uscc=data.uscc, region_code=data.uscc[2:8], active=data.active)
    repo.add(org)
    await _flush(session, "uscc")
    await audit.append(
        session,
        common,
        actor,
        "organization.create",
        "organization",
        org.id,
        {"name": org.name, "kind": org.kind, "uscc": org.uscc},
    )
    return org


async def update_organization(
    session: AsyncSession, actor: Actor, org_id: int, data: OrganizationUpdate, if_match: str | None
) -> Organization:
    org = await get_organization(session, org_id)
    check_if_match(if_match, ORG_ETAG, org.id, org.version)
    changed = _changes(org, data.model_dump(exclude_unset=True))
    if changed:
        org.version += 1
        await _flush(session)
        await audit.append(session, common, actor, "organization.update", "organization", org.id, changed)
    return org


async def _usable_organization(session: AsyncSession, org_id: int) -> Organization:
    org = await OrganizationRepository(session).get(org_id)
    if org is None or not org.active:
        if org is None:
            error = field_error("organization_id", "unknown_organization", "该组织不存在", "no such organisation")
        else:
            error = field_error(
                "organization_id", "organization_inactive", "该组织已停用", "the organisation is inactive"
            )
        raise ValidationFailed([error])
    return org


# --- users --------------------------------------------------------------------------------------


async def list_users(
    session: AsyncSession,
    *,
    organization_id: int | None,
    active: bool | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[User], str | None]:
    return await UserRepository(session).page(
        organization_id=organization_id, active=active, limit=limit, cursor=cursor, sort=sort
    )


async def email_of(session: AsyncSession, user_id: int) -> str | None:
    user = await UserRepository(session).get(user_id)
    return user.email if user is not None else None


async def get_user(session: AsyncSession, user_id: int) -> User:
    user = await UserRepository(session).get(user_id)
    if user is None:
        raise NotFound("该用户不存在。", "No such user.")
    return user


async def create_user(session: AsyncSession, actor: Actor, data: UserCreate, now: datetime) -> User:
    repo = UserRepository(session)
    if await repo.by_email(data.email) is not None:
        raise _duplicate("email")
    if data.organization_id is not None:
        await _usable_organization(session, data.organization_id)
    user = User(
        email=data.email,
        display_name=data.display_name,
        roles=list(data.roles),
        organization_id=data.organization_id,
        active=data.active,
        password_hash=await passwords.hash_password(data.password),
        password_changed_at=now,
    )
    repo.add(user)
    await _flush(session, "email")
    await audit.append(
        session,
        common,
        actor,
        "user.create",
        "user",
        user.id,
        {"email": user.email, "roles": user.roles, "organization_id": user.organization_id},
    )
    return user


def _is_self(actor: Actor, user: User) -> bool:
    return isinstance(actor, Principal) and actor.kind == "user" and actor.subject == str(user.id)


async def update_user(
    session: AsyncSession, actor: Actor, user_id: int, data: UserUpdate, if_match: str | None
) -> User:
    user = await get_user(session, user_id)
    check_if_match(if_match, USER_ETAG, user.id, user.version)
    fields = data.model_dump(exclude_unset=True)
    if _is_self(actor, user) and (
        fields.get("active") is False or ("roles" in fields and "admin" not in fields["roles"])
    ):
        raise SelfLockout()
    if fields.get("organization_id") is not None and fields["organization_id"] != user.organization_id:
        await _usable_organization(session, fields["organization_id"])
    changed = _changes(user, fields)
    if changed:
        user.version += 1
        await _flush(session)
        await audit.append(session, common, actor, "user.update", "user", user.id, changed)
    return user


async def reset_password(
    session: AsyncSession, actor: Actor, user_id: int, password: str, if_match: str | None, now: datetime
) -> User:
    """Set a new password, lift any lockout, and end every session of the user."""
    user = await get_user(session, user_id)
    check_if_match(if_match, USER_ETAG, user.id, user.version, required=False)
    user.password_hash = await passwords.hash_password(password)
    user.password_changed_at = now
    user.version += 1
    await _flush(session)
    await LoginFailureRepository(session).clear(email_digest(user.email))
    await audit.append(session, common, actor, "user.reset_password", "user", user.id, {})
    return user


# --- logging in ---------------------------------------------------------------------------------


def email_digest(email: str) -> str:
    return hashlib.sha256(normalize_email(email).encode()).hexdigest()


async def login(session: AsyncSession, email: str, password: str, *, now: datetime, settings: GatewaySettings) -> User:
    """The user whose e-mail and password these are, or a 401 problem.

    Failures are counted per e-mail address, registered or not, so the lockout answers the same for
    both. A caller must commit even when this raises, or the count is lost (the router does).
    """
    email = normalize_email(email)
    digest = email_digest(email)
    window = timedelta(minutes=settings.login_lockout_minutes)
    failures = LoginFailureRepository(session)
    locked_until = await failures.locked_until(digest, now)
    if locked_until is not None:
        raise AccountLocked(settings.login_lockout_minutes, math.ceil((locked_until - now).total_seconds()))

    user: User | None = None
    plausible = len(email) <= 254 and "\x00" not in email and len(password) <= passwords.MAX_LENGTH
    if plausible:
        user = await UserRepository(session).by_email(email)
    new_hash: str | None = None
    if user is None:
        await passwords.burn_verification(password[: passwords.MAX_LENGTH])
        ok = False
    else:
        ok, new_hash = await passwords.verify_password(user.password_hash, password)
    if not ok:
        if await failures.record_failure(digest, now, window=window, max_failures=settings.login_max_failures):
            raise AccountLocked(settings.login_lockout_minutes, int(window.total_seconds()))
        raise InvalidCredentials("邮箱或密码错误。", "The e-mail address or the password is wrong.")
    assert user is not None
    # An organisation that is deactivated takes its people's access with it.
    if not user.active or not await UserRepository(session).organization_active(user.organization_id):
        raise AccountDisabled()
    await failures.clear(digest)
    await UserRepository(session).record_login(user.id, now, new_hash)
    return user


def issue_token(user: User, settings: GatewaySettings, now: datetime) -> TokenRead:
    token, expires_in = tokens.issue_access_token(
        user_id=user.id,
        roles=user.roles,
        org_id=user.organization_id,
        secret=settings.jwt_secret,
        ttl_minutes=settings.jwt_ttl_minutes,
        now=now,
    )
    return TokenRead(access_token=token, expires_in=expires_in)


# --- API keys -----------------------------------------------------------------------------------


async def list_api_keys(
    session: AsyncSession,
    *,
    organization_id: int | None,
    revoked: bool | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[ApiKey], str | None]:
    return await ApiKeyRepository(session).page(
        organization_id=organization_id, revoked=revoked, limit=limit, cursor=cursor, sort=sort
    )


async def get_api_key(session: AsyncSession, key_id: str) -> ApiKey:
    key = await ApiKeyRepository(session).get(key_id) if len(key_id) <= 16 else None
    if key is None:
        raise NotFound("该 API 密钥不存在。", "No such API key.")
    return key


async def create_api_key(
    session: AsyncSession,
    actor: Actor,
    *,
    name: str,
    scopes: list[str],
    now: datetime,
    agency: str | None = None,
    organization_id: int | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """The new key's row and the key itself, which is never stored and cannot be shown again."""
    unknown = scope_registry.unknown(scopes)
    if unknown:
        raise UnknownScope(unknown)
    if expires_at is not None and expires_at <= now:
        raise ValidationFailed(
            [field_error("expires_at", "in_past", "有效期必须晚于当前时间", "must be in the future")]
        )
    if organization_id is not None:
        org = await _usable_organization(session, organization_id)
        agency = agency or org.name
    if not agency:
        raise ValidationFailed(
            [field_error("agency", "required", "请填写 organization_id 或 agency", "give organization_id or agency")]
        )
    repo = ApiKeyRepository(session)
    key_id = keys.new_key_id()
    while await repo.get(key_id) is not None:  # 48 random bits: a repeat is rare, but cheap to rule out
        key_id = keys.new_key_id()
    secret = keys.new_key(key_id)
    row = ApiKey(
        id=key_id,
        key_digest=keys.digest(secret),
        name=name,
        agency=agency,
        organization_id=organization_id,
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
        created_by=actor.actor_id if isinstance(actor, Principal) else actor,
        created_at=now,
    )
    repo.add(row)
    await _flush(session)
    await audit.append(
        session,
        common,
        actor,
        "api_key.create",
        "api_key",
        key_id,
        {
            "name": name,
            "agency": agency,
            "scopes": row.scopes,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return row, secret


async def revoke_api_key(session: AsyncSession, actor: Actor, key_id: str, now: datetime) -> ApiKey:
    """Revoke the key; revoking a revoked key changes nothing."""
    key = await get_api_key(session, key_id)
    if key.revoked_at is None:
        key.revoked_at = now
        key.revoked_by = actor.actor_id if isinstance(actor, Principal) else actor
        await _flush(session)
        await audit.append(session, common, actor, "api_key.revoke", "api_key", key.id, {})
    return key
