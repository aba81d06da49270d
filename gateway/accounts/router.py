"""HTTP of the accounts: /api/v1/auth (tokens, me) and /api/v1/admin (organisations, users, API keys)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from gateway.accounts import service
from gateway.accounts.errors import AccountDisabled, AccountLocked, FormRequired, InvalidCredentials
from gateway.accounts.schemas import (
    MAX_ID,
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    MeRead,
    OrganizationCreate,
    OrganizationRead,
    OrganizationUpdate,
    OrgKind,
    PasswordReset,
    TokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from gateway.security import authenticate
from gateway.settings import GatewaySettings
from shared.clock import Now
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.error_handlers import problem_response
from shared.errors import Unauthorized, problem_responses
from shared.pagination import Cursor, Page, Sort
from shared.principal import Principal, require_roles

# --- dependencies -------------------------------------------------------------------------------


async def current_principal(request: Request) -> Principal:
    """The caller as ``gateway.security.authenticate`` sees it, also put where ``require_roles`` looks."""
    principal = await authenticate(request)
    request.state.principal = principal
    return principal


def _roles(*roles: str) -> Callable[[Request, Principal], Awaitable[Principal]]:
    check = require_roles(*roles)

    async def dependency(request: Request, _: Annotated[Principal, Depends(current_principal)]) -> Principal:
        return await check(request)

    return dependency


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def form_body(request: Request) -> None:
    """The token endpoint takes a form, as OAuth2 requires: anything else (JSON above all) is told so,
    instead of hearing that username and password are missing."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type not in FORM_TYPES:
        raise FormRequired()


def settings_of(request: Request) -> GatewaySettings:
    settings: GatewaySettings = request.app.state.settings
    return settings


Caller = Annotated[Principal, Depends(current_principal)]
Admin = Annotated[Principal, Depends(_roles("admin"))]
# Auditors supervise: they may read what administrators do, and change nothing.
AdminOrAuditor = Annotated[Principal, Depends(_roles("admin", "auditor"))]
Settings = Annotated[GatewaySettings, Depends(settings_of)]
Limit = Annotated[int, Query(ge=1, le=100, description="Page size (1-100).")]
OrgId = Annotated[int, Path(ge=1, le=MAX_ID)]
UserId = Annotated[int, Path(ge=1, le=MAX_ID)]
KeyId = Annotated[str, Path(min_length=1, max_length=16, pattern=r"^[0-9a-f]+$")]
OrgFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]

READ = problem_responses(401, 403, 404, 422)
LIST = problem_responses(401, 403, 422)
WRITE = problem_responses(401, 403, 404, 409, 412, 422, 428)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

auth_router = APIRouter(tags=["auth"])
admin_router = APIRouter()
organizations = APIRouter(prefix="/organizations", tags=["admin-organizations"])
users = APIRouter(prefix="/users", tags=["admin-users"])
api_keys = APIRouter(prefix="/api-keys", tags=["admin-api-keys"])


# --- /api/v1/auth -------------------------------------------------------------------------------


@auth_router.post(
    "/token",
    operation_id="auth-token",
    summary="Log in: exchange e-mail and password for an access token / 登录获取访问令牌",
    description="OAuth2 password grant: `username` is the e-mail address. After "
    "`login_max_failures` consecutive failures the address is locked for `login_lockout_minutes` "
    "(401 `account_locked`), whether or not an account has it.",
    response_model=TokenRead,
    responses={
        **problem_responses(401, 415, 422, 429),
        415: {
            **problem_responses(415)[415],
            "description": "`form_required`: the body must be a form (`application/x-www-form-urlencoded`), "
            "as OAuth2 requires; JSON is refused",
        },
    },
    dependencies=[Depends(form_body)],
)
async def issue_token(
    request: Request,
    session: DbSession,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    settings: Settings,
    now: Now,
    response: Response,
) -> TokenRead | Response:
    try:
        user = await service.login(session, form.username, form.password, now=now, settings=settings)
    except (InvalidCredentials, AccountLocked, AccountDisabled) as exc:
        # Returned, not raised: the session then commits, and the failure counts towards the lockout.
        return problem_response(request, exc)
    response.headers.update(NO_STORE)
    return service.issue_token(user, settings, now)


