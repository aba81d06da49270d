"""HTTP of the talent service's public notices (公示) and objections: the shared routes
(``shared.notices.router``), opened for a programme call or an award cycle and listed by kind, call,
cycle and year."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from services.talent.deps import environment
from services.talent.notices.schemas import Kind, NoticeCreate
from services.talent.notices.service import NOTICES
from shared.notices.router import notice_router

RowFilter = Annotated[int | None, Query(ge=1, le=2**63 - 1)]


def filters(
    kind: Annotated[Kind | None, Query(description="selection, award_acceptance or award_winners")] = None,
    call_id: RowFilter = None,
    cycle_id: RowFilter = None,
    year: Annotated[int | None, Query(ge=2000, le=2200)] = None,
) -> dict[str, Any]:
    return {"kind": kind, "call_id": call_id, "cycle_id": cycle_id, "year": year}


router = notice_router(
    NOTICES,
    open_body=NoticeCreate,
    env=environment,
    filters=filters,
    open_summary="Put a call's proposed list or an award cycle's nominations on public notice / 发布公示",
    open_description="`selection`: a programme call's proposed applications, for the programme's "
    "`notice_working_days` working days (TAL-5, CAL-1). `award_acceptance`: an award cycle's nominations accepted "
    "at formal review, for 30 natural days; `award_winners`: its proposed winners, for 15 natural days (AW-3, the "
    "cycle's figures). From now or from the start of `starts_on`; `ends_on`, `day_count` and `calendar_confirmed` "
    "are shown. Anyone reads a notice: names, organisations, titles, category and grade, never an ID number or a "
    "contact.",
)
