"""The time the accounts go by: ``app.state.clock`` when a test sets one, else the wall clock."""

from __future__ import annotations

from datetime import datetime

from starlette.datastructures import State

from shared.db import utcnow


def now_of(state: State) -> datetime:
    clock = getattr(state, "clock", None)
    return clock() if clock is not None else utcnow()
