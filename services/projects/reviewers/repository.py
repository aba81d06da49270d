"""Every query of the reviewer pool."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.projects.reviewers.models import (
    Reviewer,
    ReviewerConflict,
    ReviewerDiscipline,
    ReviewerKeyword,
    ReviewerLoad,
)
from services.projects.reviewers.schemas import ReviewerFilters
from shared.errors import ValidationFailed, field_error
from shared.pagination import SortSpec, decode_cursor, encode_cursor, paginate

SORTS = SortSpec(
    fields={"name": Reviewer.name, "created_at": Reviewer.created_at, "updated_at": Reviewer.updated_at},
    id_column=Reviewer.id,
    default="id",
)

_FULL = (
    selectinload(Reviewer.disciplines),
    selectinload(Reviewer.keywords),
    selectinload(Reviewer.conflicts),
    selectinload(Reviewer.loads),
)
_LISTED = (selectinload(Reviewer.disciplines), selectinload(Reviewer.keywords))


def available_on(day: date) -> ColumnElement[bool]:
    """Not declared unavailable, or unavailable only through a day before ``day``."""
    return or_(
        Reviewer.unavailable.is_(False),
        and_(Reviewer.unavailable_until.is_not(None), Reviewer.unavailable_until < day),
    )


def _like_prefix(prefix: str) -> ColumnElement[bool]:
    # Prefixes are validated as a letter and digits, so they hold no LIKE wildcard.
    return ReviewerDiscipline.code.like(prefix + "%")


def _has_discipline(prefixes: Sequence[str]) -> ColumnElement[bool]:
    return exists().where(ReviewerDiscipline.reviewer_id == Reviewer.id, or_(*[_like_prefix(p) for p in prefixes]))


@dataclass
class CandidateRow:
    """One candidate, flat: what ``shared.clients.reviewers.ReviewerCandidate`` is built from."""

    id: int
    person_key: str
    institution_key: str
    discipline_codes: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    person_conflicts: list[str] = field(default_factory=list)
    organisation_conflicts: list[str] = field(default_factory=list)
    load: int = 0
    user_id: str | None = None


class ReviewerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, reviewer_id: int) -> Reviewer | None:
        stmt = select(Reviewer).where(Reviewer.id == reviewer_id).options(*_FULL)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def get_by_user(self, user_id: str) -> Reviewer | None:
        stmt = select(Reviewer).where(Reviewer.user_id == user_id).options(*_FULL)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def id_of_person(self, person_key: str) -> int | None:
        return (await self.session.execute(select(Reviewer.id).where(Reviewer.person_key == person_key))).scalar()

    async def id_of_user(self, user_id: str) -> int | None:
        return (await self.session.execute(select(Reviewer.id).where(Reviewer.user_id == user_id))).scalar()

    async def add(self, reviewer: Reviewer) -> Reviewer:
        self.session.add(reviewer)
        await self.session.flush()
        return reviewer

    async def flush(self) -> None:
        await self.session.flush()

    async def page(
        self, filters: ReviewerFilters, today: date, *, limit: int, cursor: str | None, sort: str | None
    ) -> tuple[list[Reviewer], str | None]:
        stmt: Select[Any] = select(Reviewer).options(*_LISTED)
        if filters.discipline:
            stmt = stmt.where(_has_discipline(filters.discipline))
        if filters.keyword:
            stmt = stmt.where(
                exists().where(ReviewerKeyword.reviewer_id == Reviewer.id, ReviewerKeyword.norm == filters.keyword)
            )
        if filters.active is not None:
            stmt = stmt.where(Reviewer.active.is_(filters.active))
        if filters.available is not None:
            cond = available_on(today)
            stmt = stmt.where(cond if filters.available else ~cond)
        if filters.organisation_uscc:
            stmt = stmt.where(Reviewer.organisation_uscc == filters.organisation_uscc)
        if filters.organisation:
            # A substring of the organisation's name; wildcards in the input are matched literally.
            escaped = filters.organisation.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            stmt = stmt.where(Reviewer.organisation_name.like(f"%{escaped}%", escape="\\"))
        return await paginate(self.session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)

    async def candidates(
        self, prefixes: Sequence[str], day: date, *, limit: int, cursor: str | None
    ) -> tuple[list[CandidateRow], str | None]:
        """A page of candidates as plain rows: a draw reads the whole pool, and building ORM objects
        with four collections each costs several times more than these five flat queries."""
        stmt: Select[Any] = select(Reviewer).where(
            Reviewer.active.is_(True), available_on(day), _has_discipline(prefixes)
        )
        keyset = stmt.with_only_columns(Reviewer.id, Reviewer.person_key, Reviewer.organisation_key, Reviewer.user_id)
        id_col = Reviewer.id
        if cursor:
            (last,) = decode_cursor(cursor, 1)
            if isinstance(last, bool) or not isinstance(last, int) or not 0 <= last < 2**63:
                raise ValidationFailed([field_error("cursor", "invalid_cursor", "游标无效", "invalid cursor")])
            keyset = keyset.where(id_col > last)
        heads = (await self.session.execute(keyset.order_by(id_col).limit(limit + 1))).all()
        next_cursor = None
        if len(heads) > limit:
            heads = heads[:limit]
            next_cursor = encode_cursor([heads[-1][0]])
        if not heads:
            return [], None
        rows = {h[0]: CandidateRow(h[0], h[1], h[2], user_id=h[3]) for h in heads}
        low, high = heads[0][0], heads[-1][0]

        async def each(query: Any) -> Sequence[Any]:
            return (await self.session.execute(query)).all()

        in_range = ReviewerDiscipline.reviewer_id.between(low, high)
        for rid, code in await each(
            select(ReviewerDiscipline.reviewer_id, ReviewerDiscipline.code)
            .where(in_range)
            .order_by(ReviewerDiscipline.reviewer_id, ReviewerDiscipline.position)
        ):
            if rid in rows:
                rows[rid].discipline_codes.append(code)
        for rid, norm in await each(
            select(ReviewerKeyword.reviewer_id, ReviewerKeyword.norm).where(
                ReviewerKeyword.reviewer_id.between(low, high)
            )
        ):
            if rid in rows:
                rows[rid].keywords.append(norm)
        for rid, kind, key in await each(
            select(ReviewerConflict.reviewer_id, ReviewerConflict.kind, ReviewerConflict.subject_key).where(
                ReviewerConflict.reviewer_id.between(low, high)
            )
        ):
            if rid in rows:
                (rows[rid].person_conflicts if kind == "person" else rows[rid].organisation_conflicts).append(key)
        for rid, total in await each(
            select(ReviewerLoad.reviewer_id, func.sum(ReviewerLoad.open_assignments))
            .where(ReviewerLoad.reviewer_id.between(low, high))
            .group_by(ReviewerLoad.reviewer_id)
        ):
            if rid in rows:
                rows[rid].load = int(total or 0)
        return list(rows.values()), next_cursor

    async def set_load(self, reviewer_id: int, source: str, open_assignments: int) -> None:
        row = await self.session.get(ReviewerLoad, (reviewer_id, source))
        if row is None:
            self.session.add(ReviewerLoad(reviewer_id=reviewer_id, source=source, open_assignments=open_assignments))
        elif row.open_assignments != open_assignments:
            row.open_assignments = open_assignments
        await self.session.flush()

    async def set_loads(self, source: str, loads: dict[int, int]) -> list[int]:
        """``set_load`` for many reviewers in a few statements; the ids not in the pool are returned."""
        ids = sorted(loads)
        known: set[int] = set()
        existing: dict[int, ReviewerLoad] = {}
        for start in range(0, len(ids), 900):  # stay under SQLite's bound-parameter limit
            part = ids[start : start + 900]
            known |= set((await self.session.execute(select(Reviewer.id).where(Reviewer.id.in_(part)))).scalars())
            rows = (
                await self.session.execute(
                    select(ReviewerLoad).where(ReviewerLoad.source == source, ReviewerLoad.reviewer_id.in_(part))
                )
            ).scalars()
            existing.update({row.reviewer_id: row for row in rows})
        for reviewer_id in ids:
            if reviewer_id not in known:
                continue
            row = existing.get(reviewer_id)
            if row is None:
                self.session.add(
                    ReviewerLoad(reviewer_id=reviewer_id, source=source, open_assignments=loads[reviewer_id])
                )
            elif row.open_assignments != loads[reviewer_id]:
                row.open_assignments = loads[reviewer_id]
        await self.session.flush()
        return [i for i in ids if i not in known]

    async def total_load(self, reviewer_id: int) -> int:
        stmt = select(func.coalesce(func.sum(ReviewerLoad.open_assignments), 0)).where(
            ReviewerLoad.reviewer_id == reviewer_id
        )
        return int((await self.session.execute(stmt)).scalar_one())
