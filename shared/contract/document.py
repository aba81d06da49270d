"""The OpenAPI document tells the whole contract (docs/api-conventions.md "Problems" and "Headers").

``describe`` completes the document FastAPI generates for an app:

- every operation's problem responses, by status, each listing its codes with their titles (the
  ``code`` property's ``enum``, and a list in the description). The codes are the
  ones ``shared.contract.raises`` finds in the route's code, plus those the platform's middleware adds
  (``framework_problems``);
- the headers: ``Idempotency-Key`` on every POST of a service (the middleware honours it on all of
  them), ``If-Match`` marked required where a 428 can answer, ``ETag`` on the success response of a
  route that sets one, ``Idempotent-Replayed`` on a replay, ``Retry-After`` on a 429 or 503;
- ``x-kjt-problems``: the catalogue entry of every code the document uses, from which the gateway
  serves ``GET /api/v1/problems``.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import routing

from shared.contract.catalogue import entries
from shared.contract.raises import ProblemReader, route_callables
from shared.errors import (
    PROBLEM_MEDIA_TYPE,
    AppError,
    BadRequest,
    IdempotencyInProgress,
    IdempotencyKeyReused,
    InvalidCharacters,
    InvalidInternalToken,
    InvalidValue,
    PayloadTooLarge,
    ValidationFailed,
)

PROBLEM_REF = "#/components/schemas/Problem"
CATALOGUE_KEY = "x-kjt-problems"
ETAG_SETTERS = frozenset({"shared.concurrency.set_etag"})
STATUS_TITLES: dict[int, tuple[str, str]] = {
    400: ("请求有误", "Bad request"),
    401: ("未认证或凭据无效", "Missing or invalid credentials"),
    403: ("无权执行此操作", "Not allowed"),
    404: ("资源不存在", "Not found"),
    405: ("不支持该请求方法", "Method not allowed"),
    409: ("与当前状态冲突", "Conflict with the current state"),
    412: ("资源已被他人修改", "The resource has changed"),
    413: ("请求体过大", "Request body too large"),
    415: ("不支持的内容类型", "Unsupported media type"),
    422: ("提交的数据未通过校验", "The submitted data is not valid"),
    428: ("缺少 If-Match 请求头", "If-Match header required"),
    429: ("请求过于频繁", "Too many requests"),
    500: ("服务器内部错误", "Internal server error"),
    502: ("上游服务答复无效", "Bad gateway"),
    503: ("服务暂不可用", "Service unavailable"),
    504: ("上游服务响应超时", "Upstream timeout"),
}
HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": "The version of the record answered; send it as If-Match to change it, or as "
        "If-None-Match to be answered 304 while it is unchanged. 记录的版本标识。",
        "schema": {"type": "string", "examples": ['"application-6-v2"']},
    },
    "Idempotent-Replayed": {
        "description": "true when this is the stored answer to an earlier request with the same "
        "Idempotency-Key. 以相同幂等键重放的答复。",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again. 重试前应等待的秒数。",
        "schema": {"type": "integer", "minimum": 0},
    },
}
IDEMPOTENCY_KEY_PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Any unique string (a UUID): the same key with the same body within 24 hours answers the first "
        "response again (Idempotent-Replayed: true) and creates nothing new; with another body it is a 409. "
        "幂等键：24 小时内相同键与相同请求体只执行一次。"
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[\\x21-\\x7e]+$"},
}

_READER = ProblemReader()  # one per process: routers are module objects, so every app shares the reading


def framework_problems(route: Any, *, service: bool) -> set[type[AppError]]:
    """What the platform's middleware and FastAPI answer besides the route's own code: a NUL in the URL
    (400), a body that is not JSON (400) or too large (413), a value that fails its schema (422) or that
    the database cannot hold (400), and on a service a principal token that is missing or bad (401) and the
    idempotency checks of a POST."""
    out: set[type[AppError]] = {InvalidCharacters}
    dependant = route.dependant
    params = [*dependant.path_params, *dependant.query_params, *dependant.header_params, *dependant.cookie_params]
    if route.body_field is not None:
        out |= {BadRequest, PayloadTooLarge}
    if params or route.body_field is not None:
        # a value its schema refuses (422), or one the database cannot hold that slipped through (400)
        out |= {ValidationFailed, InvalidValue}
    if service:
        out.add(InvalidInternalToken)
        if "POST" in (route.methods or ()):
            out |= {BadRequest, IdempotencyKeyReused, IdempotencyInProgress}
    return out


@dataclass(frozen=True)
class OperationContract:
    """What one operation can answer: its problems, and whether it sets an ETag."""

    problems: frozenset[type[AppError]]
    sets_etag: bool


def operation_contracts(
    routes: Sequence[Any], *, service: bool, extra: Callable[[Any], set[type[AppError]]] | None = None
) -> dict[tuple[str, str], OperationContract]:
    """Every documented operation of ``routes``, by (method, path template)."""
    out: dict[tuple[str, str], OperationContract] = {}
    for context in routing.iter_route_contexts(routes):
        route = context.original_route
        if not isinstance(route, routing.APIRoute) or not route.include_in_schema:
            continue
        problems, reached = _READER.problems(route_callables(context))
        problems |= framework_problems(context, service=service)
        if extra is not None:
            problems |= extra(context)
        contract = OperationContract(frozenset(problems), bool(reached & ETAG_SETTERS))
        for method in context.methods or ():
            out[(method.upper(), str(context.path_format or context.path))] = contract
    return out


def describe(
    document: dict[str, Any],
    routes: Sequence[Any],
    *,
    service: bool,
    extra: Callable[[Any], set[type[AppError]]] | None = None,
) -> dict[str, Any]:
    """Complete ``document`` (FastAPI's, for ``routes``) in place, and return it."""
    used: set[type[AppError]] = set()
    paths = document.get("paths", {})
    for (method, path), contract in operation_contracts(routes, service=service, extra=extra).items():
        operation = (paths.get(path) or {}).get(method.lower())
        if isinstance(operation, dict):
            _describe_operation(operation, method, contract, service=service)
            used |= contract.problems
    document[CATALOGUE_KEY] = [e.as_json() for e in entries(used)]
    document.setdefault("components", {}).setdefault("headers", {}).update(HEADERS)
    return share_problem_responses(document)


def header_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name}"}


