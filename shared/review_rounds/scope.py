"""What a service plugs into the shared review rounds: its scope (which rounds a caller sees and runs,
which applications a round draws and how they move), its reviewer pool, and its defaults.

A service subclasses ``RoundScope`` once and hands it to ``ReviewRounds``. Everything else (the draw,
verify, declines and late releases drawn again, reviews, close, the ranking and the lacking list, the
load reports) is the shared machinery's. ``env`` is the service's own request environment (its
``deps.Env``), passed through untouched.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clients.reviewers import ReviewerCandidate
from shared.principal import Principal
from shared.review.form import RoundDefaults
from shared.review.model import Application as DrawApplication
from shared.review_rounds.models import RoundColumns


class ReviewerPool(Protocol):
    """The reviewer pool (专家库) as a round reads it: the projects service's, over HTTP
    (``shared.clients.reviewers.ReviewerPoolClient``) or, in the projects service, in process."""

    async def candidates(self, disciplines: Sequence[str]) -> list[ReviewerCandidate]: ...

    async def report_loads(self, loads: dict[int, int]) -> list[int]: ...


@dataclass(frozen=True, slots=True)
class ApplicationFacts:
    """What the machinery needs to know of an application: for results, the lacking list and the
    ranking group (``group`` is its key; ``group_read`` how the ranking shows it)."""

    id: int
    title: str
    status: str
    submitted_at: datetime
    group: Hashable = 0
    group_read: Mapping[str, Any] = field(default_factory=dict)


class RoundScope:
    """A service's side of its review rounds. Override what the docstrings ask for."""

    # the roles a round's workflow admits: who draws and closes (narrowed per round by ``acting``)
    runners: tuple[str, ...] = ("official", "agency")
    # who may set up a round (``prepare`` narrows it to the scope) and who reads rounds
    creators: tuple[str, ...] = ("official", "agency")
    readers: tuple[str, ...] = ("official", "agency", "auditor")
    # the application state a round's reviews happen in (the lacking list shows those)
    in_review_state: str = "in_review"
    # the response model of GET /review-assignments/{id}/application
    review_view_model: type[BaseModel] = BaseModel

    def __init__(self, defaults: RoundDefaults) -> None:
        self.defaults = defaults

    async def prepare(self, session: AsyncSession, caller: Principal, body: Any, env: Any) -> dict[str, Any]:
        """Check the round's scope in ``body`` (the service's create schema) and return the round's
        column values: the scope's, and any setting the scope decides (they override the defaults and
        the body's generic fields). A scope the caller may not use is a 404."""
        raise NotImplementedError

    def visible(self, caller: Principal) -> ColumnElement[bool]:
        """A WHERE clause on the round model: the rounds the caller sees."""
        raise NotImplementedError

    async def acting(self, session: AsyncSession, caller: Principal, rnd: RoundColumns) -> Principal:
        """The caller with only the roles it holds for this round."""
        raise NotImplementedError

    async def drawable(self, session: AsyncSession, rnd: RoundColumns, env: Any) -> Sequence[Any]:
        """The applications the round draws, locked, in id order."""
        raise NotImplementedError

    async def draw_inputs(
        self, session: AsyncSession, rnd: RoundColumns, applications: Sequence[Any], env: Any
    ) -> tuple[list[str], list[DrawApplication]]:
        """The discipline prefixes the pool is read under, and the applications as the conflict and
        assignment rules see them (NSF-2, NSF-3)."""
        raise NotImplementedError

    def pool(self, session: AsyncSession, env: Any) -> ReviewerPool:
        raise NotImplementedError

    async def sent_to_review(
        self, session: AsyncSession, caller: Principal, rnd: RoundColumns, applications: Sequence[Any], env: Any
    ) -> list[int]:
        """Move the drawn applications into review; return the ids moved."""
        raise NotImplementedError

    async def reviewed(
        self, session: AsyncSession, caller: Principal, rnd: RoundColumns, application_ids: Sequence[int], env: Any
    ) -> list[int]:
        """At close: move the applications with enough valid reviews on; return the ids moved."""
        raise NotImplementedError

    async def facts(
        self, session: AsyncSession, ids: Sequence[int], *, for_update: bool = False
    ) -> dict[int, ApplicationFacts]:
        raise NotImplementedError

    async def review_view(self, session: AsyncSession, application_id: int) -> BaseModel:
        """The application as its reviewer reads it: never an identification number."""
        raise NotImplementedError
