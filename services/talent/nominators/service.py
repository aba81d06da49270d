"""Use cases of the nominators' register (AW-2): officials register an account as a nominator of one kind,
recognise or deactivate it. Never commits."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.db import common
from services.talent.nominators import repository as repo
from services.talent.nominators.models import Nominator
from services.talent.nominators.schemas import NominatorCreate, NominatorRead, NominatorUpdate
from services.talent.rules.nominations import NominatorKind
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import Duplicate, NotFound
from shared.pagination import Page
from shared.principal import Principal
from shared.schemas import Label
from shared.subject_keys import organisation_key, person_key

SORTS = repo.SORTS
KIND = "award_nominator"
KIND_LABELS: dict[str, tuple[str, str]] = {
    NominatorKind.CITY_GOVERNMENT: ("设区的市（州）人民政府", "city government"),
    NominatorKind.PROVINCIAL_DEPARTMENT: ("省直有关部门", "provincial department"),
    NominatorKind.CENTRAL_UNIT_IN_JILIN: ("中直驻吉单位", "central unit in Jilin"),
    NominatorKind.EXPERT: ("认定的专家", "recognised expert"),
    NominatorKind.ORGANISATION: ("认定的机构", "recognised organisation"),
}


def not_found() -> NotFound:
    return NotFound("提名者不存在。", "No such nominator.")


def to_read(nominator: Nominator) -> NominatorRead:
    zh, en = KIND_LABELS[nominator.kind]
    return NominatorRead.model_validate(
        {**{c.key: getattr(nominator, c.key) for c in Nominator.__table__.columns}, "kind_label": Label(zh=zh, en=en)}
    )


async def load(session: AsyncSession, nominator_id: int) -> Nominator:
    nominator = await repo.get(session, nominator_id)
    if nominator is None:
        raise not_found()
    return nominator


async def page(
    session: AsyncSession, *, kind: str | None, active: bool | None, limit: int, cursor: str | None, sort: str | None
) -> Page[NominatorRead]:
    rows, next_cursor = await repo.page(session, kind=kind, active=active, limit=limit, cursor=cursor, sort=sort)
    return Page[NominatorRead](items=[to_read(r) for r in rows], next_cursor=next_cursor)


async def create(session: AsyncSession, principal: Principal, body: NominatorCreate, secret: str) -> Nominator:
    if await repo.by_account(session, body.account) is not None:
        raise Duplicate(
            "该账号已登记为提名者。", "The account is already a registered nominator.", extra={"field": "account"}
        )
    key = None
    if body.id_number is not None:
        key = person_key(body.id_number, secret)
    elif body.uscc is not None:
        key = organisation_key(body.uscc, secret)
    nominator = Nominator(
        account=body.account,
        kind=body.kind,
        name=body.name,
        org_id=body.org_id,
        subject_key=key,
        recognised=body.recognised,
        active=True,
        version=1,
        created_by=principal.actor_id,
    )
    session.add(nominator)
    await flush_versioned(session, "提名者")
    await audit.append(session, common, principal, "create", KIND, nominator.id, {"kind": nominator.kind})
    return nominator


async def update(
    session: AsyncSession, principal: Principal, nominator_id: int, body: NominatorUpdate, if_match: str | None
) -> Nominator:
    nominator = await repo.get(session, nominator_id, for_update=True)
    if nominator is None:
        raise not_found()
    check_if_match(if_match, KIND, nominator.id, nominator.version)
    changes = body.model_dump(exclude_unset=True)
    for field, value in changes.items():
        setattr(nominator, field, value)
    nominator.version += 1
    await flush_versioned(session, "提名者")
    await audit.append(session, common, principal, "update", KIND, nominator.id, {"fields": sorted(changes)})
    return nominator
