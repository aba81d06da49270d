"""HTTP of review rounds, the same routes in every service that mounts them (``review_router``):

* ``/review-rounds``: set up, list, read (ETag), history, ``draw`` (NSF-2, NSF-3; If-Match,
  Idempotency-Key), ``verify``, the assignments by application, the NSF-3 exclusions, the lacking
  list, ``close`` (NSF-4) and the ranking;
* ``/review-assignments``: a reviewer's own assignments, the application as they read it, ``decline``
  (that slot alone is drawn again), the staff's ``release-late``, and the review: draft (PUT,
  If-Match) and ``submit``.

No ``from __future__ import annotations`` here: the endpoints' annotations name the service's own
schemas and dependencies given to ``review_router`` and must be evaluated where they are defined.
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import create_model

from shared.clock import Now
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import ValidationFailed, field_error, problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import Principal, require_roles
from shared.review_rounds import schemas as s
from shared.review_rounds.models import ASSIGNMENT_STATES, ReviewColumns
from shared.review_rounds.service import ASSIGNMENT, REVIEW, ROUND, ReviewRounds, group_slots
from shared.schemas import Id
from shared.workflow import HistoryRead, load_history

OptionalId = Annotated[int | None, Query(ge=1, le=2**63 - 1)]
READ_ERRORS = problem_responses(401, 403, 404, 422)
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422)
# writes that call the reviewer pool (or move applications through a service that may be down)
POOL_ERRORS = problem_responses(401, 403, 404, 409, 412, 422, 503)


def _choice(name: str, value: str | None, allowed: Any) -> None:
    if value is not None and value not in allowed:
        raise ValidationFailed(
            [
                field_error(
                    name,
                    "invalid_choice",
                    "应为以下之一：" + "、".join(sorted(allowed)),
                    "one of: " + ", ".join(sorted(allowed)),
                )
            ]
        )


def review_router(
    rounds: ReviewRounds,
    *,
    create_body: type[s.RoundCreateBase],
    env: Callable[..., Any],
    filters: Callable[..., dict[str, Any]],
    create_example: dict[str, Any] | None = None,
) -> APIRouter:
    """The routes of ``rounds`` for one service: ``create_body`` is its round schema, ``env`` its
    request environment dependency, ``filters`` a dependency turning its list filters (query
    parameters) into ``{round column: value}``."""
    scope = rounds.scope
    RoundRead = rounds.round_read
    ViewRead = scope.review_view_model
    DrawRead = create_model("DrawRead", __base__=s.DrawReadBase, round=(RoundRead, ...))
    CloseRead = create_model("CloseRead", __base__=s.CloseReadBase, round=(RoundRead, ...))

    Reader = Annotated[Principal, Depends(require_roles(*scope.readers))]
    Creator = Annotated[Principal, Depends(require_roles(*scope.creators))]
    Runner = Annotated[Principal, Depends(require_roles(*scope.runners))]
    ReviewerCaller = Annotated[Principal, Depends(require_roles("reviewer"))]
    ReviewReader = Annotated[Principal, Depends(require_roles("reviewer", *scope.readers))]
    Env = Annotated[Any, Depends(env)]
    Filters = Annotated[dict[str, Any], Depends(filters)]
    Body = create_body
    router = APIRouter()

    async def read(session: Any, response: Response, caller: Principal, rnd: Any) -> Any:
        set_etag(response, ROUND, rnd.id, rnd.version)
        return await rounds.read(session, caller, rnd)

    def review_read(response: Response, review: ReviewColumns, assignment: Any) -> s.ReviewRead:
        set_etag(response, REVIEW, assignment.id, review.version)
        return s.ReviewRead(
            assignment_id=assignment.id,
            round_id=assignment.round_id,
            application_id=assignment.application_id,
            scores=dict(review.scores or {}),
            grade=review.grade,
            opinion=review.opinion,
            comments=dict(review.comments or {}),
            status=review.status,
            submitted_at=review.submitted_at,
            version=review.version,
            updated_at=review.updated_at,
        )

    # --- rounds ---------------------------------------------------------------------------------------

    @router.post(
        "/review-rounds",
        status_code=201,
        response_model=RoundRead,
        operation_id="review-rounds-create",
        tags=["review-rounds"],
        summary="Set up a review round / 设立评审轮次",
        responses=problem_responses(401, 403, 404, 409, 422),
        openapi_extra={"requestBody": {"content": {"application/json": {"example": create_example}}}}
        if create_example
        else None,
    )
    async def create_round(
        body: Body,  # type: ignore[valid-type]
        session: DbSession,
        caller: Creator,
        response: Response,
        env: Env,
    ) -> Any:
        return await read(session, response, caller, await rounds.create(session, caller, body, env))

    @router.get(
        "/review-rounds",
        response_model=Page[RoundRead],  # type: ignore[valid-type]
        operation_id="review-rounds-list",
        tags=["review-rounds"],
        summary="Review rounds the caller may see / 评审轮次列表",
        responses=problem_responses(401, 403, 422),
    )
    async def list_rounds(
        session: DbSession,
        caller: Reader,
        where: Filters,
        limit: Limit = 20,
        cursor: Cursor = None,
        sort: Annotated[Sort, rounds.round_sorts.choices] = None,
        status: Annotated[str | None, Query(max_length=16, description="draft, drawn or closed")] = None,
    ) -> Any:
        _choice("status", status, rounds.workflow.states)
        rows, next_cursor = await rounds.page(
            session, caller, where, status=status, limit=limit, cursor=cursor, sort=sort
        )
        return {"items": [rounds.to_read(r) for r in rows], "next_cursor": next_cursor}

    @router.get(
        "/review-rounds/{round_id}",
        response_model=RoundRead,
        operation_id="review-rounds-get",
        tags=["review-rounds"],
        summary="A review round (ETag) / 评审轮次详情",
        responses=READ_ERRORS,
    )
    async def get_round(round_id: Id, session: DbSession, caller: Reader, response: Response) -> Any:
        return await read(session, response, caller, await rounds.load(session, caller, round_id))

    @router.get(
        "/review-rounds/{round_id}/history",
        response_model=list[HistoryRead],
        operation_id="review-rounds-history",
        tags=["review-rounds"],
        summary="State changes of a review round / 评审轮次流转记录",
        responses=READ_ERRORS,
    )
    async def round_history(round_id: Id, session: DbSession, caller: Reader) -> list[HistoryRead]:
        rnd = await rounds.load(session, caller, round_id)
        return await load_history(session, rounds.common, ROUND, rnd.id)

    @router.post(
        "/review-rounds/{round_id}/draw",
        response_model=DrawRead,
        operation_id="review-rounds-draw",
        tags=["review-rounds"],
        summary="Draw the reviewers from the pool (NSF-2, NSF-3; reproducible; If-Match, Idempotency-Key) "
        "/ 随机抽取评审专家",
        description="The round's applications accepted for review go to review: the pool is read first (503 "
        "with Retry-After when it does not answer, and nothing is written), the draw is recorded with its "
        "seed, pool hash and algorithm version, each application moves into review, and each drawn "
        "reviewer's open assignments are reported to the pool.",
        responses=POOL_ERRORS,
    )
    async def draw_round(
        round_id: Id,
        session: DbSession,
        caller: Runner,
        response: Response,
        env: Env,
        now: Now,
        body: s.DrawIn | None = None,
        if_match: IfMatch = None,
    ) -> Any:
        outcome = await rounds.draw(session, caller, round_id, body or s.DrawIn(), if_match, env, now)
        return {
            "round": await read(session, response, caller, outcome.round),
            "applications": outcome.applications,
            "assignments": await rounds.assignment_groups(session, outcome.round),
            "objective": outcome.objective,
            "subject_groups": outcome.subject_groups,
        }

    @router.post(
        "/review-rounds/{round_id}/verify",
        response_model=s.VerifyRead,
        operation_id="review-rounds-verify",
        tags=["review-rounds"],
        summary="Re-run the draw from its frozen inputs and compare with the assignments now (NSF-2) / 复核抽取结果",
        responses=problem_responses(401, 403, 404, 409, 422),
    )
    async def verify_round(round_id: Id, session: DbSession, caller: Reader) -> s.VerifyRead:
        return await rounds.verify(session, caller, round_id)

    @router.get(
        "/review-rounds/{round_id}/assignments",
        response_model=Page[s.ApplicationAssignmentsRead],
        operation_id="review-rounds-assignments",
        tags=["review-rounds"],
        summary="Who reviews which application, by application (no reviews) / 评审分配情况",
        responses=READ_ERRORS,
    )
    async def round_assignments(
        round_id: Id,
        session: DbSession,
        caller: Reader,
        limit: Limit = 100,
        cursor: Cursor = None,
        application_id: OptionalId = None,
    ) -> Page[s.ApplicationAssignmentsRead]:
        rows, next_cursor = await rounds.page_assignments(
            session, caller, round_id, application_id=application_id, limit=limit, cursor=cursor
        )
        return Page[s.ApplicationAssignmentsRead](items=group_slots(rows), next_cursor=next_cursor)

    @router.get(
        "/review-rounds/{round_id}/exclusions",
        response_model=Page[s.ExclusionRead],
        operation_id="review-rounds-exclusions",
        tags=["review-rounds"],
        summary="Reviewers excluded by conflict of interest, with the NSF-3 rules / 回避情况",
        responses=READ_ERRORS,
    )
    async def round_exclusions(
        round_id: Id,
        session: DbSession,
        caller: Reader,
        limit: Limit = 100,
        cursor: Cursor = None,
        application_id: OptionalId = None,
        reviewer_id: OptionalId = None,
    ) -> Page[s.ExclusionRead]:
        rows, next_cursor = await rounds.page_exclusions(
            session,
            caller,
            round_id,
            application_id=application_id,
            reviewer_id=reviewer_id,
            limit=limit,
            cursor=cursor,
        )
        return Page[s.ExclusionRead](items=[s.ExclusionRead.model_validate(r) for r in rows], next_cursor=next_cursor)

    @router.get(
        "/review-rounds/{round_id}/lacking",
        response_model=s.LackingList,
        operation_id="review-rounds-lacking",
        tags=["review-rounds"],
        summary="Applications of the round lacking valid reviews, with the slots still open (NSF-4) "
        "/ 有效评审不足的申请",
        responses=READ_ERRORS,
    )
    async def lacking(round_id: Id, session: DbSession, caller: Reader) -> s.LackingList:
        return await rounds.lacking(session, caller, round_id)

    @router.post(
        "/review-rounds/{round_id}/close",
        response_model=CloseRead,
        operation_id="review-rounds-close",
        tags=["review-rounds"],
        summary="Close the round: applications with enough valid reviews move on, the rest are listed (NSF-4) "
        "/ 结束评审轮次",
        responses=POOL_ERRORS,
    )
    async def close_round(
        round_id: Id,
        session: DbSession,
        caller: Runner,
        response: Response,
        env: Env,
        now: Now,
        if_match: IfMatch = None,
    ) -> Any:
        rnd, outcome, moved, left = await rounds.close(session, caller, round_id, if_match, env, now)
        return {
            "round": await read(session, response, caller, rnd),
            "results": outcome.rows,
            "reviewed": moved,
            "lacking": left,
        }

    @router.get(
        "/review-rounds/{round_id}/ranking",
        response_model=s.RankingRead,
        operation_id="review-rounds-ranking",
        tags=["review-rounds"],
        summary="The closed round's ranking per group, with the tie-break (NSF-4) / 评审排序",
        responses=problem_responses(401, 403, 404, 409, 422),
    )
    async def round_ranking(round_id: Id, session: DbSession, caller: Reader) -> s.RankingRead:
        return await rounds.ranking(session, caller, round_id)

    # --- the reviewer's side --------------------------------------------------------------------------

    @router.get(
        "/review-assignments",
        response_model=Page[s.AssignmentRead],
        operation_id="review-assignments-list",
        tags=["review-assignments"],
        summary="My review assignments (reviewer) / 我的评审任务",
        responses=problem_responses(401, 403, 422),
    )
    async def list_assignments(
        session: DbSession,
        caller: ReviewerCaller,
        limit: Limit = 20,
        cursor: Cursor = None,
        sort: Annotated[Sort, rounds.assignment_sorts.choices] = None,
        round_id: OptionalId = None,
        status: Annotated[str | None, Query(max_length=16, description=s.STATES)] = None,
    ) -> Page[s.AssignmentRead]:
        _choice("status", status, ASSIGNMENT_STATES)
        items, next_cursor = await rounds.list_own(
            session, caller, round_id=round_id, status=status, limit=limit, cursor=cursor, sort=sort
        )
        return Page[s.AssignmentRead](items=items, next_cursor=next_cursor)

    @router.get(
        "/review-assignments/{assignment_id}",
        response_model=s.AssignmentRead,
        operation_id="review-assignments-get",
        tags=["review-assignments"],
        summary="One of my assignments (ETag) / 评审任务详情",
        responses=READ_ERRORS,
    )
    async def get_assignment(
        assignment_id: Id, session: DbSession, caller: ReviewerCaller, response: Response
    ) -> s.AssignmentRead:
        read_ = await rounds.get_own(session, caller, assignment_id)
        set_etag(response, ASSIGNMENT, read_.id, read_.version)
        return read_

    @router.get(
        "/review-assignments/{assignment_id}/application",
        response_model=ViewRead,
        operation_id="review-assignments-application",
        tags=["review-assignments"],
        summary="The application as its reviewer reads it (no identification numbers) / 评审专家查看申请",
        responses=problem_responses(401, 403, 404, 409, 422),
    )
    async def assignment_application(assignment_id: Id, session: DbSession, caller: ReviewerCaller) -> Any:
        return await rounds.application_view(session, caller, assignment_id)

    @router.post(
        "/review-assignments/{assignment_id}/decline",
        response_model=s.ReleaseRead,
        operation_id="review-assignments-decline",
        tags=["review-assignments"],
        summary="Decline an assignment; that slot alone is drawn again (NSF-2) / 谢绝评审",
        responses=POOL_ERRORS,
    )
    async def decline_assignment(
        assignment_id: Id,
        body: s.ReleaseIn,
        session: DbSession,
        caller: ReviewerCaller,
        env: Env,
        now: Now,
        if_match: IfMatch = None,
    ) -> s.ReleaseRead:
        return await rounds.decline(session, caller, assignment_id, body.reason, if_match, env, now)

    @router.post(
        "/review-assignments/{assignment_id}/release-late",
        response_model=s.ReleaseRead,
        operation_id="review-assignments-release-late",
        tags=["review-assignments"],
        summary="Release a reviewer who has not submitted by the due time; the slot is drawn again (staff) "
        "/ 收回逾期评审任务",
        responses=POOL_ERRORS,
    )
    async def release_late(
        assignment_id: Id,
        session: DbSession,
        caller: Runner,
        env: Env,
        now: Now,
        body: s.LateReleaseIn | None = None,
        if_match: IfMatch = None,
    ) -> s.ReleaseRead:
        reason = (body or s.LateReleaseIn()).reason
        return await rounds.release_late(session, caller, assignment_id, reason, if_match, env, now)

    @router.get(
        "/review-assignments/{assignment_id}/review",
        response_model=s.ReviewRead,
        operation_id="review-assignments-get-review",
        tags=["review-assignments"],
        summary="The review of an assignment (its reviewer; the round's staff and auditors) / 查看评审意见",
        responses=READ_ERRORS,
    )
    async def get_review(
        assignment_id: Id, session: DbSession, caller: ReviewReader, response: Response
    ) -> s.ReviewRead:
        review, assignment = await rounds.get_review(session, caller, assignment_id)
        return review_read(response, review, assignment)

    @router.put(
        "/review-assignments/{assignment_id}/review",
        response_model=s.ReviewRead,
        operation_id="review-assignments-put-review",
        tags=["review-assignments"],
        summary="Write the review draft: scores, grade, opinion, comments by criterion (If-Match once it "
        "exists) / 填写评审意见",
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
        review, assignment = await rounds.put_review(session, caller, assignment_id, body, if_match)
        return review_read(response, review, assignment)

    @router.post(
        "/review-assignments/{assignment_id}/review/submit",
        response_model=s.ReviewRead,
        operation_id="review-assignments-submit-review",
        tags=["review-assignments"],
        summary="Submit the complete review; it never changes afterwards (NSF-4) / 提交评审意见",
        responses=WRITE_ERRORS,
    )
    async def submit_review(
        assignment_id: Id,
        session: DbSession,
        caller: ReviewerCaller,
        response: Response,
        now: Now,
        if_match: IfMatch = None,
    ) -> s.ReviewRead:
        review, assignment = await rounds.submit_review(session, caller, assignment_id, if_match, now)
        return review_read(response, review, assignment)

    return router
