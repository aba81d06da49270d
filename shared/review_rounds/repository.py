"""Every query of review rounds, their frozen inputs, assignments, exclusions and reviews."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import ValidationFailed, field_error
from shared.pagination import SortSpec, decode_cursor, encode_cursor, equal_to, paginate
from shared.review_rounds.models import (
    ASSIGNED,
    CLOSED,
    DRAWN,
    HOLDING,
    AssignmentColumns,
    ExclusionColumns,
    InputColumns,
    ReviewColumns,
    ReviewTables,
    RoundColumns,
)


@dataclass(frozen=True, slots=True)
class Slot:
    """An assignment with the state of its review (``review_status`` None: nothing written)."""

    assignment_id: int
    application_id: int
    reviewer_id: int
    slot: int
    status: str
    review_status: str | None
    grade: str | None
    opinion: str | None
    scores: dict[str, str] | None


def round_sorts(t: ReviewTables) -> SortSpec:
    return SortSpec(fields={"created_at": t.round.created_at}, id_column=t.round.id)


def assignment_sorts(t: ReviewTables) -> SortSpec:
    return SortSpec(fields={"created_at": t.assignment.created_at}, id_column=t.assignment.id, default="id")


class RoundRepository:
    def __init__(self, session: AsyncSession, tables: ReviewTables) -> None:
        self.session = session
        self.t = tables
        self.round_sorts = round_sorts(tables)
        self.by_id = SortSpec(fields={}, id_column=tables.exclusion.id, default="id")
        self.assignment_sorts = assignment_sorts(tables)

    # --- rounds ---------------------------------------------------------------------------------------

    async def round(
        self, round_id: int, *, where: ColumnElement[bool] | None = None, for_update: bool = False
    ) -> RoundColumns | None:
        stmt = select(self.t.round).where(self.t.round.id == round_id)
        if where is not None:
            stmt = stmt.where(where)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def page_rounds(
        self,
        where: ColumnElement[bool],
        filters: dict[str, Any],
        *,
        status: str | None,
        limit: int,
        cursor: str | None,
        sort: str | None,
    ) -> tuple[list[Any], str | None]:
        stmt = equal_to(select(self.t.round).where(where), self.t.round, {**filters, "status": status})
        return await paginate(self.session, stmt, self.round_sorts, limit=limit, cursor=cursor, sort=sort)

    async def rounds_by_id(self, ids: Iterable[int]) -> dict[int, RoundColumns]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        rows = (await self.session.execute(select(self.t.round).where(self.t.round.id.in_(wanted)))).scalars()
        return {r.id: r for r in rows}

    async def add(self, rows: Sequence[Any]) -> None:
        self.session.add_all(rows)
        await self.session.flush()

    async def insert_many(self, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
        """Many rows in one executemany (a draw writes thousands); column defaults apply."""
        if rows:
            await self.session.execute(insert(model), list(rows))

    async def inputs(self, round_id: int) -> InputColumns | None:
        return await self.session.get(self.t.inputs, round_id)

    def held_elsewhere(self, round_id: int) -> Select[Any]:
        """The applications another drawn round still holds (a subquery for a scope's ``drawable``)."""
        a, r = self.t.assignment, self.t.round
        return select(a.application_id).join(r, r.id == a.round_id).where(r.status == DRAWN, r.id != round_id)

    # --- assignments and exclusions -------------------------------------------------------------------

    async def assignments(self, round_id: int) -> list[AssignmentColumns]:
        a = self.t.assignment
        stmt = select(a).where(a.round_id == round_id).order_by(a.application_id, a.slot, a.id)
        return list((await self.session.execute(stmt)).scalars())

    async def page_round_assignments(
        self, round_id: int, *, application_id: int | None, limit: int, cursor: str | None
    ) -> tuple[list[AssignmentColumns], str | None]:
        """A round's assignment rows grouped by application: a page is a run of application ids."""
        a = self.t.assignment
        ids = select(a.application_id.label("id")).where(a.round_id == round_id).distinct().subquery()
        stmt = select(ids.c.id)
        if application_id is not None:
            stmt = stmt.where(ids.c.id == application_id)
        if cursor:
            (last,) = decode_cursor(cursor, 1)
            if isinstance(last, bool) or not isinstance(last, int) or not 0 <= last < 2**63:
                raise ValidationFailed([field_error("cursor", "invalid_cursor", "游标无效", "invalid cursor")])
            stmt = stmt.where(ids.c.id > last)
        app_ids = list((await self.session.execute(stmt.order_by(ids.c.id).limit(limit + 1))).scalars())
        next_cursor = None
        if len(app_ids) > limit:
            app_ids = app_ids[:limit]
            next_cursor = encode_cursor([app_ids[-1]])
        if not app_ids:
            return [], next_cursor
        rows = (
            await self.session.execute(
                select(a)
                .where(a.round_id == round_id, a.application_id.in_(app_ids))
                .order_by(a.application_id, a.slot, a.id)
            )
        ).scalars()
        return list(rows), next_cursor

    async def exclusions(self, round_id: int, application_id: int | None = None) -> list[ExclusionColumns]:
        e = self.t.exclusion
        stmt = select(e).where(e.round_id == round_id)
        if application_id is not None:
            stmt = stmt.where(e.application_id == application_id)
        return list((await self.session.execute(stmt)).scalars())

    async def page_exclusions(
        self, round_id: int, *, application_id: int | None, reviewer_id: int | None, limit: int, cursor: str | None
    ) -> tuple[list[ExclusionColumns], str | None]:
        e = self.t.exclusion
        stmt = select(e).where(e.round_id == round_id)
        if application_id is not None:
            stmt = stmt.where(e.application_id == application_id)
        if reviewer_id is not None:
            stmt = stmt.where(e.reviewer_id == reviewer_id)
        return await paginate(self.session, stmt, self.by_id, limit=limit, cursor=cursor, sort="id")

    async def assignment(self, assignment_id: int, *, for_update: bool = False) -> AssignmentColumns | None:
        stmt = select(self.t.assignment).where(self.t.assignment.id == assignment_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def own_assignment(self, user_id: str, assignment_id: int) -> AssignmentColumns | None:
        a = self.t.assignment
        stmt = select(a).where(a.reviewer_user_id == user_id, a.id == assignment_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def page_own(
        self,
        user_id: str,
        *,
        round_id: int | None,
        status: str | None,
        limit: int,
        cursor: str | None,
        sort: str | None,
    ) -> tuple[list[AssignmentColumns], str | None]:
        a = self.t.assignment
        stmt = select(a).where(a.reviewer_user_id == user_id)
        if round_id is not None:
            stmt = stmt.where(a.round_id == round_id)
        if status is not None:
            stmt = stmt.where(a.status == status)
        return await paginate(self.session, stmt, self.assignment_sorts, limit=limit, cursor=cursor, sort=sort)

    async def open_counts(self, reviewer_ids: Iterable[int]) -> dict[int, int]:
        """Each reviewer's open assignments in this service (assigned, in rounds not closed): the load
        the service reports to the pool, the same figure whichever round changed."""
        wanted = sorted(set(reviewer_ids))
        counts = dict.fromkeys(wanted, 0)
        if not wanted:
            return counts
        a, r = self.t.assignment, self.t.round
        stmt = (
            select(a.reviewer_id, func.count())
            .join(r, r.id == a.round_id)
            .where(a.reviewer_id.in_(wanted), a.status == ASSIGNED, r.status != CLOSED)
            .group_by(a.reviewer_id)
        )
        for rid, n in (await self.session.execute(stmt)).all():
            counts[int(rid)] = int(n)
        return counts

    # --- reviews ----------------------------------------------------------------------------------------

    async def review_of(self, assignment_id: int, *, for_update: bool = False) -> ReviewColumns | None:
        stmt = select(self.t.review).where(self.t.review.assignment_id == assignment_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def delete_review(self, assignment_id: int) -> None:
        await self.session.execute(delete(self.t.review).where(self.t.review.assignment_id == assignment_id))

    async def slots(self, round_id: int) -> list[Slot]:
        """Every assignment of the round with its review's state, in (application, slot, id) order."""
        a, v = self.t.assignment, self.t.review
        stmt = (
            select(a.id, a.application_id, a.reviewer_id, a.slot, a.status, v.status, v.grade, v.opinion, v.scores)
            .outerjoin(v, v.assignment_id == a.id)
            .where(a.round_id == round_id)
            .order_by(a.application_id, a.slot, a.id)
        )
        return [Slot(*row) for row in (await self.session.execute(stmt)).all()]


def holding(slot: Slot) -> bool:
    return slot.status in HOLDING
