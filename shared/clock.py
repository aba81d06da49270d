"""The time a process goes by: ``app.state.clock`` when a test sets one, else the wall clock (UTC).

Rules that depend on now (deadlines, lockouts, notice periods) read it through here, so tests move
time instead of sleeping.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import State

from shared.db.models import utcnow


def now_of(state: State) -> datetime:
    clock = getattr(state, "clock", None)
    return clock() if clock is not None else utcnow()


def request_now(request: Request) -> datetime:
    return now_of(request.app.state)


Now = Annotated[datetime, Depends(request_now)]
