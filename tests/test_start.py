"""A quiet, honest start (issue 12, items 14 and 15), the parts that need no running platform: what the
banner says about the administrators and the demo, read from the gateway's database; ``make reset``;
uvicorn's flags and the runner's console. A real start is counted in tests/e2e/test_start.py."""

from __future__ import annotations

import io
import os
import pty
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.accounts.bootstrap import DEVELOPMENT_ADMIN_PASSWORD
from gateway.settings import GatewaySettings
from kjt import runner, startup
from kjt.cli import app
from shared.db.migrate import ALL_DATABASES

ROOT = Path(__file__).resolve().parents[1]
OPS_PASSWORD = "Ops-Chosen-Passw0rd-2026"


@pytest.fixture
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A migrated gateway database on SQLite, whatever database the environment names."""
    for name in ALL_DATABASES:
        monkeypatch.delenv(f"KJT_{name.upper()}_DATABASE_URL", raising=False)
        monkeypatch.delenv(f"KJT_{name.upper()}_VAR_DIR", raising=False)
    for name in ("KJT_DATABASE_URL", "KJT_ADMIN_EMAIL", "KJT_ADMIN_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KJT_ENV", "development")
    target = tmp_path / "var"
    monkeypatch.setenv("KJT_VAR_DIR", str(target))
    assert CliRunner().invoke(app, ["migrate", "gateway"]).exit_code == 0
    return target


def create_admin(email: str, password: str) -> None:
    result = CliRunner().invoke(app, ["create-admin", "--email", email, "--password", password])
    assert result.exit_code == 0, result.output


def settings(**overrides: str) -> GatewaySettings:
    return GatewaySettings(**overrides)  # type: ignore[arg-type]


CHILDREN = runner.plan("127.0.0.1", {})


def test_the_banner_names_the_development_administrator_with_its_default_password(var_dir: Path) -> None:
    create_admin("admin@kjt.jl.gov.cn", DEVELOPMENT_ADMIN_PASSWORD)  # what the gateway does on a first start
    accounts = startup.read_accounts(settings())
    assert accounts.admins == [startup.Admin("admin@kjt.jl.gov.cn", startup.DEFAULT)]
    assert accounts.demo_login is None and accounts.error is None
    text = runner.banner(CHILDREN, accounts, "admin@kjt.jl.gov.cn", startup.DemoOutcome(True, "loaded now"))
    assert f"administrator    admin@kjt.jl.gov.cn   password {DEVELOPMENT_ADMIN_PASSWORD}" in text
    assert "demo data        loaded now" in text and "NOT" not in text


def test_another_administrator_in_an_existing_var_dir_is_named_and_the_demo_says_why_it_did_not_load(
    var_dir: Path,
) -> None:
    """Item 14: KJT_ADMIN_EMAIL names nobody in an existing var/; the banner named it anyway, said
    "ready" and buried the demo's 401. Now it names the administrator that exists and says why the demo
    did not load and how to fix it, before any login is tried (a failed login counts towards a lockout)."""
    create_admin("admin@kjt.jl.gov.cn", DEVELOPMENT_ADMIN_PASSWORD)
    ops = settings(admin_email="ops@kjt.jl.gov.cn")
    accounts = startup.read_accounts(ops)
    assert [a.email for a in accounts.admins] == ["admin@kjt.jl.gov.cn"]
    assert accounts.demo_login == "KJT_ADMIN_EMAIL=ops@kjt.jl.gov.cn has no account in this gateway database"
    said: list[str] = []
    outcome = runner.load_demo(ops, "http://127.0.0.1:9", said.append, accounts)
    assert not outcome.loaded and said == [f"kjt run: the demo data was not loaded: {accounts.demo_login}"]
    text = runner.banner(CHILDREN, accounts, ops.admin_email, outcome)
    lines = text.splitlines()
    admin = next(i for i, line in enumerate(lines) if line.startswith("  administrator"))
    assert (
        lines[admin]
        == f"  administrator    admin@kjt.jl.gov.cn   password {DEVELOPMENT_ADMIN_PASSWORD} (the development default)"
    )
    assert "not KJT_ADMIN_EMAIL=ops@kjt.jl.gov.cn" in lines[admin + 1]
    assert lines[admin + 2].startswith(
        "  demo data        NOT LOADED: KJT_ADMIN_EMAIL=ops@kjt.jl.gov.cn has no account"
    )
    assert lines[admin + 3] == (
        "  to load it       start as the administrator that exists: KJT_ADMIN_EMAIL=admin@kjt.jl.gov.cn make run"
    )
    assert (
        lines[admin + 4]
        == f"                   or start afresh: KJT_VAR_DIR={var_dir} make reset (deletes {var_dir} after asking)"
    )


def test_a_password_the_operator_chose_is_never_printed(var_dir: Path) -> None:
    create_admin("ops@kjt.jl.gov.cn", OPS_PASSWORD)
    create_admin("second@kjt.jl.gov.cn", "Second-Admin-Passw0rd-1")
    chosen = settings(admin_email="ops@kjt.jl.gov.cn", admin_password=OPS_PASSWORD)
    accounts = startup.read_accounts(chosen)
    assert accounts.demo_login is None
    assert [(a.email, a.password) for a in accounts.admins] == [
        ("ops@kjt.jl.gov.cn", startup.CONFIGURED),
        ("second@kjt.jl.gov.cn", startup.UNKNOWN),
    ]
    text = runner.banner(CHILDREN, accounts, chosen.admin_email, None)
    assert "ops@kjt.jl.gov.cn   password: the value of KJT_ADMIN_PASSWORD" in text
    assert "second@kjt.jl.gov.cn   password: its own" in text
    assert OPS_PASSWORD not in text and "Second-Admin" not in text and DEVELOPMENT_ADMIN_PASSWORD not in text

    wrong = settings(admin_email="ops@kjt.jl.gov.cn", admin_password="Not-The-Passw0rd-2026")
    refused = startup.read_accounts(wrong)
    assert refused.demo_login == "KJT_ADMIN_PASSWORD is not the password of ops@kjt.jl.gov.cn"
    assert refused.fixes[0] == "start with KJT_ADMIN_PASSWORD set to the password of ops@kjt.jl.gov.cn"
    unset = startup.read_accounts(settings(admin_email="ops@kjt.jl.gov.cn"))
    assert unset.demo_login == (
        "the password of ops@kjt.jl.gov.cn is not the development default, and KJT_ADMIN_PASSWORD is not set"
    )


def test_more_administrators_than_shown_and_an_unreadable_database(var_dir: Path, tmp_path: Path) -> None:
    for i in range(5):
        create_admin(f"a{i}@kjt.jl.gov.cn", f"Admin-{i}-Passw0rd-2026")
    accounts = startup.read_accounts(settings(admin_email="a0@kjt.jl.gov.cn"))
    assert len(accounts.admins) == startup.ADMINS_SHOWN and accounts.total == 5
    assert "and 2 more" in runner.banner(CHILDREN, accounts, "a0@kjt.jl.gov.cn", None)
    broken = startup.read_accounts(settings(var_dir=str(tmp_path / "nowhere" / "var")))
    assert broken.error and not broken.admins
    assert "administrator    unknown: the gateway's database could not be read" in runner.banner(
        CHILDREN, broken, "admin@kjt.jl.gov.cn", None
    )


# --- make reset ----------------------------------------------------------------------------------

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make_reset(var: Path, answer: str | None = None, **env: str) -> tuple[int, str]:
    """``make reset`` for ``var``: without a terminal, or on a terminal that answers ``answer``."""
    environment = {**os.environ, "KJT_VAR_DIR": str(var), **env}
    environment.pop("MAKEFLAGS", None)
    command = ["make", "--no-print-directory", "reset"]
    if answer is None:
        done = subprocess.run(  # noqa: S603 - a fixed command
            command, cwd=ROOT, env=environment, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60
        )
        return done.returncode, done.stdout + done.stderr
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(  # noqa: S603 - a fixed command
            command, cwd=ROOT, env=environment, stdin=follower, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        os.write(leader, f"{answer}\n".encode())
        out, _ = proc.communicate(timeout=60)
    finally:
        os.close(follower)
        os.close(leader)
    return proc.returncode, out.decode()


def databases(var: Path) -> Path:
    var.mkdir(parents=True)
    for name in ("gateway.db", "projects.db", "projects.db-wal"):
        (var / name).write_bytes(b"SQLite format 3\x00")
    return var


@needs_make
def test_make_reset_asks_first(tmp_path: Path) -> None:
    var = databases(tmp_path / "var")
    code, out = make_reset(var, "n")
    assert code != 0 and "nothing deleted" in out and var.exists()
    code, out = make_reset(var, "y")
    assert code == 0, out
    assert f"Delete {var} and every database in it" in out and not var.exists()
    code, out = make_reset(var)
    assert code == 0 and "does not exist" in out


@needs_make
def test_make_reset_refuses_without_a_terminal_unless_forced(tmp_path: Path) -> None:
    var = databases(tmp_path / "var")
    code, out = make_reset(var)
    assert code != 0 and "FORCE=1 make reset" in out and (var / "gateway.db").exists()
    code, out = make_reset(var, FORCE="1")
    assert code == 0, out
    assert not var.exists()


@needs_make
def test_make_reset_deletes_nothing_but_databases(tmp_path: Path) -> None:
    var = databases(tmp_path / "var")
    (var / "notes.txt").write_text("mine")
    code, out = make_reset(var, FORCE="1")
    assert code != 0 and "holds more than databases" in out and (var / "notes.txt").exists()


@needs_make
def test_make_help_lists_reset() -> None:
    done = subprocess.run(["make", "help"], cwd=ROOT, capture_output=True, text=True, timeout=60)  # noqa: S607
    assert done.returncode == 0
    assert any(line.split()[:1] == ["reset"] and "asking" in line for line in done.stdout.splitlines())


# --- a quiet console -----------------------------------------------------------------------------


def test_uvicorn_is_quiet_unless_debug() -> None:
    """uvicorn's own lines (started, running on, shutting down) and its access log are the runner's and
    the gateway's business; KJT_LOG_LEVEL=debug shows everything."""
    child = runner.Child("talent", "services.talent.main", "127.0.0.1", 8103)
    for level in ("INFO", "info"):
        cmd = runner.uvicorn_command(child, level, python="python")
        assert cmd[cmd.index("--log-level") + 1] == "warning" and "--no-access-log" in cmd
    for level in ("debug", "DEBUG"):
        cmd = runner.uvicorn_command(child, level, python="python")
        assert cmd[cmd.index("--log-level") + 1] == "debug" and "--no-access-log" not in cmd
    cmd = runner.uvicorn_command(child, "error", python="python")
    assert cmd[cmd.index("--log-level") + 1] == "error"


class _Output:
    def __init__(self, text: str) -> None:
        self.stdout = io.BytesIO(text.encode())


def test_the_demos_access_lines_are_counted_not_listed() -> None:
    """The runner's own demo requests (their X-Request-ID) are folded on the console; everything else
    the children write is copied, and a dead child's report still has the folded lines."""
    out = io.StringIO()
    sup = runner.Supervisor(CHILDREN, {}, out=out, fold_requests="kjt-demo-abc-")
    written = "\n".join(
        [
            '{"app": "gateway", "request_id": "kjt-demo-abc-1", "method": "GET", "status": 200}',
            '{"app": "gateway", "request_id": "mine-1", "method": "GET", "status": 200}',
            '{"app": "gateway", "request_id": "kjt-demo-zzz-1", "method": "GET", "status": 200}',
            "WARNING: something the operator must see about kjt-demo-abc-1",
        ]
    )
    sup._pump("gateway", _Output(written + "\n"))  # type: ignore[arg-type]
    shown = out.getvalue()
    assert 'kjt-demo-abc-1"' not in shown and "mine-1" in shown and "kjt-demo-zzz-1" in shown
    assert "WARNING: something" in shown
    assert len(sup.tails["gateway"]) == 4
