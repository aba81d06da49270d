"""Every query on integrity records."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.integrity.models import IntegrityRecord


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


def list_query(*, subject_key: str | None = None, status: str | None = None, measure: str | None = None) -> Select[Any]:
    stmt = select(IntegrityRecord)
    if subject_key is not None:
        stmt = stmt.where(IntegrityRecord.subject_key == subject_key)
    if status is not None:
        stmt = stmt.where(IntegrityRecord.status == status)
    if measure is not None:
        stmt = stmt.where(IntegrityRecord.measure == measure)
    return stmt
