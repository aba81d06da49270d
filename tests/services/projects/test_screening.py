"""PRJ-4 duplicate screening: the service and the per-process index, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.rules.similarity import ScreeningPolicy
from services.projects.screening import service
from services.projects.screening.index import ScreeningIndex
from services.projects.screening.models import ScreenedDocument, ScreeningFlag
from shared.errors import NotFound
from tests.services.projects.screening_texts import (
    BATTERY,
    BLACK_SOIL,
    BLACK_SOIL_REMOTE_SENSING,
    BLACK_SOIL_REWRITE,
    LASER,
)

YEAR = 2026
Doc = tuple[str, str, list[str]]


@pytest.fixture
async def session(make_db: Any) -> AsyncIterator[AsyncSession]:
    db = await make_db("projects")
    async with db.sessionmaker() as s:
        yield s


async def funded(session: AsyncSession, ref: str, year: int, doc: Doc, source: str = "projects") -> ScreenedDocument:
    row, _ = await service.register_document(
        session,
        kind="funded",
        reference_id=ref,
        year=year,
        title=doc[0],
        abstract=doc[1],
        keywords=doc[2],
        source=source,
    )
    return row


async def screen(session: AsyncSession, index: ScreeningIndex, app_id: int, doc: Doc, year: int = YEAR):
    return await service.screen(
        session, index, application_id=app_id, year=year, title=doc[0], abstract=doc[1], keywords=doc[2]
    )


async def test_prj4_planted_near_duplicate_found_unrelated_not(session: AsyncSession) -> None:
    original = await funded(session, "P-2024-7", 2024, BLACK_SOIL)
    for i, doc in enumerate((BLACK_SOIL_REMOTE_SENSING, LASER, BATTERY)):
        await funded(session, f"P-2025-{i}", 2025, doc)
    flags = await screen(session, ScreeningIndex(), 101, BLACK_SOIL_REWRITE)
    assert [f.document_id for f in flags] == [original.id]
    flag = flags[0]
    assert flag.matched_kind == "funded" and flag.matched_year == 2024 and flag.matched_reference_id == "P-2024-7"
    assert flag.matched_title == BLACK_SOIL[0]
    assert 0.6 <= flag.score < 1.0 and flag.threshold == 0.6 and flag.rule.startswith("PRJ-4")

    # unrelated texts raise nothing
    assert await screen(session, ScreeningIndex(), 102, LASER[:1] + ("完全不同的摘要内容。", ["无关"])) == []


async def test_prj4_window_edges_year_minus_5_in_year_minus_6_out(session: AsyncSession) -> None:
    in_window = await funded(session, "F-2021", YEAR - 5, BLACK_SOIL)
    await funded(session, "F-2020", YEAR - 6, BLACK_SOIL)
    this_year = await funded(session, "F-2026", YEAR, BLACK_SOIL)
    await funded(session, "F-2027", YEAR + 1, BLACK_SOIL)  # not in "the last 5 years" either
    flags = await screen(session, ScreeningIndex(), 201, BLACK_SOIL)
    assert sorted(f.document_id for f in flags) == sorted([in_window.id, this_year.id])
    assert all(f.score == 1.0 for f in flags)


async def test_prj4_same_year_submissions_are_compared_other_years_are_not(session: AsyncSession) -> None:
    index = ScreeningIndex()
    assert await screen(session, index, 301, BLACK_SOIL, year=YEAR - 1) == []  # last year's submission
    assert await screen(session, index, 302, BLACK_SOIL) == []  # nothing this year yet
    flags = await screen(session, index, 303, BLACK_SOIL_REWRITE)
    assert [(f.matched_kind, f.matched_reference_id, f.matched_year) for f in flags] == [("application", "302", YEAR)]


async def test_prj4_flags_stored_with_scores_and_replaced_on_rescreen(session: AsyncSession) -> None:
    index = ScreeningIndex()
    await funded(session, "A", 2024, BLACK_SOIL)
    await funded(session, "B", 2025, BLACK_SOIL_REWRITE)
    flags = await screen(session, index, 401, BLACK_SOIL)
    stored = (
        (
            await session.execute(
                select(ScreeningFlag).where(ScreeningFlag.application_id == 401).order_by(ScreeningFlag.score.desc())
            )
        )
        .scalars()
        .all()
    )
    assert [(f.matched_reference_id, f.score) for f in stored] == [(f.matched_reference_id, f.score) for f in flags]
    assert [f.matched_reference_id for f in stored] == ["A", "B"] and stored[0].score == 1.0
    assert 0.6 <= stored[1].score < 1.0

    # resubmitted with other text: the old flags go, the application's document is replaced
    assert await screen(session, index, 401, LASER) == []
    count = select(func.count()).select_from(ScreeningFlag).where(ScreeningFlag.application_id == 401)
    assert (await session.execute(count)).scalar_one() == 0
    doc = (await session.execute(select(ScreenedDocument).where(ScreenedDocument.reference_id == "401"))).scalar_one()
    assert doc.title == LASER[0] and doc.kind == "application"


async def test_prj4_a_flag_changes_nothing_else(session: AsyncSession) -> None:
    await funded(session, "A", 2024, BLACK_SOIL)
    await screen(session, ScreeningIndex(), 501, BATTERY)
    before = {
        d.id: (d.kind, d.year, d.title, d.signature)
        for d in (await session.execute(select(ScreenedDocument))).scalars().all()
    }
    flags = await screen(session, ScreeningIndex(), 502, BLACK_SOIL_REWRITE)
    assert len(flags) == 1
    after = {
        d.id: (d.kind, d.year, d.title, d.signature)
        for d in (await session.execute(select(ScreenedDocument))).scalars().all()
    }
    added = set(after) - set(before)
    assert {k: after[k] for k in before} == before  # the matched records are untouched
    assert len(added) == 1 and after[added.pop()][:3] == ("application", YEAR, BLACK_SOIL_REWRITE[0])


async def test_prj4_register_is_idempotent_and_a_change_is_a_new_row(session: AsyncSession) -> None:
    title, abstract, keywords = BLACK_SOIL
    first, created = await service.register_document(
        session, kind="application", reference_id="9", year=YEAR, title=title, abstract=abstract, keywords=keywords
    )
    again, changed = await service.register_document(
        session, kind="application", reference_id="9", year=YEAR, title=title, abstract=abstract, keywords=keywords
    )
    assert created and not changed and again.id == first.id
    funded_doc, changed = await service.register_document(
        session,
        kind="funded",
        reference_id="9",
        year=YEAR,
        title=BLACK_SOIL[0],
        abstract=BLACK_SOIL[1],
        keywords=BLACK_SOIL[2],
    )
    assert changed and funded_doc.id > first.id and funded_doc.kind == "funded"
    total = select(func.count()).select_from(ScreenedDocument).where(ScreenedDocument.reference_id == "9")
    assert (await session.execute(total)).scalar_one() == 1


async def test_prj4_index_refresh_sees_rows_added_by_another_replica(session: AsyncSession) -> None:
    replica_a, replica_b = ScreeningIndex(), ScreeningIndex()
    assert await screen(session, replica_a, 601, LASER) == []  # A builds its index
    assert len(replica_a) == 0  # built empty: the application registered itself after the load
    # replica B registers an application; A has never seen it
    await screen(session, replica_b, 602, BLACK_SOIL)
    flags = await screen(session, replica_a, 603, BLACK_SOIL_REWRITE)
    assert [f.matched_reference_id for f in flags] == ["602"]
    assert len(replica_a) == 2  # 601 and 602, loaded before 603 registered itself


async def test_prj4_index_picks_up_a_lower_id_committed_late(session: AsyncSession) -> None:
    index = ScreeningIndex()
    first = await funded(session, "F1", 2025, LASER)
    await index.refresh(session)
    # ids first+1..first+4 are taken by transactions still open elsewhere; first+5 commits first
    late_doc = await funded(session, "tmp", 2025, BLACK_SOIL)
    values = {
        c: getattr(late_doc, c)
        for c in (
            "source",
            "kind",
            "year",
            "title",
            "abstract",
            "keywords",
            "scheme",
            "token_count",
            "signature",
            "token_hashes",
        )
    }
    await session.delete(late_doc)
    await session.flush()
    await session.execute(insert(ScreenedDocument).values(id=first.id + 5, reference_id="F5", **values))
    await index.refresh(session)
    assert index.last_id == first.id + 5
    # now the open transaction commits its lower id
    await session.execute(insert(ScreenedDocument).values(id=first.id + 3, reference_id="F3", **values))
    assert await index.refresh(session) == 1
    flags = await screen(session, index, 701, BLACK_SOIL_REWRITE, year=2025)
    assert sorted(f.matched_reference_id for f in flags) == ["F3", "F5"]


async def test_prj4_threshold_is_configurable(session: AsyncSession) -> None:
    await funded(session, "A", 2024, BLACK_SOIL)
    strict = ScreeningIndex(ScreeningPolicy(threshold=0.9))
    assert await screen(session, strict, 801, BLACK_SOIL_REWRITE) == []
    lenient = ScreeningIndex(ScreeningPolicy(threshold=0.05, window_years=1))
    flags = await screen(session, lenient, 802, BLACK_SOIL_REMOTE_SENSING, year=2025)
    assert [f.matched_reference_id for f in flags] == ["A"] and flags[0].threshold == 0.05


async def test_prj4_empty_text_is_registered_and_flags_nothing(session: AsyncSession) -> None:
    index = ScreeningIndex()
    assert await screen(session, index, 901, ("！！！", "", [])) == []
    assert await screen(session, index, 902, ("？？？", "……", ["、"])) == []  # empty sets never match
    await service.require_screened(session, 901)
    with pytest.raises(NotFound):
        await service.require_screened(session, 903)


async def test_prj4_huge_input_is_bounded(session: AsyncSession) -> None:
    flags = await screen(session, ScreeningIndex(), 1001, ("题" * 10_000, "文" * 200_000, ["词"] * 500))
    assert flags == []
    doc = (await session.execute(select(ScreenedDocument).where(ScreenedDocument.reference_id == "1001"))).scalar_one()
    assert len(doc.title) == 300 and len(doc.abstract) == 5000 and len(doc.keywords) == 12
