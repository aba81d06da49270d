"""What a use case needs from the running service: the PII protector (built once, at start-up), the
working calendar and now; and the callers every router of the service admits, by role (the coarse gate:
the services narrow a clerk to its own employer's or unit's records, ``access``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from services.foreign_experts.access import CLERK_ROLES, SEE_ALL
from services.foreign_experts.protect import Protector
from shared import pii
from shared.clock import request_now
from shared.principal import Principal, require_roles
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


Clerk = Annotated[Principal, Depends(require_roles(*CLERK_ROLES))]
Actor = Annotated[Principal, Depends(require_roles(*CLERK_ROLES, "official"))]
Reader = Annotated[Principal, Depends(require_roles(*CLERK_ROLES, *SEE_ALL))]
Official = Annotated[Principal, Depends(require_roles("official"))]
Overseer = Annotated[Principal, Depends(require_roles(*SEE_ALL))]
