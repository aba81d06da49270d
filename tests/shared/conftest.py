from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from shared.db import Database
from tests.conftest import SCHEMA_PREFIX, postgres_url, rolled_back
from tests.shared import sample_app

_created: dict[str, tuple[str, str]] = {}


async def _sample_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    if backend not in _created:
        if backend == "sqlite":
            url, schema = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sample') / 'sample.db'}", "sample"
        else:
            url, schema = await postgres_url(), SCHEMA_PREFIX + "sample"
        db = Database(url, schema)
        if db.postgres:
            async with db.engine.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await db.ensure_schema()
        async with db.engine.begin() as conn:
            if db.postgres:
                await conn.execute(text(f'SET search_path TO "{schema}"'))
            await conn.run_sync(sample_app.Base.metadata.create_all)
        await db.dispose()
        _created[backend] = (url, schema)
    return _created[backend]


@pytest.fixture
async def sample_db(backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Database]:
    url, schema = await _sample_database(backend, tmp_path_factory)
    db = Database(url, schema)
    async with rolled_back(db):
        yield db
    await db.dispose()


@pytest.fixture
async def sample_committed_db(backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Database]:
    """Real commits (for concurrency); the tables are emptied afterwards."""
    url, schema = await _sample_database(backend, tmp_path_factory)
    db = Database(url, schema)
    yield db
    async with db.engine.begin() as conn:
        for table in reversed(sample_app.Base.metadata.sorted_tables):
            await conn.execute(table.delete())
    await db.dispose()
