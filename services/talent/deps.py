"""What a use case needs from the running service (``Env``: now, and today in Asia/Shanghai), and the
callers every router of the service admits, by role (the coarse gate; the services narrow a caller to the
records it may touch)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, Request

from shared.clock import request_now
from shared.principal import Principal, require_roles
from shared.workdays import today_shanghai


@dataclass(frozen=True)
class Environment:
    now: datetime

    @property
    def today(self) -> date:
        return today_shanghai(self.now)


def environment(request: Request) -> Environment:
    return Environment(now=request_now(request))


Env = Annotated[Environment, Depends(environment)]

Official = Annotated[Principal, Depends(require_roles("official"))]
# Officials and auditors read drafts and the history of every record.
Overseer = Annotated[Principal, Depends(require_roles("official", "auditor"))]
