"""The time bids and assessments go by: ``app.state.clock`` when a test sets one, else the wall clock."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from shared.db.models import utcnow


def now_of(request: Request) -> datetime:
    clock = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else utcnow()


Now = Annotated[datetime, Depends(now_of)]
