"""The shared machinery in one service process: request overhead (auth token check, middleware),
an idempotent POST, and verifying a long SM3 audit chain."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

import httpx
from sqlalchemy import text

from shared import audit
from shared.db import Database
from tests.bench.harness import fmt_latency, measure
from tests.conftest import principal_headers
from tests.shared import sample_app

AUDIT_ROWS = 10_000


async def run() -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", "sample")
        async with db.engine.begin() as conn:
            await conn.run_sync(sample_app.Base.metadata.create_all)
        app = sample_app.create_app(db)
        headers = principal_headers("applicant", subject="bench")
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                rate, stats = await measure(lambda: client.get("/api/v1/sample/public", headers=headers), 2000)
                rows.append(("GET with token check (in process)", f"{rate:,.0f} req/s; {fmt_latency(stats)}"))

                async def create() -> None:
                    r = await client.post(
                        "/api/v1/sample/notes",
                        json={"title": "基准", "amount": "1.00"},
                        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
                    )
                    assert r.status_code == 201, r.text

                rate, stats = await measure(create, 500)
                rows.append(("idempotent POST + audit (SQLite)", f"{rate:,.0f} req/s; {fmt_latency(stats)}"))

        async with db.sessionmaker() as session:
            await session.execute(text("DELETE FROM audit_log"))
            for i in range(AUDIT_ROWS):
                await audit.append(session, sample_app.common, "user:bench", "act", "thing", i, {"i": i})
            await session.commit()
        import time

        async with db.sessionmaker() as session:
            t0 = time.perf_counter()
            report = await audit.verify(session, sample_app.common)
            elapsed = time.perf_counter() - t0
        assert report.valid and report.entries == AUDIT_ROWS
        rows.append(
            (
                f"audit chain verify, {AUDIT_ROWS:,} rows",
                f"{elapsed * 1000:.0f} ms ({AUDIT_ROWS / elapsed:,.0f} rows/s)",
            )
        )
        await db.dispose()
    return rows
