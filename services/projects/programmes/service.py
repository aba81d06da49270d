"""Use cases of programmes: officials create, edit and close them; agencies see those entrusted to
them (PRJ-2). Never commits: the request's unit of work does."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import access
from services.projects.db import common
from services.projects.errors import ProgrammeClosed
from services.projects.programmes import repository as repo
from services.projects.programmes.models import Programme
from services.projects.programmes.schemas import ProgrammeCreate, ProgrammeRead, ProgrammeUpdate
from services.projects.rules.workflows import PROGRAMME_WORKFLOW
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import Duplicate, NotFound
from shared.pagination import Page
from shared.principal import Principal
from shared.workflow import HistoryRead, load_history

SORTS = repo.SORTS  # the orders its list takes, as the router documents them

KIND = "programme"


def _not_found() -> NotFound:
    return NotFound("计划不存在。", "No such programme.")


async def load(session: AsyncSession, principal: Principal, programme_id: int) -> Programme:
    """The programme if the caller may see it; another agency's is a 404 (PRJ-2)."""
    programme = await repo.get_visible(session, principal, programme_id)
    if programme is None:
        raise _not_found()
    return programme


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    year: int | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> Page[ProgrammeRead]:
    """The programmes the caller may see (``access.visible_programmes``)."""
    rows, next_cursor = await repo.page(
        session, principal, year=year, status=status, limit=limit, cursor=cursor, sort=sort
    )
    return Page[ProgrammeRead](items=[ProgrammeRead.model_validate(r) for r in rows], next_cursor=next_cursor)


async def entrusted(session: AsyncSession, principal: Principal, programme_id: int) -> bool:
    """The caller is an agency the programme is entrusted to (PRJ-2), without loading the programme."""
    return principal.has_role("agency") and await repo.is_entrusted(session, programme_id, principal.org_id)


async def manages(session: AsyncSession, principal: Principal, programme_id: int) -> bool:
    """``access.may_manage`` for a programme by id."""
    return access.may_manage(principal, entrusted=await entrusted(session, principal, programme_id))


async def create(session: AsyncSession, principal: Principal, body: ProgrammeCreate) -> Programme:
    if await repo.code_taken(session, body.code):
        raise Duplicate(
            f"计划编号 {body.code} 已存在。", f"The programme code {body.code} is taken.", extra={"field": "code"}
        )
    programme = Programme(
        code=body.code,
        name=body.name,
        year=body.year,
        budget=body.budget,
        max_project_budget=body.max_project_budget,
        max_duration_months=body.max_duration_months,
        description=body.description,
        status=PROGRAMME_WORKFLOW.initial,
        version=1,
        created_by=principal.actor_id,
        agencies=[],
    )
    repo.set_agencies(programme, body.agency_org_ids)
    session.add(programme)
    await flush_versioned(session, "计划")
    await PROGRAMME_WORKFLOW.record_creation(session, common, programme, principal)
    await audit.append(
        session,
        common,
        principal,
        "create",
        KIND,
        programme.id,
        {"code": programme.code, "budget": str(programme.budget)},
    )
    return programme


async def update(
    session: AsyncSession, principal: Principal, programme_id: int, body: ProgrammeUpdate, if_match: str | None
) -> Programme:
    programme = await load(session, principal, programme_id)
    check_if_match(if_match, KIND, programme.id, programme.version)
    if programme.status != "active":
        raise ProgrammeClosed("已关闭的计划不能修改。", "A closed programme cannot be edited.")
    changes = body.model_dump(exclude_unset=True)
    for field in ("name", "budget", "max_project_budget", "max_duration_months", "description"):
        if field in changes and (changes[field] is not None or field == "description"):
            setattr(programme, field, changes[field])
    if body.agency_org_ids is not None:
        repo.set_agencies(programme, body.agency_org_ids)
    programme.version += 1
    await flush_versioned(session, "计划")
    await audit.append(
        session, common, principal, "update", KIND, programme.id, {k: str(v) for k, v in changes.items()}
    )
    return programme


async def act(
    session: AsyncSession,
    principal: Principal,
    programme_id: int,
    action: str,
    comment: str | None,
    if_match: str | None,
) -> Programme:
    programme = await load(session, principal, programme_id)
    check_if_match(if_match, KIND, programme.id, programme.version, required=False)
    await PROGRAMME_WORKFLOW.apply(session, common, programme, action, principal, comment=comment)
    await flush_versioned(session, "计划")
    await audit.append(session, common, principal, action, KIND, programme.id, {"status": programme.status})
    return programme


async def history(session: AsyncSession, principal: Principal, programme_id: int) -> list[HistoryRead]:
    programme = await load(session, principal, programme_id)
    return await load_history(session, common, KIND, programme.id)
