"""Domain errors rendered as RFC 9457 problem+json, in zh-CN or en.

A service raises an ``AppError`` subclass with a stable ``code``; the one handler installed by
``shared.error_handlers.install_error_handlers`` renders it. No stack trace, SQL or host name ever
reaches a client. This module imports no web framework nor database, so pure rules raise these too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

PROBLEM_TYPE_BASE = "https://kjt.jl.gov.cn/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"


def negotiate_language(accept_language: str | None) -> str:
    """``en`` when the client prefers English, otherwise ``zh-CN`` (the platform is Chinese-first)."""
    if not accept_language:
        return "zh-CN"
    best, best_q = "zh-CN", -1.0
    for part in accept_language.split(",")[:20]:
        lang, _, params = part.strip().partition(";")
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        tag = lang.strip().lower()
        if tag.startswith("en") and q > best_q:
            best, best_q = "en", q
        elif tag.startswith("zh") and q > best_q:
            best, best_q = "zh-CN", q
    return best


class AppError(Exception):
    """A problem a client can cause or must be told about. Subclasses set the class attributes."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    title_zh: ClassVar[str] = "请求有误"
    title_en: ClassVar[str] = "Bad request"

    def __init__(
        self,
        detail_zh: str | None = None,
        detail_en: str | None = None,
        *,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.detail_zh = detail_zh
        self.detail_en = detail_en if detail_en is not None else detail_zh
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})
        super().__init__(self.detail_en or self.code)

    def to_problem(self, lang: str, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.code.replace("_", "-"),
            "title": self.title_en if lang == "en" else self.title_zh,
            "status": self.status,
            "code": self.code,
        }
        detail = self.detail_en if lang == "en" else self.detail_zh
        if detail:
            body["detail"] = detail
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


class BadRequest(AppError):
    pass


class InvalidValue(BadRequest):
    code = "invalid_value"
    title_zh = "数值超出范围或格式无效"
    title_en = "A value is out of range or malformed"


class InvalidCharacters(BadRequest):
    code = "invalid_characters"
    title_zh = "请求含有不允许的字符"
    title_en = "The request contains characters that are not allowed"
    advice_zh = "去掉网址中的 NUL 字符（%00）后重发。"
    advice_en = "Remove NUL characters (%00) from the URL and send it again."


def field_error(field: str, code: str, zh: str, en: str) -> dict[str, str]:
    """One entry of a ``ValidationFailed``'s ``errors``, its message in both languages; the problem
    shows the one the request asked for."""
    return {"field": field, "code": code, "message_zh": zh, "message_en": en}


def localized_field_error(error: Mapping[str, str], lang: str) -> dict[str, str]:
    """``{field, code, message}`` in ``lang`` (an entry with one ``message`` shows it in both)."""
    key = "message_en" if lang == "en" else "message_zh"
    return {
        "field": error.get("field", ""),
        "code": error.get("code", ""),
        "message": error.get(key) or error.get("message", ""),
    }


class ValidationFailed(AppError):
    """A 422 listing its ``errors`` as ``[{field, code, message}]``; each entry is made by ``field_error``
    (or ``shared.i18n.field_errors`` from pydantic's errors), so its message follows the request."""

    status = 422
    code = "validation_failed"
    title_zh = "提交的数据未通过校验"
    title_en = "The submitted data is not valid"

    def __init__(
        self, errors: Sequence[Mapping[str, str]], detail_zh: str | None = None, detail_en: str | None = None
    ) -> None:
        super().__init__(detail_zh, detail_en, extra={"errors": [dict(e) for e in errors]})

    def to_problem(self, lang: str, instance: str | None = None) -> dict[str, Any]:
        body = super().to_problem(lang, instance)
        body["errors"] = [localized_field_error(e, lang) for e in self.extra["errors"]]
        return body


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"
    title_zh = "未认证或凭据无效"
    title_en = "Missing or invalid credentials"

    def __init__(self, detail_zh: str | None = None, detail_en: str | None = None) -> None:
        super().__init__(detail_zh, detail_en, headers={"WWW-Authenticate": "Bearer"})


