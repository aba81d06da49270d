"""/healthz, /readyz (the gateway's database and all five services) and /metrics."""

from __future__ import annotations

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
    # proxied calls are labelled per service, never per URL
    route = 'route="/api/v1/projects/{path}"'
    assert f'kjt_http_requests_total{{app="gateway",method="GET",{route},status="200"}} 1.0' in text
    assert 'kjt_gateway_upstream_duration_seconds_count{method="GET",service="projects",status="200"} 1.0' in text
    assert 'kjt_gateway_upstream_errors_total{reason="unreachable",service="talent"} 1.0' in text
