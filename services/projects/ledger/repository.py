"""Every query on the limits ledger."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.ledger.models import LedgerItem, LedgerLimit


async def get(session: AsyncSession, service: str, item_id: str, *, for_update: bool = False) -> LedgerItem | None:
    stmt = select(LedgerItem).where(LedgerItem.service == service, LedgerItem.item_id == item_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def insert_if_absent(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert a new row unless (service, item_id) exists; True when this call inserted it. Two
    concurrent first reports cannot both insert: the loser sees False and updates instead."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(LedgerItem).values(**values).on_conflict_do_nothing(index_elements=["service", "item_id"])
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))


async def held_by(
    session: AsyncSession,
    person_key: str,
    *,
    services: Iterable[str] | None = None,
    kinds: Iterable[str] | None = None,
    statuses: Iterable[str] | None = None,
    year: int | None = None,
) -> list[LedgerItem]:
    stmt = select(LedgerItem).where(LedgerItem.person_key == person_key, LedgerItem.removed.is_(False))
    if services is not None:
        stmt = stmt.where(LedgerItem.service.in_(list(services)))
    if kinds is not None:
        stmt = stmt.where(LedgerItem.kind.in_(list(kinds)))
    if statuses is not None:
        stmt = stmt.where(LedgerItem.status.in_(list(statuses)))
    if year is not None:
        stmt = stmt.where(LedgerItem.year == year)
    return list((await session.execute(stmt.order_by(LedgerItem.id))).scalars())


def list_query(person_key: str, *, status: str | None = None, year: int | None = None) -> Select[Any]:
    stmt = select(LedgerItem).where(LedgerItem.person_key == person_key, LedgerItem.removed.is_(False))
    if status is not None:
        stmt = stmt.where(LedgerItem.status == status)
    if year is not None:
        stmt = stmt.where(LedgerItem.year == year)
    return stmt


async def limit_overrides(session: AsyncSession, year: int) -> dict[str, int]:
    """Officials' figures for ``year``: a year's own override beats the every-year one (year 0)."""
    rows = (await session.execute(
        select(LedgerLimit).where(LedgerLimit.year.in_([0, year])).order_by(LedgerLimit.year)
    )).scalars()
    return {row.rule_code: row.max_items for row in rows}


async def all_limits(session: AsyncSession) -> list[LedgerLimit]:
    stmt = select(LedgerLimit).order_by(LedgerLimit.rule_code, LedgerLimit.year)
    return list((await session.execute(stmt)).scalars())


async def get_limit(session: AsyncSession, rule_code: str, year: int) -> LedgerLimit | None:
    stmt = select(LedgerLimit).where(LedgerLimit.rule_code == rule_code, LedgerLimit.year == year).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def add(session: AsyncSession, row: Any) -> None:
    session.add(row)
    await session.flush()