class InvalidInternalToken(Unauthorized):
    code = "invalid_internal_token"
    title_zh = "内部身份令牌无效或已过期"
    title_en = "The internal principal token is missing, invalid or expired"
    advice_zh = "请通过网关（/api/v1/…）访问，不要直接调用服务。"
    advice_en = "Call through the gateway (/api/v1/...), not the service directly."


class Forbidden(AppError):
    status = 403
    code = "forbidden"
    title_zh = "无权执行此操作"
    title_en = "Not allowed"


class NotFound(AppError):
    status = 404
    code = "not_found"
    title_zh = "资源不存在"
    title_en = "Not found"


class MethodNotAllowed(AppError):
    status = 405
    code = "method_not_allowed"
    title_zh = "不支持该请求方法"
    title_en = "Method not allowed"


class Conflict(AppError):
    status = 409
    code = "conflict"
    title_zh = "与当前状态冲突"
    title_en = "Conflict with the current state"


class Duplicate(Conflict):
    code = "duplicate"
    title_zh = "记录已存在"
    title_en = "Already exists"


class InvalidTransition(Conflict):
    code = "invalid_transition"
    title_zh = "当前状态下不允许该操作"
    title_en = "Action not allowed in the current state"

    def __init__(self, action: str, state: str, allowed: Sequence[str]) -> None:
        super().__init__(
            f"状态“{state}”下不能执行“{action}”。可执行的操作：{'、'.join(allowed) or '无'}。",
            f"'{action}' is not allowed in state '{state}'. Allowed: {', '.join(allowed) or 'none'}.",
            extra={"state": state, "action": action, "allowed_actions": list(allowed)},
        )


class Debarred(Conflict):
    """PRJ-5: an active research-integrity debarment blocks submission to any programme, the
    foundation and talent programmes; every service refuses with this one code."""

    code = "debarred"
    title_zh = "存在有效的科研诚信处理（取消申报资格）"
    title_en = "Debarred by an active research-integrity record"
    advice_zh = "诚信处理期（见 debarments 中的 ends_on）结束前不能申报；如认为记录有误，请联系科技厅核实。"
    advice_en = (
        "Nothing can be submitted until the debarment ends (ends_on in debarments); ask the department if it is wrong."
    )


# --- problems of more than one service: one definition each -----------------------------------------


class ApplicationNotEditable(Conflict):
    code = "application_not_editable"
    title_zh = "当前状态下申请不能修改"
    title_en = "The application cannot be edited in its current state"
    advice_zh = "申请只在草稿或被退回时可由申请方修改；已提交的请等待退回，或在允许时撤回后重新申报。"
    advice_en = (
        "Only the applicant edits a draft or returned application; once submitted, wait for its return or withdraw it."
    )


class ApplicationNotRanked(Conflict):
    code = "application_not_ranked"
    title_zh = "申请没有排名"
    title_en = "An application is not ranked"
    advice_zh = "去掉 application_ids 所列的申请：它们没有排名（通常是有效评审不足，NSF-4）。"
    advice_en = (
        "Leave out the applications in application_ids: they have no rank (usually too few valid reviews, NSF-4)."
    )


class CallNotEditable(Conflict):
    code = "call_not_editable"
    title_zh = "申报指南（计划）已不能修改"
    title_en = "The call can no longer be edited"
    advice_zh = "申报指南发布后（外专计划为关闭后）不能再修改；如需调整，请另行发布新的指南。"
    advice_en = (
        "A call is fixed once published (a foreign-experts call once closed); publish a new call for any change."
    )


class OrgKindNotAllowed(AppError):
    """A call or programme admits some kinds of organisation (projects' calls, talent programmes)."""

    status = 422
    code = "org_kind_not_allowed"
    title_zh = "申报单位类型不在允许范围内"
    title_en = "The applicant organisation's kind is not admitted"
    advice_zh = "只受理 allowed 所列类型的单位（科技计划中信用代码首位为9的按企业计），请以这类单位申报。"
    advice_en = (
        "Apply with an organisation of a kind in allowed (in the S&T plans a credit code starting with 9 counts as "
        "an enterprise)."
    )


