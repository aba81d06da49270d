"""The e2e platform runs on its embedded SQLite default and, when KJT_TEST_POSTGRES_URL is set, on
PostgreSQL too (each process in its own schema, as in production)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.db.migrate import ALL_DATABASES
from tests.conftest import backends, postgres_url
from tests.e2e.processes import Platform, running_platform


async def _fresh_postgres() -> str:
    url = await postgres_url()
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        for name in ALL_DATABASES:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    await engine.dispose()
    return url


@pytest.fixture(scope="module", params=backends())
def platform(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    extra = {}
    if request.param == "postgres":
        extra["KJT_DATABASE_URL"] = asyncio.run(_fresh_postgres())
    with running_platform(tmp_path_factory.mktemp("e2e"), **extra) as started:
        yield started
