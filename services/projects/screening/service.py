"""Duplicate screening (查重, PRJ-4): register documents, screen an application, read its flags.

How the application-submit code calls it, inside its own unit of work (nothing here commits)::

    from services.projects.screening.index import ScreeningIndexDep   # the route's dependency
    from services.projects.screening.service import screen

    flags = await screen(session, index, application_id=app.id, year=app.year,
                         title=app.title, abstract=app.abstract, keywords=app.keywords)

``screen`` compares the application with the year's other applications and with funded projects
of the last ``window_years`` years (default 5: year-5 to year), stores one flag per match at or
above the threshold (replacing the flags of an earlier screening of the same application) and
registers the application for later screenings. A flag informs the agency; it never rejects,
returns or changes the application. Texts longer than the limits of ``rules.similarity`` are
screened on their first part only.

When a project is funded, register it (this turns the application's document into a funded one)::

    await register_document(session, kind="funded", reference_id=str(app.id), year=funding_year,
                            title=app.title, abstract=app.abstract, keywords=app.keywords)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.rules import similarity
from services.projects.screening import repository
from services.projects.screening.index import ScreeningIndex
from services.projects.screening.models import ScreenedDocument, ScreeningFlag
from services.projects.screening.schemas import FlagRead, MatchedRecord
from shared.errors import NotFound
from shared.pagination import Page

FLAG_SORTS = repository.FLAG_SORTS  # the orders its list takes, as the router documents them

Kind = Literal["application", "funded"]
OWN_SOURCE = "projects"


@dataclass(frozen=True)
class Signed:
    """A document's comparison material, computed once."""

    hashes: np.ndarray  # sorted distinct uint32 token hashes
    token_count: int
    signature: bytes
    hashvalues: np.ndarray  # the MinHash values


def sign(title: str, abstract: str, keywords: Sequence[str]) -> Signed:
    hashes = similarity.hash_set(similarity.tokens(title, abstract, keywords))
    sig = similarity.signature(hashes)
    return Signed(hashes, int(hashes.size), similarity.pack_signature(sig), sig.hashvalues)


async def register_document(
    session: AsyncSession,
    *,
    kind: Kind,
    reference_id: str,
    year: int,
    title: str,
    abstract: str = "",
    keywords: Sequence[str] = (),
    source: str = OWN_SOURCE,
    signed: Signed | None = None,
) -> tuple[ScreenedDocument, bool]:
    """Store (or replace) the document of ``(source, reference_id)``; returns it and whether
    anything changed. The same content again is a no-op, so callers may retry freely."""
    title, abstract, kw = similarity.clip(title, abstract, keywords)
    signed = signed or sign(title, abstract, kw)
    existing = await repository.document_by_reference(session, source, reference_id)
    if existing is not None:
        if (
            existing.kind,
            existing.year,
            existing.title,
            existing.abstract,
            list(existing.keywords),
            existing.scheme,
        ) == (kind, year, title, abstract, kw, similarity.SCHEME.name):
            return existing, False
        # A new row, not an update: its new id is what tells every replica's index to load it.
        await repository.delete_document(session, existing)
    doc = ScreenedDocument(
        source=source,
        kind=kind,
        reference_id=reference_id,
        year=year,
        title=title,
        abstract=abstract,
        keywords=kw,
        scheme=similarity.SCHEME.name,
        token_count=signed.token_count,
        signature=signed.signature,
        token_hashes=similarity.pack_hashes(signed.hashes),
    )
    await repository.add(session, doc)
    return doc, True


async def screen(
    session: AsyncSession,
    index: ScreeningIndex,
    *,
    application_id: int,
    year: int,
    title: str,
    abstract: str,
    keywords: Sequence[str],
) -> list[ScreeningFlag]:
    """PRJ-4 at submit: flag the application's near-duplicates, register it, return the flags."""
    policy = index.policy
    title, abstract, kw = similarity.clip(title, abstract, keywords)
    signed = sign(title, abstract, kw)
    reference_id = str(application_id)
    matches: list[tuple[float, Any]] = []
    if signed.token_count:
        await index.refresh(session)
        candidates = index.candidates(signed.hashvalues)
        funded_from, funded_to = policy.funded_years(year)
        rows = await repository.eligible_documents(
            session,
            candidates,
            application_year=year,
            funded_from=funded_from,
            funded_to=funded_to,
            exclude_source=OWN_SOURCE,
            exclude_reference_id=reference_id,
        )
        for row in rows:
            score = similarity.jaccard(signed.hashes, similarity.unpack_hashes(row.token_hashes))
            if score >= policy.threshold:
                matches.append((score, row))
    matches.sort(key=lambda m: (-m[0], m[1].id))
    await repository.delete_flags(session, application_id)
    flags = [
        ScreeningFlag(
            application_id=application_id,
            document_id=row.id,
            matched_source=row.source,
            matched_kind=row.kind,
            matched_reference_id=row.reference_id,
            matched_year=row.year,
            matched_title=row.title,
            score=round(score, 6),
            threshold=policy.threshold,
            rule=policy.rule,
        )
        for score, row in matches[: policy.max_flags]
    ]
    session.add_all(flags)
    await register_document(
        session,
        kind="application",
        reference_id=reference_id,
        year=year,
        title=title,
        abstract=abstract,
        keywords=kw,
        signed=signed,
    )
    return flags


async def require_screened(session: AsyncSession, application_id: int) -> None:
    """NotFound unless the application was screened (it has flags, or its document is stored)."""
    if await repository.has_flags(session, application_id):
        return
    if await repository.document_by_reference(session, OWN_SOURCE, str(application_id)) is None:
        raise NotFound(
            f"申报书 {application_id} 尚未查重。",
            f"Application {application_id} has not been screened.",
        )


def to_read(flag: ScreeningFlag) -> FlagRead:
    return FlagRead(
        id=flag.id,
        application_id=flag.application_id,
        score=round(flag.score, 4),
        threshold=flag.threshold,
        rule=flag.rule,
        created_at=flag.created_at,
        matched=MatchedRecord(
            document_id=flag.document_id,
            source=flag.matched_source,
            kind=flag.matched_kind,
            reference_id=flag.matched_reference_id,
            year=flag.matched_year,
            title=flag.matched_title,
        ),
    )


async def flags(
    session: AsyncSession, application_id: int, *, limit: int, cursor: str | None, sort: str | None
) -> Page[FlagRead]:
    """An application's flags, highest score first; NotFound when it was never screened. Whether the
    caller may see the application is the caller's check (``applications.service.load``)."""
    rows, next_cursor = await repository.flags_page(session, application_id, limit=limit, cursor=cursor, sort=sort)
    if not rows and cursor is None:
        await require_screened(session, application_id)
    return Page[FlagRead](items=[to_read(f) for f in rows], next_cursor=next_cursor)
