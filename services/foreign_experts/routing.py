"""The plain workflow actions every application resource of the service has: ``POST .../{id}/<action>``
with an optional comment and If-Match, answering the resource's Read schema (API.md "URLs"). Each action
``a_b`` is the URL segment ``a-b`` and the operation id ``<op>-a-b``.

No ``from __future__ import annotations`` here: the endpoint's annotations name the caller dependency and
body model given to ``add_action_routes`` and must be evaluated where they are defined."""

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts.deps import Env, Environment
from shared.concurrency import IfMatch
from shared.db import DbSession
from shared.errors import problem_responses
from shared.principal import Principal
from shared.schemas import Id

WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422)
# A report that spends more than was granted is a 400 (spent_exceeds_grant).
REPORT_ERRORS = problem_responses(400, 401, 403, 404, 409, 412, 422)
Act = Callable[[AsyncSession, Principal, int, str, str | None, str | None, Environment], Awaitable[Any]]
Read = Callable[[AsyncSession, Response, Any, Principal, Environment], Awaitable[Any]]


def add_action_routes(
    router: APIRouter,
    *,
    path: str,
    op: str,
    actions: Mapping[str, tuple[str, str]],
    caller: Any,
    body: type,
    act: Act,
    read: Read,
    response_model: type,
) -> None:
    """One route per action of ``actions`` (action → (English summary, Chinese summary))."""
    for action, (en, zh) in actions.items():
        _add(router, path, op, action, f"{en} / {zh}", caller, body, act, read, response_model)


def _add(
    router: APIRouter,
    path: str,
    op: str,
    action: str,
    summary: str,
    caller: Any,
    body_model: type,
    act: Act,
    read: Read,
    response_model: type,
) -> None:
    async def endpoint(
        application_id: Id,
        session: DbSession,
        who: caller,
        env: Env,
        response: Response,
        body: body_model | None = None,  # type: ignore[valid-type]
        if_match: IfMatch = None,
    ) -> Any:
        record = await act(session, who, application_id, action, getattr(body, "comment", None), if_match, env)
        return await read(session, response, record, who, env)

    segment = action.replace("_", "-")
    router.add_api_route(
        f"{path}/{{application_id}}/{segment}",
        endpoint,
        methods=["POST"],
        response_model=response_model,
        operation_id=f"{op}-{segment}",
        summary=summary,
        responses=WRITE_ERRORS,
    )
