"""HTTP of the projects' public notices (公示) and objections: the shared routes
(``shared.notices.router``), opened for an approved list and listed by programme."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from services.projects.deps import environment
from services.projects.notices.schemas import NoticeCreate
from services.projects.notices.service import NOTICES
from shared.notices.router import notice_router


def filters(programme_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None) -> dict[str, Any]:
    return {"programme_id": programme_id}


router = notice_router(
    NOTICES,
    open_body=NoticeCreate,
    env=environment,
    filters=filters,
    open_summary="Put an approved list on public notice / 发布拟立项公示",
)
