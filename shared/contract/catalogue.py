"""Every problem code of the platform: its status, its title in Chinese and English, and what the caller
should do about it. The entries are read from the ``AppError`` classes themselves; a class may give its own
advice (``advice_zh`` / ``advice_en``), otherwise its status's advice applies.

The catalogue is served at ``GET /api/v1/problems`` (from the services' documents, so that it holds what is
running) and written to ``docs/problems.md`` by ``kjt openapi``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from shared.errors import PROBLEM_TYPE_BASE, AppError
from shared.principal import PUBLIC

# What to do, by status, for a problem that says nothing more specific.
STATUS_ADVICE: dict[int, tuple[str, str]] = {
    400: (
        "按 detail 的说明改正请求；原样重发会得到同样的答复。",
        "Correct the request as the detail says; sent unchanged it gets the same answer.",
    ),
    401: (
        "重新登录取得新的访问令牌，或检查 API 密钥是否有效。",
        "Log in again for a new access token, or check that the API key is valid.",
    ),
    403: (
        "当前角色或密钥权限范围不允许此操作；请使用有权限的账号，或请管理员授予。",
        "The caller's role or key scope does not allow this; use an account that may, or ask an administrator.",
    ),
    404: (
        "检查编号；无权查看的记录同样答复为不存在。",
        "Check the id; a record the caller may not see is answered as not found too.",
    ),
    405: ("使用该地址支持的请求方法（见 Allow 头）。", "Use a method the URL supports (see the Allow header)."),
    409: (
        "重新读取资源，按其当前状态（status、allowed_actions）再决定下一步。",
        "Read the resource again and act on its current state (status, allowed_actions).",
    ),
    412: (
        "重新 GET 取得新的 ETag，确认改动仍然适用后，以新的 If-Match 重发。",
        "GET the resource for its new ETag, check the change still applies, and send it again with that If-Match.",
    ),
    413: ("缩小请求体（例如分批提交）。", "Send a smaller body (in batches, for example)."),
    415: ("以 application/json 发送请求体。", "Send the body as application/json."),
    422: (
        "按 errors 中列出的字段逐项改正后重发。",
        "Correct each field listed in errors and send the request again.",
    ),
    428: (
        "先 GET 资源，在 If-Match 头中带上其 ETag 后重发。",
        "GET the resource first and send its ETag in the If-Match header.",
    ),
    429: ("等待 Retry-After 秒后再试，并降低请求频率。", "Wait Retry-After seconds, then call less often."),
    500: (
        "稍后重试；如仍失败，请提供 X-Request-ID 联系运维。",
        "Retry later; if it persists, report the X-Request-ID to operations.",
    ),
    503: (
        "等待 Retry-After 秒后重试；POST 请带同一 Idempotency-Key 重试。",
        "Retry after Retry-After seconds; retry a POST with the same Idempotency-Key.",
    ),
    504: (
        "稍后重试；POST 请带同一 Idempotency-Key 重试，以免重复创建。",
        "Retry later; retry a POST with the same Idempotency-Key so that nothing is created twice.",
    ),
}
DEFAULT_ADVICE = STATUS_ADVICE[400]


class ProblemEntry(BaseModel):
    """One code of the catalogue. 错误码目录中的一项。"""

    model_config = ConfigDict(frozen=True)

    code: str = Field(description="the stable code, as in a problem's ``code``")
    status: int = Field(description="the HTTP status it comes with")
    title_zh: str
    title_en: str
    advice_zh: str = Field(description="调用方应如何处理")
    advice_en: str = Field(description="what the caller should do")
    type: str = Field(description="the problem's ``type`` URI")

    def as_json(self) -> dict[str, Any]:
        return self.model_dump()


class ProblemCatalogue(BaseModel):
    """Every problem code the platform answers with. 平台全部错误码。"""

    items: list[ProblemEntry]


def entry(problem: type[AppError]) -> ProblemEntry:
    zh, en = STATUS_ADVICE.get(problem.status, DEFAULT_ADVICE)
    return ProblemEntry(
        code=problem.code,
        status=problem.status,
        title_zh=problem.title_zh,
        title_en=problem.title_en,
        advice_zh=getattr(problem, "advice_zh", None) or zh,
        advice_en=getattr(problem, "advice_en", None) or en,
        type=PROBLEM_TYPE_BASE + problem.code.replace("_", "-"),
    )


def entries(problems: Iterable[type[AppError]]) -> list[ProblemEntry]:
    """One entry per code, ordered by status then code."""
    by_code = {p.code: entry(p) for p in problems}
    return sorted(by_code.values(), key=lambda e: (e.status, e.code))


def import_all(packages: Iterable[str]) -> None:
    """Import every module of ``packages`` so that every problem class is defined (for the full catalogue)."""
    for name in packages:
        package = importlib.import_module(name)
        for info in pkgutil.walk_packages(package.__path__, name + "."):
            importlib.import_module(info.name)


def all_problems() -> list[type[AppError]]:
    """Every ``AppError`` subclass defined so far (import the packages first, ``import_all``)."""
    out: list[type[AppError]] = []
    stack: list[type[AppError]] = [AppError]
    while stack:
        cls = stack.pop()
        out.append(cls)
        stack.extend(cls.__subclasses__())
    return out


def catalogue_router(source: Callable[[Request], Awaitable[list[dict[str, Any]]]]) -> APIRouter:
    """``GET /problems``: the catalogue ``source`` gives for a request (the gateway's, from the services'
    documents it merged), for anyone: it holds no data, only what the codes mean."""
    router = APIRouter(tags=["problems"])

    @router.get(
        "/problems",
        response_model=ProblemCatalogue,
        operation_id="problems-list",
        summary="Every problem code, what it means and what to do / 错误码目录",
        **PUBLIC,
    )
    async def problem_catalogue(request: Request) -> ProblemCatalogue:
        return ProblemCatalogue(items=[ProblemEntry.model_validate(e) for e in await source(request)])

    return router
