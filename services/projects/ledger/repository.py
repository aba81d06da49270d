"""Every query on the limits ledger."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.ledger.models import LedgerItem, LedgerLimit
from shared.pagination import SortSpec, paginate

SORTS = SortSpec(fields={"year": LedgerItem.year, "updated_at": LedgerItem.updated_at}, id_column=LedgerItem.id)


async def get(session: AsyncSession, service: str, item_id: str, *, for_update: bool = False) -> LedgerItem | None:
    stmt = select(LedgerItem).where(LedgerItem.service == service, LedgerItem.item_id == item_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_many(
    session: AsyncSession, service: str, item_ids: Sequence[str], *, for_update: bool = False
) -> dict[str, LedgerItem]:
    """The stored rows of ``item_ids`` by item id, read in chunks (SQLite's bound-parameter limit)."""
    found: dict[str, LedgerItem] = {}
    for start in range(0, len(item_ids), 500):
        stmt = select(LedgerItem).where(
            LedgerItem.service == service, LedgerItem.item_id.in_(item_ids[start : start + 500])
        )
        if for_update:
            stmt = stmt.with_for_update()
        found.update({row.item_id: row for row in (await session.execute(stmt)).scalars()})
    return found


async def insert_if_absent(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert a new row unless (service, item_id) exists; True when this call inserted it. Two
    concurrent first reports cannot both insert: the loser sees False and updates instead."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(LedgerItem).values(**values).on_conflict_do_nothing(index_elements=["service", "item_id"])
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))


async def insert_many_if_absent(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> set[str]:
    """``insert_if_absent`` for many rows of one service in a few statements; the item ids inserted (a
    row another transaction inserted first is skipped, for the caller to update)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    inserted: set[str] = set()
    for start in range(0, len(rows), 500):
        stmt = (
            insert(LedgerItem)
            .values(list(rows[start : start + 500]))
            .on_conflict_do_nothing(index_elements=["service", "item_id"])
            .returning(LedgerItem.item_id)
        )
        inserted |= set((await session.execute(stmt)).scalars())
    return inserted


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


async def page(
    session: AsyncSession,
    person_key: str,
    *,
    status: str | None,
    year: int | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[LedgerItem], str | None]:
    """A person's items still in the ledger."""
    stmt = select(LedgerItem).where(LedgerItem.person_key == person_key, LedgerItem.removed.is_(False))
    if status is not None:
        stmt = stmt.where(LedgerItem.status == status)
    if year is not None:
        stmt = stmt.where(LedgerItem.year == year)
    return await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)


async def limit_overrides(session: AsyncSession, year: int) -> dict[str, int]:
    """Officials' figures for ``year``: a year's own override beats the every-year one (year 0)."""
    rows = (
        await session.execute(select(LedgerLimit).where(LedgerLimit.year.in_([0, year])).order_by(LedgerLimit.year))
    ).scalars()
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
