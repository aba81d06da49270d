"""HTTP of the reviewer pool (专家库): ``/reviewers`` for people, ``/internal/reviewers`` for services."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.projects import access
from services.projects.deps import Common, Env, ServiceCaller
from services.projects.reviewers import schemas as s
from services.projects.reviewers import service
from shared.clients.reviewers import (
    MAX_CANDIDATE_PAGE,
    CandidatePage,
    LoadBatch,
    LoadBatchRead,
    LoadReport,
    check_discipline_prefixes,
)
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import ValidationFailed, field_error, problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import Caller
from shared.schemas import Id
from shared.validators import USCC
from shared.workdays import today_shanghai

router = APIRouter(tags=["reviewers"])
internal = APIRouter(tags=["reviewers-internal"])

DisciplinePrefixes = Annotated[
    list[str],
    Query(
        min_length=1,
        max_length=10,
        description="Discipline code prefixes (F, F02, F0203); repeat for several. 学科代码前缀",
    ),
]


def _prefixes(values: list[str]) -> list[str]:
    try:
        return check_discipline_prefixes(values)
    except ValueError:
        raise ValidationFailed(
            [
                field_error(
                    "discipline",
                    "invalid_discipline_code",
                    "学科代码前缀为一个大写字母加 0、2、4 或 6 位数字（如 F、F02、F0203）",
                    "a prefix is a capital letter and 0, 2, 4 or 6 digits (F, F02, F0203)",
                )
            ]
        ) from None


def _context(session: DbSession, caller: Caller, common: Common, env: Env) -> service.Context:
    return service.Context(
        session=session,
        common=common,
        caller=caller,
        keys=service.Keys(env.subject_key_secret),
        today=today_shanghai(),
    )


Context = Annotated[service.Context, Depends(_context)]


@router.post(
    "/reviewers",
    status_code=201,
    response_model=s.ReviewerRead,
    operation_id="reviewers-create",
    summary="Add a reviewer to the pool / 新增评审专家",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_reviewer(body: s.ReviewerCreate, ctx: Context, response: Response) -> s.ReviewerRead:
    reviewer = await service.create(ctx, body)
    set_etag(response, service.ETAG_KIND, reviewer.id, reviewer.version)
    return service.to_read(reviewer, ctx.today)


@router.get(
    "/reviewers",
    response_model=Page[s.ReviewerSummary],
    operation_id="reviewers-list",
    summary="List the pool / 专家库列表",
    responses=problem_responses(401, 403, 422),
)
async def list_reviewers(
    ctx: Context,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.SORTS.choices] = None,
    discipline: Annotated[list[str] | None, Query(max_length=10, description="Discipline code prefixes")] = None,
    keyword: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    active: bool | None = None,
    available: Annotated[bool | None, Query(description="Available today (Asia/Shanghai)")] = None,
    organisation: Annotated[str | None, Query(min_length=1, max_length=200, description="Part of the name")] = None,
    organisation_uscc: USCC | None = None,
) -> Page[s.ReviewerSummary]:
    access.require_pool_reader(ctx.caller)
    filters = s.ReviewerFilters(
        discipline=_prefixes(discipline) if discipline else (),
        keyword=s.normalise_keyword(keyword).casefold() if keyword else None,
        active=active,
        available=available,
        organisation=organisation,
        organisation_uscc=organisation_uscc,
    )
    rows, next_cursor = await service.list_page(ctx, filters, limit=limit, cursor=cursor, sort=sort)
    return Page[s.ReviewerSummary](items=[service.to_summary(r, ctx.today) for r in rows], next_cursor=next_cursor)


@router.get(
    "/reviewers/me",
    response_model=s.ReviewerRead,
    operation_id="reviewers-get-own",
    summary="My own pool entry (reviewers) / 本人专家信息",
    responses=problem_responses(401, 403, 404),
)
async def get_own_entry(ctx: Context, response: Response) -> s.ReviewerRead:
    reviewer = await service.get_own(ctx)
    set_etag(response, service.ETAG_KIND, reviewer.id, reviewer.version)
    return service.to_read(reviewer, ctx.today)


@router.patch(
    "/reviewers/me",
    response_model=s.ReviewerRead,
    operation_id="reviewers-update-own",
    summary="Change my availability, keywords or declared conflicts / 修改本人可用状态、关键词、回避声明",
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update_own_entry(
    body: s.ReviewerSelfUpdate,
    ctx: Context,
    response: Response,
    if_match: IfMatch = None,
) -> s.ReviewerRead:
    reviewer = await service.update_own(ctx, body, if_match)
    set_etag(response, service.ETAG_KIND, reviewer.id, reviewer.version)
    return service.to_read(reviewer, ctx.today)


@router.get(
    "/reviewers/{reviewer_id}",
    response_model=s.ReviewerRead,
    operation_id="reviewers-get",
    summary="One reviewer / 评审专家详情",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_reviewer(reviewer_id: Id, ctx: Context, response: Response) -> s.ReviewerRead:
    reviewer = await service.get(ctx, reviewer_id)
    set_etag(response, service.ETAG_KIND, reviewer.id, reviewer.version)
    return service.to_read(reviewer, ctx.today)


@router.patch(
    "/reviewers/{reviewer_id}",
    response_model=s.ReviewerRead,
    operation_id="reviewers-update",
    summary="Edit a reviewer (officials) / 修改评审专家信息",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_reviewer(
    reviewer_id: Id,
    body: s.ReviewerUpdate,
    ctx: Context,
    response: Response,
    if_match: IfMatch = None,
) -> s.ReviewerRead:
    reviewer = await service.update(ctx, reviewer_id, body, if_match)
    set_etag(response, service.ETAG_KIND, reviewer.id, reviewer.version)
    return service.to_read(reviewer, ctx.today)


@internal.get(
    "/internal/reviewers/candidates",
    response_model=CandidatePage,
    operation_id="reviewers-internal-candidates",
    summary="Candidates by discipline, for other services / 按学科抽取候选专家（内部）",
    description="Active reviewers available on `on` with a discipline code under one of the prefixes, by id: "
    "keys, codes, keywords, declared conflicts as keys and the current load; never a name or an ID number. "
    "Service principals only.",
    responses=problem_responses(401, 403, 422),
)
async def candidates(
    session: DbSession,
    caller: ServiceCaller,
    discipline: DisciplinePrefixes,
    limit: Annotated[int, Query(ge=1, le=MAX_CANDIDATE_PAGE)] = MAX_CANDIDATE_PAGE,
    cursor: Cursor = None,
    on: Annotated[date | None, Query(description="Judge availability on this day; default today")] = None,
) -> CandidatePage:
    return await service.candidate_page(
        session, _prefixes(discipline), on or today_shanghai(), limit=limit, cursor=cursor
    )


@internal.put(
    "/internal/reviewers/loads",
    response_model=LoadBatchRead,
    operation_id="reviewers-internal-report-loads",
    summary="Report a service's open assignments of many reviewers at once / 批量报告专家评审任务数（内部）",
    description="As `PUT /internal/reviewers/{id}/load` for each item (the calling service's last report "
    "replaces its previous one), in one transaction; reviewers no longer in the pool are skipped and listed "
    "in `unknown`. Up to 5,000 items a call. Service principals only.",
    responses=problem_responses(401, 403, 422),
)
async def report_loads(body: LoadBatch, session: DbSession, caller: ServiceCaller) -> LoadBatchRead:
    loads = {item.reviewer_id: item.open_assignments for item in body.loads}
    if len(loads) != len(body.loads):
        raise ValidationFailed(
            [field_error("loads", "duplicate_reviewer", "每位评审专家只能出现一次", "each reviewer may appear once")]
        )
    unknown = await service.set_loads(session, caller.subject, loads)
    return LoadBatchRead(source=caller.subject, updated=len(loads) - len(unknown), unknown=unknown)


@internal.put(
    "/internal/reviewers/{reviewer_id}/load",
    response_model=s.LoadRead,
    operation_id="reviewers-internal-report-load",
    summary="Report a service's open assignments of a reviewer / 报告专家当前评审任务数（内部）",
    description="Idempotent: the calling service's last report replaces its previous one; "
    "the reviewer's current load is the sum over services. Service principals only.",
    responses=problem_responses(401, 403, 404, 422),
)
async def report_load(reviewer_id: Id, body: LoadReport, session: DbSession, caller: ServiceCaller) -> s.LoadRead:
    total = await service.set_load(session, reviewer_id, caller.subject, body.open_assignments)
    return s.LoadRead(
        reviewer_id=reviewer_id, source=caller.subject, open_assignments=body.open_assignments, current_load=total
    )
