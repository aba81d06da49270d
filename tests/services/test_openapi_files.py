"""Each service's committed openapi.json matches its code (CONVENTIONS 14), and every operation
follows the house style: a stable ``<tag>-<name>`` id, a summary, and declared error responses."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from shared.settings import SERVICES

ROOT = Path(__file__).resolve().parents[2]


def live_spec(name: str) -> dict:
    module = importlib.import_module(f"services.{name}.main")
    return module.create_app().openapi()


@pytest.mark.parametrize("name", SERVICES)
def test_committed_openapi_is_current(name: str) -> None:
    path = ROOT / "services" / name / "openapi.json"
    assert path.exists(), f"{path} is missing: run `make openapi`"
    committed = json.loads(path.read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(live_spec(name))), (
        f"services/{name}/openapi.json is stale: run `make openapi` and commit the result"
    )


@pytest.mark.parametrize("name", SERVICES)
def test_operations_follow_house_style(name: str) -> None:
    spec = live_spec(name)
    seen: set[str] = set()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            where = f"{method.upper()} {path}"
            op_id = op.get("operationId", "")
            assert "-" in op_id and " " not in op_id, f"{where}: operation id {op_id!r} is not <tag>-<name>"
            assert op_id not in seen, f"{where}: duplicate operation id {op_id}"
            seen.add(op_id)
            assert op.get("summary"), f"{where}: no summary"
            assert op.get("tags"), f"{where}: no tag"
            if not op.get("x-kjt-public"):
                assert "401" in op.get("responses", {}), f"{where}: a protected operation must declare 401"
