"""What naming a proxied call by its route template costs the gateway per request (shared/route_templates.py):
the matcher built from the committed documents, on paths of every shape the services serve, against
the ``str.split`` it cannot do without."""

from __future__ import annotations

import json
import re
import time

from shared.route_templates import REPO_ROOT, committed_routes
from shared.settings import SERVICES

ROUNDS = 200


def _paths() -> list[tuple[str, str]]:
    """(service, concrete path) for every committed template, plus a miss per service."""
    out = []
    for name in SERVICES:
        document = json.loads((REPO_ROOT / "services" / name / "openapi.json").read_text(encoding="utf-8"))
        out += [(name, re.sub(r"\{[^/]+\}", "12345", template)) for template in document["paths"]]
        out.append((name, f"/api/v1/{name.replace('_', '-')}/no/such/route/at/all"))
    return out


def _per_call_ns(calls: int, started: float) -> float:
    return (time.perf_counter() - started) / calls * 1e9


async def run() -> list[tuple[str, str]]:
    committed_routes.cache_clear()
    started = time.perf_counter()
    routes = committed_routes()
    build_ms = (time.perf_counter() - started) * 1000
    cases = [(routes[name], path) for name, path in _paths()]
    calls = ROUNDS * len(cases)

    started = time.perf_counter()
    for _ in range(ROUNDS):
        for service_routes, path in cases:
            service_routes.label(path)
    label_ns = _per_call_ns(calls, started)

    started = time.perf_counter()
    for _ in range(ROUNDS):
        for _service_routes, path in cases:
            path.split("/")
    split_ns = _per_call_ns(calls, started)

    templates = sum(r.size for r in routes.values())
    return [
        ("templates (committed documents)", f"{templates}"),
        ("build, once per process", f"{build_ms:.1f} ms"),
        (f"label one path ({len(cases)} paths x {ROUNDS})", f"{label_ns / 1000:.2f} us"),
        ("of which str.split alone", f"{split_ns / 1000:.2f} us"),
    ]
