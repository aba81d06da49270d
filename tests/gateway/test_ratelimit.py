"""Rate limits per API key, per user, per anonymous IP and per IP for login; Redis shared and down."""

from __future__ import annotations

import logging
import socket
import uuid

import httpx
import pytest

from gateway.health import GatewayMetrics
from gateway.ratelimit import RateLimiter, client_ip, redis_storage_uri
from shared.principal import ANONYMOUS
from tests.gateway.conftest import FakeAuth, Platform, agency_key, gateway_settings, user

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def client_from(platform: Platform, ip: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=platform.app, client=(ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_over_the_limit_is_a_429_with_retry_after_and_ratelimit_headers(make_platform) -> None:  # type: ignore[no-untyped-def]
    platform: Platform = await make_platform(rate_limit_anonymous="3/minute")
    remaining = []
    for _ in range(3):
        ok = await platform.client.get("/api/v1/projects/about")
        assert ok.status_code == 200
        assert ok.headers["ratelimit-limit"] == "3"
        remaining.append(int(ok.headers["ratelimit-remaining"]))
        assert 0 <= int(ok.headers["ratelimit-reset"]) <= 60
    assert remaining == [2, 1, 0]

    refused = await platform.client.get("/api/v1/projects/about", headers={"Accept-Language": "en"})
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "rate_limited" and refused.json()["title"] == "Too many requests"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["ratelimit-limit"] == "3" and refused.headers["ratelimit-remaining"] == "0"
    assert "ratelimit-reset" in refused.headers
    assert len(platform.router.forwarded("projects")) == 3
    metrics = await platform.client.get("/metrics")
    assert 'kjt_gateway_rate_limited_total{category="anonymous"} 1.0' in metrics.text


async def test_each_key_user_and_ip_has_its_own_bucket(make_platform, fake_auth: FakeAuth) -> None:  # type: ignore[no-untyped-def]
    platform: Platform = await make_platform(
        rate_limit_api_key="2/minute", rate_limit_user="3/minute", rate_limit_anonymous="1/minute"
    )
    key_a = fake_auth.api_key("key-a", agency_key(subject="a"))
    key_b = fake_auth.api_key("key-b", agency_key(subject="b"))
    alice = fake_auth.bearer("alice", user("applicant", subject="alice"))

    statuses = [(await platform.client.get("/api/v1/transfer/about", headers=key_a)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    ok_b = await platform.client.get("/api/v1/transfer/about", headers=key_b)
    assert ok_b.status_code == 200 and ok_b.headers["ratelimit-limit"] == "2"
    # the user and anonymous callers from the same IP are untouched by the keys' use
    ok_user = await platform.client.get("/api/v1/transfer/about", headers=alice)
    assert ok_user.status_code == 200 and ok_user.headers["ratelimit-limit"] == "3"
    assert (await platform.client.get("/api/v1/transfer/about")).status_code == 200
    assert (await platform.client.get("/api/v1/transfer/about")).status_code == 429
    # another IP is another anonymous bucket
    async with client_from(platform, "10.1.2.3") as other:
        assert (await other.get("/api/v1/transfer/about")).status_code == 200
        # and a user is counted by who they are, not where they are
        assert (await other.get("/api/v1/transfer/about", headers=alice)).headers["ratelimit-remaining"] == "1"


async def test_x_forwarded_for_is_ignored_unless_trusted(platform: Platform) -> None:
    limiter: RateLimiter = platform.app.state.ratelimiter
    first = await platform.client.get("/api/v1/projects/about", headers={"X-Forwarded-For": "198.51.100.1"})
    second = await platform.client.get("/api/v1/projects/about", headers={"X-Forwarded-For": "198.51.100.2"})
    # both counted against the real peer
    assert int(first.headers["ratelimit-remaining"]) - int(second.headers["ratelimit-remaining"]) == 1
    assert limiter.trust_forwarded_for is False


async def test_trusted_x_forwarded_for_separates_clients(make_platform) -> None:  # type: ignore[no-untyped-def]
    platform: Platform = await make_platform(trust_forwarded_for=True, rate_limit_anonymous="1/minute")
    one = await platform.client.get("/api/v1/projects/about", headers={"X-Forwarded-For": "1.1.1.1, 198.51.100.1"})
    two = await platform.client.get("/api/v1/projects/about", headers={"X-Forwarded-For": "2.2.2.2, 198.51.100.2"})
    assert one.status_code == 200 and two.status_code == 200
    # a client cannot dodge the limit by writing its own left-most entry
    again = await platform.client.get("/api/v1/projects/about", headers={"X-Forwarded-For": "9.9.9.9, 198.51.100.1"})
    assert again.status_code == 429
    sent = platform.router.forwarded("projects")[-1]
    assert sent.headers["x-forwarded-for"] == "2.2.2.2, 198.51.100.2, 127.0.0.1"


def test_client_ip_rules() -> None:
    scope = {"client": ("127.0.0.1", 1), "headers": [(b"x-forwarded-for", b"evil, 203.0.113.9 , junk")]}
    assert client_ip(scope, trust_forwarded_for=False) == "127.0.0.1"
    assert client_ip(scope, trust_forwarded_for=True) == "203.0.113.9"
    assert client_ip({"client": ("::1", 1), "headers": [(b"x-forwarded-for", b"nonsense")]}, True) == "::1"
    assert client_ip({"headers": []}, False) == "unknown"
    assert redis_storage_uri("redis://h:6379/0") == "async+redis://h:6379/0"
    assert redis_storage_uri("async+redis://h") == "async+redis://h"


async def test_login_attempts_are_limited_per_ip(make_platform) -> None:  # type: ignore[no-untyped-def]
    platform: Platform = await make_platform(rate_limit_login="2/minute")
    form = {"username": "nobody@example.com", "password": "wrong-password"}
    first = await platform.client.post("/api/v1/auth/token", data=form)
    assert first.status_code != 429 and first.headers["ratelimit-limit"] == "2"
    second = await platform.client.post("/api/v1/auth/token", data=form)
    assert second.status_code != 429 and second.headers["ratelimit-remaining"] == "0"
    third = await platform.client.post("/api/v1/auth/token", data=form)
    assert third.status_code == 429 and third.json()["code"] == "rate_limited"
    assert "retry-after" in third.headers
    # other calls from that IP are not login attempts
    assert (await platform.client.get("/api/v1/projects/about")).status_code == 200
    async with client_from(platform, "10.9.9.9") as other:
        assert (await other.post("/api/v1/auth/token", data=form)).status_code != 429


async def test_redis_storage_is_shared_between_gateway_replicas() -> None:
    if not redis_available():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    settings = gateway_settings(redis_url=REDIS_URL, rate_limit_user="3/minute")
    namespace = f"kjt-test-{uuid.uuid4().hex}"
    first, second = RateLimiter(settings, namespace=namespace), RateLimiter(settings, namespace=namespace)
    try:
        assert first.uses_redis
        who = user("official", subject="shared")
        results = [
            (await first.check(who, "10.0.0.1")).allowed,
            (await second.check(who, "10.0.0.2")).allowed,
            (await first.check(who, "10.0.0.3")).allowed,
            (await second.check(who, "10.0.0.4")).allowed,
        ]
        assert results == [True, True, True, False]
        assert (await second.check(ANONYMOUS, "10.0.0.4")).allowed
    finally:
        await first.close()
        await second.close()


async def test_redis_down_fails_open_to_per_process_limits(caplog: pytest.LogCaptureFixture) -> None:
    # nothing listens on port 1: every Redis call fails at once
    metrics = GatewayMetrics()
    settings = gateway_settings(redis_url="redis://127.0.0.1:1/0", rate_limit_anonymous="2/minute")
    limiter = RateLimiter(settings, metrics=metrics)
    try:
        with caplog.at_level(logging.WARNING, logger="kjt.gateway.ratelimit"):
            decisions = [await limiter.check(ANONYMOUS, "10.0.0.1") for _ in range(3)]
        assert [d.allowed for d in decisions] == [True, True, False]
        assert any("per-process" in r.getMessage() for r in caplog.records)
        # one warning, not one per request
        assert sum("Redis" in r.getMessage() for r in caplog.records) == 1
        assert metrics.rate_limit_storage_errors._value.get() == 1
    finally:
        await limiter.close()


def test_bad_limit_settings_are_refused_at_start() -> None:
    with pytest.raises(ValueError):
        RateLimiter(gateway_settings(rate_limit_user="lots"))


async def test_the_gateways_own_routes_are_limited_per_caller(make_platform, fake_auth: FakeAuth) -> None:  # type: ignore[no-untyped-def]
    platform: Platform = await make_platform(rate_limit_user="2/minute", rate_limit_anonymous="2/minute")
    alice = fake_auth.bearer("alice", user("official", subject="alice"))
    first = await platform.client.get("/api/v1/auth/me", headers=alice)
    assert first.headers["ratelimit-limit"] == "2" and first.headers["ratelimit-remaining"] == "1"
    await platform.client.get("/api/v1/admin/users", headers=alice)
    refused = await platform.client.get("/api/v1/auth/me", headers=alice)
    assert refused.status_code == 429 and "retry-after" in refused.headers
    # bad credentials count against the caller's IP, and still get their 401 from the handler
    bad = await platform.client.get("/api/v1/auth/me", headers={"Authorization": "Bearer forged"})
    assert bad.status_code == 401 and bad.headers["ratelimit-remaining"] == "1"
    # health, docs and metrics are not limited
    for _ in range(3):
        assert "ratelimit-limit" not in (await platform.client.get("/healthz")).headers
