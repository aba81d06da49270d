"""State machines as data (ARCHITECTURE rule 7).

A ``Workflow`` is a table of ``Transition`` rows: action, from-states, to-state, roles, guards.
``decide`` is pure: it says which transition applies or raises 409 (listing the allowed actions) or
403. ``apply`` changes the entity and writes the history row in the caller's unit of work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models import CommonTables, utcnow
from shared.errors import Forbidden, InvalidTransition, ValidationFailed, field_error
from shared.principal import Principal
from shared.schemas import OutputSchema

Guard = Callable[[Any, Principal, dict[str, Any]], None]
"""A guard raises an ``AppError`` when the move is not allowed for this entity and context."""


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    guards: tuple[Guard, ...] = ()
    comment_required: bool = False


def transition(
    action: str,
    sources: str | Iterable[str],
    target: str,
    roles: Iterable[str],
    *,
    guards: Sequence[Guard] = (),
    comment_required: bool = False,
) -> Transition:
    src = frozenset([sources] if isinstance(sources, str) else sources)
    return Transition(action, src, target, frozenset(roles), tuple(guards), comment_required)


@dataclass
class Workflow:
    entity_type: str
    initial: str
    transitions: Sequence[Transition]
    states: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        states = {self.initial}
        for t in self.transitions:
            states.update(t.sources)
            states.add(t.target)
        self.states = frozenset(states)

    def __problem_sources__(self, method: str, consts: Mapping[str, str]) -> list[Guard]:
        """The guards a call of ``method`` may run (shared.contract reads them): for ``apply``, the
        action's when the caller names it, else every transition's."""
        if method != "apply":
            return []
        action = consts.get("action")
        return [g for t in self.transitions if action is None or t.action == action for g in t.guards]

    def actions_from(self, state: str, principal: Principal | None = None) -> list[str]:
        """The actions possible from ``state`` (for ``principal``, when given), in table order."""
        out: list[str] = []
        for t in self.transitions:
            if state in t.sources and (principal is None or principal.has_role(*t.roles)):
                if t.action not in out:
                    out.append(t.action)
        return out

    def decide(self, state: str, action: str, principal: Principal) -> Transition:
        candidates = [t for t in self.transitions if t.action == action and state in t.sources]
        if not candidates:
            raise InvalidTransition(action, state, self.actions_from(state, principal))
        for t in candidates:
            if principal.has_role(*t.roles):
                return t
        roles = sorted({r for t in candidates for r in t.roles})
        raise Forbidden(
            f"“{action}”需要以下角色之一：{'、'.join(roles)}。",
            f"'{action}' requires one of the roles: {', '.join(roles)}.",
        )

    async def apply(
        self,
        session: AsyncSession,
        common: CommonTables,
        entity: Any,
        action: str,
        principal: Principal,
        *,
        comment: str | None = None,
        context: dict[str, Any] | None = None,
        state_attr: str = "status",
    ) -> Transition:
        """Move ``entity`` by ``action``: check roles and guards, bump its version, write history."""
        current = getattr(entity, state_attr)
        t = self.decide(current, action, principal)
        if t.comment_required and not (comment and comment.strip()):
            raise ValidationFailed(
                [
                    field_error(
                        "comment", "required", f"执行“{action}”需要填写意见", f"a comment is required to {action}"
                    )
                ]
            )
        for guard in t.guards:
            guard(entity, principal, context or {})
        setattr(entity, state_attr, t.target)
        if hasattr(entity, "version"):
            entity.version = (entity.version or 0) + 1
        session.add(
            common.history(
                entity_type=self.entity_type,
                entity_id=str(entity.id),
                action=action,
                from_state=current,
                to_state=t.target,
                actor_id=principal.actor_id,
                actor_role=_acting_role(principal, t),
                comment=comment,
                at=utcnow(),
            )
        )
        return t

    async def record_moves(
        self,
        session: AsyncSession,
        common: CommonTables,
        entity_ids: Iterable[object],
        t: Transition,
        from_state: str,
        principal: Principal,
        *,
        at: datetime,
        comment: str | None = None,
    ) -> None:
        """The history rows of many entities moved at once by ``t`` (decided by the caller, who changed
        the rows in bulk): one INSERT for them all, the rows ``apply`` would have written one by one."""
        rows = [
            {
                "entity_type": self.entity_type,
                "entity_id": str(i),
                "action": t.action,
                "from_state": from_state,
                "to_state": t.target,
                "actor_id": principal.actor_id,
                "actor_role": _acting_role(principal, t),
                "comment": comment,
                "at": at,
            }
            for i in entity_ids
        ]
        if rows:
            await (await session.connection()).execute(insert(common.history.__table__), rows)

    async def record_creation(
        self, session: AsyncSession, common: CommonTables, entity: Any, principal: Principal
    ) -> None:
        """The first history row of a new entity (from nothing to the initial state)."""
        session.add(
            common.history(
                entity_type=self.entity_type,
                entity_id=str(entity.id),
                action="create",
                from_state=None,
                to_state=self.initial,
                actor_id=principal.actor_id,
                actor_role=next(iter(sorted(principal.roles)), None),
                at=utcnow(),
            )
        )


def states_from(workflow: Workflow, start: str, *, excluding: Iterable[str] = ()) -> frozenset[str]:
    """``start`` and every state reachable from it through the workflow's transitions without passing
    through a state of ``excluding``: "approved or further along" read off the table, never a list."""
    seen = {start}
    barred = frozenset(excluding)
    frontier = [start]
    while frontier:
        state = frontier.pop()
        for t in workflow.transitions:
            if state in t.sources and t.target not in seen and t.target not in barred:
                seen.add(t.target)
                frontier.append(t.target)
    return frozenset(seen)


def _acting_role(principal: Principal, t: Transition) -> str | None:
    matching = sorted(principal.roles & t.roles)
    return matching[0] if matching else None


class HistoryRead(OutputSchema):
    action: str
    from_state: str | None
    to_state: str
    actor_id: str
    actor_role: str | None
    comment: str | None
    at: datetime


async def load_history(
    session: AsyncSession, common: CommonTables, entity_type: str, entity_id: object
) -> list[HistoryRead]:
    model = common.history
    rows = (
        await session.execute(
            select(model).where(model.entity_type == entity_type, model.entity_id == str(entity_id)).order_by(model.id)
        )
    ).scalars()
    return [HistoryRead.model_validate(r) for r in rows]
