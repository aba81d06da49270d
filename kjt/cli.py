"""``kjt``: the platform's command-line tool (migrate, run, accounts, API keys, calendar, OpenAPI).

This tool imports no service (import-linter), so it reaches the services only by name: uvicorn
factory strings for processes and specs, Alembic script folders for migrations, the common tables
every service database has, and each service's demo module by its name (``kjt.demo``).
"""

from __future__ import annotations

import asyncio
import getpass
import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError

from kjt import runner
from shared import scopes
from shared.db import Database, database_url_for
from shared.db.migrate import ALL_DATABASES, REPO_ROOT
from shared.errors import AppError, localized_field_error
from shared.settings import SERVICES, PlatformSettings

T = TypeVar("T")

app = typer.Typer(
    name="kjt",
    help="吉林省科学技术厅 科技管理平台 — the platform's tool: migrate, run, accounts, API keys, calendar, OpenAPI.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
api_key_app = typer.Typer(help="API keys of other agencies (X-API-Key).", no_args_is_help=True)
calendar_app = typer.Typer(help="The working-day calendar (official holiday schedules).", no_args_is_help=True)
app.add_typer(api_key_app, name="api-key")
app.add_typer(calendar_app, name="calendar")


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"kjt: {message}", err=True)
    raise typer.Exit(code)


def settings_or_fail() -> PlatformSettings:
    try:
        return PlatformSettings()
    except ValidationError as exc:
        fail(f"invalid settings: {exc}")


def not_migrated(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


# --- migrate, run, seed --------------------------------------------------------------------------


@app.command()
def migrate(
    names: Annotated[
        list[str] | None,
        typer.Argument(help=f"Databases to upgrade (default: all of {', '.join(ALL_DATABASES)}).", show_default=False),
    ] = None,
) -> None:
    """Upgrade the databases to their newest migration (on PostgreSQL: each in its own schema)."""
    chosen = [n.replace("-", "_") for n in names or ()]
    try:
        runner.migrate_databases(chosen or None, echo=typer.echo)
    except runner.RunError as exc:
        fail(str(exc))


@app.command()
def run(
    host: Annotated[str, typer.Option(help="Address the gateway binds to (the services stay on 127.0.0.1).")] = (
        "127.0.0.1"
    ),
    do_migrate: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Upgrade the databases before starting.")
    ] = True,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo/--no-demo",
            envvar="KJT_DEMO",
            help="Load the demo data (kjt seed) once the platform is ready; skipped when loaded.",
        ),
    ] = True,
    ready_timeout: Annotated[float, typer.Option(help="Seconds to wait for GET /readyz to answer 200.")] = (
        runner.READY_TIMEOUT_SECONDS
    ),
    grace: Annotated[float, typer.Option(help="Seconds a process gets to stop before it is killed.")] = (
        runner.GRACE_SECONDS
    ),
) -> None:
    """Migrate, start the five services and the gateway, wait until ready, stop all on Ctrl-C."""
    raise typer.Exit(runner.run(host=host, migrate=do_migrate, demo=demo, ready_timeout=ready_timeout, grace=grace))


@app.command()
def seed(
    gateway: Annotated[
        str | None,
        typer.Option(help="The running platform's gateway (default: http://127.0.0.1:$KJT_PORT).", show_default=False),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Load even when KJT_ENV=production.")] = False,
) -> None:
    """Load the demo data through the public API of a running platform (idempotent; development only)."""
    from gateway.settings import GatewaySettings
    from kjt import demo

    try:
        settings = GatewaySettings()
    except ValidationError as exc:
        fail(f"invalid settings: {exc}")
    url = gateway or f"http://127.0.0.1:{settings.port}"
    try:
        report = demo.load(
            url,
            admin_email=settings.admin_email,
            admin_password=settings.admin_password,
            env=settings.env,
            force=force,
            echo=typer.echo,
        )
    except demo.SeedError as exc:
        fail(str(exc))
    for line in report.lines():
        typer.echo(line)


# --- accounts ------------------------------------------------------------------------------------


def gateway_database(settings: PlatformSettings) -> Database:
    return Database(database_url_for("gateway", settings.database_url, settings.var_dir), "gateway", pool_size=1)


def with_gateway_db(action: Callable[[Database], Awaitable[T]]) -> T:
    settings = settings_or_fail()

    async def go() -> T:
        db = gateway_database(settings)
        try:
            return await action(db)
        finally:
            await db.dispose()

    try:
        return asyncio.run(go())
    except AppError as exc:
        fail(describe_error(exc))
    except Exception as exc:
        if not_migrated(exc):
            fail("the gateway database has no accounts tables yet: run `kjt migrate` first")
        raise


def describe_error(exc: AppError) -> str:
    """The problem as the API would state it, in both languages, with each field's complaint."""
    head = f"{exc.title_zh} / {exc.title_en}"
    details = [d for d in dict.fromkeys((exc.detail_zh, exc.detail_en)) if d]
    lines = [head + (": " + " / ".join(details) if details else "")]
    for item in exc.extra.get("errors", []):
        messages = dict.fromkeys(localized_field_error(item, lang)["message"] for lang in ("zh-CN", "en"))
        lines.append(f"  {item.get('field', '?')}: {' / '.join(m for m in messages if m) or item.get('code', '')}")
    return "\n".join(lines)


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="The administrator's e-mail, used to log in.")],
    name: Annotated[str, typer.Option(help="The administrator's display name.")] = "系统管理员",
    password: Annotated[
        str | None, typer.Option(help="Asked for (hidden, twice) when not given.", show_default=False)
    ] = None,
) -> None:
    """Create an administrator account in the gateway's database."""
    from gateway.accounts.commands import create_admin as create

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    chosen: str = password
    with_gateway_db(lambda db: create(db, email, chosen, name))
    typer.echo(f"administrator {email} created")


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


