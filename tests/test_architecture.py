"""The boundaries of ARCHITECTURE.md rule 2 are checked by import-linter, and the check can fail; the
gateway holds only the gateway (no CLI, runner or demo data) and its core stays under its line budget."""

from __future__ import annotations

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
