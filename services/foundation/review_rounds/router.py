"""HTTP of the foundation's review rounds and review assignments: the shared routes
(``shared.review_rounds.router``), with rounds listed by plan and category."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from services.foundation.deps import environment
from services.foundation.review_rounds.schemas import RoundCreate
from services.foundation.review_rounds.service import ROUNDS
from shared.review_rounds.router import review_router

RowFilter = Annotated[int | None, Query(ge=1, le=2**63 - 1)]


def filters(plan_id: RowFilter = None, category_id: RowFilter = None) -> dict[str, Any]:
    return {"plan_id": plan_id, "category_id": category_id}


router = review_router(
    ROUNDS,
    create_body=RoundCreate,
    env=environment,
    filters=filters,
    create_example={"plan_id": 1, "category_id": 1, "title": "2026年度面上项目通讯评审"},
)
