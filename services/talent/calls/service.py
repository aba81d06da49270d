"""Use cases of the talent programmes' yearly calls: officials draft, edit, publish and close them; a call
is made under an active programme, one a year. Never commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.calls import repository as repo
from services.talent.calls.models import TalentCall
from services.talent.calls.schemas import CallCreate, CallRead, CallUpdate
from services.talent.db import common
from services.talent.errors import ProgrammeRetired
from services.talent.labels import level_label, state_label
from services.talent.programmes import service as programmes
from services.talent.programmes.models import Programme
from services.talent.rules.workflows import CALL_WORKFLOW
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import CallNotEditable, Duplicate, NotFound, ValidationFailed, field_error
from shared.pagination import Page
from shared.principal import Principal
from shared.windows import window_now
from shared.workflow import HistoryRead, load_history

SORTS = repo.SORTS  # the orders its list takes, as the router documents them
KIND = "talent_call"
EDITABLE = frozenset({"draft", "published"})


def not_found() -> NotFound:
    return NotFound("年度申报不存在。", "No such call.")


def to_read(call: TalentCall, programme: Programme, today: date) -> CallRead:
    return CallRead.model_validate(
        {
            **{c.key: getattr(call, c.key) for c in TalentCall.__table__.columns},
            "programme_code": programme.code,
            "programme_name": programme.name,
            "level": programme.level,
            "level_label": level_label(programme.level),
            "status_label": state_label(call.status),
            **window_now(call.opens_on, call.closes_on, today, taking=call.status == "published").fields(),
        }
    )


async def read(session: AsyncSession, call: TalentCall, today: date) -> CallRead:
    return to_read(call, await programmes.load(session, call.programme_id), today)


async def load(session: AsyncSession, principal: Principal, call_id: int, *, for_update: bool = False) -> TalentCall:
    call = await repo.get_visible(session, principal, call_id, for_update=for_update)
    if call is None:
        raise not_found()
    return call


async def page(
    session: AsyncSession,
    principal: Principal,
    today: date,
    *,
    programme_id: int | None,
    year: int | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> Page[CallRead]:
    """Calls: published and closed ones for everyone, drafts for officials and auditors."""
    rows, next_cursor = await repo.page(
        session, principal, programme_id=programme_id, year=year, status=status, limit=limit, cursor=cursor, sort=sort
    )
    return Page[CallRead](items=[await read(session, r, today) for r in rows], next_cursor=next_cursor)


async def create(session: AsyncSession, principal: Principal, body: CallCreate) -> TalentCall:
    programme = await programmes.load(session, body.programme_id)
    if programme.status != "active":
        raise ProgrammeRetired(programme.code)
    if await repo.by_code(session, body.code) is not None:
        raise Duplicate(f"编号 {body.code} 已被使用。", f"The code {body.code} is taken.", extra={"field": "code"})
    if await repo.of_programme_year(session, programme.id, body.year) is not None:
        raise Duplicate(
            f"人才计划 {programme.code} 已有 {body.year} 年度申报。",
            f"The programme {programme.code} already has a call for {body.year}.",
            extra={"field": "year"},
        )
    call = TalentCall(**body.model_dump(), status=CALL_WORKFLOW.initial, version=1, created_by=principal.actor_id)
    session.add(call)
    await flush_versioned(session, "年度申报")
    await CALL_WORKFLOW.record_creation(session, common, call, principal)
    await audit.append(session, common, principal, "create", KIND, call.id, {"code": call.code})
    return call


async def update(
    session: AsyncSession, principal: Principal, call_id: int, body: CallUpdate, if_match: str | None
) -> TalentCall:
    call = await load(session, principal, call_id, for_update=True)
    check_if_match(if_match, KIND, call.id, call.version)
    if call.status not in EDITABLE:
        raise CallNotEditable("年度申报已截止，不能修改。", "The call is closed and can no longer be edited.")
    changes = body.model_dump(exclude_unset=True)
    for field, value in changes.items():
        setattr(call, field, value)
    if call.closes_on < call.opens_on:
        raise ValidationFailed(
            [field_error("closes_on", "closes_before_opens", "截止日期早于开始日期", "closes_on is before opens_on")]
        )
    call.version += 1
    await flush_versioned(session, "年度申报")
    await audit.append(session, common, principal, "update", KIND, call.id, {"fields": sorted(changes)})
    return call


async def act(
    session: AsyncSession, principal: Principal, call_id: int, action: str, comment: str | None, if_match: str | None
) -> TalentCall:
    call = await load(session, principal, call_id)
    check_if_match(if_match, KIND, call.id, call.version, required=False)
    await CALL_WORKFLOW.apply(session, common, call, action, principal, comment=comment)
    await flush_versioned(session, "年度申报")
    await audit.append(session, common, principal, action, KIND, call.id, {"status": call.status})
    return call


async def history(session: AsyncSession, principal: Principal, call_id: int) -> list[HistoryRead]:
    call = await load(session, principal, call_id)
    return await load_history(session, common, KIND, call.id)
