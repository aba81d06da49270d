"""The route templates the gateway names proxied calls by (shared/route_templates.py), issue 12, item 15."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from shared.route_templates import ServiceRoutes, committed_routes, document_paths
from shared.settings import SERVICES, url_segment

ROOT = Path(__file__).resolve().parents[2]

TEMPLATES = [
    "/api/v1/projects",
    "/api/v1/projects/about",
    "/api/v1/projects/applications",
    "/api/v1/projects/applications/{application_id}",
    "/api/v1/projects/applications/{application_id}/submit",
    "/api/v1/projects/applications/export",
    "/api/v1/projects/calls/{call_id}/applications/{application_id}",
    "/api/v1/foundation/plans",  # another service's: ignored
]


@pytest.fixture
def routes() -> ServiceRoutes:
    return ServiceRoutes("projects", TEMPLATES)


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/api/v1/projects", "/api/v1/projects"),
        ("/api/v1/projects/about", "/api/v1/projects/about"),
        ("/api/v1/projects/applications/7", "/api/v1/projects/applications/{application_id}"),
        ("/api/v1/projects/applications/7/submit", "/api/v1/projects/applications/{application_id}/submit"),
        # a literal segment wins over a parameter, whatever the order the document lists them in
        ("/api/v1/projects/applications/export", "/api/v1/projects/applications/export"),
        ("/api/v1/projects/calls/3/applications/9", "/api/v1/projects/calls/{call_id}/applications/{application_id}"),
        ("/api/v1/projects/applications/项目/submit", "/api/v1/projects/applications/{application_id}/submit"),
    ],
)
def test_a_path_gets_its_template(routes: ServiceRoutes, path: str, template: str) -> None:
    label = routes.label(path)
    assert label.path_format == template and label.service == "projects"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/projects/nothing",
        "/api/v1/projects/about/",  # a trailing slash is another path (the service answers 404 or redirects)
        "/api/v1/projects/applications//submit",  # an empty segment is no parameter
        "/api/v1/projects/applications/7/withdraw",
        "/api/v1/projects/calls/3/applications",
        "/api/v1/foundation/plans",
    ],
)
def test_a_path_no_template_matches_gets_the_catch_all(routes: ServiceRoutes, path: str) -> None:
    assert routes.label(path).path_format == "/api/v1/projects/{path}"


def test_labels_are_made_once_not_per_request(routes: ServiceRoutes) -> None:
    assert routes.label("/api/v1/projects/applications/1") is routes.label("/api/v1/projects/applications/2")
    assert routes.label("/api/v1/projects/x") is routes.label("/api/v1/projects/y") is routes.fallback
    assert routes.size == 7


def test_every_committed_template_is_its_own_label() -> None:
    """Each service's committed document: every path, its parameters filled in, is labelled by itself."""
    loaded = committed_routes()
    assert set(loaded) == set(SERVICES)
    for name in SERVICES:
        paths = json.loads((ROOT / "services" / name / "openapi.json").read_text(encoding="utf-8"))["paths"]
        assert loaded[name].size == len(paths) > 0
        for template in paths:
            concrete = re.sub(r"\{[^/]+\}", "17", template)
            assert loaded[name].label(concrete).path_format == template, (name, template)
        assert loaded[name].label(f"/api/v1/{url_segment(name)}/no/such/route").path_format.endswith("/{path}")


def test_an_unreadable_document_labels_by_service(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert document_paths(tmp_path / "missing.json") == []
    broken = tmp_path / "openapi.json"
    broken.write_text("{not json", encoding="utf-8")
    assert document_paths(broken) == []
    assert "cannot read" in caplog.text
    assert ServiceRoutes("talent", []).label("/api/v1/talent/about").path_format == "/api/v1/talent/{path}"
