"""HTTP of reviews (NSF-4): draft, submit, close a round, the lacking list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from services.foundation.deps import Env
from services.foundation.review import review_schemas as s
from services.foundation.review import reviews as service
from services.foundation.review.models import Review, ReviewAssignment
from services.foundation.rules.reviews import CRITERIA
from services.foundation.rules.workflows import STAFF
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import problem_responses
from shared.principal import Principal, require_roles
from shared.schemas import Id

router = APIRouter(tags=["foundation reviews"])

ReviewerCaller = Annotated[Principal, Depends(require_roles("reviewer"))]
ReaderCaller = Annotated[Principal, Depends(require_roles("reviewer", *STAFF, "auditor"))]
StaffCaller = Annotated[Principal, Depends(require_roles(*STAFF))]
RoundReader = Annotated[Principal, Depends(require_roles(*STAFF, "auditor"))]


def _review(response: Response, review: Review, assignment: ReviewAssignment) -> s.ReviewRead:
    set_etag(response, service.ETAG_KIND, assignment.id, review.version)
    return service.review_read(review, assignment)


@router.get(
    "/review-criteria",
    response_model=list[s.CriterionRead],
    operation_id="foundation-reviews-criteria",
    summary="The criteria a review comments on (NSF-4) / 评审要点",
    responses=problem_responses(401, 403),
)
async def criteria(caller: ReaderCaller) -> list[s.CriterionRead]:
    return [s.CriterionRead.model_validate(c) for c in CRITERIA]


@router.get(
    "/review-assignments/{assignment_id}/review",
    response_model=s.ReviewRead,
    operation_id="foundation-reviews-get",
    summary="The review of an assignment (its reviewer; staff and auditors of the plan) / 查看评审意见",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_review(assignment_id: Id, session: DbSession, caller: ReaderCaller, response: Response) -> s.ReviewRead:
    review, assignment = await service.get_review(session, caller, assignment_id)
    return _review(response, review, assignment)


@router.put(
    "/review-assignments/{assignment_id}/review",
    response_model=s.ReviewRead,
    operation_id="foundation-reviews-put",
    summary="Write the review draft: grade, opinion, comments by criterion (If-Match once it exists) / 填写评审意见",
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
    review, assignment = await service.put_review(session, caller, assignment_id, body, if_match)
    return _review(response, review, assignment)


@router.post(
    "/review-assignments/{assignment_id}/review/submit",
    response_model=s.ReviewRead,
    operation_id="foundation-reviews-submit",
    summary="Submit the complete review; it never changes afterwards (NSF-4) / 提交评审意见",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def submit_review(
    assignment_id: Id,
    session: DbSession,
    caller: ReviewerCaller,
    response: Response,
    env: Env,
    if_match: IfMatch = None,
) -> s.ReviewRead:
    review, assignment = await service.submit(session, caller, assignment_id, if_match, env.now)
    return _review(response, review, assignment)


@router.post(
    "/review-rounds/{round_id}/close",
    response_model=s.RoundCloseRead,
    operation_id="foundation-reviews-close-round",
    summary="Close a round: applications with enough valid reviews become reviewed; the rest are listed (NSF-4) "
    "/ 结束评审轮次",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
async def close_round(
    round_id: Id, session: DbSession, caller: StaffCaller, env: Env, response: Response, if_match: IfMatch = None
) -> s.RoundCloseRead:
    out = await service.close(session, caller, round_id, if_match, env)
    set_etag(response, service.ROUND_ETAG_KIND, out.round_id, out.version)
    return out


@router.get(
    "/review-rounds/{round_id}/lacking",
    response_model=s.LackingList,
    operation_id="foundation-reviews-lacking",
    summary="Applications of the round lacking valid reviews, with the slots still open (NSF-4) / 有效评审不足的申请",
    responses=problem_responses(401, 403, 404, 422),
)
async def lacking(round_id: Id, session: DbSession, caller: RoundReader) -> s.LackingList:
    return await service.lacking(session, caller, round_id)
