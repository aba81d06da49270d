"""The boundaries of docs/architecture.md (rule 2 of the house) are checked by import-linter, and the check can
fail; the gateway holds only the gateway (no CLI, runner or demo data) and its core stays under its line budget;
every query lives in a repository: no service or router builds or runs SQL, and no router imports a
repository, a check that can fail too."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def run_lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
    )


def test_import_contracts_hold() -> None:
    result = run_lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and " 0 broken" in result.stdout


def copy_with_contracts(tmp_path: Path) -> Path:
    """A copy of the packages' layout under the same contracts (pyproject's, written as .importlinter)."""
    for package in ("shared", "gateway", "services", "kjt"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    lines = ["[importlinter]"]
    for key, value in config.items():
        if key == "contracts":
            continue
        if isinstance(value, list):
            lines += [f"{key} =", *[f"    {v}" for v in value]]
        else:
            lines.append(f"{key} = {value}")
    for i, contract in enumerate(config["contracts"]):
        lines.append(f"\n[importlinter:contract:{i}]")
        for key, value in contract.items():
            if isinstance(value, list):
                lines.append(f"{key} =")
                lines += [f"    {v}" for v in value]
            else:
                lines.append(f"{key} = {value}")
    (tmp_path / ".importlinter").write_text("\n".join(lines) + "\n")
    assert run_lint(tmp_path).returncode == 0
    return tmp_path


def test_import_contracts_catch_a_service_importing_another(tmp_path: Path) -> None:
    copy = copy_with_contracts(tmp_path)
    (copy / "services" / "talent" / "leak.py").write_text("import services.projects.models\n")
    broken = run_lint(copy)
    assert broken.returncode != 0
    assert "services are independent of each other BROKEN" in broken.stdout


def test_import_contracts_catch_a_rules_package_using_the_database(tmp_path: Path) -> None:
    copy = copy_with_contracts(tmp_path)
    (copy / "services" / "foundation" / "rules" / "leak.py").write_text("import sqlalchemy\n")
    broken = run_lint(copy)
    assert broken.returncode != 0
    assert "rules are pure: a rules package imports no database and no web framework itself BROKEN" in broken.stdout


def test_import_contracts_catch_the_gateway_importing_the_tooling(tmp_path: Path) -> None:
    copy = copy_with_contracts(tmp_path)
    (copy / "gateway" / "leak.py").write_text("import kjt.runner\n")
    broken = run_lint(copy)
    assert broken.returncode != 0
    assert "no service and not the gateway imports the tooling (kjt) BROKEN" in broken.stdout


# --- the gateway holds only the gateway (issue 11) -------------------------------------------------

GATEWAY = ROOT / "gateway"
# Its core: every Python file of the gateway but the accounts administration domain (gateway/accounts/),
# in physical lines as `wc -l` counts them (the code is ruff-formatted: `make lint` checks it).
GATEWAY_CORE_BUDGET = 1500
TOOLING_NAMES = ("cli", "runner", "seed", "demo", "__main__")


def gateway_core_lines() -> dict[str, int]:
    return {
        str(path.relative_to(ROOT)): path.read_bytes().count(b"\n")
        for path in sorted(GATEWAY.rglob("*.py"))
        if path.relative_to(GATEWAY).parts[0] != "accounts"
    }


def test_the_gateway_core_stays_under_its_budget() -> None:
    lines = gateway_core_lines()
    assert "gateway/proxy.py" in lines and "gateway/accounts/router.py" not in lines
    total = sum(lines.values())
    biggest = ", ".join(f"{name} {n}" for name, n in sorted(lines.items(), key=lambda item: -item[1])[:5])
    assert total < GATEWAY_CORE_BUDGET, f"the gateway core has {total} lines (budget {GATEWAY_CORE_BUDGET}): {biggest}"


def test_the_gateway_holds_no_tooling() -> None:
    """The CLI, the process runner and the demo data live in kjt/ and services/<name>/demo.py."""
    found = [
        str(path.relative_to(ROOT))
        for path in GATEWAY.rglob("*")
        if "__pycache__" not in path.parts
        and any(path.stem == name or path.stem.startswith(f"{name}_") for name in TOOLING_NAMES)
    ]
    assert found == [], f"tooling in the gateway package: {found}"


# --- layers: every query in a repository, routers call services (docs/architecture.md) ---------------

# The use-case and HTTP layers of every service and of the shared machinery several services mount.
LAYER_FILES = ("service.py", "router.py", "routers.py", "deps.py")
# Builders of SQL statements and clauses that sqlalchemy exports (``func.*`` included).
SQL_BUILDERS = frozenset(
    {"select", "insert", "update", "delete", "text", "union", "union_all", "exists", "func"}
    | {"and_", "or_", "not_", "true", "false", "literal", "case", "extract", "tuple_"}
)
# Methods of statements and columns that build SQL further (``str.join`` shares a name: not listed).
SQL_METHODS = frozenset(
    {"where", "order_by", "group_by", "having", "with_for_update", "select_from", "outerjoin", "in_", "not_in"}
)
# What sends a statement to the database: these methods on any object, ``get``/``refresh`` on a session,
# and ``shared.pagination.paginate``.
SQL_RUNNERS = frozenset({"execute", "scalar", "scalars", "stream", "stream_scalars"})
SESSION_READS = frozenset({"get", "refresh"})
# Layer modules allowed to break a rule, each with its reason. Empty: every list and query is in a
# repository; the shared infrastructure that issues SQL (audit, idempotency, workflow history, the
# working-day calendar, pagination, the database engine and migrations) is not a layer module.
LAYER_EXCEPTIONS: dict[str, str] = {}


def _dotted(node: ast.expr) -> list[str]:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return parts[::-1]


def layer_problems(source: str, *, router: bool) -> list[str]:
    """What a service or router module does that belongs in a repository: builds or runs SQL, or (a
    router) imports a repository module."""
    tree = ast.parse(source)
    sqlalchemy_names: dict[str, str] = {}  # local name -> sqlalchemy's name
    sqlalchemy_modules: set[str] = set()
    runners: set[str] = set()  # local names of shared.pagination.paginate
    problems: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] == "sqlalchemy":
                sqlalchemy_names.update({a.asname or a.name: a.name for a in node.names})
            if node.module == "shared.pagination":
                runners.update(a.asname or a.name for a in node.names if a.name == "paginate")
            if router and (
                node.module.split(".")[-1] == "repository" or any(a.name == "repository" for a in node.names)
            ):
                problems.append(f"line {node.lineno}: imports a repository (from {node.module})")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "sqlalchemy":
                    sqlalchemy_modules.add((alias.asname or alias.name).split(".")[0])
                if router and alias.name.split(".")[-1] == "repository":
                    problems.append(f"line {node.lineno}: imports a repository ({alias.name})")
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        method = node.func.attr if isinstance(node.func, ast.Attribute) else None
        if name and (
            sqlalchemy_names.get(name[0]) in SQL_BUILDERS
            or (name[0] in sqlalchemy_modules and len(name) > 1 and name[1] in SQL_BUILDERS)
        ):
            problems.append(f"line {node.lineno}: builds SQL ({'.'.join(name)})")
        elif method in SQL_METHODS:
            problems.append(f"line {node.lineno}: builds SQL (.{method})")
        elif (
            method in SQL_RUNNERS
            or (method in SESSION_READS and len(name) > 1 and name[-2].endswith("session"))
            or (isinstance(node.func, ast.Name) and node.func.id in runners)
        ):
            problems.append(f"line {node.lineno}: runs SQL ({'.'.join(name) or method})")
    return sorted(problems, key=lambda p: int(p.split(":")[0].removeprefix("line ")))


def layer_modules() -> list[Path]:
    return sorted(
        path
        for package in ("services", "shared")
        for path in (ROOT / package).rglob("*.py")
        if path.name in LAYER_FILES and "__pycache__" not in path.parts
    )


def test_services_and_routers_hold_no_sql_and_routers_no_repository() -> None:
    """SQL only in repositories, never in a service or a router; routers call services, not repositories."""
    modules = layer_modules()
    assert ROOT / "services" / "projects" / "applications" / "router.py" in modules
    assert ROOT / "shared" / "review_rounds" / "service.py" in modules
    found = {
        str(path.relative_to(ROOT)): problems
        for path in modules
        if str(path.relative_to(ROOT)) not in LAYER_EXCEPTIONS
        and (problems := layer_problems(path.read_text(), router=path.name in ("router.py", "routers.py")))
    }
    assert found == {}
    assert all((ROOT / name).is_file() for name in LAYER_EXCEPTIONS), "an exception names a module that is gone"


def test_the_layer_check_catches_sql_and_a_repository_import() -> None:
    source = """
import sqlalchemy as sa
from sqlalchemy import func, select as s
from services.x.things import repository as repo
from services.x.other.repository import page
from shared.pagination import paginate

async def handler(session):
    await session.execute(s(Thing).where(sa.or_(a, b)))
    await session.get(Thing, 1)
    await paginate(session, stmt.order_by(Thing.id), SORTS)
    return func.count(), ", ".join(names), {}.get("key")
"""
    problems = layer_problems(source, router=True)
    assert [p.split(":")[0] for p in problems] == [
        "line 4",
        "line 5",
        *["line 9"] * 4,
        "line 10",
        *["line 11"] * 2,
        "line 12",
    ], problems
    assert layer_problems(source, router=False) == [p for p in problems if "repository" not in p]
