"""The route templates of the services' public paths, so that the gateway's metrics and access log name a
proxied call by its route (``/api/v1/projects/applications/{application_id}``), not by its service alone.

The matcher is built once per process from each service's committed OpenAPI document
(``services/<name>/openapi.json``, kept current by ``tests/services/test_openapi_files.py``): the gateway
imports no service, it reads what each one publishes. Each service's templates form a tree of path segments;
a request's path walks it segment by segment, a literal segment before a ``{parameter}`` (one whole,
non-empty segment). A path that no template matches (a 404 to be) keeps the service's catch-all label,
``/api/v1/<service>/{path}``, so the number of labels stays bounded whatever the URLs.

The cost per request is one ``str.split`` and a dictionary lookup per segment: about a microsecond
(``make bench BENCH=routes``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from shared.settings import SERVICES, url_segment

log = logging.getLogger("kjt.routes")

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, slots=True)
class RouteLabel:
    """What the request metrics and the access log read from ``scope["route"]``: the route's template."""

    path_format: str
    service: str


class _Node:
    __slots__ = ("label", "literals", "parameter")

    def __init__(self) -> None:
        self.literals: dict[str, _Node] = {}
        self.parameter: _Node | None = None
        self.label: RouteLabel | None = None


def _is_parameter(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


class ServiceRoutes:
    """The route templates under one service's public prefix, and the label of a path under it."""

    def __init__(self, service: str, templates: Iterable[str]) -> None:
        self.service = service
        self.prefix = f"/api/v1/{url_segment(service)}"
        self.fallback = RouteLabel(f"{self.prefix}/{{path}}", service)
        self._root = _Node()
        self.size = 0
        for template in templates:
            self._add(template)

    def _add(self, template: str) -> None:
        if template != self.prefix and not template.startswith(self.prefix + "/"):
            return  # not under this service's prefix: the proxy never sees such a path
        node = self._root
        for segment in template[len(self.prefix) :].split("/")[1:]:
            if _is_parameter(segment):
                node.parameter = node.parameter or _Node()
                node = node.parameter
            else:
                node = node.literals.setdefault(segment, _Node())
        if node.label is None:
            node.label = RouteLabel(template, self.service)
            self.size += 1

    def label(self, path: str) -> RouteLabel:
        """The template ``path`` (decoded, under this service's prefix) matches, else the catch-all label."""
        if not path.startswith(self.prefix):
            return self.fallback
        return _walk(self._root, path[len(self.prefix) :].split("/"), 1) or self.fallback


def _walk(node: _Node, segments: list[str], at: int) -> RouteLabel | None:
    if at == len(segments):
        return node.label
    segment = segments[at]
    child = node.literals.get(segment)
    if child is not None and (found := _walk(child, segments, at + 1)) is not None:
        return found
    if node.parameter is not None and segment:
        return _walk(node.parameter, segments, at + 1)
    return None


def document_paths(path: Path) -> list[str]:
    """The paths of one OpenAPI document; none (and a warning) when it cannot be read."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        paths = document["paths"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("route templates: cannot read %s (%s); its calls are labelled by service only", path, exc)
        return []
    return [p for p in paths if isinstance(p, str)]


@cache
def committed_routes(root: Path = REPO_ROOT) -> Mapping[str, ServiceRoutes]:
    """Every service's routes from its committed ``openapi.json`` under ``root``; read once per process."""
    return {name: ServiceRoutes(name, document_paths(root / "services" / name / "openapi.json")) for name in SERVICES}
