"""Every database's migrations reach head, match the models (``alembic check``), and go down and up
again cleanly, on SQLite and on PostgreSQL (ARCHITECTURE rule 5)."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.db.migrate import ALL_DATABASES, alembic_config
from tests.conftest import SCHEMA_PREFIX, postgres_url


async def scratch(backend: str, name: str, tmp_path) -> tuple[str, str]:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / (name + '.db')}", name
    url, schema = await postgres_url(), f"{SCHEMA_PREFIX}scratch_{name}"
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await engine.dispose()
    return url, schema


async def table_names(url: str, schema: str) -> set[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(
                lambda c: inspect(c).get_table_names(schema=schema if c.dialect.name == "postgresql" else None)
            )
    finally:
        await engine.dispose()
    return set(names)


@pytest.mark.parametrize("name", ALL_DATABASES)
def test_each_history_has_one_head(name: str, tmp_path) -> None:
    # Branches that land side by side are merged before they reach main (`alembic merge heads`).
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(alembic_config(name, "sqlite://", name)).get_heads()
    assert len(heads) == 1, f"{name} has several heads {heads}: add a merge revision"


@pytest.mark.parametrize("name", ALL_DATABASES)
async def test_migrations_match_models_and_round_trip(name: str, backend: str, tmp_path) -> None:
    url, schema = await scratch(backend, name, tmp_path)
    cfg = alembic_config(name, url, schema)
    await asyncio.to_thread(command.upgrade, cfg, "heads")
    await asyncio.to_thread(command.check, cfg)
    tables = await table_names(url, schema)
    assert {"alembic_version", "workflow_history", "idempotency_records", "audit_log"} <= tables
    await asyncio.to_thread(command.downgrade, cfg, "base")
    assert await table_names(url, schema) <= {"alembic_version"}
    await asyncio.to_thread(command.upgrade, cfg, "heads")
    assert await table_names(url, schema) == tables