@api_key_app.command("create")
def api_key_create(
    name: Annotated[str, typer.Option(help="What the key is for, e.g. 省公安厅出入境 permit checks.")],
    agency: Annotated[str, typer.Option(help="The agency that owns the key.")],
    scope: Annotated[
        list[str],
        typer.Option(
            "--scope", help=f"A scope (repeat for more), one of: {', '.join(scopes.SCOPES)}; see `kjt api-key scopes`."
        ),
    ],
    expires: Annotated[
        str | None,
        typer.Option(help="Last valid day, YYYY-MM-DD (Asia/Shanghai); no expiry when not given.", show_default=False),
    ] = None,
) -> None:
    """Create an API key for another agency and print its secret (shown this once only)."""
    from shared.workdays import end_of_day, today_shanghai

    chosen = sorted({s.strip() for s in scope if s.strip()})
    unknown = scopes.unknown(chosen)
    if unknown:
        fail(f"{scopes.unknown_message(unknown)[1]} Nothing was created.\n{known_scopes()}")
    expires_at = None
    if expires is not None:
        day = parse_day(expires)
        if day < today_shanghai():
            fail(f"--expires {day.isoformat()} is in the past")
        expires_at = end_of_day(day)
    # The accounts service checks the scopes again, exactly as for POST /api/v1/admin/api-keys.
    from gateway.accounts.commands import create_api_key as create

    key_id, secret = with_gateway_db(lambda db: create(db, name, agency, chosen, expires_at))
    typer.echo(
        f"API key {key_id} created for {agency} ({name}); scopes: {' '.join(chosen)}; "
        f"expires: {expires_at.isoformat() if expires_at else 'never'}",
        err=True,
    )
    typer.echo("The secret follows. It is shown this once only: store it now.", err=True)
    typer.echo(secret)


def known_scopes() -> str:
    """The declared scopes, one a line, with what each lets a key do."""
    width = max((len(name) for name in scopes.SCOPES), default=0)
    lines = [f"  {s.name:<{width}}  {s.zh}\n  {'':<{width}}  {s.en}" for s in scopes.SCOPES.values()]
    return "The scopes a key may hold (shared/scopes.py):\n" + ("\n".join(lines) or "  none")


@api_key_app.command("scopes")
def api_key_scopes() -> None:
    """List the scopes a key may hold, each with what it lets the agency do."""
    typer.echo(known_scopes())


@api_key_app.command("revoke")
def api_key_revoke(key_id: Annotated[str, typer.Argument(help="The key's id, as printed at creation.")]) -> None:
    """Revoke an API key: calls with it are refused from now on."""
    from gateway.accounts.commands import revoke_api_key as revoke

    with_gateway_db(lambda db: revoke(db, key_id))
    typer.echo(f"API key {key_id} revoked")


# --- calendar ------------------------------------------------------------------------------------


def default_loaded_by() -> str:
    try:
        return f"cli:{getpass.getuser()}"[:64]
    except (KeyError, OSError):
        return "cli"