def _describe_operation(operation: dict[str, Any], method: str, contract: OperationContract, *, service: bool) -> None:
    problems, sets_etag = contract.problems, contract.sets_etag
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status in [s for s, r in responses.items() if _is_problem_response(r)]:
        del responses[status]
    responses.update(problem_responses(problems))
    for status, response in responses.items():
        if status.startswith("2") and isinstance(response, dict):
            headers = response.setdefault("headers", {})
            if sets_etag:
                headers["ETag"] = header_ref("ETag")
            if service and method == "POST":
                headers["Idempotent-Replayed"] = header_ref("Idempotent-Replayed")
            if not headers:
                del response["headers"]
    parameters: list[dict[str, Any]] = operation.setdefault("parameters", [])
    if any(p.status == 428 for p in problems):
        for parameter in parameters:
            if parameter.get("in") == "header" and str(parameter.get("name", "")).lower() == "if-match":
                parameter["required"] = True
                parameter["schema"] = {"type": "string"}
                parameter["description"] = (
                    "Required: the ETag from your last GET of the record (a 428 without it, a 412 when "
                    "it is stale). 必填：最近一次读取得到的 ETag。"
                )
    if service and method == "POST" and not any(p.get("name") == "Idempotency-Key" for p in parameters):
        parameters.append(dict(IDEMPOTENCY_KEY_PARAMETER))
    if not parameters:
        del operation["parameters"]


def _is_problem_response(response: Any) -> bool:
    return isinstance(response, dict) and PROBLEM_MEDIA_TYPE in (response.get("content") or {})


