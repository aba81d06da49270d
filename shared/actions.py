"""Plain workflow actions as routes (docs/api-conventions.md "URLs"): ``POST {path}/{id}/<action>`` with an
optional comment body and ``If-Match``, answering the resource's Read schema. Every service mounts them with
``add_action_routes``: the action ``a_b`` is the URL segment ``a-b`` (``segment``) and the operation id
``<op>-a-b``, so no path carries an underscore and a client that learned one resource's actions knows them all.

A record's read schema (``Actionable``) gives, beside ``allowed_actions``, each allowed action's call as
``actions: [{action, method, href}]``, read off the app's own routes, so a client never builds a URL.

The router gives what differs between resources: the path parameter's name, the caller dependency (the
coarse role gate), an optional context dependency handed to ``act`` and ``read`` (a service's environment,
its clock), the body model, and the errors each action declares. An action with a body of its own (reasons,
amounts) is an ordinary route next to these.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field, computed_field
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.routing import Match

from shared.concurrency import IfMatch
from shared.db import DbSession
from shared.errors import problem_responses
from shared.middleware import current_app
from shared.principal import Principal
from shared.schemas import CommentBody, Id, OutputSchema
from shared.settings import url_segment

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
        operation_id = f"{op}-{segment(action)}"
        router.add_api_route(
            f"{path}/{{{id_param}}}/{segment(action)}",
            _endpoint(action, id_param, caller, context, body, act, read),
            methods=["POST"],
            response_model=response_model,
            operation_id=operation_id,
            summary=f"{spec.en} / {spec.zh}",
            responses=dict(responses if spec.responses is None else spec.responses),
            name=operation_id,
        )


_RESERVED = frozenset({"session", "caller", "context", "response", "body", "if_match"})


def segment(action: str) -> str:
    """The action's last URL segment: ``return_by_org`` is ``.../return-by-org``."""
    return action.replace("_", "-")


class ActionLink(BaseModel):
    """How to make one move: ``POST href``, with the record's ETag in ``If-Match``."""

    action: str = Field(description="the action's name, as `allowed_actions` gives it", examples=["submit"])
    method: Literal["POST"] = "POST"
    href: str = Field(
        description="the path to call, on the gateway (`/api/v1/<service>/...`)",
        examples=["/api/v1/projects/applications/42/submit"],
    )


_PLACEHOLDER = re.compile(r"{(\w+)}")


class Actionable(OutputSchema):
    """A record's read schema with the moves its caller may make next: ``allowed_actions`` names them (as the
    workflow's table does), ``actions`` gives the call of each that has a route of its own.

    A subclass has an ``allowed_actions`` field and says where the record is (``actions_at``): its path below
    the service's prefix, ``{field}`` standing for the schema's fields (``"/applications/{id}"``). An action
    ``a_b`` is then ``POST /api/v1/<service>{actions_at}/a-b`` when the app has that route; an allowed action
    made elsewhere (an approval list approves the applications on it) has none and is named only."""

    actions_at: ClassVar[str]
    if TYPE_CHECKING:  # every subclass declares it where its fields put it
        allowed_actions: list[str]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        at = getattr(cls, "actions_at", "")
        missing = {"allowed_actions", *_PLACEHOLDER.findall(at)} - set(cls.model_fields)
        if not at.startswith("/") or missing:
            raise TypeError(f"{cls.__name__} needs actions_at and the fields {sorted(missing)} to link its actions")

    @computed_field(  # type: ignore[prop-decorator]
        description="each allowed action that has a route of its own, with the URL to call: "
        "`POST href`, with the record's ETag in If-Match"
    )
    @property
    def actions(self) -> list[ActionLink]:
        at = _PLACEHOLDER.sub(lambda m: str(getattr(self, m[1])), self.actions_at)
        return action_links(at, self.allowed_actions)


def action_links(record_path: str, actions: Iterable[str]) -> list[ActionLink]:
    """The links of ``actions`` on the record at ``record_path`` (below the service's prefix) that the app
    answering the request routes; none outside a request."""
    app = current_app.get()
    spec = getattr(getattr(app, "state", None), "spec", None)
    if spec is None:
        return []
    prefix = f"/api/v1/{url_segment(spec.name)}"
    links = []
    for action in actions:
        href = f"{prefix}{record_path}/{segment(action)}"
        if _routed(app, href):
            links.append(ActionLink(action=action, method="POST", href=href))
    return links


def _routed(app: Any, path: str) -> bool:
    scope = {"type": "http", "method": "POST", "path": path, "root_path": ""}
    return any(route.matches(scope)[0] is Match.FULL for route in app.router.routes)


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
