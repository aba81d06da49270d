"""The accounts' own problems, each with a stable code. All credential problems are 401s."""

from __future__ import annotations

from collections.abc import Sequence

from shared import scopes
from shared.errors import Conflict, Unauthorized, UnsupportedMediaType, ValidationFailed, field_error


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"
    title_zh = "邮箱或密码错误"
    title_en = "Wrong e-mail or password"
    advice_zh = "核对邮箱和密码后重试；连续失败会暂时锁定，忘记密码请联系管理员重置。"
    advice_en = (
        "Check the e-mail and password; repeated failures lock the address, and an administrator can reset a password."
    )


class AccountLocked(Unauthorized):
    """Too many consecutive failures for this e-mail address, whether or not an account has it.

    A 401 rather than 423: 423 is WebDAV's "resource locked", which generic HTTP and OAuth2
    clients do not understand; to them this is simply "credentials not accepted now".
    """

    code = "account_locked"
    title_zh = "登录失败次数过多，账户已暂时锁定"
    title_en = "Too many failed logins; temporarily locked"
    advice_zh = "等待 Retry-After 秒后再登录，或请管理员重置密码。"
    advice_en = "Wait Retry-After seconds before logging in again, or ask an administrator to reset the password."

    def __init__(self, minutes: int, retry_after: int) -> None:
        super().__init__(
            f"连续登录失败次数过多，请 {minutes} 分钟后再试，或联系管理员重置密码。",
            f"Too many failed logins; try again in {minutes} minutes or ask an administrator to reset the password.",
        )
        self.headers["Retry-After"] = str(max(retry_after, 1))


class AccountDisabled(Unauthorized):
    code = "account_disabled"
    title_zh = "账户已停用"
    title_en = "Account disabled"
    advice_zh = "账户或其所属机构已停用；请联系管理员恢复。"
    advice_en = "The account or its organisation is disabled; ask an administrator to reactivate it."

    def __init__(self) -> None:
        super().__init__("该账户已被停用，请联系管理员。", "This account has been disabled; contact an administrator.")


class InvalidToken(Unauthorized):
    code = "invalid_token"
    title_zh = "访问令牌无效"
    title_en = "Invalid access token"


class TokenExpired(Unauthorized):
    code = "token_expired"
    title_zh = "访问令牌已过期"
    title_en = "Access token expired"

    def __init__(self) -> None:
        super().__init__("访问令牌已过期，请重新登录。", "The access token has expired; log in again.")


class InvalidApiKey(Unauthorized):
    code = "invalid_api_key"
    title_zh = "API 密钥无效"
    title_en = "Invalid API key"

    def __init__(self) -> None:
        super().__init__("API 密钥无效。", "The API key is not valid.")


class ApiKeyRevoked(Unauthorized):
    code = "api_key_revoked"
    title_zh = "API 密钥已吊销"
    title_en = "API key revoked"
    advice_zh = "已吊销的密钥不能再用；请向管理员申请新的 API 密钥。"
    advice_en = "A revoked key never works again; ask an administrator for a new API key."

    def __init__(self) -> None:
        super().__init__("该 API 密钥已被吊销。", "This API key has been revoked.")


class ApiKeyExpired(Unauthorized):
    code = "api_key_expired"
    title_zh = "API 密钥已过期"
    title_en = "API key expired"
    advice_zh = "请向管理员申请新的 API 密钥。"
    advice_en = "Ask an administrator for a new API key."

    def __init__(self) -> None:
        super().__init__("该 API 密钥已过有效期。", "This API key has expired.")


class AmbiguousCredentials(Unauthorized):
    code = "ambiguous_credentials"
    title_zh = "凭据重复"
    title_en = "More than one credential"
    advice_zh = "只发送一种凭据：Authorization 头或 X-API-Key 头。"
    advice_en = "Send one credential only: the Authorization header or X-API-Key."

    def __init__(self) -> None:
        super().__init__(
            "请只提供一种凭据：Authorization 头或 X-API-Key 头。",
            "Send one credential only: either the Authorization header or X-API-Key.",
        )


class SelfLockout(Conflict):
    code = "self_lockout"
    title_zh = "不能停用自己或撤销自己的管理员角色"
    title_en = "You cannot disable yourself or drop your own admin role"
    advice_zh = "请另一位管理员来停用该账户或撤销其管理员角色。"
    advice_en = "Ask another administrator to do it."

    def __init__(self) -> None:
        super().__init__(
            "管理员不能停用自己的账户或撤销自己的管理员角色，请由另一位管理员操作。",
            "An administrator cannot disable their own account or remove their own admin role; "
            "ask another administrator.",
        )


class UnknownScope(ValidationFailed):
    """A well-formed scope that no service declares (``shared.scopes``): a key with it would open
    nothing, and a misspelt one would fail only when the agency first calls. Lists the known scopes."""

    code = "unknown_scope"
    title_zh = "未知的授权范围"
    title_en = "Unknown scope"
    advice_zh = "只使用 known_scopes 所列的授权范围（注意拼写）。"
    advice_en = "Use only the scopes listed in known_scopes (check the spelling)."

    def __init__(self, unknown: Sequence[str]) -> None:
        zh, en = scopes.unknown_message(unknown)
        super().__init__([field_error("scopes", self.code, zh, en)], zh, en)
        self.extra.update(unknown_scopes=list(unknown), known_scopes=list(scopes.SCOPES))


class FormRequired(UnsupportedMediaType):
    """OAuth2's token endpoint takes a form (RFC 6749 4.3.2), not JSON."""

    code = "form_required"
    title_zh = "请以表单提交"
    title_en = "The request must be a form"
    advice_zh = "以 application/x-www-form-urlencoded 表单发送 username 和 password。"
    advice_en = "Send username and password as an application/x-www-form-urlencoded form."

    def __init__(self) -> None:
        super().__init__(
            "登录接口按 OAuth2 规定接收表单（Content-Type: application/x-www-form-urlencoded），"
            "字段为 username（电子邮箱）和 password，不接收 JSON。",
            "As OAuth2 requires, this endpoint takes a form (Content-Type: application/x-www-form-urlencoded) "
            "with the fields username (the e-mail address) and password, not JSON.",
        )
