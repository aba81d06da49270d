"""Every query on nominations, their people and the panel's work."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.nominations.models import AwardPanel, Nomination, NominationPerson, PanelAssignment
from services.talent.rules.award_flows import OUT_STATES, QUOTA_STATES
from shared.pagination import SortSpec, paginate
from shared.principal import Principal

SORTS = SortSpec(
    fields={"created_at": Nomination.created_at, "submitted_at": Nomination.submitted_at, "score": Nomination.score},
    id_column=Nomination.id,
    default="-created_at",
)


def visible(principal: Principal) -> ColumnElement[bool]:
    """A nominator sees their own; officials and auditors every one filed (a draft is its author's alone);
    a panel member the nominations assigned to them."""
    seen: list[ColumnElement[bool]] = [Nomination.owner == principal.subject]
    if principal.has_role("official", "auditor"):
        seen.append(Nomination.status != "draft")
    if principal.has_role("reviewer"):
        assigned = select(PanelAssignment.nomination_id).where(PanelAssignment.reviewer_user_id == principal.subject)
        seen.append(Nomination.id.in_(assigned))
    return or_(*seen) if seen else false()


async def get_visible(
    session: AsyncSession, principal: Principal, nomination_id: int, *, for_update: bool = False
) -> Nomination | None:
    stmt = select(Nomination).where(Nomination.id == nomination_id, visible(principal))
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(session: AsyncSession, nomination_id: int) -> Nomination | None:
    return await session.get(Nomination, nomination_id)


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    cycle_id: int | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[Nomination], str | None]:
    stmt: Select[Any] = select(Nomination).where(visible(principal))
    if cycle_id is not None:
        stmt = stmt.where(Nomination.cycle_id == cycle_id)
    if status is not None:
        stmt = stmt.where(Nomination.status == status)
    return await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)


async def people(session: AsyncSession, nomination_ids: Sequence[int]) -> dict[int, list[NominationPerson]]:
    out: dict[int, list[NominationPerson]] = {i: [] for i in nomination_ids}
    if not nomination_ids:
        return out
    stmt = (
        select(NominationPerson)
        .where(NominationPerson.nomination_id.in_(nomination_ids))
        .order_by(NominationPerson.nomination_id, NominationPerson.position)
    )
    for person in (await session.execute(stmt)).scalars():
        out[person.nomination_id].append(person)
    return out


async def delete_people(session: AsyncSession, nomination_id: int) -> None:
    for person in (await people(session, [nomination_id]))[nomination_id]:
        await session.delete(person)


# --- AW-2: the year's nominations, read only for the people a nomination names (indexed) ----------------


async def nominations_naming(
    session: AsyncSession, year: int, person_keys: Iterable[str]
) -> list[tuple[int, str, str, str]]:
    """(nomination id, person key, nominator kind, nominator key) of the year's filed nominations naming any
    of ``person_keys`` as a completer: an index range per key (year, person_key), never the whole year."""
    keys = sorted(set(person_keys))
    if not keys:
        return []
    stmt = (
        select(
            NominationPerson.nomination_id,
            NominationPerson.person_key,
            Nomination.nominator_kind,
            Nomination.nominator_key,
        )
        .join(Nomination, Nomination.id == NominationPerson.nomination_id)
        .where(
            NominationPerson.year == year,
            NominationPerson.person_key.in_(keys),
            Nomination.status.not_in(OUT_STATES),
        )
    )
    return [(r[0], r[1], r[2], r[3]) for r in (await session.execute(stmt)).all()]


async def nominations_by(session: AsyncSession, year: int, nominator_keys: Iterable[str]) -> list[tuple[int, str, str]]:
    """(nomination id, nominator kind, nominator key) of the year's filed nominations made by any of
    ``nominator_keys``."""
    keys = sorted(set(nominator_keys))
    if not keys:
        return []
    stmt = select(Nomination.id, Nomination.nominator_kind, Nomination.nominator_key).where(
        Nomination.year == year, Nomination.nominator_key.in_(keys), Nomination.status.not_in(OUT_STATES)
    )
    return [(r[0], r[1], r[2]) for r in (await session.execute(stmt)).all()]


async def past_wins(session: AsyncSession, year: int, person_key: str) -> list[tuple[int | None, int]]:
    """(grade, position) of the person on the year's awarded nominations."""
    stmt = (
        select(Nomination.grade, NominationPerson.position)
        .join(Nomination, Nomination.id == NominationPerson.nomination_id)
        .where(NominationPerson.year == year, NominationPerson.person_key == person_key, Nomination.status == "awarded")
    )
    return [(r[0], r[1]) for r in (await session.execute(stmt)).all()]


# --- quotas, notices, results ------------------------------------------------------------------------


async def quota_taken(session: AsyncSession, cycle_id: int) -> dict[int | None, int]:
    """Places of each grade's quota held in the cycle (proposed, on the winners notice, confirmed, awarded)."""
    stmt = (
        select(Nomination.grade, func.count())
        .where(Nomination.cycle_id == cycle_id, Nomination.status.in_(QUOTA_STATES))
        .group_by(Nomination.grade)
    )
    return {r[0]: int(r[1]) for r in (await session.execute(stmt)).all()}


async def in_states(session: AsyncSession, cycle_id: int, states: Sequence[str]) -> list[Nomination]:
    stmt = (
        select(Nomination)
        .where(Nomination.cycle_id == cycle_id, Nomination.status.in_(states))
        .order_by(Nomination.id)
        .execution_options(populate_existing=True)
    )
    return list((await session.execute(stmt)).scalars())


async def counts_by_state(session: AsyncSession, cycle_id: int) -> dict[str, int]:
    stmt = select(Nomination.status, func.count()).where(Nomination.cycle_id == cycle_id).group_by(Nomination.status)
    return {r[0]: int(r[1]) for r in (await session.execute(stmt)).all()}


# --- the panel ---------------------------------------------------------------------------------------


async def panel_of(session: AsyncSession, cycle_id: int) -> AwardPanel | None:
    return (await session.execute(select(AwardPanel).where(AwardPanel.cycle_id == cycle_id))).scalar_one_or_none()


async def assignments(session: AsyncSession, nomination_id: int) -> list[PanelAssignment]:
    stmt = select(PanelAssignment).where(PanelAssignment.nomination_id == nomination_id).order_by(PanelAssignment.id)
    return list((await session.execute(stmt)).scalars())


async def assignment_of(
    session: AsyncSession, nomination_id: int, user_id: str, *, for_update: bool = False
) -> PanelAssignment | None:
    stmt = select(PanelAssignment).where(
        PanelAssignment.nomination_id == nomination_id, PanelAssignment.reviewer_user_id == user_id
    )
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalars().first()


async def panel_assignments(session: AsyncSession, panel_id: int) -> list[PanelAssignment]:
    stmt = select(PanelAssignment).where(PanelAssignment.panel_id == panel_id).order_by(PanelAssignment.id)
    return list((await session.execute(stmt)).scalars())