@calendar_app.command("load")
def calendar_load(
    file: Annotated[Path, typer.Argument(help="A year file: {year, holidays, workdays, source}.")],
    loaded_by: Annotated[str | None, typer.Option(help="Who loads it (default: cli:<user>).")] = None,
) -> None:
    """Validate a year of the official holiday schedule and load it into every service database."""
    from shared.workdays import CalendarYearData

    try:
        raw = file.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}")
    try:
        content = json.loads(raw)
    except json.JSONDecodeError as exc:
        fail(f"{file} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
    try:
        data = CalendarYearData.model_validate(content)
    except ValidationError as exc:
        problems = "\n".join(
            f"  {'.'.join(str(p) for p in err['loc']) or '(file)'}: {err['msg']}" for err in exc.errors()
        )
        fail(f"{file} is not a valid calendar year; nothing was loaded:\n{problems}")
    who = loaded_by or default_loaded_by()
    done: list[str] = []
    for service in SERVICES:
        try:
            asyncio.run(_load_year(service, data, who))
        except Exception as exc:
            loaded = f" (already loaded into: {', '.join(done)}; loading again replaces the year)" if done else ""
            if not_migrated(exc):
                fail(f"the {service} database has no calendar_years table: run `kjt migrate` first{loaded}")
            fail(f"loading into {service} failed: {type(exc).__name__}: {exc}{loaded}")
        done.append(service)
        typer.echo(
            f"loaded {data.year} into {service:<16} {len(data.holidays)} holidays, "
            f"{len(data.workdays)} adjusted workdays"
        )


async def _load_year(service: str, data: Any, loaded_by: str) -> None:
    from sqlalchemy.orm import DeclarativeBase

    from shared.db import CommonTables, new_metadata
    from shared.workdays import load_calendar_year

    class _Tables(DeclarativeBase):
        metadata = new_metadata()

    common = CommonTables(_Tables)
    settings = runner.database_settings(service)
    db = Database(database_url_for(service, settings.database_url, settings.var_dir), service, pool_size=1)
    try:
        async with db.sessionmaker() as session, session.begin():
            await load_calendar_year(session, common, data, loaded_by)
    finally:
        await db.dispose()


# --- OpenAPI -------------------------------------------------------------------------------------

# Builds a service's app in a fresh interpreter and prints its spec; the factory is passed by name.
_SPEC_PROGRAM = """
import importlib, json, sys
module, _, factory = sys.argv[1].partition(":")
spec = getattr(importlib.import_module(module), factory)().openapi()
sys.stdout.buffer.write(json.dumps(spec).encode("utf-8"))
"""


def render_spec(spec: dict[str, Any]) -> str:
    """The committed form: sorted keys, two-space indent, Chinese as is, a final newline."""
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def service_specs(services: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Each service's spec, built in fresh interpreters side by side."""
    env = {**os.environ, "KJT_ENV": "development", "KJT_LOG_LEVEL": "WARNING"}
    procs = {
        service: subprocess.Popen(  # noqa: S603 - our own interpreter, a fixed program and a known factory
            [sys.executable, "-c", _SPEC_PROGRAM, f"services.{service}.main:create_app"],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for service in services
    }
    specs: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    try:
        for service, proc in procs.items():
            out, err = proc.communicate(timeout=120)
            if proc.returncode != 0:
                tail = "\n".join(err.decode("utf-8", "replace").strip().splitlines()[-15:])
                problems.append(f"building the {service} app failed:\n{tail}")
                continue
            specs[service] = json.loads(out)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    if problems:
        raise RuntimeError("\n".join(problems))
    return specs


@app.command()
def openapi(
    names: Annotated[list[str] | None, typer.Argument(help="Services (default: all five).", show_default=False)] = None,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; fail when a file is stale.")] = False,
) -> None:
    """Write each service's OpenAPI document to services/<name>/openapi.json."""
    chosen = [n.replace("-", "_") for n in names or SERVICES]
    unknown = [n for n in chosen if n not in SERVICES]
    if unknown:
        fail(f"no service named {', '.join(unknown)}; the services are {', '.join(SERVICES)}")
    try:
        specs = service_specs(chosen)
    except (RuntimeError, subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
        fail(str(exc))
    stale: list[str] = []
    for service in chosen:
        text = render_spec(specs[service])
        path = REPO_ROOT / "services" / service / "openapi.json"
        current = path.read_text(encoding="utf-8") if path.exists() else None
        rel = path.relative_to(REPO_ROOT)
        if current == text:
            typer.echo(f"{rel} is up to date")
        elif check:
            stale.append(str(rel))
        else:
            path.write_text(text, encoding="utf-8")
            typer.echo(f"wrote {rel}")
    if stale:
        fail(f"stale (run `kjt openapi` and commit): {', '.join(stale)}")


def main(argv: Sequence[str] | None = None) -> None:
    app(args=list(argv) if argv is not None else None, prog_name="kjt")


if __name__ == "__main__":
    main()
