"""Every query on integrity records."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.integrity.models import IntegrityRecord
from shared.pagination import SortSpec, equal_to, paginate

SORTS = SortSpec(fields={"created_at": IntegrityRecord.created_at}, id_column=IntegrityRecord.id)


async def add(session: AsyncSession, record: IntegrityRecord) -> IntegrityRecord:
    session.add(record)
    await session.flush()
    return record


async def get(session: AsyncSession, record_id: int, *, for_update: bool = False) -> IntegrityRecord | None:
    stmt = select(IntegrityRecord).where(IntegrityRecord.id == record_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def active_for_subjects(session: AsyncSession, subject_keys: Sequence[str]) -> list[IntegrityRecord]:
    if not subject_keys:
        return []
    stmt = select(IntegrityRecord).where(
        IntegrityRecord.subject_key.in_(list(subject_keys)), IntegrityRecord.status == "active"
    )
    return list((await session.execute(stmt)).scalars())


async def page(
    session: AsyncSession,
    *,
    subject_key: str | None,
    status: str | None,
    measure: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[IntegrityRecord], str | None]:
    filters = {"subject_key": subject_key, "status": status, "measure": measure}
    stmt = equal_to(select(IntegrityRecord), IntegrityRecord, filters)
    return await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)
