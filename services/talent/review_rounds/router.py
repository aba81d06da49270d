"""HTTP of the talent service's review rounds and review assignments: the shared routes
(``shared.review_rounds.router``), with rounds listed by call."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from services.talent.deps import environment
from services.talent.review_rounds.schemas import RoundCreate
from services.talent.review_rounds.service import ROUNDS
from shared.review_rounds.router import review_router

RowFilter = Annotated[int | None, Query(ge=1, le=2**63 - 1)]


def filters(call_id: RowFilter = None) -> dict[str, Any]:
    return {"call_id": call_id}


router = review_router(
    ROUNDS,
    create_body=RoundCreate,
    env=environment,
    filters=filters,
    create_example={"call_id": 1, "title": "2027年度青年科技人才托举计划专家评审"},
)