class CallNotOpen(Conflict):
    code = "call_not_open"
    title_zh = "不在申报期内"
    title_en = "The call is not open for applications"
    advice_zh = "在答复所示的申报期内提交：未开始的请等到开始，已截止的请等待下一期。"
    advice_en = (
        "Apply within the window the answer gives: wait for it to open, or for the next call once it has passed."
    )


class LimitExceeded(Conflict):
    """PRJ-1 / NSF-5: the person already holds as many applications and projects as the rule allows."""

    code = "limit_exceeded"
    title_zh = "超出限项规定"
    title_en = "Over the limit on concurrent applications and projects"
    advice_zh = "见答复所列限项及计入的项目：撤回其中尚可撤回的申请，或待在研项目结题（每年限项则待下一年度）后再申报。"
    advice_en = (
        "See the limits and items counted: withdraw an application listed, or wait for a project to end or a new year."
    )


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    title_zh = "幂等键已用于另一请求"
    title_en = "Idempotency key already used for another request"
    advice_zh = "内容不同的请求请使用新的幂等键；同一键只用于重试完全相同的请求。"
    advice_en = "Use a new Idempotency-Key for a different request; reuse a key only to retry the very same request."


class IdempotencyInProgress(Conflict):
    code = "idempotency_in_progress"
    title_zh = "相同幂等键的请求正在处理"
    title_en = "A request with this idempotency key is still in progress"
    advice_zh = "等待 Retry-After 秒后以同一幂等键重试，即可得到首个请求的答复。"
    advice_en = "Wait Retry-After seconds and retry with the same key to get the first request's answer."


class PreconditionFailed(AppError):
    status = 412
    code = "precondition_failed"
    title_zh = "与资源的当前版本不符"
    title_en = "Not the resource's current version"


class PreconditionRequired(AppError):
    status = 428
    code = "precondition_required"
    title_zh = "缺少 If-Match 请求头"
    title_en = "If-Match header required"


class PayloadTooLarge(AppError):
    status = 413
    code = "payload_too_large"
    title_zh = "请求体过大"
    title_en = "Request body too large"


class UnsupportedMediaType(AppError):
    status = 415
    code = "unsupported_media_type"
    title_zh = "不支持的内容类型"
    title_en = "Unsupported media type"


class TooManyRequests(AppError):
    status = 429
    code = "rate_limited"
    title_zh = "请求过于频繁"
    title_en = "Too many requests"


class DependencyUnavailable(AppError):
    status = 503
    code = "dependency_unavailable"
    title_zh = "依赖的服务暂不可用"
    title_en = "A dependency is unavailable"

    def __init__(self, dependency: str, retry_after: int = 5) -> None:
        super().__init__(
            f"依赖的服务“{dependency}”暂时不可用，请稍后重试。",
            f"The dependency '{dependency}' is unavailable; retry later.",
            extra={"dependency": dependency},
            headers={"Retry-After": str(retry_after)},
        )


class GatewayTimeout(AppError):
    status = 504
    code = "upstream_timeout"
    title_zh = "上游服务响应超时"
    title_en = "The upstream service timed out"


class InternalError(AppError):
    status = 500
    code = "internal_error"
    title_zh = "服务器内部错误"
    title_en = "Internal server error"


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries declaring problem+json errors of an operation."""
    titles = {
        400: "Bad request",
        401: "Missing or invalid credentials",
        403: "Not allowed",
        404: "Not found",
        409: "Conflict",
        412: "Stale If-Match",
        413: "Body too large",
        422: "Validation failed",
        428: "If-Match required",
        429: "Rate limited",
        503: "A dependency is down",
        504: "Upstream timeout",
    }
    return {
        s: {
            "description": titles.get(s, "Problem"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for s in statuses
    }
