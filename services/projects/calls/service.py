"""Use cases of calls: officials and the entrusted agencies draft, publish and close them; anyone
reads the published ones. Never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import access
from services.projects.calls import repository as repo
from services.projects.calls.models import Call, CallTopic
from services.projects.calls.schemas import CallCreate, CallRead, CallSummary, CallUpdate, EligibilityIn, TopicIn
from services.projects.db import common
from services.projects.programmes import repository as programmes_repo
from services.projects.programmes import service as programmes
from services.projects.rules.eligibility import CallClosed
from services.projects.rules.workflows import CALL_WORKFLOW
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned, utcnow
from shared.errors import CallNotEditable, NotFound, ValidationFailed, field_error
from shared.pagination import Page
from shared.principal import Principal
from shared.windows import WindowNow, read_with, window_now
from shared.workdays import to_shanghai
from shared.workflow import HistoryRead, load_history

SORTS = repo.SORTS  # the orders its list takes, as the router documents them

KIND = "call"


def _not_found() -> NotFound:
    return NotFound("申报指南不存在。", "No such call.")


async def load(session: AsyncSession, principal: Principal, call_id: int) -> Call:
    call = await repo.get_visible(session, principal, call_id)
    if call is None:
        raise _not_found()
    return call


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    programme_id: int | None,
    year: int | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
    now: datetime,
) -> Page[CallSummary]:
    """The calls the caller may see: published and closed ones for anyone (``access.visible_calls``)."""
    rows, next_cursor = await repo.page(
        session, principal, programme_id=programme_id, year=year, status=status, limit=limit, cursor=cursor, sort=sort
    )
    return Page[CallSummary](items=[to_summary(r, now) for r in rows], next_cursor=next_cursor)


def window(call: Call, now: datetime) -> WindowNow:
    """Taking submissions now (CAL-2): published, not closed by hand, and now within the call's times."""
    return window_now(call.opens_at, call.closes_at, now, taking=call.status == "published")


def to_read(call: Call, now: datetime) -> CallRead:
    return read_with(CallRead, call, window(call, now).fields())


def to_summary(call: Call, now: datetime) -> CallSummary:
    return read_with(CallSummary, call, window(call, now).fields())


async def _load_managed(session: AsyncSession, principal: Principal, call_id: int) -> Call:
    """A call the caller may change: an agency only on its entrusted programmes (others are 404)."""
    call = await load(session, principal, call_id)
    programme = await programmes_repo.get(session, call.programme_id)
    if programme is None or not access.may_manage(principal, entrusted=access.entrusted_to(principal, programme)):
        raise _not_found()
    return call


def _apply_eligibility(call: Call, eligibility: EligibilityIn) -> None:
    call.org_kinds = list(eligibility.org_kinds)
    call.leader_max_age = eligibility.leader_max_age
    call.enterprise_cofunding_ratio = eligibility.enterprise_cofunding_ratio
    call.age_reference_date = eligibility.age_reference_date or to_shanghai(call.closes_at).date()


def _set_topics(call: Call, topics: list[TopicIn]) -> None:
    # Update in place by code, so topic ids stay stable and no unique (call, code) clash is flushed.
    by_code = {t.code: t for t in call.topics}
    updated: list[CallTopic] = []
    for t in topics:
        row = by_code.get(t.code) or CallTopic(code=t.code)
        row.title, row.budget_cap = t.title, t.budget_cap
        updated.append(row)
    call.topics = updated


def _check_window(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= opens_at:
        raise ValidationFailed(
            [field_error("closes_at", "before_opens_at", "截止时间应晚于开始时间", "closes_at must be after opens_at")]
        )


async def create(session: AsyncSession, principal: Principal, body: CallCreate) -> Call:
    programme = await programmes_repo.get_visible(session, principal, body.programme_id)
    if programme is None or not access.may_manage(principal, entrusted=access.entrusted_to(principal, programme)):
        raise NotFound("计划不存在。", "No such programme.")
    if programme.status != "active":
        raise programmes.ProgrammeClosed("计划已关闭，不能发布新的申报指南。", "The programme is closed.")
    call = Call(
        programme_id=programme.id,
        year=programme.year,
        title=body.title,
        guide=body.guide,
        opens_at=body.opens_at,
        closes_at=body.closes_at,
        status=CALL_WORKFLOW.initial,
        version=1,
        created_by=principal.actor_id,
        topics=[],
    )
    _apply_eligibility(call, body.eligibility)
    _set_topics(call, body.topics)
    session.add(call)
    await flush_versioned(session, "申报指南")
    await CALL_WORKFLOW.record_creation(session, common, call, principal)
    await audit.append(session, common, principal, "create", KIND, call.id, {"programme_id": programme.id})
    return call


async def update(
    session: AsyncSession, principal: Principal, call_id: int, body: CallUpdate, if_match: str | None
) -> Call:
    call = await _load_managed(session, principal, call_id)
    check_if_match(if_match, KIND, call.id, call.version)
    if call.status != "draft":
        raise CallNotEditable("只有草稿状态的申报指南可以修改。", "Only a draft call can be edited.")
    changes = body.model_dump(exclude_unset=True)
    for field in ("title", "guide", "opens_at", "closes_at"):
        if changes.get(field) is not None:
            setattr(call, field, getattr(body, field))
    _check_window(call.opens_at, call.closes_at)
    if body.eligibility is not None:
        _apply_eligibility(call, body.eligibility)
    elif "closes_at" in changes:
        call.age_reference_date = to_shanghai(call.closes_at).date()
    if body.topics is not None:
        _set_topics(call, body.topics)
    call.version += 1
    await flush_versioned(session, "申报指南")
    await audit.append(session, common, principal, "update", KIND, call.id, {"fields": sorted(changes)})
    return call


async def act(
    session: AsyncSession,
    principal: Principal,
    call_id: int,
    action: str,
    comment: str | None,
    if_match: str | None,
) -> Call:
    call = await _load_managed(session, principal, call_id)
    check_if_match(if_match, KIND, call.id, call.version, required=False)
    if action == "publish" and call.status == "draft":
        programme = await programmes_repo.get(session, call.programme_id)
        if programme is None or programme.status != "active":
            raise programmes.ProgrammeClosed("计划已关闭，不能发布申报指南。", "The programme is closed.")
        if call.closes_at <= utcnow():
            raise CallClosed(
                "申报截止时间已过，不能发布。", "The closing time has passed; the call cannot be published."
            )
    await CALL_WORKFLOW.apply(session, common, call, action, principal, comment=comment)
    await flush_versioned(session, "申报指南")
    await audit.append(session, common, principal, action, KIND, call.id, {"status": call.status})
    return call


async def history(session: AsyncSession, principal: Principal, call_id: int) -> list[HistoryRead]:
    call = await load(session, principal, call_id)
    return await load_history(session, common, KIND, call.id)
