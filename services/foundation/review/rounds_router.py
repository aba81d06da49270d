"""HTTP of review rounds: set up, the draw (NSF-2, NSF-3), verify, exclusions, assignments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from services.foundation.deps import Env
from services.foundation.review import repository as repo
from services.foundation.review import rounds as service
from services.foundation.review import schemas as s
from services.foundation.review.models import ReviewRound
from services.foundation.review.policy import ROUND_WORKFLOW
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import ValidationFailed, problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import Principal, require_roles
from shared.schemas import Id
from shared.workflow import HistoryRead, load_history

router = APIRouter(tags=["foundation review rounds"])

Reader = Annotated[Principal, Depends(require_roles("official", "agency", "auditor"))]
Runner = Annotated[Principal, Depends(require_roles("official", "agency"))]
OptionalId = Annotated[int | None, Query(ge=1, le=2**63 - 1)]


async def _read(session: DbSession, response: Response, caller: Principal, rnd: ReviewRound) -> s.RoundRead:
    set_etag(response, service.KIND, rnd.id, rnd.version)
    return service.to_read(rnd, await service.acting(session, caller, rnd))


@router.post(
    "/review-rounds",
    status_code=201,
    response_model=s.RoundRead,
    operation_id="foundation-review-rounds-create",
    summary="Set up a review round of a plan category (staff; Idempotency-Key) / 设立评审轮次",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_round(body: s.RoundCreate, session: DbSession, caller: Runner, response: Response) -> s.RoundRead:
    return await _read(session, response, caller, await service.create(session, caller, body))


@router.get(
    "/review-rounds",
    response_model=Page[s.RoundRead],
    operation_id="foundation-review-rounds-list",
    summary="Review rounds the caller may see / 评审轮次列表",
    responses=problem_responses(401, 403, 422),
)
async def list_rounds(
    session: DbSession,
    caller: Reader,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Sort = None,
    plan_id: OptionalId = None,
    category_id: OptionalId = None,
    status: Annotated[str | None, Query(max_length=16, description="draft, drawn or closed")] = None,
) -> Page[s.RoundRead]:
    if status is not None and status not in ROUND_WORKFLOW.states:
        raise ValidationFailed(
            [
                {
                    "field": "status",
                    "code": "invalid_choice",
                    "message": "one of: " + ", ".join(sorted(ROUND_WORKFLOW.states)),
                }
            ]
        )
    rows, next_cursor = await repo.page_rounds(
        session, caller, plan_id=plan_id, category_id=category_id, status=status, limit=limit, cursor=cursor, sort=sort
    )
    return Page[s.RoundRead](items=[service.to_read(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/review-rounds/{round_id}",
    response_model=s.RoundRead,
    operation_id="foundation-review-rounds-get",
    summary="A review round (ETag) / 评审轮次详情",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_round(round_id: Id, session: DbSession, caller: Reader, response: Response) -> s.RoundRead:
    return await _read(session, response, caller, await service.load(session, caller, round_id))


@router.get(
    "/review-rounds/{round_id}/history",
    response_model=list[HistoryRead],
    operation_id="foundation-review-rounds-history",
    summary="State changes of a review round / 评审轮次流转记录",
    responses=problem_responses(401, 403, 404, 422),
)
async def round_history(round_id: Id, session: DbSession, caller: Reader, request: Request) -> list[HistoryRead]:
    rnd = await service.load(session, caller, round_id)
    return await load_history(session, request.app.state.common, service.KIND, rnd.id)


@router.post(
    "/review-rounds/{round_id}/draw",
    response_model=s.DrawRead,
    operation_id="foundation-review-rounds-draw",
    summary="Draw reviewers from the projects pool (NSF-2, NSF-3; reproducible; If-Match, Idempotency-Key) "
    "/ 随机抽取评审专家",
    description="The category's applications accepted at formal review (within the round's discipline prefixes) "
    "go to review: the pool is read from the projects service (503 with Retry-After when it does not "
    "answer, and nothing is written), the draw is recorded with its seed, pool hash and algorithm "
    "version, each application moves to in_review, and each drawn reviewer's open assignments are "
    "reported to the pool.",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
async def draw_round(
    round_id: Id,
    session: DbSession,
    caller: Runner,
    response: Response,
    env: Env,
    body: s.DrawIn | None = None,
    if_match: IfMatch = None,
) -> s.DrawRead:
    outcome = await service.run_draw(session, caller, round_id, body or s.DrawIn(), if_match, env)
    read = await _read(session, response, caller, outcome.round)
    rows = await repo.assignments(session, outcome.round.id)
    return s.DrawRead(
        round=read,
        applications=outcome.applications,
        assignments=service.group_slots(rows),
        objective=outcome.objective,
        subject_groups=outcome.subject_groups,
    )


@router.post(
    "/review-rounds/{round_id}/verify",
    response_model=s.VerifyRead,
    operation_id="foundation-review-rounds-verify",
    summary="Re-run the draw from its frozen inputs and compare with the assignments now (NSF-2) / 复核抽取结果",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def verify_round(round_id: Id, session: DbSession, caller: Reader) -> s.VerifyRead:
    return await service.run_verify(session, caller, round_id)


@router.get(
    "/review-rounds/{round_id}/assignments",
    response_model=Page[s.ApplicationAssignmentsRead],
    operation_id="foundation-review-rounds-assignments",
    summary="Who reviews which application, by application (no reviews) / 评审分配情况",
    responses=problem_responses(401, 403, 404, 422),
)
async def round_assignments(
    round_id: Id,
    session: DbSession,
    caller: Reader,
    limit: Limit = 100,
    cursor: Cursor = None,
    application_id: OptionalId = None,
) -> Page[s.ApplicationAssignmentsRead]:
    rnd = await service.load(session, caller, round_id)
    rows, next_cursor = await repo.page_round_assignments(
        session, rnd.id, application_id=application_id, limit=limit, cursor=cursor
    )
    return Page[s.ApplicationAssignmentsRead](items=service.group_slots(rows), next_cursor=next_cursor)


@router.get(
    "/review-rounds/{round_id}/exclusions",
    response_model=Page[s.ExclusionRead],
    operation_id="foundation-review-rounds-exclusions",
    summary="Reviewers excluded by conflict of interest, with the NSF-3 rules / 回避情况",
    responses=problem_responses(401, 403, 404, 422),
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
    rnd = await service.load(session, caller, round_id)
    rows, next_cursor = await repo.page_exclusions(
        session, rnd.id, application_id=application_id, reviewer_id=reviewer_id, limit=limit, cursor=cursor
    )
    return Page[s.ExclusionRead](items=[s.ExclusionRead.model_validate(r) for r in rows], next_cursor=next_cursor)
