"""HTTP of public notices (公示) and objections. Open notices are public; objecting needs a
logged-in person (real name, no anonymous objections)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.applications.deps import Env
from services.projects.applications.service import Environment
from services.projects.notices import repository as repo
from services.projects.notices import service
from services.projects.notices.models import NoticeObjection, PublicNotice
from services.projects.notices.schemas import (
    ActionBody,
    NoticeCreate,
    NoticeRead,
    NoticeSummary,
    ObjectionCreate,
    ObjectionRead,
    ResolutionBody,
)
from services.projects.rules.workflows import NOTICE_WORKFLOW, OBJECTION_WORKFLOW
from shared.clock import Now
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import ValidationFailed, problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import PUBLIC, Caller, MaybeCaller, Principal, require_roles
from shared.schemas import Id
from shared.workflow import HistoryRead

router = APIRouter(tags=["notices"])

Official = Annotated[Principal, Depends(require_roles("official"))]
Staff = Annotated[Principal, Depends(require_roles("official", "agency", "auditor"))]


def _choice(name: str, value: str | None, allowed: frozenset[str]) -> None:
    if value is not None and value not in allowed:
        raise ValidationFailed(
            [{"field": name, "code": "invalid_choice", "message": "one of: " + ", ".join(sorted(allowed))}]
        )


def _notice(response: Response, notice: PublicNotice, now: Now) -> NoticeRead:
    set_etag(response, service.KIND, notice.id, notice.version)
    return service.to_read(notice, now)


def _objection(response: Response, objection: NoticeObjection) -> ObjectionRead:
    set_etag(response, service.OBJECTION, objection.id, objection.version)
    return ObjectionRead.model_validate(objection)


@router.post(
    "/notices",
    status_code=201,
    response_model=NoticeRead,
    operation_id="notices-open",
    summary="Put an approved list on public notice / 发布拟立项公示",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def open_notice(
    body: NoticeCreate, session: DbSession, caller: Official, response: Response, now: Now
) -> NoticeRead:
    return _notice(response, await service.open_notice(session, caller, body, now), now)


@router.get(
    "/notices",
    response_model=Page[NoticeSummary],
    operation_id="notices-list",
    summary="Public notices (open ones for everyone) / 公示列表",
    responses=problem_responses(422),
    **PUBLIC,
)
async def list_notices(
    session: DbSession,
    caller: MaybeCaller,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Sort = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    programme_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> Page[NoticeSummary]:
    _choice("status", status, NOTICE_WORKFLOW.states)
    rows, next_cursor = await repo.page(
        session, caller, status=status, programme_id=programme_id, limit=limit, cursor=cursor, sort=sort
    )
    return Page[NoticeSummary](items=[NoticeSummary.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/notices/{notice_id}",
    response_model=NoticeRead,
    operation_id="notices-get",
    summary="A notice and its list (public while open) / 公示详情",
    responses=problem_responses(404, 422),
    **PUBLIC,
)
async def get_notice(
    notice_id: Id, session: DbSession, caller: MaybeCaller, response: Response, now: Now
) -> NoticeRead:
    return _notice(response, await service.load(session, caller, notice_id), now)


@router.post(
    "/notices/{notice_id}/conclude",
    response_model=NoticeRead,
    operation_id="notices-conclude",
    summary="Conclude the notice after its period, every objection resolved / 公示结束",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def conclude(
    notice_id: Id,
    session: DbSession,
    caller: Official,
    response: Response,
    now: Now,
    body: ActionBody | None = None,
    if_match: IfMatch = None,
) -> NoticeRead:
    notice = await service.conclude(session, caller, notice_id, body.comment if body else None, if_match, now)
    return _notice(response, notice, now)


@router.get(
    "/notices/{notice_id}/history",
    response_model=list[HistoryRead],
    operation_id="notices-history",
    summary="State changes of a notice / 公示流转记录",
    responses=problem_responses(401, 403, 404, 422),
)
async def notice_history(notice_id: Id, session: DbSession, caller: Staff) -> list[HistoryRead]:
    return await service.history(session, caller, notice_id)


@router.post(
    "/notices/{notice_id}/objections",
    status_code=201,
    response_model=ObjectionRead,
    operation_id="notices-object",
    summary="Raise a written, real-name objection within the period (logged in) / 提出实名异议",
    responses=problem_responses(401, 404, 409, 422),
)
async def object_to(
    notice_id: Id, body: ObjectionCreate, session: DbSession, caller: Caller, response: Response, now: Now
) -> ObjectionRead:
    return _objection(response, await service.object_to(session, caller, notice_id, body, now))


@router.get(
    "/notices/{notice_id}/objections",
    response_model=Page[ObjectionRead],
    operation_id="notices-objections",
    summary="Objections to a notice (officials, the entrusted agency, auditors) / 异议列表",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_objections(
    notice_id: Id,
    session: DbSession,
    caller: Staff,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Sort = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> Page[ObjectionRead]:
    _choice("status", status, OBJECTION_WORKFLOW.states)
    rows, next_cursor = await service.objections(
        session, caller, notice_id, status=status, limit=limit, cursor=cursor, sort=sort
    )
    return Page[ObjectionRead](items=[ObjectionRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/notice-objections/{objection_id}",
    response_model=ObjectionRead,
    operation_id="notices-objection-get",
    summary="An objection (its objector or the staff) / 异议详情",
    responses=problem_responses(401, 404, 422),
)
async def get_objection(objection_id: Id, session: DbSession, caller: Caller, response: Response) -> ObjectionRead:
    objection, _ = await service.load_objection(session, caller, objection_id)
    return _objection(response, objection)


@router.get(
    "/notice-objections/{objection_id}/history",
    response_model=list[HistoryRead],
    operation_id="notices-objection-history",
    summary="State changes of an objection / 异议处理记录",
    responses=problem_responses(401, 404, 422),
)
async def objection_history(objection_id: Id, session: DbSession, caller: Caller) -> list[HistoryRead]:
    return await service.objection_history(session, caller, objection_id)


async def _resolve(
    session: AsyncSession,
    caller: Principal,
    objection_id: int,
    action: str,
    body: ResolutionBody,
    if_match: str | None,
    env: Environment,
    response: Response,
) -> ObjectionRead:
    objection = await service.resolve(session, caller, objection_id, action, body.comment, if_match, env)
    return _objection(response, objection)


@router.post(
    "/notice-objections/{objection_id}/uphold",
    response_model=ObjectionRead,
    operation_id="notices-uphold",
    summary="Uphold an objection: the approval is withdrawn, its amount released / 异议成立",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def uphold(
    objection_id: Id,
    body: ResolutionBody,
    session: DbSession,
    caller: Official,
    env: Env,
    response: Response,
    if_match: IfMatch = None,
) -> ObjectionRead:
    return await _resolve(session, caller, objection_id, "uphold", body, if_match, env, response)


@router.post(
    "/notice-objections/{objection_id}/dismiss",
    response_model=ObjectionRead,
    operation_id="notices-dismiss",
    summary="Dismiss an objection with reasons / 异议不成立",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def dismiss(
    objection_id: Id,
    body: ResolutionBody,
    session: DbSession,
    caller: Official,
    env: Env,
    response: Response,
    if_match: IfMatch = None,
) -> ObjectionRead:
    return await _resolve(session, caller, objection_id, "dismiss", body, if_match, env, response)
