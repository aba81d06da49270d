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


def badly_named(paths: list[str]) -> list[str]:
    """The paths with a segment, other than a ``{parameter}``, holding an underscore or an upper-case letter."""
    return [
        path
        for path in paths
        if any(
            "_" in segment or segment != segment.lower()
            for segment in path.split("/")
            if not (segment.startswith("{") and segment.endswith("}"))
        )
    ]


@pytest.mark.parametrize("name", SERVICES)
def test_paths_are_lower_case_and_hyphenated(name: str) -> None:
    """docs/api-conventions.md "URLs": lower case and hyphens
    (``/api/v1/foreign-experts/permit-applications/42/submit``); only a ``{parameter}`` may hold an underscore."""
    assert badly_named(list(live_spec(name)["paths"])) == []


def test_the_path_check_can_fail() -> None:
    paths = [
        "/api/v1/foreign-experts/permit-applications/{application_id}/return_for_documents",
        "/api/v1/foreign-experts/permit-applications/{application_id}/return-for-documents",
        "/api/v1/projects/challenge-lists/{list_id}/closeBidding",
        "/api/v1/projects/challenge-lists/{list_id}",
    ]
    assert badly_named(paths) == [paths[0], paths[2]]
