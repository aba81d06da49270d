"""The boundaries of ARCHITECTURE.md rule 2 are checked by import-linter, and the check can fail."""

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
