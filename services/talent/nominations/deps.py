"""The awards' environment: the service's (``deps.Environment``) with the clients only the awards need, the
foreign-experts permit check (the Friendship Award) and the projects reviewer pool (the panel)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Annotated

from fastapi import Depends, Request

from services.talent.deps import Environment, environment
from shared.clients.permits import PermitClient
from shared.clients.reviewers import ReviewerPoolClient


@dataclass(frozen=True)
class AwardEnvironment(Environment):
    permits: PermitClient
    pool: ReviewerPoolClient


def award_environment(request: Request) -> AwardEnvironment:
    base = environment(request)
    state = request.app.state
    return AwardEnvironment(
        **{f.name: getattr(base, f.name) for f in fields(base)},
        permits=PermitClient(state.http, state.settings.foreign_experts_base_url),
        pool=ReviewerPoolClient(state.http, state.settings.projects_base_url),
    )


AwardEnv = Annotated[AwardEnvironment, Depends(award_environment)]
