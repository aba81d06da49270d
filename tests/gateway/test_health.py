"""/healthz, /readyz (the gateway's database and all five services) and /metrics."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from shared.settings import SERVICES
from tests.gateway.conftest import Platform

COMPONENTS = ["gateway", *SERVICES]


async def test_healthz(platform: Platform) -> None:
    response = await platform.client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok", "service": "gateway"}


async def test_readyz_lists_six_components_up(platform: Platform) -> None:
    response = await platform.client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert list(body["components"]) == COMPONENTS
    assert all(c["status"] == "up" for c in body["components"].values())


async def test_readyz_shows_which_service_is_down(platform: Platform) -> None:
    platform.down("talent")
    platform.slow("transfer")
    response = await platform.client.get("/readyz", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "retry-after" in response.headers
    body = response.json()
    assert body["code"] == "not_ready" and body["status"] == 503
    assert list(body["components"]) == COMPONENTS
    states = {name: c["status"] for name, c in body["components"].items()}
    assert states == {**dict.fromkeys(COMPONENTS, "up"), "talent": "down", "transfer": "down"}
    assert body["components"]["talent"]["reason"] == "unreachable"
    assert body["components"]["transfer"]["reason"] == "timeout"
    assert "talent" in body["detail"] and "svc.test" not in response.text


async def test_readyz_shows_the_gateway_database_down(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken() -> None:
        raise OSError("connection refused by db.internal:5432")

    monkeypatch.setattr(platform.app.state.db, "ping", broken)
    response = await platform.client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["components"]["gateway"] == {"status": "down", "reason": "database"}
    assert "db.internal" not in response.text


async def test_metrics_include_requests_and_upstream_latency(platform: Platform) -> None:
    await platform.client.get("/api/v1/projects/about")
    platform.down("talent")
    await platform.client.get("/api/v1/talent/about")
    response = await platform.client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    # proxied calls are labelled by the service's route template, never by URL
    route = 'route="/api/v1/projects/about"'
    assert f'kjt_http_requests_total{{app="gateway",method="GET",{route},status="200"}} 1.0' in text
    assert 'kjt_gateway_upstream_duration_seconds_count{method="GET",service="projects",status="200"} 1.0' in text
    assert 'kjt_gateway_upstream_errors_total{reason="unreachable",service="talent"} 1.0' in text


async def test_metrics_name_the_proxied_route_template(platform: Platform) -> None:
    """Issue 12, item 15: the route template the call matched, not one label per service; a path that
    matches no template keeps the service's catch-all label (404s never make a label per URL)."""
    for path in ("/api/v1/projects/applications/101", "/api/v1/projects/applications/202", "/api/v1/projects/x/y/z"):
        await platform.client.get(path)
    await platform.client.get("/api/v1/foreign-experts/permits/verify", params={"permit_number": "nope"})
    text = (await platform.client.get("/metrics")).text
    requests = [line for line in text.splitlines() if line.startswith("kjt_http_requests_total{")]
    applications = [line for line in requests if 'route="/api/v1/projects/applications/{application_id}"' in line]
    assert len(applications) == 1 and applications[0].endswith(" 2.0"), requests
    assert any('route="/api/v1/projects/{path}"' in line for line in requests), "an unknown path: the catch-all"
    assert any('route="/api/v1/foreign-experts/permits/verify"' in line for line in requests), requests
    assert not any("101" in line or "202" in line or "x/y/z" in line for line in requests)


async def test_readiness_logs_changes_not_polls(
    platform: Platform, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12, item 15: polling /readyz while a service starts logs no warning on each poll. A
    service that has not been up yet is a debug line; one that goes down after it was up is one
    warning, however often it is polled, and its return is an info line."""

    async def database_up() -> None:  # the services are the subject here, not the database
        return None

    monkeypatch.setattr(platform.app.state.db, "ping", database_up)
    caplog.set_level(logging.DEBUG, logger="kjt.gateway.health")
    platform.down("talent")
    for _ in range(3):
        assert (await platform.client.get("/readyz")).status_code == 503
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO] == []
    assert any("talent" in r.getMessage() for r in caplog.records)

    platform.up("talent")
    assert (await platform.client.get("/readyz")).status_code == 200
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO] == [], "up at last: no news"
    platform.down("talent")
    for _ in range(3):
        assert (await platform.client.get("/readyz")).status_code == 503
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == ["readiness: talent is down: unreachable (ConnectError)"]

    caplog.clear()
    platform.up("talent")
    assert (await platform.client.get("/readyz")).status_code == 200
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO] == ["readiness: talent is up again"]


async def test_the_gateway_logs_one_line_per_request_with_service_route_status_and_time(
    make_platform: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 12, item 15: by default the console shows the gateway's line for each request; the services'
    own lines are debug (tests/shared/test_logging.py) and so are the readiness probes."""
    platform = await make_platform(access_log=True)
    caplog.set_level(logging.INFO, logger="kjt.access")
    answer = await platform.client.get("/api/v1/projects/applications/4711", headers={"X-Request-ID": "req-4711"})
    await platform.client.get("/readyz")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "kjt.access"]
    assert lines == [
        {
            "app": "gateway",
            "request_id": "req-4711",
            "method": "GET",
            "service": "projects",
            "route": "/api/v1/projects/applications/{application_id}",
            "status": answer.status_code,
            "ms": lines[0]["ms"],
        }
    ]
