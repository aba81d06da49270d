"""One registry of the scopes an agency's key may hold (shared/scopes.py): every scope a service checks
is declared there under that service, every declared scope is checked by its service, and a scope
that is not declared cannot be required."""

from __future__ import annotations

import ast
import importlib
from collections import defaultdict
from pathlib import Path

import pytest

from shared import scopes
from shared.principal import require_scope
from shared.settings import SERVICES

ROOT = Path(__file__).resolve().parents[1]
CHECKS = ("require_scope", "has_scope")


def checked_scopes(service: str) -> dict[str, list[str]]:
    """Each scope the service's code checks, with where: the first argument of every ``require_scope``
    and ``has_scope`` call, evaluated in its module (a literal or a constant)."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted((ROOT / "services" / service).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and node.args and (ast.unparse(node.func).rsplit(".", 1)[-1] in CHECKS)
        ]
        if not calls:
            continue
        rel = path.relative_to(ROOT)
        module = importlib.import_module(".".join(rel.with_suffix("").parts))
        for call in calls:
            value = eval(ast.unparse(call.args[0]), vars(module))  # noqa: S307 - our own source, one name
            assert isinstance(value, str), f"{rel}:{call.lineno}: a scope is a string"
            found[value].append(f"{rel}:{call.lineno}")
    return dict(found)


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_checks_exactly_the_scopes_it_declares(service: str) -> None:
    checked = checked_scopes(service)
    declared = {s.name for s in scopes.BY_SERVICE[service]}
    assert {name: where for name, where in checked.items() if name not in declared} == {}, (
        "checked but not declared under this service in shared/scopes.py"
    )
    assert declared - set(checked) == set(), "declared in shared/scopes.py but never checked by the service"


def test_the_registry_is_well_formed() -> None:
    assert set(scopes.BY_SERVICE) == set(SERVICES)
    assert len(scopes.SCOPES) == sum(len(v) for v in scopes.BY_SERVICE.values()), "a scope declared twice"
    for service, declared in scopes.BY_SERVICE.items():
        for scope in declared:
            assert scope.service == service and scope.zh and scope.en
            assert len(scope.name.split(":")) == 3


def test_a_scope_that_is_not_declared_cannot_be_required() -> None:
    with pytest.raises(LookupError, match="foreign-experts:permits:verfy"):
        require_scope("foreign-experts:permits:verfy")
    require_scope("foreign-experts:permits:verify")


def test_an_unknown_scope_is_named_with_its_likely_meaning_and_the_known_ones() -> None:
    assert scopes.unknown(["projects:integrity:read", "foreign-experts:permits:verfy", "x:y:z", "x:y:z"]) == [
        "foreign-experts:permits:verfy",
        "x:y:z",
    ]
    assert scopes.closest("foreign-experts:permits:verfy") == "foreign-experts:permits:verify"
    assert scopes.closest("transfer:smes:read") is None
    zh, en = scopes.unknown_message(["foreign-experts:permits:verfy"])
    assert "是否应为 foreign-experts:permits:verify" in zh and "did you mean foreign-experts:permits:verify?" in en
    for name in scopes.SCOPES:
        assert name in zh and name in en
