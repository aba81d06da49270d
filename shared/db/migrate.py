"""One Alembic history per service under ``migrations/<name>/``, its version table in its own schema."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection

from shared.db.engine import Database, database_url_for

REPO_ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS_DIR = REPO_ROOT / "migrations"


def alembic_config(name: str, url: str, schema: str) -> Config:
    """A programmatic Alembic config: no ini file is read."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR / name))
    cfg.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    cfg.attributes["kjt_url"] = url
    cfg.attributes["kjt_schema"] = schema
    return cfg


def config_for(name: str, database_url: str | None, var_dir: Path) -> Config:
    return alembic_config(name, database_url_for(name, database_url, var_dir), name)


def upgrade(name: str, database_url: str | None, var_dir: Path, revision: str = "heads") -> None:
    # "heads": a history may briefly have parallel branches (work landing side by side) before a merge.
    command.upgrade(config_for(name, database_url, var_dir), revision)


def check(name: str, database_url: str | None, var_dir: Path) -> None:
    """Fail when the models and the migrations disagree (``alembic check``)."""
    command.check(config_for(name, database_url, var_dir))


def _skip_version_table(name: str | None, type_: str, parent_names: Any) -> bool:
    # The version table lives in the service's schema, which is also the search path on PostgreSQL.
    return not (type_ == "table" and name == "alembic_version")


def run_env(context: Any, target_metadata: MetaData) -> None:
    """The body of every ``migrations/<name>/env.py``: online, async, inside the service's schema."""
    cfg = context.config
    url: str = cfg.attributes.get("kjt_url") or cfg.get_main_option("sqlalchemy.url")
    schema: str = cfg.attributes.get("kjt_schema") or Path(cfg.get_main_option("script_location")).name

    def do_run(connection: Connection) -> None:
        opts: dict[str, Any] = {
            "connection": connection,
            "target_metadata": target_metadata,
            "compare_type": True,
            "render_as_batch": connection.dialect.name == "sqlite",
            "include_name": _skip_version_table,
        }
        if connection.dialect.name == "postgresql":
            opts["version_table_schema"] = schema
        context.configure(**opts)
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        db = Database(url, schema, pool_size=1)
        try:
            await db.ensure_schema()
            async with db.engine.connect() as conn:
                if db.postgres:
                    await conn.execute(text(f'SET search_path TO "{schema}"'))
                else:
                    # SQLite rebuilds a table to alter it (batch mode): the rows of the tables that point
                    # at it must not block the drop, so foreign keys are checked after the migration
                    # instead (the pragma only takes effect outside a transaction: on the raw connection).
                    raw = await conn.get_raw_connection()
                    await raw.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
                await conn.run_sync(do_run)
                if not db.postgres:
                    broken = (await conn.execute(text("PRAGMA foreign_key_check"))).all()
                    if broken:
                        raise RuntimeError(f"the migration left rows pointing at nothing: {broken[:5]}")
                await conn.commit()
        finally:
            await db.dispose()

    existing = cfg.attributes.get("connection")
    if existing is not None:
        do_run(existing)
        return
    asyncio.run(run_async())


ALL_DATABASES: tuple[str, ...] = ("gateway", "projects", "foundation", "talent", "transfer", "foreign_experts")


def main(argv: list[str] | None = None) -> int:
    """``python -m shared.db.migrate upgrade|check [NAME ...]``; ``check`` runs on a scratch SQLite
    database unless KJT_DATABASE_URL is set, so it needs no server."""
    import sys
    import tempfile

    from shared.settings import PlatformSettings

    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("upgrade", "check"):
        print("usage: python -m shared.db.migrate upgrade|check [NAME ...]", file=sys.stderr)
        return 2
    action, names = args[0], args[1:] or list(ALL_DATABASES)
    settings = PlatformSettings()
    if action == "upgrade":
        for name in names:
            upgrade(name, settings.database_url, settings.var_dir)
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        for name in names:
            upgrade(name, settings.database_url, Path(scratch))
            check(name, settings.database_url, Path(scratch))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
