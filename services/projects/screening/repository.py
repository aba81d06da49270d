"""Every query of the screening tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.screening.models import ScreenedDocument, ScreeningFlag
from shared.pagination import SortSpec, paginate

# Bound parameters per IN list: well under SQLite's and asyncpg's limits.
IN_CHUNK = 500


async def document_by_reference(session: AsyncSession, source: str, reference_id: str) -> ScreenedDocument | None:
    stmt = select(ScreenedDocument).where(
        ScreenedDocument.source == source, ScreenedDocument.reference_id == reference_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def delete_document(session: AsyncSession, document: ScreenedDocument) -> None:
    await session.delete(document)
    await session.flush()


async def add(session: AsyncSession, row: Any) -> None:
    session.add(row)
    await session.flush()


async def signatures_after(
    session: AsyncSession, after_id: int, limit: int, also: Sequence[int] = ()
) -> list[tuple[int, str, int, bytes]]:
    """(id, scheme, token count, signature) of the rows with an id above ``after_id`` and of the
    rows in ``also``, by id. Every row comes back, whatever its scheme, so the caller can tell an
    id it has not seen from one that does not exist."""
    cond = ScreenedDocument.id > after_id
    if also:
        cond = or_(cond, ScreenedDocument.id.in_(list(also)))
    stmt = (
        select(ScreenedDocument.id, ScreenedDocument.scheme, ScreenedDocument.token_count, ScreenedDocument.signature)
        .where(cond)
        .order_by(ScreenedDocument.id)
        .limit(limit)
    )
    return [(int(i), str(sc), int(n), bytes(sig)) for i, sc, n, sig in (await session.execute(stmt)).all()]


async def eligible_documents(
    session: AsyncSession,
    ids: Iterable[int],
    *,
    application_year: int,
    funded_from: int,
    funded_to: int,
    exclude_source: str,
    exclude_reference_id: str,
) -> list[Any]:
    """The candidates that PRJ-4 compares with: this year's applications and funded projects of
    the window, other than the application itself."""
    wanted = sorted(set(ids))
    rows: list[Any] = []
    window = or_(
        and_(ScreenedDocument.kind == "application", ScreenedDocument.year == application_year),
        and_(ScreenedDocument.kind == "funded", ScreenedDocument.year.between(funded_from, funded_to)),
    )
    not_itself = or_(ScreenedDocument.source != exclude_source, ScreenedDocument.reference_id != exclude_reference_id)
    for start in range(0, len(wanted), IN_CHUNK):
        stmt = select(
            ScreenedDocument.id,
            ScreenedDocument.source,
            ScreenedDocument.kind,
            ScreenedDocument.reference_id,
            ScreenedDocument.year,
            ScreenedDocument.title,
            ScreenedDocument.token_hashes,
        ).where(ScreenedDocument.id.in_(wanted[start : start + IN_CHUNK]), window, not_itself)
        rows.extend((await session.execute(stmt)).all())
    return rows


async def delete_flags(session: AsyncSession, application_id: int) -> None:
    await session.execute(delete(ScreeningFlag).where(ScreeningFlag.application_id == application_id))


FLAG_SORTS = SortSpec(fields={"score": ScreeningFlag.score}, id_column=ScreeningFlag.id, default="-score")


async def flags_page(
    session: AsyncSession, application_id: int, *, limit: int, cursor: str | None, sort: str | None
) -> tuple[list[ScreeningFlag], str | None]:
    stmt = select(ScreeningFlag).where(ScreeningFlag.application_id == application_id)
    return await paginate(session, stmt, FLAG_SORTS, limit=limit, cursor=cursor, sort=sort)


async def has_flags(session: AsyncSession, application_id: int) -> bool:
    stmt = select(ScreeningFlag.id).where(ScreeningFlag.application_id == application_id).limit(1)
    return (await session.execute(stmt)).first() is not None
