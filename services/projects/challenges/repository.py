"""Every query on challenge lists and bids."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.projects import access
from services.projects.challenges.models import BidPromise, ChallengeBid, ChallengeIndicator, ChallengeList
from shared.pagination import SortSpec, paginate
from shared.principal import Principal

LIST_SORTS = SortSpec(
    fields={"bid_deadline": ChallengeList.bid_deadline, "created_at": ChallengeList.created_at},
    id_column=ChallengeList.id,
)
BID_SORTS = SortSpec(fields={"created_at": ChallengeBid.created_at}, id_column=ChallengeBid.id, default="id")


async def get_list(session: AsyncSession, list_id: int, *, for_update: bool = False) -> ChallengeList | None:
    stmt = select(ChallengeList).where(ChallengeList.id == list_id).options(selectinload(ChallengeList.indicators))
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def add(session: AsyncSession, entity: Any) -> None:
    session.add(entity)
    await session.flush()


async def replace_indicators(
    session: AsyncSession, challenge: ChallengeList, rows: Sequence[ChallengeIndicator]
) -> None:
    challenge.indicators.clear()
    await session.flush()
    challenge.indicators.extend(rows)
    await session.flush()


async def page_lists(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    programme_id: int | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[ChallengeList], str | None]:
    stmt: Select[Any] = select(ChallengeList).where(access.visible_challenge_lists(principal))
    if status is not None:
        stmt = stmt.where(ChallengeList.status == status)
    if programme_id is not None:
        stmt = stmt.where(ChallengeList.programme_id == programme_id)
    return await paginate(session, stmt, LIST_SORTS, limit=limit, cursor=cursor, sort=sort)


def _bid_query() -> Select[Any]:
    return select(ChallengeBid).options(selectinload(ChallengeBid.promises))


async def get_bid(session: AsyncSession, bid_id: int, *, for_update: bool = False) -> ChallengeBid | None:
    stmt = _bid_query().where(ChallengeBid.id == bid_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def bid_of_organisation(session: AsyncSession, list_id: int, uscc: str) -> ChallengeBid | None:
    stmt = select(ChallengeBid).where(ChallengeBid.list_id == list_id, ChallengeBid.organisation_uscc == uscc)
    return (await session.execute(stmt)).scalar_one_or_none()


async def page_bids(
    session: AsyncSession,
    list_id: int,
    *,
    only_of: Principal | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[ChallengeBid], str | None]:
    stmt = _bid_query().where(ChallengeBid.list_id == list_id)
    if only_of is not None:
        stmt = stmt.where(access.own_bids(only_of))
    if status:
        stmt = stmt.where(ChallengeBid.status == status)
    return await paginate(session, stmt, BID_SORTS, limit=limit, cursor=cursor, sort=sort)


async def open_bids(session: AsyncSession, list_id: int) -> list[ChallengeBid]:
    stmt = (
        select(ChallengeBid)
        .where(ChallengeBid.list_id == list_id, ChallengeBid.status == "submitted")
        .order_by(ChallengeBid.id)
        .with_for_update()
    )
    return list((await session.execute(stmt)).scalars())


def promise_rows(values: dict[int, Any]) -> list[BidPromise]:
    return [BidPromise(indicator_id=k, value=v) for k, v in sorted(values.items())]
