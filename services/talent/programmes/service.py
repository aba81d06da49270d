"""Use cases of talent programmes: officials keep them (create, edit, retire, reinstate); everyone reads
them, for a programme's rules are what applicants are judged by. Never commits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.db import common
from services.talent.labels import dimension_label, kind_label, level_label, state_label
from services.talent.programmes import repository as repo
from services.talent.programmes.models import Programme
from services.talent.programmes.schemas import Indicator, ProgrammeCreate, ProgrammeRead, ProgrammeUpdate
from services.talent.rules import indicators as tal1
from services.talent.rules import tenure as tal3
from services.talent.rules.workflows import PROGRAMME_WORKFLOW
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import Duplicate, NotFound
from shared.pagination import Page
from shared.principal import Principal
from shared.workflow import HistoryRead, load_history

SORTS = repo.SORTS  # the orders its list takes, as the router documents them
KIND = "talent_programme"


def not_found() -> NotFound:
    return NotFound("人才计划不存在。", "No such talent programme.")


def _rule_indicators(indicators: list[dict[str, Any]]) -> list[tal1.Indicator]:
    return [
        tal1.Indicator(i["code"], i["dimension"], i["name"], Decimal(str(i["weight"])), i.get("name_en"))
        for i in indicators
    ]


def _stored(indicators: list[Indicator]) -> list[dict[str, Any]]:
    return [{**i.model_dump(), "weight": str(i.weight)} for i in indicators]


def _check(programme: Programme) -> None:
    """TAL-1 and TAL-3 on the programme as it would be saved: the rules refuse it with their problems."""
    tal1.check_indicator_system(_rule_indicators(programme.indicators))
    tal3.tranche_schedule(programme.support_amount, [Decimal(s) for s in programme.tranche_shares])


def to_read(programme: Programme) -> ProgrammeRead:
    return ProgrammeRead.model_validate(
        {
            **{c.key: getattr(programme, c.key) for c in Programme.__table__.columns},
            "indicators": [
                {**i, "weight": Decimal(str(i["weight"])), "dimension_label": dimension_label(i["dimension"])}
                for i in programme.indicators
            ],
            "tranche_shares": [Decimal(s) for s in programme.tranche_shares],
            "level_label": level_label(programme.level),
            "kind_label": kind_label(programme.kind),
            "status_label": state_label(programme.status),
        }
    )


async def load(session: AsyncSession, programme_id: int, *, for_update: bool = False) -> Programme:
    programme = await repo.get(session, programme_id, for_update=for_update)
    if programme is None:
        raise not_found()
    return programme


async def page(
    session: AsyncSession,
    *,
    level: str | None,
    kind: str | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> Page[ProgrammeRead]:
    rows, next_cursor = await repo.page(
        session, level=level, kind=kind, status=status, limit=limit, cursor=cursor, sort=sort
    )
    return Page[ProgrammeRead](items=[to_read(r) for r in rows], next_cursor=next_cursor)


async def create(session: AsyncSession, principal: Principal, body: ProgrammeCreate) -> Programme:
    if await repo.by_code(session, body.code) is not None:
        raise Duplicate(f"编号 {body.code} 已被使用。", f"The code {body.code} is taken.", extra={"field": "code"})
    values = body.model_dump()
    values["indicators"] = _stored(body.indicators)
    values["tranche_shares"] = [str(s) for s in body.tranche_shares]
    programme = Programme(**values, status=PROGRAMME_WORKFLOW.initial, version=1, created_by=principal.actor_id)
    _check(programme)
    session.add(programme)
    await flush_versioned(session, "人才计划")
    await PROGRAMME_WORKFLOW.record_creation(session, common, programme, principal)
    await audit.append(session, common, principal, "create", KIND, programme.id, {"code": programme.code})
    return programme


async def update(
    session: AsyncSession, principal: Principal, programme_id: int, body: ProgrammeUpdate, if_match: str | None
) -> Programme:
    """Any figure may change; calls and applications already made keep what they were judged by (they copy
    nothing today but read the programme: a change applies to what is decided after it)."""
    programme = await load(session, programme_id, for_update=True)
    check_if_match(if_match, KIND, programme.id, programme.version)
    changes = body.model_dump(exclude_unset=True)
    if body.indicators is not None:
        changes["indicators"] = _stored(body.indicators)
    if body.tranche_shares is not None:
        changes["tranche_shares"] = [str(s) for s in body.tranche_shares]
    for field, value in changes.items():
        setattr(programme, field, value)
    _check(programme)
    programme.version += 1
    await flush_versioned(session, "人才计划")
    await audit.append(session, common, principal, "update", KIND, programme.id, {"fields": sorted(changes)})
    return programme


async def act(
    session: AsyncSession,
    principal: Principal,
    programme_id: int,
    action: str,
    comment: str | None,
    if_match: str | None,
) -> Programme:
    programme = await load(session, programme_id)
    check_if_match(if_match, KIND, programme.id, programme.version, required=False)
    await PROGRAMME_WORKFLOW.apply(session, common, programme, action, principal, comment=comment)
    await flush_versioned(session, "人才计划")
    await audit.append(session, common, principal, action, KIND, programme.id, {"status": programme.status})
    return programme


async def history(session: AsyncSession, programme_id: int) -> list[HistoryRead]:
    programme = await load(session, programme_id)
    return await load_history(session, common, KIND, programme.id)
