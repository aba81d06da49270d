"""Use cases of the bureau's yearly calls: officials draft, edit, publish and close them; approvals take
from (and calling off gives back to) a call's budget and places under its row lock. Never commits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts.calls import repository as repo
from services.foreign_experts.calls.models import FundingCall
from services.foreign_experts.calls.schemas import KIND_LABELS, CallCreate, CallRead, CallUpdate
from services.foreign_experts.db import common
from services.foreign_experts.errors import BelowApproved
from services.foreign_experts.labels import state_label
from services.foreign_experts.rules import funding
from services.foreign_experts.rules.workflows import CALL_WORKFLOW
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import CallNotEditable, Duplicate, NotFound, ValidationFailed, field_error
from shared.pagination import Page
from shared.principal import Principal
from shared.schemas import Label
from shared.windows import window_now
from shared.workflow import HistoryRead, load_history

SORTS = repo.SORTS  # the orders its list takes, as the router documents them

KIND = "funding_call"
TRAINING_ONLY = ("participant_quota", "max_duration_days")
EDITABLE = frozenset({"draft", "published"})


def not_found() -> NotFound:
    return NotFound("计划不存在。", "No such call or plan.")


def figures(call: FundingCall) -> funding.CallFigures:
    return funding.CallFigures(
        budget=call.budget,
        approved_amount=call.approved_amount,
        max_amount=call.max_amount,
        participant_quota=call.participant_quota,
        approved_participants=call.approved_participants,
        max_duration_days=call.max_duration_days,
    )


def to_read(call: FundingCall, today: date) -> CallRead:
    f = figures(call)
    zh, en = KIND_LABELS[call.kind]
    return CallRead.model_validate(
        {
            **{c.key: getattr(call, c.key) for c in FundingCall.__table__.columns},
            "kind_label": Label(zh=zh, en=en),
            "status_label": state_label(call.status),
            **window_now(call.opens_on, call.closes_on, today, taking=call.status == "published").fields(),
            "remaining_budget": f.remaining_budget,
            "remaining_places": f.remaining_places,
        }
    )


async def load(
    session: AsyncSession, principal: Principal, kind: str, call_id: int, *, for_update: bool = False
) -> FundingCall:
    call = await repo.get_visible(session, principal, kind, call_id, for_update=for_update)
    if call is None:
        raise not_found()
    return call


async def page(
    session: AsyncSession,
    principal: Principal,
    kind: str,
    today: date,
    *,
    year: int | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> Page[CallRead]:
    """Calls of one kind: published and closed ones for everyone, drafts for officials and auditors."""
    rows, next_cursor = await repo.page(
        session, principal, kind, year=year, status=status, limit=limit, cursor=cursor, sort=sort
    )
    return Page[CallRead](items=[to_read(r, today) for r in rows], next_cursor=next_cursor)


def _check_kind_fields(kind: str, values: dict[str, object]) -> None:
    if kind == "training":
        return
    wrong = [f for f in TRAINING_ONLY if values.get(f) is not None]
    if wrong:
        raise ValidationFailed(
            [
                field_error(
                    f, "not_for_programme_calls", "仅出国(境)培训计划适用", "only training plans have this figure"
                )
                for f in wrong
            ]
        )


async def create(session: AsyncSession, principal: Principal, kind: str, body: CallCreate) -> FundingCall:
    _check_kind_fields(kind, body.model_dump())
    if await repo.by_code(session, body.code) is not None:
        raise Duplicate(f"编号 {body.code} 已被使用。", f"The code {body.code} is taken.", extra={"field": "code"})
    call = FundingCall(
        **body.model_dump(),
        kind=kind,
        status=CALL_WORKFLOW.initial,
        version=1,
        approved_amount=Decimal(0),
        approved_count=0,
        approved_participants=0,
        created_by=principal.actor_id,
    )
    session.add(call)
    await flush_versioned(session, "计划")
    await CALL_WORKFLOW.record_creation(session, common, call, principal)
    await audit.append(session, common, principal, "create", KIND, call.id, {"kind": kind, "code": call.code})
    return call


async def update(
    session: AsyncSession, principal: Principal, kind: str, call_id: int, body: CallUpdate, if_match: str | None
) -> FundingCall:
    call = await load(session, principal, kind, call_id, for_update=True)
    check_if_match(if_match, KIND, call.id, call.version)
    if call.status not in EDITABLE:
        raise CallNotEditable()
    changes = body.model_dump(exclude_unset=True)
    _check_kind_fields(kind, changes)
    nullable = ("title_en", "guide", "max_amount", *TRAINING_ONLY)
    for field, value in changes.items():
        if value is not None or field in nullable:
            setattr(call, field, value)
    if call.closes_on < call.opens_on:
        raise ValidationFailed(
            [field_error("closes_on", "before_opens_on", "截止日期早于开始日期", "closes_on is before opens_on")]
        )
    if call.max_amount is not None and call.max_amount > call.budget:
        raise ValidationFailed(
            [field_error("max_amount", "exceeds_budget", "单项上限超过总预算", "max_amount exceeds the budget")]
        )
    if call.budget < call.approved_amount or (
        call.participant_quota is not None and call.participant_quota < call.approved_participants
    ):
        raise BelowApproved(
            f"已批准 {call.approved_amount:.2f} 元、{call.approved_participants} 人。",
            f"{call.approved_amount:.2f} yuan and {call.approved_participants} places are approved.",
        )
    call.version += 1
    await flush_versioned(session, "计划")
    await audit.append(session, common, principal, "update", KIND, call.id, {k: str(v) for k, v in changes.items()})
    return call


async def act(
    session: AsyncSession,
    principal: Principal,
    kind: str,
    call_id: int,
    action: str,
    comment: str | None,
    if_match: str | None,
) -> FundingCall:
    call = await load(session, principal, kind, call_id)
    check_if_match(if_match, KIND, call.id, call.version, required=False)
    await CALL_WORKFLOW.apply(session, common, call, action, principal, comment=comment)
    await flush_versioned(session, "计划")
    await audit.append(session, common, principal, action, KIND, call.id, {"status": call.status})
    return call


async def history(session: AsyncSession, principal: Principal, kind: str, call_id: int) -> list[HistoryRead]:
    call = await load(session, principal, kind, call_id)
    return await load_history(session, common, KIND, call.id)


async def open_call(session: AsyncSession, kind: str, call_id: int, today: date) -> FundingCall:
    """The call an application is made under: of its kind, published, within its window (else 409)."""
    call = await repo.get(session, call_id)
    if call is None or call.kind != kind or call.status == "draft":
        raise not_found()
    funding.check_open(call.status, call.opens_on, call.closes_on, today)
    return call


async def locked(session: AsyncSession, call_id: int) -> FundingCall:
    """The call's row, locked until the request's unit of work ends: approvals take from it one at a time."""
    call = await repo.get(session, call_id, for_update=True)
    assert call is not None  # an application's call is never deleted (foreign key)
    return call


def take(call: FundingCall, amount: Decimal, participants: int = 0) -> None:
    """An approval's share of the (locked) call, after the rules allowed it."""
    call.approved_amount += amount
    call.approved_count += 1
    call.approved_participants += participants
    call.version += 1


def give_back(call: FundingCall, amount: Decimal, participants: int = 0) -> None:
    """What a called-off approval had taken goes back to the (locked) call."""
    call.approved_amount -= amount
    call.approved_count -= 1
    call.approved_participants -= participants
    call.version += 1
