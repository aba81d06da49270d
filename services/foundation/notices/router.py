"""HTTP of the foundation's public notices (公示) and objections: the shared routes
(``shared.notices.router``), opened for a plan category's approved applications and listed by plan,
category and year."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from services.foundation.deps import environment
from services.foundation.notices.schemas import NoticeCreate
from services.foundation.notices.service import NOTICES
from shared.notices.router import notice_router

RowFilter = Annotated[int | None, Query(ge=1, le=2**63 - 1)]


def filters(
    plan_id: RowFilter = None,
    category_id: RowFilter = None,
    year: Annotated[int | None, Query(ge=2000, le=2200)] = None,
) -> dict[str, Any]:
    return {"plan_id": plan_id, "category_id": category_id, "year": year}


router = notice_router(
    NOTICES,
    open_body=NoticeCreate,
    env=environment,
    filters=filters,
    open_summary="Put a category's approved applications on public notice / 发布拟资助项目公示",
    open_description="For the plan's `notice_working_days` working days (CAL-1), from now or from the start of "
    "`starts_on`; `ends_on` and `calendar_confirmed` are shown. The conclusion funds the applications still listed.",
)