def problem_responses(problems: Iterable[type[AppError]]) -> dict[str, Any]:
    """The ``responses`` entries of these problems: one per status, listing its codes."""
    by_status: dict[int, dict[str, type[AppError]]] = {}
    for problem in problems:
        by_status.setdefault(problem.status, {}).setdefault(problem.code, problem)
    out: dict[str, Any] = {}
    for status in sorted(by_status):
        codes = dict(sorted(by_status[status].items()))
        zh, en = STATUS_TITLES.get(status, ("问题", "Problem"))
        lines = [f"- `{code}`: {p.title_zh} / {p.title_en}" for code, p in codes.items()]
        response: dict[str, Any] = {
            "description": f"{en} / {zh}\n\n" + "\n".join(lines),
            "content": {
                PROBLEM_MEDIA_TYPE: {
                    "schema": {
                        "allOf": [{"$ref": PROBLEM_REF}],
                        "properties": {"code": {"type": "string", "enum": list(codes)}},
                    },
                }
            },
        }
        if status in (429, 503):
            response["headers"] = {"Retry-After": header_ref("Retry-After")}
        out[str(status)] = response
    return out


def declared_codes(operation: dict[str, Any], document: dict[str, Any] | None = None) -> dict[int, set[str]]:
    """The problem codes an operation of a described ``document`` declares, by status."""
    out: dict[int, set[str]] = {}
    shared = ((document or {}).get("components") or {}).get("responses") or {}
    for status, response in (operation.get("responses") or {}).items():
        if isinstance(response, dict) and "$ref" in response:
            response = shared.get(response["$ref"].rsplit("/", 1)[-1], response)
        if not _is_problem_response(response):
            continue
        schema = response["content"][PROBLEM_MEDIA_TYPE].get("schema") or {}
        codes = ((schema.get("properties") or {}).get("code") or {}).get("enum") or []
        out[int(status)] = set(codes)
    return out


def add_problems(operation: dict[str, Any], problems: Iterable[type[AppError]]) -> None:
    """Add ``problems`` to an operation ``describe`` has completed (the gateway's own problems on a proxied
    operation), merging their codes into the responses of their status."""
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status, response in problem_responses(problems).items():
        present = responses.get(status)
        if not isinstance(present, dict) or not _is_problem_response(present):
            responses[status] = response
            continue
        media = present["content"][PROBLEM_MEDIA_TYPE]
        new_media = response["content"][PROBLEM_MEDIA_TYPE]
        enum = media.setdefault("schema", {}).setdefault("properties", {}).setdefault("code", {}).setdefault("enum", [])
        lines = present.get("description", "").split("\n")
        for code in new_media["schema"]["properties"]["code"]["enum"]:
            if code in enum:
                continue
            enum.append(code)
            lines.append(next(line for line in response["description"].split("\n") if line.startswith(f"- `{code}`")))
        enum.sort()
        head, _, _ = "\n".join(lines).partition("\n\n")
        items = sorted(line for line in lines if line.startswith("- `"))
        present["description"] = head + "\n\n" + "\n".join(items)
        for name, header in (response.get("headers") or {}).items():
            present.setdefault("headers", {})[name] = header


def drop_problems(operation: dict[str, Any], codes: Iterable[str]) -> None:
    """Remove ``codes`` from an operation's problem responses (a response left with none goes)."""
    gone = set(codes)
    responses: dict[str, Any] = operation.get("responses") or {}
    for status in list(responses):
        response = responses[status]
        if not _is_problem_response(response):
            continue
        media = response["content"][PROBLEM_MEDIA_TYPE]
        enum = ((media.get("schema") or {}).get("properties") or {}).get("code", {}).get("enum")
        if not enum or not gone & set(enum):
            continue
        enum[:] = [code for code in enum if code not in gone]
        if not enum:
            del responses[status]
            continue
        response["description"] = "\n".join(
            line for line in response["description"].split("\n") if not any(line.startswith(f"- `{c}`") for c in gone)
        )


def add_response_headers(operation: dict[str, Any], headers: dict[str, Any], statuses: Callable[[str], bool]) -> None:
    """Declare ``headers`` on the responses of an operation whose status ``statuses`` accepts."""
    for status, response in (operation.get("responses") or {}).items():
        if isinstance(response, dict) and statuses(status):
            response.setdefault("headers", {}).update(headers)


RATE_LIMIT_HEADERS: dict[str, dict[str, Any]] = {
    "RateLimit-Limit": {
        "description": "Calls allowed in the current window. 当前时间窗内允许的调用次数。",
        "schema": {"type": "integer"},
    },
    "RateLimit-Remaining": {
        "description": "Calls left in the current window. 当前时间窗内剩余的调用次数。",
        "schema": {"type": "integer"},
    },
    "RateLimit-Reset": {
        "description": "Seconds until the quota is full again. 配额恢复前的秒数。",
        "schema": {"type": "integer"},
    },
}


