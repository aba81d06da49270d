"""HTTP of a reviewer's assignments: their own list, declining a slot, the review draft and submission."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.projects.review_rounds import schemas as s
from services.projects.review_rounds.models import Review
from services.projects.review_rounds.reviews import service
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import ValidationFailed, problem_responses
from shared.pagination import Cursor, Limit, Page
from shared.principal import Principal, require_roles
from shared.schemas import Id

router = APIRouter(tags=["review-assignments"])

ReviewerCaller = Annotated[Principal, Depends(require_roles("reviewer"))]


def _review(response: Response, review: Review) -> s.ReviewRead:
    set_etag(response, service.ETAG_KIND, review.assignment_id, review.version)
    return service.review_read(review)


@router.get(
    "/assignments",
    response_model=Page[s.AssignmentRead],
    operation_id="review-assignments-list",
    summary="My review assignments (reviewer) / 我的评审任务",
    responses=problem_responses(401, 403, 422),
)
async def list_assignments(
    session: DbSession,
    caller: ReviewerCaller,
    limit: Limit = 20,
    cursor: Cursor = None,
    round_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    status: Annotated[str | None, Query(max_length=16, description="assigned or submitted")] = None,
) -> Page[s.AssignmentRead]:
    if status is not None and status not in ("assigned", "submitted"):
        raise ValidationFailed([{"field": "status", "code": "invalid_choice", "message": "assigned or submitted"}])
    items, next_cursor = await service.list_own(
        session, caller, round_id=round_id, status=status, limit=limit, cursor=cursor
    )
    return Page[s.AssignmentRead](items=items, next_cursor=next_cursor)


@router.get(
    "/assignments/{assignment_id}",
    response_model=s.AssignmentRead,
    operation_id="review-assignments-get",
    summary="One of my assignments: the application's review view / 评审任务详情",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_assignment(assignment_id: Id, session: DbSession, caller: ReviewerCaller) -> s.AssignmentRead:
    return await service.get_own(session, caller, assignment_id)


@router.post(
    "/assignments/{assignment_id}/decline",
    response_model=s.DeclineRead,
    operation_id="review-assignments-decline",
    summary="Decline an assignment; that slot alone is drawn again / 谢绝评审",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def decline_assignment(
    assignment_id: Id,
    body: s.DeclineIn,
    session: DbSession,
    caller: ReviewerCaller,
) -> s.DeclineRead:
    assignment = await service.decline(session, caller, assignment_id, body.reason)
    return s.DeclineRead.model_validate(assignment)


@router.get(
    "/assignments/{assignment_id}/review",
    response_model=s.ReviewRead,
    operation_id="review-assignments-get-review",
    summary="My review of an assignment / 查看评审意见",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_review(assignment_id: Id, session: DbSession, caller: ReviewerCaller, response: Response) -> s.ReviewRead:
    return _review(response, await service.get_review(session, caller, assignment_id))


@router.put(
    "/assignments/{assignment_id}/review",
    response_model=s.ReviewRead,
    operation_id="review-assignments-put-review",
    summary="Write the review draft (If-Match once it exists) / 填写评审意见（草稿）",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def put_review(
    assignment_id: Id,
    body: s.ReviewIn,
    session: DbSession,
    caller: ReviewerCaller,
    response: Response,
    if_match: IfMatch = None,
) -> s.ReviewRead:
    return _review(response, await service.put_review(session, caller, assignment_id, body, if_match))


@router.post(
    "/assignments/{assignment_id}/review/submit",
    response_model=s.ReviewRead,
    operation_id="review-assignments-submit-review",
    summary="Submit the review; it cannot change afterwards (NSF-4) / 提交评审意见",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def submit_review(
    assignment_id: Id,
    session: DbSession,
    caller: ReviewerCaller,
    response: Response,
    if_match: IfMatch = None,
) -> s.ReviewRead:
    return _review(response, await service.submit(session, caller, assignment_id, if_match))
