"""Every query on pledges, their milestones and consequences."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.projects import access
from services.projects.applications.models import Application
from services.projects.contracts.models import Contract
from services.projects.pledges.models import Pledge, PledgeConsequence
from shared.pagination import SortSpec, paginate
from shared.principal import Principal

SORTS = SortSpec(fields={"created_at": Pledge.created_at}, id_column=Pledge.id)


def _full() -> Select[Any]:
    return select(Pledge).options(selectinload(Pledge.milestones), selectinload(Pledge.outcomes))


async def get(session: AsyncSession, pledge_id: int, *, for_update: bool = False) -> Pledge | None:
    stmt = _full().where(Pledge.id == pledge_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def for_bid(session: AsyncSession, bid_id: int) -> Pledge | None:
    return (await session.execute(select(Pledge).where(Pledge.bid_id == bid_id))).scalar_one_or_none()


async def add(session: AsyncSession, entity: Any) -> None:
    session.add(entity)
    await session.flush()


async def page(
    session: AsyncSession,
    caller: Principal,
    *,
    status: str | None,
    list_id: int | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[Pledge], str | None]:
    stmt: Select[Any] = select(Pledge).where(access.visible_pledges(caller))
    if status:
        stmt = stmt.where(Pledge.status == status)
    if list_id is not None:
        stmt = stmt.where(Pledge.list_id == list_id)
    return await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)


async def get_consequence(
    session: AsyncSession, consequence_id: int, *, for_update: bool = False
) -> PledgeConsequence | None:
    stmt = select(PledgeConsequence).where(PledgeConsequence.id == consequence_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def refresh(session: AsyncSession, pledge: Pledge) -> Pledge:
    """The pledge with its milestones and consequences as they now stand in the unit of work."""
    await session.flush()
    stmt = _full().where(Pledge.id == pledge.id).execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one()


async def project(
    session: AsyncSession, programme_id: int, application_id: int, *, for_update: bool = False
) -> Application | None:
    """The application a pledge binds (its project), only if it belongs to the pledge's programme and
    has left the applicant's draft."""
    stmt = select(Application).where(
        Application.id == application_id, Application.programme_id == programme_id, Application.status != "draft"
    )
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def signed_contract_id(session: AsyncSession, application_id: int) -> int | None:
    """The project's running contract (任务书), which a termination ends with it."""
    stmt = select(Contract.id).where(Contract.application_id == application_id, Contract.status == "signed")
    return (await session.execute(stmt)).scalars().first()
