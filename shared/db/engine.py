"""One async engine per process: a SQLite file under ``var/`` or a schema of a PostgreSQL database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def database_url_for(name: str, database_url: str | None, var_dir: Path) -> str:
    """The URL a process uses: the configured one, or ``sqlite+aiosqlite:///var/<name>.db``."""
    if database_url:
        url = make_url(database_url)
        if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
            url = url.set(drivername="postgresql+asyncpg")
        return url.render_as_string(hide_password=False)
    var_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite+aiosqlite:///{(var_dir / f'{name}.db').resolve()}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide when transactions begin (savepoints then work).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # IMMEDIATE takes the write lock up front: concurrent writers wait (busy_timeout) instead of
    # failing when a read transaction tries to become a write transaction.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_begin_deferred(conn: Any) -> None:
    # Reads take no lock up front, so many readers never queue behind each other or a writer (WAL).
    conn.exec_driver_sql("BEGIN")


class Database:
    """The engine and session factory of one service, living in that service's own schema."""

    def __init__(self, url: str, schema: str, *, pool_size: int = 10, echo: bool = False) -> None:
        self.url = url
        self.schema = schema
        self.postgres = is_postgres(url)
        kwargs: dict[str, Any] = {"echo": echo}
        if self.postgres:
            kwargs["pool_pre_ping"] = True  # a file never drops a connection; a server may
            # Every connection works inside the service's schema; no table name carries a schema,
            # so the same models and migrations serve SQLite files and PostgreSQL schemas.
            kwargs["connect_args"] = {"server_settings": {"search_path": schema}}
            kwargs["pool_size"] = pool_size
            kwargs["max_overflow"] = pool_size
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        self.read_engine: AsyncEngine = self.engine
        if not self.postgres:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
            # SQLite has one writer at a time: reads get their own engine whose transactions do not
            # take the write lock, so GETs and authentication never wait behind each other.
            self.read_engine = create_async_engine(url, **kwargs)
            event.listen(self.read_engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.read_engine.sync_engine, "begin", _sqlite_begin_deferred)
        self.sessionmaker: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.engine, expire_on_commit=False, autoflush=False
        )
        self.read_sessionmaker: async_sessionmaker[AsyncSession] = (
            async_sessionmaker(self.read_engine, expire_on_commit=False, autoflush=False)
            if self.read_engine is not self.engine
            else self.sessionmaker
        )

    async def ensure_schema(self) -> None:
        """Create the service's PostgreSQL schema if it does not exist (migrations fill it)."""
        if not self.postgres:
            return
        async with self.engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))

    async def ping(self) -> None:
        async with self.read_sessionmaker() as session:
            await session.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()
