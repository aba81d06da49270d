"""End to end: the platform as `kjt run` starts it, reached over HTTP through the gateway."""

from __future__ import annotations

import json
import re
import time
import uuid

import httpx
import pytest

from shared.settings import SERVICES, url_segment
from tests.e2e.processes import Platform

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def client(platform: Platform):
    with httpx.Client(base_url=platform.base_url, timeout=10.0, trust_env=False) as http:
        yield http


@pytest.fixture(scope="module")
def admin_token(client: httpx.Client, platform: Platform) -> str:
    answer = client.post(
        "/api/v1/auth/token",
        data={"username": platform.admin_email, "password": platform.admin_password},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"].lower() == "bearer" and body["expires_in"] > 0
    return str(body["access_token"])


def test_ready_lists_the_gateway_and_every_service(client: httpx.Client, platform: Platform) -> None:
    ready = client.get("/readyz")
    assert ready.status_code == 200
    text = ready.text
    for name in ("gateway", *SERVICES):
        assert name in text or url_segment(name) in text
    assert (client.get("/healthz")).json()["status"] == "ok"
    # the runner announced the platform and the administrator it bootstrapped
    output = platform.output()
    assert "is ready" in output and platform.admin_email in output


def test_admin_logs_in_and_sees_itself(client: httpx.Client, admin_token: str, platform: Platform) -> None:
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {admin_token}"})
    assert me.status_code == 200, me.text
    body = me.json()
    assert platform.admin_email in str(body) and "admin" in str(body)
    assert client.get("/api/v1/auth/me", headers={"Authorization": "Bearer not-a-token"}).status_code == 401


def test_wrong_password_is_refused(client: httpx.Client, platform: Platform) -> None:
    wrong = client.post("/api/v1/auth/token", data={"username": platform.admin_email, "password": "nope-nope"})
    assert wrong.status_code == 401
    assert wrong.headers["content-type"].startswith("application/problem+json")


def test_service_routes_through_the_gateway(client: httpx.Client, admin_token: str) -> None:
    for name in SERVICES:
        about = client.get(f"/api/v1/{url_segment(name)}/about")
        assert about.status_code == 200, about.text
        assert about.json()["service"] == name
    assert client.get("/api/v1/projects/audit/verify").status_code == 401
    report = client.get("/api/v1/projects/audit/verify", headers={"Authorization": f"Bearer {admin_token}"})
    assert report.status_code == 200, report.text
    assert report.json()["valid"] is True


def test_an_agency_key_from_the_cli_works_until_revoked(client: httpx.Client, platform: Platform) -> None:
    created = platform.kjt(
        "api-key",
        "create",
        "--name",
        "e2e 许可核验",
        "--agency",
        "吉林省公安厅",
        "--scope",
        "foreign-experts:permits:verify",
    )
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    key_id = created.stderr.split("API key ", 1)[1].split()[0]
    me = client.get("/api/v1/auth/me", headers={"X-API-Key": secret})
    assert me.status_code == 200, me.text
    assert me.json()["kind"] == "api_key" and me.json()["scopes"] == ["foreign-experts:permits:verify"]
    assert platform.kjt("api-key", "revoke", key_id).returncode == 0
    assert client.get("/api/v1/auth/me", headers={"X-API-Key": secret}).status_code == 401


def test_a_service_called_directly_refuses_without_the_gateway_token(platform: Platform) -> None:
    with httpx.Client(timeout=5.0, trust_env=False) as direct:
        for name, url in platform.service_urls.items():
            answer = direct.get(f"{url}/api/v1/{url_segment(name)}/about")
            assert answer.status_code == 401, f"{name}: {answer.status_code}"
            assert answer.json()["code"] == "invalid_internal_token"
            # health stays open so orchestrators can probe it
            assert direct.get(f"{url}/healthz").status_code == 200


def test_docs_and_merged_openapi_are_served(client: httpx.Client) -> None:
    spec = client.get("/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert "/api/v1/projects/about" in paths and "/api/v1/foreign-experts/about" in paths
    for page in ("/docs", "/redoc"):
        answer = client.get(page)
        assert answer.status_code == 200 and "text/html" in answer.headers["content-type"]
    assert "kjt_http_requests_total" in client.get("/metrics").text


# --- a quiet start (issue 12, item 15) -------------------------------------------------------------

# Migrating (7 lines), starting (6), the gateway's first administrator (1), the demo's progress and its
# summary (4); about 374 before, with every request twice and a readiness warning on each poll.
QUIET_START_LINES = 25


def test_a_normal_start_prints_a_few_lines_and_no_warning_before_the_banner(platform: Platform) -> None:
    before = platform.before_banner()
    text = "\n".join(before)
    assert len(before) <= QUIET_START_LINES, f"{len(before)} lines before the banner:\n{text}"
    noisy = [line for line in before if re.search(r"unreachable|WARNING|ERROR|Traceback|INFO:", line)]
    assert noisy == [], text
    # no access line at all: the readiness polls are debug, the demo's requests are counted, not listed
    assert [line for line in before if " | {" in line] == [], text
    assert re.search(r"kjt run: demo data loaded: .* \(\d+ requests through the gateway\)", text), text


def test_one_access_line_per_request_the_gateways(client: httpx.Client, platform: Platform) -> None:
    request_id = f"e2e-{uuid.uuid4().hex}"
    answer = client.get("/api/v1/projects/applications/987654", headers={"X-Request-ID": request_id})
    deadline = time.monotonic() + 10
    while request_id not in platform.output() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # the service answers before the gateway logs: a line of its own would be here by now
    lines = [line for line in platform.output().splitlines() if request_id in line]
    assert len(lines) == 1, lines
    process, _, payload = lines[0].partition(" | ")
    logged = json.loads(payload)
    assert process.strip() == "gateway" and logged["app"] == "gateway"
    assert logged["service"] == "projects" and logged["route"] == "/api/v1/projects/applications/{application_id}"
    assert logged["status"] == answer.status_code and logged["ms"] > 0


def test_metrics_name_the_route_template_of_proxied_calls(client: httpx.Client) -> None:
    client.get("/api/v1/projects/applications/987654")
    client.get("/api/v1/foreign-experts/about")
    requests = [line for line in client.get("/metrics").text.splitlines() if line.startswith("kjt_http_requests_total")]
    assert any('route="/api/v1/projects/applications/{application_id}"' in line for line in requests), requests
    assert any('route="/api/v1/foreign-experts/about",status="200"' in line for line in requests), requests
    assert not [line for line in requests if "987654" in line]
    # every call that a service answered (the demo's included) matched a template of its document
    assert not [line for line in requests if '/{path}",status="2' in line], requests
