"""HTTP of public notices (公示) and their objections, the same routes in every service that mounts
them (``notice_router``): ``/notices`` (open, list and read: public where the scope says so;
conclude; history; raise and list objections) and ``/notice-objections`` (read, history, uphold,
dismiss). Objecting needs a logged-in person (real name; no anonymous objections).

No ``from __future__ import annotations`` here: the endpoints' annotations name the service's own
schemas and dependencies given to ``notice_router`` and must be evaluated where they are defined.
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from shared.clock import Now
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import ValidationFailed, field_error, problem_responses
from shared.notices import schemas as s
from shared.notices.models import ObjectionColumns
from shared.notices.service import NOTICE, OBJECTION, PublicNotices
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import PUBLIC, Caller, MaybeCaller, Principal, require_roles
from shared.schemas import CommentBody, Id
from shared.workflow import HistoryRead


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


def notice_router(
    notices: PublicNotices,
    *,
    open_body: type[Any],
    env: Callable[..., Any],
    filters: Callable[..., dict[str, Any]],
    open_summary: str,
    open_description: str | None = None,
) -> APIRouter:
    """The routes of ``notices`` for one service: ``open_body`` is its ``POST /notices`` schema, ``env``
    its request environment dependency, ``filters`` a dependency turning its list filters into
    ``{notice column: value}``."""
    scope = notices.scope
    NoticeRead = notices.notice_read
    Summary = notices.summary_read
    Official = Annotated[Principal, Depends(require_roles(*scope.officials))]
    Staff = Annotated[Principal, Depends(require_roles(*scope.staff))]
    Env = Annotated[Any, Depends(env)]
    Filters = Annotated[dict[str, Any], Depends(filters)]
    Body = open_body
    router = APIRouter(tags=["notices"])

    def notice_read(response: Response, notice: Any, now: Any) -> Any:
        set_etag(response, NOTICE, notice.id, notice.version)
        return notices.to_read(notice, now)

    def objection_read(response: Response, objection: ObjectionColumns, env: Any) -> s.ObjectionRead:
        set_etag(response, OBJECTION, objection.id, objection.version)
        return notices.objection_read(objection, env)

    @router.post(
        "/notices",
        status_code=201,
        response_model=NoticeRead,
        operation_id="notices-open",
        summary=open_summary,
        description=open_description,
        responses=problem_responses(401, 403, 404, 409, 422, 503),
    )
    async def open_notice(
        body: Body,  # type: ignore[valid-type]
        session: DbSession,
        caller: Official,
        response: Response,
        now: Now,
        env: Env,
    ) -> Any:
        return notice_read(response, await notices.open(session, caller, body, now, env), now)

    @router.get(
        "/notices",
        response_model=Page[Summary],  # type: ignore[valid-type]
        operation_id="notices-list",
        summary="Public notices / 公示列表",
        responses=problem_responses(422),
        **PUBLIC,
    )
    async def list_notices(
        session: DbSession,
        caller: MaybeCaller,
        where: Filters,
        limit: Limit = 20,
        cursor: Cursor = None,
        sort: Annotated[Sort, notices.notice_sorts.choices] = None,
        status: Annotated[str | None, Query(max_length=16, description="open or concluded")] = None,
    ) -> Any:
        _choice("status", status, notices.workflow.states)
        rows, next_cursor = await notices.page(
            session, caller, where, status=status, limit=limit, cursor=cursor, sort=sort
        )
        return {"items": [notices.to_summary(r) for r in rows], "next_cursor": next_cursor}

    @router.get(
        "/notices/{notice_id}",
        response_model=NoticeRead,
        operation_id="notices-get",
        summary="A notice and its list: names, units, titles, amounts, never an ID number / 公示详情",
        responses=problem_responses(404, 422),
        **PUBLIC,
    )
    async def get_notice(notice_id: Id, session: DbSession, caller: MaybeCaller, response: Response, now: Now) -> Any:
        return notice_read(response, await notices.load(session, caller, notice_id), now)

    @router.post(
        "/notices/{notice_id}/conclude",
        response_model=NoticeRead,
        operation_id="notices-conclude",
        summary="Conclude the notice after its period, every objection resolved / 公示结束",
        responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
    )
    async def conclude(
        notice_id: Id,
        session: DbSession,
        caller: Official,
        response: Response,
        now: Now,
        env: Env,
        body: CommentBody | None = None,
        if_match: IfMatch = None,
    ) -> Any:
        comment = body.comment if body else None
        notice = await notices.conclude(session, caller, notice_id, comment, if_match, now, env)
        return notice_read(response, notice, now)

    @router.get(
        "/notices/{notice_id}/history",
        response_model=list[HistoryRead],
        operation_id="notices-history",
        summary="State changes of a notice (its staff, auditors) / 公示流转记录",
        responses=problem_responses(401, 403, 404, 422),
    )
    async def notice_history(notice_id: Id, session: DbSession, caller: Staff) -> list[HistoryRead]:
        return await notices.history(session, caller, notice_id)

    @router.post(
        "/notices/{notice_id}/objections",
        status_code=201,
        response_model=s.ObjectionRead,
        operation_id="notices-object",
        summary="Raise a written, real-name objection while the notice runs (logged in) / 提出实名异议",
        description="Taken up to 23:59:59 Asia/Shanghai of the notice's last day (`ends_on`); 00:00:00 the next day "
        "is late (`notice_closed`). A blank name, contact or grounds (and, where the rules ask, no evidence) is "
        "`objection_incomplete`. Where the service keeps personal data sealed, the contact is stored encrypted.",
        responses=problem_responses(401, 404, 409, 422),
    )
    async def object_to(
        notice_id: Id,
        body: s.ObjectionCreate,
        session: DbSession,
        caller: Caller,
        response: Response,
        now: Now,
        env: Env,
    ) -> s.ObjectionRead:
        return objection_read(response, await notices.object_to(session, caller, notice_id, body, now, env), env)

    @router.get(
        "/notices/{notice_id}/objections",
        response_model=Page[s.ObjectionRead],
        operation_id="notices-objections",
        summary="Objections to a notice (its staff, auditors) / 异议列表",
        responses=problem_responses(401, 403, 404, 422),
    )
    async def list_objections(
        notice_id: Id,
        session: DbSession,
        caller: Staff,
        env: Env,
        limit: Limit = 20,
        cursor: Cursor = None,
        sort: Annotated[Sort, notices.objection_sorts.choices] = None,
        status: Annotated[str | None, Query(max_length=16, description="pending, upheld or dismissed")] = None,
    ) -> Page[s.ObjectionRead]:
        _choice("status", status, notices.objection_workflow.states)
        rows, next_cursor = await notices.objections(
            session, caller, notice_id, status=status, limit=limit, cursor=cursor, sort=sort
        )
        return Page[s.ObjectionRead](items=[notices.objection_read(r, env) for r in rows], next_cursor=next_cursor)

    @router.get(
        "/notice-objections/{objection_id}",
        response_model=s.ObjectionRead,
        operation_id="notices-objection-get",
        summary="An objection (its objector, the notice's staff) / 异议详情",
        responses=problem_responses(401, 404, 422),
    )
    async def get_objection(
        objection_id: Id, session: DbSession, caller: Caller, response: Response, env: Env
    ) -> s.ObjectionRead:
        objection, _ = await notices.load_objection(session, caller, objection_id)
        return objection_read(response, objection, env)

    @router.get(
        "/notice-objections/{objection_id}/history",
        response_model=list[HistoryRead],
        operation_id="notices-objection-history",
        summary="State changes of an objection / 异议处理记录",
        responses=problem_responses(401, 404, 422),
    )
    async def objection_history(objection_id: Id, session: DbSession, caller: Caller) -> list[HistoryRead]:
        return await notices.objection_history(session, caller, objection_id)

    for action, summary in (
        ("uphold", "Uphold an objection: the record listed is taken back / 异议成立"),
        ("dismiss", "Dismiss an objection with reasons / 异议不成立"),
    ):
        _add_resolution(router, notices, action, summary, Official, Env, objection_read)
    return router


def _add_resolution(
    router: APIRouter,
    notices: PublicNotices,
    action: str,
    summary: str,
    official: Any,
    env_dependency: Any,
    objection_read: Callable[[Response, ObjectionColumns, Any], s.ObjectionRead],
) -> None:
    async def resolve(
        objection_id: Id,
        body: s.ResolutionBody,
        session: DbSession,
        caller: official,
        env: env_dependency,
        response: Response,
        now: Now,
        if_match: IfMatch = None,
    ) -> s.ObjectionRead:
        objection = await notices.resolve(session, caller, objection_id, action, body.comment, if_match, now, env)
        return objection_read(response, objection, env)

    router.add_api_route(
        f"/notice-objections/{{objection_id}}/{action}",
        resolve,
        methods=["POST"],
        response_model=s.ObjectionRead,
        operation_id=f"notices-{action}",
        summary=summary,
        responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
    )