def behind_gateway(document: dict[str, Any], problems: Iterable[type[AppError]]) -> dict[str, Any]:
    """A described document as callers of the gateway meet it: every ``/api/v1`` operation also answers the
    gateway's ``problems`` (its credentials, its rate limit, and for a proxied service an unreachable or slow
    one) and carries the ``RateLimit-*`` headers; the internal-token problem is the gateway's business with
    its services, never the caller's, and is left out (the gateway's own routes share the services' principal
    dependencies, which the reading sees raise it, but the gateway always sets the principal first).
    ``document`` is changed in place and returned."""
    problems = list(problems)
    used = {e["code"]: e for e in document.get(CATALOGUE_KEY) or []}
    headers = {name: header_ref(name) for name in RATE_LIMIT_HEADERS}
    inline_problem_responses(document)
    for path, item in (document.get("paths") or {}).items():
        if not path.startswith("/api/v1/") or not isinstance(item, dict):
            continue
        for method, operation in item.items():
            if method not in METHODS or not isinstance(operation, dict):
                continue
            with_body = [p for p in problems if p.status != 413 or "requestBody" in operation]
            drop_problems(operation, [InvalidInternalToken.code])
            add_problems(operation, with_body)
            # every answer carries them; declared where a client reads them: a success and a 429
            add_response_headers(operation, headers, lambda status: status[0] == "2" or status == "429")
    used.pop(InvalidInternalToken.code, None)
    used.update({e.code: e.as_json() for e in entries(problems)})
    document[CATALOGUE_KEY] = sorted(used.values(), key=lambda e: (e["status"], e["code"]))
    document.setdefault("components", {}).setdefault("headers", {}).update({**HEADERS, **RATE_LIMIT_HEADERS})
    return share_problem_responses(document)


def reachable_problems(*callables: Any) -> set[type[AppError]]:
    """The problems the code of ``callables`` can raise (``shared.contract.raises``)."""
    return _READER.problems(callables)[0]


SHARED_RESPONSE_PREFIX = "Problems"


def share_problem_responses(document: dict[str, Any]) -> dict[str, Any]:
    """Move each problem response that several operations declare alike into ``components.responses``
    and refer to it there (most operations answer the same 401s: the document stays small)."""
    seen: dict[str, list[tuple[dict[str, Any], str]]] = {}
    for operation in _operations(document):
        for status, response in (operation.get("responses") or {}).items():
            if _is_problem_response(response):
                text = json.dumps(response, sort_keys=True, ensure_ascii=False)
                seen.setdefault(text, []).append((operation, status))
    shared = document.setdefault("components", {}).setdefault("responses", {})
    for text, uses in seen.items():
        if len(uses) < 2:
            continue
        status = uses[0][1]
        name = f"{SHARED_RESPONSE_PREFIX}{status}-{hashlib.sha256(text.encode()).hexdigest()[:10]}"
        shared[name] = json.loads(text)
        for operation, code in uses:
            operation["responses"][code] = {"$ref": f"#/components/responses/{name}"}
    if not shared:
        del document["components"]["responses"]
    return document


def inline_problem_responses(document: dict[str, Any]) -> dict[str, Any]:
    """The reverse of ``share_problem_responses``: every problem response written out in its operation."""
    shared = (document.get("components") or {}).get("responses") or {}
    for operation in _operations(document):
        for status, response in (operation.get("responses") or {}).items():
            ref = response.get("$ref", "") if isinstance(response, dict) else ""
            name = ref.rsplit("/", 1)[-1]
            if ref.startswith("#/components/responses/") and name.startswith(SHARED_RESPONSE_PREFIX):
                operation["responses"][status] = copy.deepcopy(shared[name])
    for name in [n for n in shared if n.startswith(SHARED_RESPONSE_PREFIX)]:
        del shared[name]
    return document


def _operations(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for item in (document.get("paths") or {}).values():
        if isinstance(item, dict):
            for method, operation in item.items():
                if method in METHODS and isinstance(operation, dict):
                    yield operation


METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})
