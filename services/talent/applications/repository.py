"""Every query on talent applications."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.applications.models import TalentApplication
from services.talent.programmes.models import Programme
from services.talent.tenure.models import Tenure
from shared.pagination import SortSpec, paginate
from shared.principal import Principal

SORTS = SortSpec(
    fields={"created_at": TalentApplication.created_at, "submitted_at": TalentApplication.submitted_at},
    id_column=TalentApplication.id,
    default="-created_at",
)


def visible(principal: Principal) -> ColumnElement[bool]:
    """An applicant sees their own; once submitted, an organisation's administrator those of the
    organisation, officials and auditors every one (a draft is its author's alone)."""
    submitted = TalentApplication.status != "draft"
    seen: list[ColumnElement[bool]] = []
    if principal.has_role("applicant"):
        seen.append(TalentApplication.owner == principal.subject)
    if principal.has_role("official", "auditor"):
        seen.append(submitted)
    elif principal.has_role("org_admin") and principal.org_id is not None:
        seen.append((TalentApplication.org_id == principal.org_id) & submitted)
    return or_(*seen) if seen else false()


async def get_visible(
    session: AsyncSession, principal: Principal, application_id: int, *, for_update: bool = False
) -> TalentApplication | None:
    stmt = select(TalentApplication).where(TalentApplication.id == application_id, visible(principal))
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def endorsed_count(session: AsyncSession, call_id: int, org_id: int) -> int:
    """The applications an organisation has endorsed in a call (read under the call's row lock)."""
    stmt = select(func.count()).where(
        TalentApplication.call_id == call_id,
        TalentApplication.org_id == org_id,
        TalentApplication.endorsed_at.is_not(None),
        TalentApplication.status != "withdrawn",
    )
    return int((await session.execute(stmt)).scalar_one())


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    call_id: int | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[TalentApplication], str | None]:
    stmt: Select[Any] = select(TalentApplication).where(visible(principal))
    if call_id is not None:
        stmt = stmt.where(TalentApplication.call_id == call_id)
    if status is not None:
        stmt = stmt.where(TalentApplication.status == status)
    return await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)


async def to_notice(session: AsyncSession, call_id: int) -> list[TalentApplication]:
    """The call's applications the committee proposed and no notice has listed yet, locked, by id."""
    a = TalentApplication
    stmt = (
        select(a)
        .where(a.call_id == call_id, a.status == "proposed", a.noticed_at.is_(None))
        .order_by(a.id)
        .with_for_update()
    )
    return list((await session.execute(stmt)).scalars())


async def locked(session: AsyncSession, ids: list[int]) -> list[TalentApplication]:
    if not ids:
        return []
    stmt = select(TalentApplication).where(TalentApplication.id.in_(sorted(ids))).order_by(TalentApplication.id)
    stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return list((await session.execute(stmt)).scalars())


async def running_tenures(session: AsyncSession, person_key: str) -> list[tuple[str, str, date, date]]:
    """TAL-2: the person's running tenures, as (programme code, level, first day, last day)."""
    stmt = (
        select(Programme.code, Programme.level, Tenure.starts_on, Tenure.ends_on)
        .join(TalentApplication, TalentApplication.programme_id == Programme.id)
        .join(Tenure, Tenure.application_id == TalentApplication.id)
        .where(TalentApplication.person_key == person_key, Tenure.status == "running")
    )
    return [(code, level, starts, ends) for code, level, starts, ends in (await session.execute(stmt)).all()]
