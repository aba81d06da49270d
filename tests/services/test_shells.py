"""Every service runs, answers health checks, refuses calls that bypass the gateway, shows in docs."""

from __future__ import annotations

import importlib

import pytest

from shared.settings import SERVICES, url_segment
from tests.conftest import TEST_SECRET, principal_headers, running


def service_app(name: str, db):
    module = importlib.import_module(f"services.{name}.main")
    settings_cls = type(module.SPEC.common).__module__  # noqa: F841 - keeps import explicit
    settings_mod = importlib.import_module(f"services.{name}.settings")
    cls = next(v for k, v in vars(settings_mod).items() if k.endswith("Settings") and k != "ServiceSettings")
    return module.create_app(cls(internal_secret=TEST_SECRET, env="test", access_log=False), database=db)


@pytest.mark.parametrize("name", SERVICES)
async def test_service_shell_health_auth_and_docs(name: str, make_db) -> None:
    db = await make_db(name)
    app = service_app(name, db)
    prefix = f"/api/v1/{url_segment(name)}"
    async with running(app) as client:
        assert (await client.get("/healthz")).json()["status"] == "ok"
        ready = await client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["database"] == "up"

        # rule 3: a call without the gateway's token is refused, even to a public route
        direct = await client.get(f"{prefix}/about")
        assert direct.status_code == 401
        assert direct.headers["content-type"].startswith("application/problem+json")
        assert direct.json()["code"] == "invalid_internal_token"

        wrong_key = "wrong-secret-" * 3
        forged = await client.get(f"{prefix}/about", headers=principal_headers("admin", secret=wrong_key))
        assert forged.status_code == 401

        anon = principal_headers(kind="anonymous", subject="anonymous")
        about = await client.get(f"{prefix}/about", headers=anon)
        assert about.status_code == 200 and about.json()["service"] == name

        assert (await client.get(f"{prefix}/audit/verify", headers=anon)).status_code == 401
        denied = await client.get(f"{prefix}/audit/verify", headers=principal_headers("applicant"))
        assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
        report = await client.get(f"{prefix}/audit/verify", headers=principal_headers("auditor"))
        assert report.status_code == 200 and report.json() == {
            "valid": True,
            "entries": 0,
            "first_broken_id": None,
            "reason": None,
        }

        spec = (await client.get("/openapi.json")).json()
        assert f"{prefix}/about" in spec["paths"]
        assert "Problem" in spec["components"]["schemas"]
        metrics = await client.get("/metrics")
        assert "kjt_http_requests_total" in metrics.text


async def test_a_service_keeps_answering_while_its_document_is_built(make_db) -> None:  # type: ignore[no-untyped-def]
    """The document is built off the event loop: reading every route's code takes a second or two, and once
    blocked every request of the service meanwhile (here, until the build is let go: a block would hang)."""
    import asyncio
    import threading

    app = service_app("talent", await make_db("talent"))
    building, release = threading.Event(), threading.Event()

    def slow_build() -> dict:
        building.set()
        release.wait(10)
        return {"openapi": "3.1.0", "paths": {}}

    app.openapi = slow_build  # type: ignore[method-assign]
    async with running(app) as client:
        document = asyncio.create_task(client.get("/openapi.json"))
        try:
            assert await asyncio.to_thread(building.wait, 10)
            health = await asyncio.wait_for(client.get("/healthz"), timeout=5)
            assert health.status_code == 200 and not document.done()
        finally:
            release.set()
        assert (await document).json()["paths"] == {}
