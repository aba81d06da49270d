"""HTTP of the projects' review rounds and review assignments: the shared routes
(``shared.review_rounds.router``), with rounds listed by call."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from services.projects.deps import environment
from services.projects.review_rounds.schemas import RoundCreate
from services.projects.review_rounds.service import ROUNDS
from shared.review_rounds.router import review_router


def filters(call_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None) -> dict[str, Any]:
    return {"call_id": call_id}


router = review_router(
    ROUNDS,
    create_body=RoundCreate,
    env=environment,
    filters=filters,
    create_example={"call_id": 1, "title": "2026年度重点研发项目会评 第一轮", "discipline_codes": ["F0203"]},
)