@auth_router.get(
    "/me",
    operation_id="auth-me",
    summary="Who am I: the current person or API key / 当前身份",
    response_model=MeRead,
    responses=problem_responses(401),
)
async def me(caller: Caller, session: DbSession) -> MeRead:
    if caller.kind not in ("user", "api_key"):
        raise Unauthorized("请先登录或提供 API 密钥。", "Log in or present an API key.")
    email = agency = None
    name = caller.name
    if caller.kind == "user":
        email = await service.email_of(session, int(caller.subject))
    else:
        key = await service.get_api_key(session, caller.subject)
        name, agency = key.name, key.agency
    return MeRead(
        kind=caller.kind,
        id=caller.subject,
        name=name,
        agency=agency,
        email=email,
        roles=sorted(caller.roles),
        scopes=sorted(caller.scopes),
        organization_id=caller.org_id,
        organization_uscc=caller.org_uscc,
    )


# --- /api/v1/admin/organizations ----------------------------------------------------------------


@organizations.get(
    "",
    operation_id="admin-organizations-list",
    summary="List organisations / 组织列表",
    response_model=Page[OrganizationRead],
    responses=LIST,
)
async def list_organizations(
    _: AdminOrAuditor,
    session: DbSession,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.ORGANIZATION_SORTS.choices] = None,
    kind: OrgKind | None = None,
    active: bool | None = None,
    region_code: Annotated[str | None, Query(pattern=r"^[0-9]{2,6}$", description="Region code prefix")] = None,
) -> Page[OrganizationRead]:
    rows, next_cursor = await service.list_organizations(
        session, kind=kind, active=active, region_code=region_code, limit=limit, cursor=cursor, sort=sort
    )
    return Page(items=[OrganizationRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@organizations.post(
    "",
    operation_id="admin-organizations-create",
    summary="Register an organisation / 登记组织",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganizationRead,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_organization(
    admin: Admin, session: DbSession, body: OrganizationCreate, response: Response
) -> OrganizationRead:
    org = await service.create_organization(session, admin, body)
    set_etag(response, service.ORG_ETAG, org.id, org.version)
    return OrganizationRead.model_validate(org)


@organizations.get(
    "/{org_id}",
    operation_id="admin-organizations-get",
    summary="One organisation / 组织详情",
    response_model=OrganizationRead,
    responses=READ,
)
async def get_organization(
    _: AdminOrAuditor, session: DbSession, org_id: OrgId, response: Response
) -> OrganizationRead:
    org = await service.get_organization(session, org_id)
    set_etag(response, service.ORG_ETAG, org.id, org.version)
    return OrganizationRead.model_validate(org)


@organizations.patch(
    "/{org_id}",
    operation_id="admin-organizations-update",
    summary="Change an organisation (If-Match required) / 修改组织信息",
    response_model=OrganizationRead,
    responses=WRITE,
)
async def update_organization(
    admin: Admin,
    session: DbSession,
    org_id: OrgId,
    body: OrganizationUpdate,
    response: Response,
    if_match: IfMatch = None,
) -> OrganizationRead:
    org = await service.update_organization(session, admin, org_id, body, if_match)
    set_etag(response, service.ORG_ETAG, org.id, org.version)
    return OrganizationRead.model_validate(org)


# --- /api/v1/admin/users ------------------------------------------------------------------------


@users.get(
    "",
    operation_id="admin-users-list",
    summary="List users / 用户列表",
    response_model=Page[UserRead],
    responses=LIST,
)
async def list_users(
    _: AdminOrAuditor,
    session: DbSession,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.USER_SORTS.choices] = None,
    organization_id: OrgFilter = None,
    active: bool | None = None,
) -> Page[UserRead]:
    rows, next_cursor = await service.list_users(
        session, organization_id=organization_id, active=active, limit=limit, cursor=cursor, sort=sort
    )
    return Page(items=[UserRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@users.post(
    "",
    operation_id="admin-users-create",
    summary="Create a user / 创建用户",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_user(admin: Admin, session: DbSession, body: UserCreate, now: Now, response: Response) -> UserRead:
    user = await service.create_user(session, admin, body, now)
    set_etag(response, service.USER_ETAG, user.id, user.version)
    return UserRead.model_validate(user)


@users.get(
    "/{user_id}",
    operation_id="admin-users-get",
    summary="One user / 用户详情",
    response_model=UserRead,
    responses=READ,
)
async def get_user(_: AdminOrAuditor, session: DbSession, user_id: UserId, response: Response) -> UserRead:
    user = await service.get_user(session, user_id)
    set_etag(response, service.USER_ETAG, user.id, user.version)
    return UserRead.model_validate(user)


@users.patch(
    "/{user_id}",
    operation_id="admin-users-update",
    summary="Change roles, organisation or status (If-Match required) / 修改用户角色、组织或状态",
    response_model=UserRead,
    responses=WRITE,
)
async def update_user(
    admin: Admin,
    session: DbSession,
    user_id: UserId,
    body: UserUpdate,
    response: Response,
    if_match: IfMatch = None,
) -> UserRead:
    user = await service.update_user(session, admin, user_id, body, if_match)
    set_etag(response, service.USER_ETAG, user.id, user.version)
    return UserRead.model_validate(user)


@users.post(
    "/{user_id}/reset-password",
    operation_id="admin-users-reset-password",
    summary="Set a new password, lift a lockout, end the user's sessions / 重置密码",
    response_model=UserRead,
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def reset_password(
    admin: Admin,
    session: DbSession,
    user_id: UserId,
    body: PasswordReset,
    now: Now,
    response: Response,
    if_match: IfMatch = None,
) -> UserRead:
    user = await service.reset_password(session, admin, user_id, body.password, if_match, now)
    set_etag(response, service.USER_ETAG, user.id, user.version)
    return UserRead.model_validate(user)


# --- /api/v1/admin/api-keys ---------------------------------------------------------------------


@api_keys.get(
    "",
    operation_id="admin-api-keys-list",
    summary="List API keys (never their secrets) / API 密钥列表",
    response_model=Page[ApiKeyRead],
    responses=LIST,
)
async def list_api_keys(
    _: AdminOrAuditor,
    session: DbSession,
    now: Now,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.API_KEY_SORTS.choices] = None,
    organization_id: OrgFilter = None,
    revoked: bool | None = None,
) -> Page[ApiKeyRead]:
    rows, next_cursor = await service.list_api_keys(
        session, organization_id=organization_id, revoked=revoked, limit=limit, cursor=cursor, sort=sort
    )
    return Page(items=[ApiKeyRead.of(r, now) for r in rows], next_cursor=next_cursor)


@api_keys.post(
    "",
    operation_id="admin-api-keys-create",
    summary="Issue an API key to an agency; the key is shown only in this response / 签发 API 密钥（仅显示一次）",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiKeyCreated,
    responses=problem_responses(401, 403, 422),
)
async def create_api_key(
    admin: Admin, session: DbSession, body: ApiKeyCreate, now: Now, response: Response
) -> ApiKeyCreated:
    row, secret = await service.create_api_key(
        session,
        admin,
        name=body.name,
        agency=body.agency,
        organization_id=body.organization_id,
        scopes=body.scopes,
        expires_at=body.expires_at,
        now=now,
    )
    response.headers.update(NO_STORE)
    return ApiKeyCreated(**ApiKeyRead.of(row, now).model_dump(), key=secret)


@api_keys.get(
    "/{key_id}",
    operation_id="admin-api-keys-get",
    summary="One API key (never its secret) / API 密钥详情",
    response_model=ApiKeyRead,
    responses=READ,
)
async def get_api_key(_: AdminOrAuditor, session: DbSession, key_id: KeyId, now: Now) -> ApiKeyRead:
    return ApiKeyRead.of(await service.get_api_key(session, key_id), now)


@api_keys.delete(
    "/{key_id}",
    operation_id="admin-api-keys-revoke",
    summary="Revoke an API key at once / 吊销 API 密钥",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=READ,
)
async def revoke_api_key(admin: Admin, session: DbSession, key_id: KeyId, now: Now) -> Response:
    await service.revoke_api_key(session, admin, key_id, now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


admin_router.include_router(organizations)
admin_router.include_router(users)
admin_router.include_router(api_keys)
