"""Every query on a call's committee, its ballots and its tally."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.committee.models import Ballot, Committee, Tally


async def of_call(session: AsyncSession, call_id: int, *, for_update: bool = False) -> Committee | None:
    stmt = select(Committee).where(Committee.call_id == call_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def ballots(session: AsyncSession, committee_id: int) -> list[Ballot]:
    stmt = select(Ballot).where(Ballot.committee_id == committee_id).order_by(Ballot.member)
    return list((await session.execute(stmt)).scalars())


async def ballot(session: AsyncSession, committee_id: int, member: str, *, for_update: bool = False) -> Ballot | None:
    stmt = select(Ballot).where(Ballot.committee_id == committee_id, Ballot.member == member)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def drop_ballots_of(session: AsyncSession, committee_id: int, members: list[str]) -> None:
    """The ballots of accounts no longer members."""
    await session.execute(delete(Ballot).where(Ballot.committee_id == committee_id, Ballot.member.not_in(members)))


async def tallies(session: AsyncSession, committee_id: int) -> list[Tally]:
    stmt = select(Tally).where(Tally.committee_id == committee_id).order_by(Tally.rank, Tally.application_id)
    return list((await session.execute(stmt)).scalars())
