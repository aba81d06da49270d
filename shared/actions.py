"""Plain workflow actions as routes (docs/api-conventions.md "URLs"): ``POST {path}/{id}/<action>`` with an
optional comment body and ``If-Match``, answering the resource's Read schema. Every service mounts them with
``add_action_routes``: the action ``a_b`` is the URL segment ``a-b`` and the operation id ``<op>-a-b``, so
no path carries an underscore and a client that learned one resource's actions knows them all.

The router gives what differs between resources: the path parameter's name, the caller dependency (the
coarse role gate), an optional context dependency handed to ``act`` and ``read`` (a service's environment,
its clock), the body model, and the errors each action declares. An action with a body of its own (reasons,
amounts) is an ordinary route next to these.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from shared.concurrency import IfMatch
from shared.db import DbSession
from shared.errors import problem_responses
from shared.principal import Principal
from shared.schemas import CommentBody, Id

RecordT = TypeVar("RecordT")
ContextT = TypeVar("ContextT")

Responses = Mapping[int | str, dict[str, Any]]

# What an action can answer besides its resource: no or bad credentials, a role or record not allowed,
# not found (or not yours), an illegal move, a stale If-Match, a bad body or a comment the move requires.
ACTION_ERRORS: dict[int | str, dict[str, Any]] = problem_responses(401, 403, 404, 409, 412, 422)


@dataclass(frozen=True, slots=True)
class Action:
    """One action's summary, in English and Chinese (shown as ``en / zh``), and the errors it declares when
    they are not the routes' default."""

    en: str
    zh: str
    responses: Responses | None = None


# act(session, caller, record id, action, comment, If-Match, context) moves the record and returns it;
# read(session, response, record, caller, context) sets the ETag and returns the Read schema (or an awaitable).
Act = Callable[[AsyncSession, Principal, int, str, str | None, str | None, ContextT], Awaitable[RecordT]]
Read = Callable[[AsyncSession, Response, RecordT, Principal, ContextT], Any]


def add_action_routes(
    router: APIRouter,
    *,
    path: str,
    op: str,
    actions: Mapping[str, Action | tuple[str, str]],
    caller: Any,
    act: Act[ContextT, RecordT],
    read: Read[RecordT, ContextT],
    response_model: type[BaseModel],
    responses: Responses = ACTION_ERRORS,
    id_param: str = "application_id",
    context: Any = None,
    body: type[BaseModel] = CommentBody,
) -> None:
    """One ``POST {path}/{{id_param}}/<action>`` per entry of ``actions`` (action → ``Action`` or
    ``(en, zh)``), in their order.

    ``caller`` and ``context`` are dependency annotations (``Annotated[X, Depends(...)]``); without a
    ``context``, ``act`` and ``read`` get ``None``. ``responses`` are the errors every action declares
    (default ``ACTION_ERRORS``) unless its ``Action`` names its own."""
    if not id_param.isidentifier() or id_param in _RESERVED:
        raise ValueError(f"{id_param!r} cannot name the path parameter")
    for action, entry in actions.items():
        spec = entry if isinstance(entry, Action) else Action(*entry)
        segment = action.replace("_", "-")
        operation_id = f"{op}-{segment}"
        router.add_api_route(
            f"{path}/{{{id_param}}}/{segment}",
            _endpoint(action, id_param, caller, context, body, act, read),
            methods=["POST"],
            response_model=response_model,
            operation_id=operation_id,
            summary=f"{spec.en} / {spec.zh}",
            responses=dict(responses if spec.responses is None else spec.responses),
            name=operation_id,
        )


_RESERVED = frozenset({"session", "caller", "context", "response", "body", "if_match"})


def _endpoint(
    action: str,
    id_param: str,
    caller: Any,
    context: Any,
    body_model: type[BaseModel],
    act: Act[ContextT, RecordT],
    read: Read[RecordT, ContextT],
) -> Callable[..., Awaitable[Any]]:
    async def endpoint(**values: Any) -> Any:
        session: AsyncSession = values["session"]
        who: Principal = values["caller"]
        ctx: Any = values.get("context")  # None when the router gives no context
        comment: str | None = getattr(values["body"], "comment", None)
        record = await act(session, who, values[id_param], action, comment, values["if_match"], ctx)
        answer = read(session, values["response"], record, who, ctx)
        return await answer if inspect.isawaitable(answer) else answer

    # FastAPI reads the parameters from the signature: build the one this resource needs. The order is the
    # order in which the dependencies run (the session, then the caller's role gate, then the context).
    kw = inspect.Parameter.KEYWORD_ONLY
    parameters = [
        inspect.Parameter(id_param, kw, annotation=Id),
        inspect.Parameter("session", kw, annotation=DbSession),
        inspect.Parameter("caller", kw, annotation=caller),
        *([inspect.Parameter("context", kw, annotation=context)] if context is not None else []),
        inspect.Parameter("response", kw, annotation=Response),
        inspect.Parameter("body", kw, annotation=body_model | None, default=None),
        inspect.Parameter("if_match", kw, annotation=IfMatch, default=None),
    ]
    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    endpoint.__name__ = f"{action}_action"
    return endpoint
