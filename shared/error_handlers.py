"""The handlers that render every error as RFC 9457 problem+json (``shared.errors`` defines the
problems themselves): domain errors, payload validation, Starlette's HTTP errors and anything
unexpected, which is logged and answered as a plain 500."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse, Response

from shared.errors import (
    PROBLEM_MEDIA_TYPE,
    AppError,
    BadRequest,
    Forbidden,
    InternalError,
    InvalidValue,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
    localized_field_error,
    negotiate_language,
)
from shared.i18n import field_errors

log = logging.getLogger("kjt.errors")


# Told of every problem answered, with its request: the test suite checks each against the codes the
# operation declares in the OpenAPI document (tests/contract_check.py).
problem_observers: list[Callable[[Request | None, AppError], None]] = []


def _tell_observers(request: Request | None, error: AppError) -> None:
    for observe in problem_observers:
        observe(request, error)


# The observers answer no caller: the contract's reading of the code (shared/contract) stops here.
_tell_observers.__problem_opaque__ = True  # type: ignore[attr-defined]


def localize_errors(problem: dict[str, Any], lang: str) -> dict[str, Any]:
    """``problem`` with each entry of its ``errors`` made by ``field_error`` showing its message in
    ``lang``: a 422 of a domain rule (not a ``ValidationFailed``, which renders its own) that lists the
    fields at fault carries them in both languages, and keeps any other key of an entry."""
    errors = problem.get("errors")
    if isinstance(errors, list):
        problem["errors"] = [
            {
                **{k: v for k, v in e.items() if k not in ("message_zh", "message_en")},
                **localized_field_error(e, lang),
            }
            if isinstance(e, Mapping) and ("message_zh" in e or "message_en" in e)
            else e
            for e in errors
        ]
    return problem


def problem_response(request: Request | None, error: AppError, lang: str | None = None) -> Response:
    _tell_observers(request, error)
    if lang is None:
        lang = negotiate_language(request.headers.get("accept-language") if request else None)
    instance = request.url.path if request else None
    headers = dict(error.headers)  # X-Request-ID is added by RequestContextMiddleware, once
    return JSONResponse(
        localize_errors(error.to_problem(lang, instance), lang),
        status_code=error.status,
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """The request's field errors, each in both languages (``shared.i18n``); the problem shows one."""
    return field_errors(exc.errors())


async def _app_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return problem_response(request, exc)


async def _validation_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = validation_errors(exc)
    if any(e["code"] == "json_invalid" for e in errors):
        return problem_response(request, BadRequest("请求体不是有效的 JSON。", "The request body is not valid JSON."))
    return problem_response(request, ValidationFailed(errors))


_HTTP_ERRORS: dict[int, type[AppError]] = {
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    429: TooManyRequests,
}


async def _http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    cls = _HTTP_ERRORS.get(exc.status_code)
    if cls is not None:
        return problem_response(request, cls())
    if 400 <= exc.status_code < 500:
        err = BadRequest()
        err.status = exc.status_code  # type: ignore[misc]
        return problem_response(request, err)
    return problem_response(request, InternalError())


def _is_bad_value(exc: BaseException) -> bool:
    """Errors that only a value out of the database's range can cause (a safety net: schemas bound
    their numbers, but a number that slips through must still be a 400, never a 500)."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        # asyncpg reports an out-of-range parameter as its own DataError under a DBAPIError
        if isinstance(seen, OverflowError | sa_exc.DataError) or type(seen).__name__ == "DataError":
            return True
        seen = seen.__cause__ or seen.__context__
    return False


async def _unhandled(request: Request, exc: Exception) -> Response:
    if isinstance(exc, ClientDisconnect):
        # The client went away mid-body (often an upload cut off for size): nobody reads this answer.
        log.info("client disconnected during %s %s", request.method, request.url.path)
        return problem_response(request, BadRequest("客户端已断开连接。", "The client disconnected."))
    if _is_bad_value(exc):
        return problem_response(
            request,
            InvalidValue(
                "请求中的数值超出允许范围或格式无效。", "A value in the request is out of range or malformed."
            ),
        )
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(request, InternalError())


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_exception_handler)
    app.add_exception_handler(Exception, _unhandled)
