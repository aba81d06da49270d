"""Every query of the reviewer pool."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.projects.reviewers.models import (
    Reviewer,
    ReviewerDiscipline,
    ReviewerKeyword,
    ReviewerLoad,
)
from shared.pagination import SortSpec, paginate

SORTS = SortSpec(
    fields={"name": Reviewer.name, "created_at": Reviewer.created_at, "updated_at": Reviewer.updated_at},
    id_column=Reviewer.id,
    default="id",
)
CANDIDATE_ORDER = SortSpec(fields={}, id_column=Reviewer.id, default="id")

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
    return exists().where(
        ReviewerDiscipline.reviewer_id == Reviewer.id, or_(*[_like_prefix(p) for p in prefixes])
    )


@dataclass(frozen=True)
class ReviewerFilters:
    discipline: Sequence[str] = ()
    keyword: str | None = None
    active: bool | None = None
    available: bool | None = None
    organisation: str | None = None
    organisation_uscc: str | None = None


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
    ) -> tuple[list[Reviewer], str | None]:
        stmt: Select[Any] = (
            select(Reviewer)
            .where(Reviewer.active.is_(True), available_on(day), _has_discipline(prefixes))
            .options(*_FULL)
        )
        return await paginate(self.session, stmt, CANDIDATE_ORDER, limit=limit, cursor=cursor)

    async def set_load(self, reviewer_id: int, source: str, open_assignments: int) -> None:
        row = await self.session.get(ReviewerLoad, (reviewer_id, source))
        if row is None:
            self.session.add(ReviewerLoad(reviewer_id=reviewer_id, source=source, open_assignments=open_assignments))
        elif row.open_assignments != open_assignments:
            row.open_assignments = open_assignments
        await self.session.flush()

    async def total_load(self, reviewer_id: int) -> int:
        stmt = select(func.coalesce(func.sum(ReviewerLoad.open_assignments), 0)).where(
            ReviewerLoad.reviewer_id == reviewer_id
        )
        return int((await self.session.execute(stmt)).scalar_one())
