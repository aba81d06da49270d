"""HTTP of review assignments: the reviewer's own list, the application as they read it, declining a
slot; the staff's release of a late reviewer. The review itself (grade, opinion) is ``reviews_router``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.foundation.deps import Env
from services.foundation.review import assignments as service
from services.foundation.review import schemas as s
from services.foundation.review.policy import ASSIGNMENT_STATES
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import ValidationFailed, problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import Principal, require_roles
from shared.schemas import Id

router = APIRouter(tags=["foundation review assignments"])

ReviewerCaller = Annotated[Principal, Depends(require_roles("reviewer"))]
Staff = Annotated[Principal, Depends(require_roles("official", "agency"))]


@router.get(
    "/review-assignments",
    response_model=Page[s.AssignmentRead],
    operation_id="foundation-review-assignments-list",
    summary="My review assignments (reviewer) / 我的评审任务",
    responses=problem_responses(401, 403, 422),
)
async def list_assignments(
    session: DbSession,
    caller: ReviewerCaller,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Sort = None,
    round_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    status: Annotated[str | None, Query(max_length=16, description="assigned, submitted, declined or late")] = None,
) -> Page[s.AssignmentRead]:
    if status is not None and status not in ASSIGNMENT_STATES:
        raise ValidationFailed(
            [{"field": "status", "code": "invalid_choice", "message": "one of: " + ", ".join(ASSIGNMENT_STATES)}]
        )
    items, next_cursor = await service.list_own(
        session, caller, round_id=round_id, status=status, limit=limit, cursor=cursor, sort=sort
    )
    return Page[s.AssignmentRead](items=items, next_cursor=next_cursor)


@router.get(
    "/review-assignments/{assignment_id}",
    response_model=s.AssignmentRead,
    operation_id="foundation-review-assignments-get",
    summary="One of my assignments (ETag) / 评审任务详情",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_assignment(
    assignment_id: Id, session: DbSession, caller: ReviewerCaller, response: Response
) -> s.AssignmentRead:
    read, version = await service.get_own(session, caller, assignment_id)
    set_etag(response, service.ETAG_KIND, assignment_id, version)
    return read


@router.get(
    "/review-assignments/{assignment_id}/application",
    response_model=s.ApplicationReviewView,
    operation_id="foundation-review-assignments-application",
    summary="The application as its reviewer reads it (no ID numbers) / 评审专家查看申请书",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def assignment_application(
    assignment_id: Id, session: DbSession, caller: ReviewerCaller
) -> s.ApplicationReviewView:
    return await service.application_view(session, caller, assignment_id)


@router.post(
    "/review-assignments/{assignment_id}/decline",
    response_model=s.ReleaseRead,
    operation_id="foundation-review-assignments-decline",
    summary="Decline an assignment; that slot alone is drawn again (NSF-2) / 谢绝评审",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
async def decline_assignment(
    assignment_id: Id,
    body: s.ReleaseIn,
    session: DbSession,
    caller: ReviewerCaller,
    env: Env,
    if_match: IfMatch = None,
) -> s.ReleaseRead:
    return await service.decline(session, caller, assignment_id, body.reason, if_match, env)


@router.post(
    "/review-assignments/{assignment_id}/release-late",
    response_model=s.ReleaseRead,
    operation_id="foundation-review-assignments-release-late",
    summary="Release a reviewer who has not submitted by the due time; the slot is drawn again (staff) "
    "/ 收回逾期评审任务",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
async def release_late(
    assignment_id: Id,
    session: DbSession,
    caller: Staff,
    env: Env,
    body: s.LateReleaseIn | None = None,
    if_match: IfMatch = None,
) -> s.ReleaseRead:
    return await service.release_late(session, caller, assignment_id, (body or s.LateReleaseIn()).reason, if_match, env)
