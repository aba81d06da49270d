"""The ``kjt`` tool: its commands, migrations into a fresh var dir, the calendar loader, API keys,
and the supervisor's plan and failure reports (the running platform is tested in tests/e2e)."""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from kjt import runner
from kjt.cli import app
from shared.db.migrate import ALL_DATABASES, alembic_config
from shared.settings import DEFAULT_PORTS, SERVICES

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ("migrate", "run", "create-admin", "api-key", "calendar", "openapi", "seed")

GOOD_YEAR = {
    "year": 2026,
    "holidays": ["2026-01-01", "2026-10-01", "2026-10-02", "2026-10-03"],
    "workdays": ["2026-10-10"],
    "source": "国办发明电〔2025〕7号",
}


@pytest.fixture
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh var dir on SQLite, whatever database the environment names."""
    for name in ALL_DATABASES:
        monkeypatch.delenv(f"KJT_{name.upper()}_DATABASE_URL", raising=False)
        monkeypatch.delenv(f"KJT_{name.upper()}_VAR_DIR", raising=False)
    monkeypatch.delenv("KJT_DATABASE_URL", raising=False)
    monkeypatch.setenv("KJT_ENV", "test")
    target = tmp_path / "var"
    monkeypatch.setenv("KJT_VAR_DIR", str(target))
    return target


def kjt(*args: str, input: str | None = None):
    return CliRunner().invoke(app, list(args), input=input, terminal_width=200)


def migrated(var_dir: Path, *names: str) -> None:
    result = kjt("migrate", *names)
    assert result.exit_code == 0, result.output


def head_of(name: str) -> str:
    head = ScriptDirectory.from_config(alembic_config(name, "sqlite://", name)).get_current_head()
    assert head
    return head


def calendar_rows(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT year, holidays, workdays, source, loaded_by FROM calendar_years").fetchall()


def test_help_lists_every_command() -> None:
    result = kjt("--help")
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output
    for group, subcommands in (("api-key", ("create", "revoke", "scopes")), ("calendar", ("load",))):
        sub = kjt(group, "--help")
        assert sub.exit_code == 0 and all(s in sub.output for s in subcommands)


def test_module_entry_point_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kjt", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 0 and "migrate" in done.stdout


def test_migrate_creates_six_sqlite_databases_at_head(var_dir: Path) -> None:
    result = kjt("migrate")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in var_dir.glob("*.db")) == sorted(f"{n}.db" for n in ALL_DATABASES)
    for name in ALL_DATABASES:
        with sqlite3.connect(var_dir / f"{name}.db") as conn:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_of(name),)]
        assert f"migrated {name}" in result.output
    # a second run finds nothing to do and says so just the same
    assert kjt("migrate").exit_code == 0


def test_migrate_some_by_name(var_dir: Path) -> None:
    result = kjt("migrate", "gateway", "foreign-experts")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in var_dir.glob("*.db")) == ["foreign_experts.db", "gateway.db"]


def test_migrate_refuses_an_unknown_database(var_dir: Path) -> None:
    result = kjt("migrate", "experts")
    assert result.exit_code == 1
    assert "no database named experts" in result.output and "foreign_experts" in result.output
    assert not list(var_dir.glob("*.db"))


def test_calendar_load_writes_every_service_database(var_dir: Path, tmp_path: Path) -> None:
    migrated(var_dir)
    year = tmp_path / "2026.json"
    year.write_text(json.dumps(GOOD_YEAR, ensure_ascii=False), encoding="utf-8")
    result = kjt("calendar", "load", str(year), "--loaded-by", "official:7")
    assert result.exit_code == 0, result.output
    for service in SERVICES:
        rows = calendar_rows(var_dir / f"{service}.db")
        assert len(rows) == 1
        got_year, holidays, workdays, source, loaded_by = rows[0]
        assert got_year == 2026 and json.loads(holidays) == GOOD_YEAR["holidays"]
        assert json.loads(workdays) == ["2026-10-10"] and source == GOOD_YEAR["source"]
        assert loaded_by == "official:7"
        assert f"into {service}" in result.output
    # the gateway keeps no calendar
    assert calendar_rows(var_dir / "gateway.db") == []

    # loading the year again replaces it rather than failing on the key
    year.write_text(json.dumps({**GOOD_YEAR, "workdays": [], "source": "更正"}, ensure_ascii=False), encoding="utf-8")
    assert kjt("calendar", "load", str(year)).exit_code == 0
    for service in SERVICES:
        rows = calendar_rows(var_dir / f"{service}.db")
        assert len(rows) == 1 and rows[0][2] == "[]" and rows[0][3] == "更正"
        assert rows[0][4].startswith("cli")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        (json.dumps({**GOOD_YEAR, "holidays": ["2027-01-01"]}), "holidays not in 2026: 2027-01-01"),
        (json.dumps({**GOOD_YEAR, "workdays": ["2026-10-12"]}), "must be a Saturday or Sunday"),
        (json.dumps({**GOOD_YEAR, "status": "x"}), "status"),
        (json.dumps({"year": 2026}), "holidays"),
    ],
    ids=["not-json", "other-year", "weekday-workday", "unknown-field", "missing-fields"],
)
def test_calendar_load_rejects_a_bad_file(var_dir: Path, tmp_path: Path, content: str, message: str) -> None:
    migrated(var_dir, *SERVICES)
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    result = kjt("calendar", "load", str(bad))
    assert result.exit_code == 1
    assert message in result.output, result.output
    for service in SERVICES:
        assert calendar_rows(var_dir / f"{service}.db") == []


def test_calendar_load_names_a_missing_file(var_dir: Path, tmp_path: Path) -> None:
    result = kjt("calendar", "load", str(tmp_path / "absent.json"))
    assert result.exit_code == 1 and "cannot read" in result.output


def test_calendar_load_before_migrate_says_so(var_dir: Path, tmp_path: Path) -> None:
    year = tmp_path / "2026.json"
    year.write_text(json.dumps(GOOD_YEAR), encoding="utf-8")
    result = kjt("calendar", "load", str(year))
    assert result.exit_code == 1
    assert "run `kjt migrate` first" in result.output


def test_seed_without_a_running_platform_says_so() -> None:
    result = kjt("seed", "--gateway", "http://127.0.0.1:9")
    assert result.exit_code == 1 and "kjt: cannot reach the gateway at http://127.0.0.1:9" in result.output


def test_openapi_check_passes_on_the_committed_file() -> None:
    result = kjt("openapi", "--check", "projects")
    assert result.exit_code == 0, result.output
    assert "services/projects/openapi.json is up to date" in result.output


def test_openapi_refuses_an_unknown_service() -> None:
    result = kjt("openapi", "reviewers")
    assert result.exit_code == 1 and "no service named reviewers" in result.output


# --- the supervisor's plan -------------------------------------------------------------------------


def test_plan_uses_default_ports_services_first_gateway_last() -> None:
    children = runner.plan("127.0.0.1", {})
    assert [c.name for c in children] == [*SERVICES, "gateway"]
    assert {c.name: c.port for c in children} == DEFAULT_PORTS
    assert children[-1].factory == "gateway.main:create_app"
    assert children[0].factory == "services.projects.main:create_app"


def test_plan_reads_port_variables_and_tells_the_gateway() -> None:
    env = {"KJT_PORT": "9000", "KJT_FOREIGN_EXPERTS_PORT": "9105"}
    children = runner.plan("0.0.0.0", env)
    ports = {c.name: c.port for c in children}
    assert ports["gateway"] == 9000 and ports["foreign_experts"] == 9105 and ports["projects"] == 8101
    # the services stay on loopback whatever the gateway binds to
    assert all(c.host == "127.0.0.1" for c in children if c.name != "gateway")
    child_env = runner.child_env(children, env)
    urls = json.loads(child_env["KJT_SERVICE_URLS"])
    assert urls["foreign_experts"] == "http://127.0.0.1:9105" and set(urls) == set(SERVICES)
    assert child_env["KJT_GATEWAY_URL"] == "http://127.0.0.1:9000"
    assert child_env["KJT_FOREIGN_EXPERTS_PORT"] == "9105"


def test_demo_leaves_room_in_the_login_limit_unless_set_or_in_production() -> None:
    """The demo's dozen logins from this machine must not use up the operator's first logins after it."""
    base = {"KJT_PORT": "8000"}
    raised = runner.with_demo_headroom(base, demo=True, platform_env="development")
    assert raised["KJT_RATE_LIMIT_LOGIN"] == runner.DEMO_LOGIN_LIMIT and "KJT_RATE_LIMIT_LOGIN" not in base
    assert "KJT_RATE_LIMIT_LOGIN" not in runner.with_demo_headroom(base, demo=False, platform_env="development")
    assert "KJT_RATE_LIMIT_LOGIN" not in runner.with_demo_headroom(base, demo=True, platform_env="production")
    own = {**base, "KJT_RATE_LIMIT_LOGIN": "5/minute"}
    assert runner.with_demo_headroom(own, demo=True, platform_env="development")["KJT_RATE_LIMIT_LOGIN"] == "5/minute"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KJT_PROJECTS_PORT": "http"}, "KJT_PROJECTS_PORT='http' is not a port number"),
        ({"KJT_TALENT_PORT": "70000"}, "outside 1-65535"),
        ({"KJT_TALENT_PORT": "8101"}, "talent and projects would both listen on port 8101"),
    ],
)
def test_plan_refuses_bad_ports(env: dict[str, str], message: str) -> None:
    with pytest.raises(runner.RunError, match=message.replace("(", r"\(").replace(")", r"\)")):
        runner.plan("127.0.0.1", env)


def test_uvicorn_command_is_a_factory_string() -> None:
    child = runner.Child("talent", "services.talent.main", "127.0.0.1", 8103)
    cmd = runner.uvicorn_command(child, "WARNING", python="python")
    assert cmd[:5] == ["python", "-m", "uvicorn", "services.talent.main:create_app", "--factory"]
    assert cmd[cmd.index("--port") + 1] == "8103" and cmd[cmd.index("--log-level") + 1] == "warning"
    assert "--no-access-log" in cmd


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_run_refuses_a_port_in_use(var_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        monkeypatch.setenv("KJT_TRANSFER_PORT", str(port))
        result = kjt("run", "--no-migrate")
    assert result.exit_code == 1
    assert f"port already in use: {port} (transfer, KJT_TRANSFER_PORT)" in result.output
    assert not var_dir.exists() or not list(var_dir.glob("*.db"))


def test_supervisor_names_a_child_that_dies_with_its_last_words(tmp_path: Path) -> None:
    child = runner.Child("talent", "services.no_such_service.main", "127.0.0.1", free_port())
    sup = runner.Supervisor([child], dict(os.environ), out=open(tmp_path / "out.log", "w"))  # noqa: SIM115
    sup.start()
    try:
        with pytest.raises(runner.ChildDied) as died:
            runner.wait_ready(sup, f"http://127.0.0.1:{free_port()}/readyz", 30, runner._StopFlag())
    finally:
        sup.stop(grace=5)
        sup.out.close()
    assert died.value.label == "talent" and died.value.code not in (0, None)
    assert "talent exited with code" in str(died.value)
    assert "no_such_service" in "\n".join(died.value.tail)
    assert sup.procs["talent"].poll() is not None


# --- accounts and API keys -------------------------------------------------------------------------

ADMIN_PASSWORD = "Cli-Admin-Passw0rd-2026"


def gateway_rows(var_dir: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(var_dir / "gateway.db") as conn:
        return conn.execute(sql, params).fetchall()


def test_create_admin(var_dir: Path) -> None:
    migrated(var_dir, "gateway")
    result = kjt("create-admin", "--email", "ops@kjt.jl.gov.cn", "--password", ADMIN_PASSWORD, "--name", "运维")
    assert result.exit_code == 0, result.output
    assert "administrator ops@kjt.jl.gov.cn created" in result.output
    again = kjt("create-admin", "--email", "ops@kjt.jl.gov.cn", "--password", ADMIN_PASSWORD)
    assert again.exit_code == 1 and "kjt:" in again.output


def test_create_admin_asks_for_the_password_and_checks_it(var_dir: Path) -> None:
    migrated(var_dir, "gateway")
    prompted = kjt("create-admin", "--email", "second@kjt.jl.gov.cn", input=f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n")
    assert prompted.exit_code == 0, prompted.output
    assert "Password" in prompted.output and ADMIN_PASSWORD not in prompted.output
    weak = kjt("create-admin", "--email", "third@kjt.jl.gov.cn", "--password", "short")
    assert weak.exit_code == 1 and "password" in weak.output


def test_create_admin_before_migrate_says_so(var_dir: Path) -> None:
    result = kjt("create-admin", "--email", "ops@kjt.jl.gov.cn", "--password", ADMIN_PASSWORD)
    assert result.exit_code == 1 and "run `kjt migrate` first" in result.output


def test_api_key_create_prints_the_secret_once_and_revoke_ends_it(var_dir: Path) -> None:
    migrated(var_dir, "gateway")
    result = CliRunner().invoke(
        app,
        [
            "api-key",
            "create",
            "--name",
            "出入境许可核验",
            "--agency",
            "吉林省公安厅出入境管理局",
            "--scope",
            "foreign-experts:permits:verify",
            "--scope",
            "projects:integrity:read",
            "--expires",
            "2099-12-31",
        ],
    )
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert "\n" not in secret and len(secret) >= 20, "stdout carries the secret alone, for scripts"
    key_id = re.search(r"API key (\S+) created", result.stderr).group(1)
    assert "shown this once" in result.stderr and secret not in result.stderr
    (row,) = gateway_rows(var_dir, "SELECT agency, scopes, expires_at, revoked_at FROM api_keys WHERE id = ?", key_id)
    assert row[0] == "吉林省公安厅出入境管理局" and row[3] is None
    assert json.loads(row[1]) == ["foreign-experts:permits:verify", "projects:integrity:read"]
    assert row[2].startswith("2099-12-31")
    # the secret is not stored anywhere in the database file
    assert secret.encode() not in (var_dir / "gateway.db").read_bytes()

    revoked = kjt("api-key", "revoke", key_id)
    assert revoked.exit_code == 0 and f"API key {key_id} revoked" in revoked.output
    assert gateway_rows(var_dir, "SELECT revoked_at FROM api_keys WHERE id = ?", key_id)[0][0] is not None
    assert kjt("api-key", "revoke", key_id).exit_code == 0, "revoking twice is harmless"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--expires", "2001-01-01"], "in the past"),
        (["--expires", "31.12.2099"], "YYYY-MM-DD"),
        (["--scope", "not a scope"], "scopes"),
    ],
)
def test_api_key_create_refuses_bad_input(var_dir: Path, args: list[str], message: str) -> None:
    migrated(var_dir, "gateway")
    base = ["api-key", "create", "--name", "n", "--agency", "a"]
    if "--scope" not in args:
        base += ["--scope", "foreign-experts:permits:verify"]
    result = kjt(*base, *args)
    assert result.exit_code != 0
    assert message in result.output, result.output
    assert gateway_rows(var_dir, "SELECT count(*) FROM api_keys") == [(0,)]


def test_api_key_create_refuses_a_scope_no_service_declares(var_dir: Path) -> None:
    """A misspelt scope used to make a key that opened nothing, with exit code 0 (issue 12 item 9)."""
    migrated(var_dir, "gateway")
    args = ["api-key", "create", "--name", "n", "--agency", "a", "--scope", "foreign-experts:permits:verfy"]
    result = kjt(*args, "--scope", "projects:integrity:read")
    assert result.exit_code != 0 and result.stdout == ""
    assert "Unknown scope: foreign-experts:permits:verfy (did you mean foreign-experts:permits:verify?)" in (
        result.stderr
    )
    assert "Nothing was created" in result.stderr
    for name in ("foreign-experts:permits:verify", "projects:integrity:read"):
        assert name in result.stderr
    assert gateway_rows(var_dir, "SELECT count(*) FROM api_keys") == [(0,)]


def test_api_key_scopes_lists_the_declared_scopes() -> None:
    result = kjt("api-key", "scopes")
    assert result.exit_code == 0, result.output
    for line in ("foreign-experts:permits:verify", "核验外国人来华工作许可", "projects:integrity:read", "debarred"):
        assert line in result.output


def test_api_key_revoke_of_an_unknown_key(var_dir: Path) -> None:
    migrated(var_dir, "gateway")
    result = kjt("api-key", "revoke", "nosuchkey")
    assert result.exit_code == 1 and "No such API key" in result.output
