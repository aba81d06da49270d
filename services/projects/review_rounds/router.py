"""HTTP of review rounds: set up, draw, verify, exclusions, close, ranking."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from services.projects.review_rounds import repository as repo
from services.projects.review_rounds import schemas as s
from services.projects.review_rounds import service
from services.projects.review_rounds.models import ReviewRound
from services.projects.review_rounds.policy import ROUND_WORKFLOW
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import ValidationFailed, problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import Principal, require_roles
from shared.schemas import Id
from shared.workflow import HistoryRead, load_history

router = APIRouter(tags=["review-rounds"])

Reader = Annotated[Principal, Depends(require_roles("official", "agency", "auditor"))]
Runner = Annotated[Principal, Depends(require_roles("official", "agency"))]
OptionalId = Annotated[int | None, Query(ge=1, le=2**63 - 1)]


def environment(request: Request) -> service.Environment:
    return service.Environment(subject_key_secret=str(request.app.state.settings.subject_key_secret))


Env = Annotated[service.Environment, Depends(environment)]


async def _read(session: DbSession, response: Response, caller: Principal, rnd: ReviewRound) -> s.RoundRead:
    set_etag(response, service.KIND, rnd.id, rnd.version)
    return service.to_read(rnd, await service.acting(session, caller, rnd))


@router.post(
    "/review-rounds",
    status_code=201,
    response_model=s.RoundRead,
    operation_id="review-rounds-create",
    summary="Set up a review round of a call / 设立评审轮次",
    responses=problem_responses(401, 403, 404, 422),
)
async def create_round(body: s.RoundCreate, session: DbSession, caller: Runner, response: Response) -> s.RoundRead:
    return await _read(session, response, caller, await service.create(session, caller, body))


@router.get(
    "/review-rounds",
    response_model=Page[s.RoundRead],
    operation_id="review-rounds-list",
    summary="Review rounds the caller may see / 评审轮次列表",
    responses=problem_responses(401, 403, 422),
)
async def list_rounds(
    session: DbSession,
    caller: Reader,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Sort = None,
    call_id: OptionalId = None,
    status: Annotated[str | None, Query(max_length=16, description="draft, in_review or closed")] = None,
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
        session, caller, call_id=call_id, status=status, limit=limit, cursor=cursor, sort=sort
    )
    return Page[s.RoundRead](items=[service.to_read(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/review-rounds/{round_id}",
    response_model=s.RoundRead,
    operation_id="review-rounds-get",
    summary="A review round / 评审轮次详情",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_round(round_id: Id, session: DbSession, caller: Reader, response: Response) -> s.RoundRead:
    return await _read(session, response, caller, await service.load(session, caller, round_id))


@router.get(
    "/review-rounds/{round_id}/history",
    response_model=list[HistoryRead],
    operation_id="review-rounds-history",
    summary="State changes of a review round / 评审轮次流转记录",
    responses=problem_responses(401, 403, 404, 422),
)
async def round_history(round_id: Id, session: DbSession, caller: Reader, request: Request) -> list[HistoryRead]:
    rnd = await service.load(session, caller, round_id)
    return await load_history(session, request.app.state.common, service.KIND, rnd.id)


@router.post(
    "/review-rounds/{round_id}/draw",
    response_model=s.DrawRead,
    operation_id="review-rounds-draw",
    summary="Draw the reviewers (NSF-2, NSF-3; reproducible, Idempotency-Key) / 随机抽取评审专家",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
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
    rnd, objective = await service.run_draw(session, caller, round_id, body or s.DrawIn(), if_match, env)
    read = await _read(session, response, caller, rnd)
    rows = await repo.assignments(session, rnd.id)
    return s.DrawRead(round=read, assignments=service.group_slots(rows), objective=objective)


@router.post(
    "/review-rounds/{round_id}/verify",
    response_model=s.VerifyRead,
    operation_id="review-rounds-verify",
    summary="Re-run the draw from its record and compare (NSF-2) / 复核抽取结果",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def verify_round(round_id: Id, session: DbSession, caller: Reader) -> s.VerifyRead:
    return await service.run_verify(session, caller, round_id)


@router.get(
    "/review-rounds/{round_id}/assignments",
    response_model=list[s.ApplicationAssignmentsRead],
    operation_id="review-rounds-assignments",
    summary="Who reviews which application (no scores) / 评审分配情况",
    responses=problem_responses(401, 403, 404, 422),
)
async def round_assignments(round_id: Id, session: DbSession, caller: Reader) -> list[s.ApplicationAssignmentsRead]:
    return service.group_slots(await service.round_assignments(session, caller, round_id))


@router.get(
    "/review-rounds/{round_id}/exclusions",
    response_model=Page[s.ExclusionRead],
    operation_id="review-rounds-exclusions",
    summary="Reviewers excluded by conflict of interest, with the NSF-3 rule / 回避情况",
    responses=problem_responses(401, 403, 404, 422),
)
async def round_exclusions(
    round_id: Id,
    session: DbSession,
    caller: Reader,
    limit: Limit = 100,
    cursor: Cursor = None,
    application_id: OptionalId = None,
) -> Page[s.ExclusionRead]:
    rnd = await service.load(session, caller, round_id)
    rows, next_cursor = await repo.page_exclusions(
        session, rnd.id, application_id=application_id, limit=limit, cursor=cursor
    )
    return Page[s.ExclusionRead](items=[s.ExclusionRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.post(
    "/review-rounds/{round_id}/close",
    response_model=s.CloseRead,
    operation_id="review-rounds-close",
    summary="Close the round: NSF-4 aggregates, reviewed applications move on / 结束评审并汇总",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def close_round(
    round_id: Id,
    session: DbSession,
    caller: Runner,
    response: Response,
    env: Env,
    if_match: IfMatch = None,
) -> s.CloseRead:
    rnd, outcome, moved = await service.close(session, caller, round_id, if_match, env)
    return s.CloseRead(
        round=await _read(session, response, caller, rnd),
        results=outcome.rows,
        moved_to_reviewed=moved,
        lacking_reviews=[r.application_id for r in outcome.rows if r.status != "ranked"],
    )


@router.get(
    "/review-rounds/{round_id}/ranking",
    response_model=s.RankingRead,
    operation_id="review-rounds-ranking",
    summary="Ranking per call and topic, with the tie-break (NSF-4) / 评审排序",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def round_ranking(round_id: Id, session: DbSession, caller: Reader) -> s.RankingRead:
    return await service.ranking(session, caller, round_id)
