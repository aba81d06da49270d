"""The migrations that reshaped the review rounds and public notices into the shared machinery keep
the data a running platform already holds (projects_0012/0013, foundation_0005/0006): rows written at
the revision before are upgraded and read back, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import command
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from shared.db.migrate import alembic_config
from tests.test_migrations import scratch

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def _dummy(column: sa.Column[Any]) -> Any:
    """A value for a NOT NULL column the test does not care about."""
    t = column.type
    if isinstance(t, sa.Boolean):
        return False
    if isinstance(t, sa.Integer | sa.BigInteger):
        return 1
    if isinstance(t, sa.Numeric):
        return Decimal("1.00")
    if isinstance(t, sa.DateTime):
        return T0
    if isinstance(t, sa.Date):
        return date(2026, 3, 2)
    if isinstance(t, sa.JSON):
        return {}
    return "x"


async def _insert(conn: AsyncConnection, table: str, **values: Any) -> None:
    """One row of ``table`` as the database has it now: ``values``, dummies for the other NOT NULL columns."""

    def reflect(sync: Any) -> sa.Table:
        return sa.Table(table, sa.MetaData(), autoload_with=sync)

    t = await conn.run_sync(reflect)
    row = {c.name: _dummy(c) for c in t.columns if not c.nullable and c.server_default is None and c.name != "id"}
    row.update(values)
    await conn.execute(t.insert().values(**row))


async def _rows(conn: AsyncConnection, sql: str) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in (await conn.execute(sa.text(sql))).all()]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


@asynccontextmanager
async def connected(url: str, schema: str) -> AsyncIterator[AsyncConnection]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                await conn.execute(sa.text(f'SET search_path TO "{schema}"'))
            yield conn
            await conn.commit()
    finally:
        await engine.dispose()


async def test_projects_review_rounds_and_notices_keep_their_data(backend: str, tmp_path) -> None:
    url, schema = await scratch(backend, "projects", tmp_path)
    cfg = alembic_config("projects", url, schema)
    await asyncio.to_thread(command.upgrade, cfg, "projects_0011")
    async with connected(url, schema) as conn:
        await _insert(conn, "programmes", id=1, status="active")
        await _insert(conn, "calls", id=1, programme_id=1)
        await _insert(conn, "applications", id=1, call_id=1, programme_id=1, status="in_review")
        await _insert(conn, "applications", id=2, call_id=1, programme_id=1, status="in_review")
        for rid, user in ((11, "rv-11"), (12, "rv-12"), (13, None)):
            await _insert(conn, "reviewers", id=rid, user_id=user, person_key=f"k{rid}", organisation_uscc="x")
        await _insert(conn, "review_rounds", id=1, call_id=1, programme_id=1, status="in_review", trim_from=5)
        await _insert(conn, "review_round_inputs", round_id=1, pool=[{"id": "11"}, {"id": "12"}, {"id": "13"}])
        await _insert(
            conn,
            "review_assignments",
            id=1,
            round_id=1,
            application_id=1,
            reviewer_id=11,
            slot=0,
            status="replaced",
            decline_reason="合作关系",
            declined_at=T0,
        )
        await _insert(
            conn,
            "review_assignments",
            id=2,
            round_id=1,
            application_id=1,
            reviewer_id=12,
            slot=0,
            status="assigned",
            replaces_id=1,
        )
        await _insert(conn, "approval_lists", id=1, programme_id=1, call_id=1, status="approved")
        await _insert(conn, "public_notices", id=1, list_id=1, programme_id=1, call_id=1, status="open")
        for app, rank in ((1, 2), (2, 1)):
            await _insert(
                conn,
                "notice_entries",
                id=app,
                notice_id=1,
                application_id=app,
                rank=rank,
                title=f"项目{app}",
                leader_name=f"负责人{app}",
                applicant_org_name="吉林大学",
                amount=Decimal("400000.00"),
                status="listed",
            )
        await _insert(conn, "notice_objections", id=1, notice_id=1, application_id=2, status="pending")

    await asyncio.to_thread(command.upgrade, cfg, "heads")
    async with connected(url, schema) as conn:
        (rnd,) = await _rows(conn, "SELECT status, graded, trim_from, review_due_at FROM review_rounds")
        assert (rnd["status"], bool(rnd["graded"]), rnd["trim_from"], rnd["review_due_at"]) == ("drawn", True, 5, None)
        (inputs,) = await _rows(conn, "SELECT accounts FROM review_round_inputs")
        assert _json(inputs["accounts"]) == {"11": "rv-11", "12": "rv-12", "13": None}
        slots = await _rows(
            conn, "SELECT id, status, reviewer_user_id, release_reason, released_at FROM review_assignments ORDER BY id"
        )
        assert [(s["id"], s["status"], s["reviewer_user_id"], s["release_reason"]) for s in slots] == [
            (1, "declined", "rv-11", "合作关系"),
            (2, "assigned", "rv-12", None),
        ]
        assert slots[0]["released_at"] is not None
        entries = await _rows(
            conn,
            "SELECT subject_id, position, rank, person_name, organisation_name, details "
            "FROM notice_entries ORDER BY subject_id",
        )
        assert [
            (e["subject_id"], e["position"], e["rank"], e["person_name"], e["organisation_name"], _json(e["details"]))
            for e in entries
        ] == [
            (1, 2, 2, "负责人1", "吉林大学", {}),
            (2, 1, 1, "负责人2", "吉林大学", {}),
        ]
        assert await _rows(conn, "SELECT subject_id FROM notice_objections") == [{"subject_id": 2}]
    await asyncio.to_thread(command.downgrade, cfg, "projects_0011")  # and back, with the data
    async with connected(url, schema) as conn:
        statuses = await _rows(conn, "SELECT status, decline_reason FROM review_assignments ORDER BY id")
        assert statuses == [
            {"status": "replaced", "decline_reason": "合作关系"},
            {"status": "assigned", "decline_reason": None},
        ]
        assert [r["status"] for r in await _rows(conn, "SELECT status FROM review_rounds")] == ["in_review"]
        assert [
            r["application_id"]
            for r in await _rows(conn, "SELECT application_id FROM notice_entries ORDER BY application_id")
        ] == [1, 2]


async def test_foundation_review_rounds_and_notices_keep_their_data(backend: str, tmp_path) -> None:
    url, schema = await scratch(backend, "foundation", tmp_path)
    cfg = alembic_config("foundation", url, schema)
    await asyncio.to_thread(command.upgrade, cfg, "foundation_0004")
    async with connected(url, schema) as conn:
        await _insert(conn, "plans", id=1, code="JJ2026", status="published")
        await _insert(conn, "plan_categories", id=1, plan_id=1, code="general")
        await _insert(conn, "applications", id=1, plan_id=1, category_id=1, status="approved")
        await _insert(conn, "review_rounds", id=1, plan_id=1, category_id=1, status="drawn", discipline_prefixes=[])
        await _insert(conn, "review_assignments", id=1, round_id=1, application_id=1, reviewer_id=5, slot=0)
        await _insert(conn, "reviews", id=1, assignment_id=1, grade="A", opinion="priority", status="submitted")
        await _insert(
            conn,
            "notices",
            id=1,
            plan_id=1,
            category_id=1,
            year=2026,
            status="open",
            starts_at=T0,
            closes_at=datetime(2026, 3, 9, 15, 59, 59, tzinfo=UTC),
            starts_on=date(2026, 3, 2),
            ends_on=date(2026, 3, 9),
        )
        await _insert(
            conn,
            "notice_entries",
            id=1,
            notice_id=1,
            application_id=1,
            position=1,
            rank=1,
            title="黑土地",
            applicant_name="申请人",
            institution_name="吉林大学",
            discipline_code="F0203",
            amount=Decimal("200000.00"),
            status="listed",
        )
        await _insert(conn, "notice_objections", id=1, notice_id=1, application_id=1, status="pending")

    await asyncio.to_thread(command.upgrade, cfg, "heads")
    async with connected(url, schema) as conn:
        (rnd,) = await _rows(conn, "SELECT criteria, graded, trim_from, reviewers_per_category FROM review_rounds")
        assert [c["code"] for c in _json(rnd["criteria"])] == [
            "innovation",
            "feasibility",
            "foundation",
            "team",
            "overall",
        ]
        assert bool(rnd["graded"]) is True and rnd["trim_from"] is None and _json(rnd["reviewers_per_category"]) == {}
        assert [_json(r["scores"]) for r in await _rows(conn, "SELECT scores FROM reviews")] == [{}]
        (entry,) = await _rows(conn, "SELECT subject_id, person_name, organisation_name, details FROM notice_entries")
        assert (entry["subject_id"], entry["person_name"], entry["organisation_name"], _json(entry["details"])) == (
            1,
            "申请人",
            "吉林大学",
            {"discipline_code": "F0203"},
        )
        assert await _rows(conn, "SELECT subject_id FROM notice_objections") == [{"subject_id": 1}]
    await asyncio.to_thread(command.downgrade, cfg, "foundation_0004")
    async with connected(url, schema) as conn:
        (notice,) = await _rows(conn, "SELECT starts_on, ends_on FROM notices")
        assert (str(notice["starts_on"]), str(notice["ends_on"])) == ("2026-03-02", "2026-03-09")
        (entry,) = await _rows(conn, "SELECT application_id, discipline_code, applicant_name FROM notice_entries")
        assert (entry["application_id"], entry["discipline_code"], entry["applicant_name"]) == (1, "F0203", "申请人")
