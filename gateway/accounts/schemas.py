"""Request and response bodies of /api/v1/auth and /api/v1/admin."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from gateway.accounts import keys, passwords
from gateway.accounts.models import ORG_KINDS
from shared.concurrency import Tagged
from shared.fields import Email as Email
from shared.fields import normalize_email as normalize_email
from shared.i18n import custom_error
from shared.principal import ROLES
from shared.schemas import InputSchema, OutputSchema
from shared.validators import USCC

MAX_ID = 2**63 - 1
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _check_password(value: str) -> str:
    problem = passwords.policy_violation(value)
    if problem:
        raise custom_error("weak_password", *problem)
    return value


def _check_roles(value: list[str]) -> list[str]:
    return sorted(set(value))


def _check_scopes(value: list[str]) -> list[str]:
    for scope in value:
        problem = keys.scope_problem(scope)
        if problem:
            raise custom_error("invalid_scope", *problem)
    return sorted(set(value))


# Passwords are taken exactly as typed: no trimming, whatever the schema's defaults.
Password = Annotated[str, StringConstraints(strip_whitespace=False), AfterValidator(_check_password)]
OrgKind = Literal["university", "research_institute", "enterprise", "government", "agency", "hospital", "other"]
Role = Literal["admin", "official", "agency", "org_admin", "applicant", "reviewer", "auditor"]
Roles = Annotated[list[Role], Field(min_length=1, max_length=len(ROLES)), AfterValidator(_check_roles)]
OrgName = Annotated[str, StringConstraints(min_length=2, max_length=200)]
PersonName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Scopes = Annotated[list[str], Field(min_length=1, max_length=50), AfterValidator(_check_scopes)]

assert set(get_args(OrgKind)) == set(ORG_KINDS)
assert set(get_args(Role)) == set(ROLES)


def _not_null(value: Any, info: ValidationInfo) -> Any:
    """In a PATCH an absent field is left alone; an explicit null is refused where it means nothing."""
    if value is None:
        raise custom_error("null_not_allowed", f"{info.field_name} 不能为 null", f"{info.field_name} may not be null")
    return value


# --- organisations ------------------------------------------------------------------------------


class OrganizationCreate(InputSchema):
    name: OrgName = Field(description="Name in Chinese / 中文名称", examples=["吉林大学"])
    kind: OrgKind
    uscc: USCC = Field(description="统一社会信用代码 (GB 32100)", examples=["12220000412755036W"])
    active: bool = True


class OrganizationUpdate(InputSchema):
    name: OrgName | None = None
    kind: OrgKind | None = None
    active: bool | None = None

    _no_nulls = field_validator("name", "kind", "active")(_not_null)


class OrganizationRead(Tagged):
    etag_kind = "organization"
    id: int
    name: str
    kind: str
    uscc: str
    region_code: str = Field(description="Registration region from the USCC (characters 3-8)")
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


# --- users --------------------------------------------------------------------------------------


class UserCreate(InputSchema):
    email: Email = Field(examples=["zhang.san@jlu.edu.cn"])
    display_name: PersonName = Field(examples=["张三"])
    roles: Roles = Field(examples=[["applicant"]])
    organization_id: RecordId | None = None
    password: Password = Field(description=passwords.POLICY_EN)
    active: bool = True


class UserUpdate(InputSchema):
    display_name: PersonName | None = None
    roles: Roles | None = None
    organization_id: RecordId | None = Field(default=None, description="null detaches the user")
    active: bool | None = None

    _no_nulls = field_validator("display_name", "roles", "active")(_not_null)


class PasswordReset(InputSchema):
    password: Password = Field(description=passwords.POLICY_EN)


class UserRead(Tagged):
    etag_kind = "user"
    id: int
    email: str
    display_name: str
    roles: list[str]
    organization_id: int | None
    active: bool
    last_login_at: datetime | None
    password_changed_at: datetime
    version: int
    created_at: datetime
    updated_at: datetime


# --- API keys -----------------------------------------------------------------------------------


class ApiKeyCreate(InputSchema):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(examples=["省公安厅出入境 许可核验"])
    organization_id: RecordId | None = Field(default=None, description="The owning agency, if registered")
    agency: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None,
        description="The owning agency's name (defaults to the organisation's name)",
        examples=["吉林省公安厅出入境管理局"],
        validate_default=True,
    )
    scopes: Scopes = Field(examples=[["foreign-experts:permits:verify"]])
    expires_at: AwareDatetime | None = Field(default=None, description="RFC 3339 with offset; none: never")

    @field_validator("agency")
    @classmethod
    def _owner(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("organization_id") is None:
            raise custom_error("agency_required", "请填写 organization_id 或 agency", "give organization_id or agency")
        return value


ApiKeyStatus = Literal["active", "revoked", "expired"]


class ApiKeyRead(OutputSchema):
    id: str = Field(description="Public key id (the part after kjt_)")
    name: str
    agency: str
    organization_id: int | None
    scopes: list[str]
    status: ApiKeyStatus
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None = Field(description="Updated at most once a minute")
    created_at: datetime
    created_by: str

    @classmethod
    def of(cls, row: Any, now: datetime) -> ApiKeyRead:
        status: ApiKeyStatus = "active"
        if row.revoked_at is not None:
            status = "revoked"
        elif row.expires_at is not None and row.expires_at <= now:
            status = "expired"
        return cls.model_validate({**{k: getattr(row, k) for k in _API_KEY_FIELDS}, "status": status})


_API_KEY_FIELDS = (
    "id",
    "name",
    "agency",
    "organization_id",
    "scopes",
    "expires_at",
    "revoked_at",
    "last_used_at",
    "created_at",
    "created_by",
)


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The key itself. Shown only now: store it safely. 密钥仅显示这一次。")


# --- auth ---------------------------------------------------------------------------------------


class TokenRead(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires")


class MeRead(BaseModel):
    kind: Literal["user", "api_key"]
    id: str = Field(description="User id or API key id")
    name: str | None = Field(
        description="A person's display name; for an API key, the key's own name (what it is for, as given "
        "when it was issued). 用户姓名；API 密钥则为密钥名称。",
        examples=["出入境许可核验"],
    )
    agency: str | None = Field(
        default=None,
        description="For an API key: the agency that holds it. null for a person. API 密钥的持有机关；用户为 null。",
        examples=["吉林省公安厅出入境管理局"],
    )
    email: str | None = None
    roles: list[str]
    scopes: list[str]
    organization_id: int | None
    organization_uscc: str | None
