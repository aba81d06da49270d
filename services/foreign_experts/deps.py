"""What a use case needs from the running service: the PII protector (built once, at start-up) and now
(``Env``), and the sessions of the verification log's own transactions; and the callers every router of
the service admits, by role or scope (the coarse gate: the services narrow a clerk to its own employer's
or unit's records, ``access``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.foreign_experts.access import CLERK_ROLES, SEE_ALL, VERIFY_SCOPE
from services.foreign_experts.protect import Protector
from shared import pii
from shared.clock import request_now
from shared.principal import Principal, require_roles, require_scope
from shared.workdays import today_shanghai


def build_protector(app: FastAPI) -> None:
    """The start-up hook: one cipher for the process (the key derivation is not per-request work)."""
    cipher = pii.FieldCipher(app.state.settings.pii_secret)
    app.state.protector = Protector(cipher)
    # Replayable responses (Idempotency-Key) show passports in full to the clerk: sealed at rest as well.
    app.state.idempotency_sealer = cipher


@dataclass(frozen=True)
class Environment:
    protector: Protector
    now: datetime

    @property
    def today(self) -> date:
        return today_shanghai(self.now)


def environment(request: Request) -> Environment:
    protector = getattr(request.app.state, "protector", None)
    if protector is None:  # an app built without its lifespan (some tests): build it now, once
        build_protector(request.app)
        protector = request.app.state.protector
    return Environment(protector=protector, now=request_now(request))


Env = Annotated[Environment, Depends(environment)]


def _sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.db.sessionmaker
    return sessions


# Sessions of their own, for what must be committed whatever the request's outcome (the WP-9 log).
Sessions = Annotated[async_sessionmaker[AsyncSession], Depends(_sessions)]


Clerk = Annotated[Principal, Depends(require_roles(*CLERK_ROLES))]
Actor = Annotated[Principal, Depends(require_roles(*CLERK_ROLES, "official"))]
Reader = Annotated[Principal, Depends(require_roles(*CLERK_ROLES, *SEE_ALL))]
Official = Annotated[Principal, Depends(require_roles("official"))]
Overseer = Annotated[Principal, Depends(require_roles(*SEE_ALL))]
Verifier = Annotated[Principal, Depends(require_scope(VERIFY_SCOPE, or_roles=("official",)))]
