"""Test fixtures: migrated databases on SQLite (always) and PostgreSQL (with KJT_TEST_POSTGRES_URL),
each test inside a transaction rolled back at the end, apps reached in process over ASGI."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from shared.db import Database
from shared.db.migrate import alembic_config
from shared.principal import PRINCIPAL_HEADER, Principal, sign_principal
from tests import contract_check

TEST_SECRET = "test-internal-secret-0123456789abcdef"
PG_URL = os.environ.get("KJT_TEST_POSTGRES_URL")
REQUIRE_PG = os.environ.get("KJT_REQUIRE_POSTGRES") == "1"
# Schemas of one test run carry its pid, so runs side by side on one database never collide; they are
# dropped when the run ends.
SCHEMA_PREFIX = f"t{os.getpid()}_"


async def _pg_problem(url: str) -> str | None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        await engine.dispose()
    return None


async def _drop_run_schemas(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            names = (
                (
                    await conn.execute(
                        text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"), {"p": SCHEMA_PREFIX + "%"}
                    )
                )
                .scalars()
                .all()
            )
            for name in names:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    finally:
        await engine.dispose()


contract_check.install()


@pytest.fixture(scope="session", autouse=True)
def _contract_read_first() -> None:
    contract_check.read_before_any_test()


@pytest.fixture(autouse=True)
def problems_are_declared(_contract_read_first: None) -> Iterator[None]:
    """Fails a test that provoked a problem its operation does not declare (tests/contract_check.py)."""
    contract_check.violations.clear()
    yield
    found = sorted(set(contract_check.violations))
    contract_check.violations.clear()
    if found:
        pytest.fail("undeclared problem codes:\n" + "\n".join(found), pytrace=False)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if PG_URL and _pg_checked.get(PG_URL) is None and PG_URL in _pg_checked:
        asyncio.run(_drop_run_schemas(PG_URL))


def backends() -> list[Any]:
    params: list[Any] = ["sqlite"]
    if PG_URL or REQUIRE_PG:
        params.append(pytest.param("postgres", marks=pytest.mark.postgres))
    return params


_pg_checked: dict[str, str | None] = {}


async def postgres_url() -> str:
    """The test PostgreSQL URL; skips (or, with KJT_REQUIRE_POSTGRES=1, fails) when unusable."""
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("KJT_REQUIRE_POSTGRES=1 but KJT_TEST_POSTGRES_URL is not set")
        pytest.skip("KJT_TEST_POSTGRES_URL is not set")
    if PG_URL not in _pg_checked:
        _pg_checked[PG_URL] = await _pg_problem(PG_URL)
    problem = _pg_checked[PG_URL]
    if problem:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required but not reachable: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    return PG_URL


def migrate(name: str, url: str, schema: str) -> None:
    """Build a schema the way production does: by running the service's migrations."""
    from alembic import command

    command.upgrade(alembic_config(name, url, schema), "heads")


class MigratedDatabases:
    """One migrated database per (backend, service) for the whole test session."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.done: dict[tuple[str, str], tuple[str, str]] = {}

    async def get(self, backend: str, name: str) -> tuple[str, str]:
        key = (backend, name)
        if key not in self.done:
            if backend == "sqlite":
                url, schema = f"sqlite+aiosqlite:///{self.tmp / (name + '.db')}", name
            else:
                url = await postgres_url()
                schema = SCHEMA_PREFIX + name
                engine = create_async_engine(url)
                async with engine.begin() as conn:
                    await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                await engine.dispose()
            await asyncio.to_thread(migrate, name, url, schema)
            self.done[key] = (url, schema)
        return self.done[key]


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> MigratedDatabases:
    return MigratedDatabases(tmp_path_factory.mktemp("db"))


@pytest.fixture(params=backends())
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@asynccontextmanager
async def rolled_back(db: Database) -> AsyncIterator[Database]:
    """Bind ``db``'s sessions to one connection whose outer transaction is rolled back at the end;
    the app's commits become savepoint releases."""
    async with db.engine.connect() as conn:
        outer = await conn.begin()
        db.sessionmaker = db.read_sessionmaker = async_sessionmaker(
            bind=conn, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
        )
        try:
            yield db
        finally:
            if outer.is_active:
                await outer.rollback()


@pytest.fixture
async def make_db(migrated: MigratedDatabases, backend: str) -> AsyncIterator[Callable[..., Any]]:
    """``await make_db("projects")``: that service's migrated database, rolled back after the test."""
    opened: list[tuple[Database, Any]] = []

    async def factory(name: str, *, isolated: bool = True) -> Database:
        url, schema = await migrated.get(backend, name)
        db = Database(url, schema, pool_size=5)
        if isolated:
            ctx = rolled_back(db)
            await ctx.__aenter__()
            opened.append((db, ctx))
        else:
            opened.append((db, None))
        return db

    yield factory
    for db, ctx in reversed(opened):
        if ctx is not None:
            await ctx.__aexit__(None, None, None)
        await db.dispose()


@pytest.fixture
async def session_of() -> Callable[[Database], AsyncSession]:
    def factory(db: Database) -> AsyncSession:
        return db.sessionmaker()

    return factory


def principal_headers(
    *roles: str,
    subject: str = "1",
    kind: str = "user",
    org_id: int | None = None,
    scopes: Iterable[str] = (),
    secret: str = TEST_SECRET,
    name: str | None = None,
    ttl_seconds: int = 3600,
) -> dict[str, str]:
    """Headers as the gateway would forward them for a caller with these roles."""
    principal = Principal(
        kind=kind,  # type: ignore[arg-type]
        subject=subject,
        name=name,
        roles=frozenset(roles),
        scopes=frozenset(scopes),
        org_id=org_id,
    )
    # Tests may build headers at import time; an hour outlasts any suite run.
    return {PRINCIPAL_HEADER: sign_principal(principal, secret, ttl_seconds=ttl_seconds)}


@asynccontextmanager
async def running(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """Run ``app``'s lifespan and give a client that talks to it in process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
