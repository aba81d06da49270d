"""The e2e platform runs on its embedded SQLite default and, when KJT_TEST_POSTGRES_URL is set, on
PostgreSQL too (each process in its own schema, as in production), in a database of its own that is
dropped when the run ends, so no other test run on the same server can get in its way."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import PG_URL, backends, postgres_url
from tests.e2e.processes import Platform, running_platform

_created: list[str] = []


def _server_url(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


async def _fresh_postgres() -> str:
    """A new, empty database for one platform; the platform's migrations create its schemas."""
    url = await postgres_url()
    name = f"kjt_e2e_{os.getpid()}_{len(_created)}"
    engine = create_async_engine(_server_url(url, "postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()
    _created.append(name)
    return _server_url(url, name)


async def _drop_created(url: str) -> None:
    engine = create_async_engine(_server_url(url, "postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for name in _created:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await engine.dispose()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _created and PG_URL:
        asyncio.run(_drop_created(PG_URL))


@pytest.fixture(scope="module", params=backends())
def platform(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    # The demo logs in each of its ten accounts from this address; the tests' own logins come on top.
    extra = {"KJT_RATE_LIMIT_LOGIN": "100/minute"}
    if request.param == "postgres":
        extra["KJT_DATABASE_URL"] = asyncio.run(_fresh_postgres())
    with running_platform(tmp_path_factory.mktemp("e2e"), **extra) as started:
        yield started
