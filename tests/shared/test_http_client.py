"""The internal HTTP client: service tokens, retries for idempotent calls only, the circuit breaker,
and a 503 with Retry-After when a dependency is down (rule 1: refuse, never guess)."""

from __future__ import annotations

import httpx
import pytest

from shared import http_client
from shared.errors import DependencyUnavailable
from shared.http_client import CircuitBreaker, InternalClient
from shared.principal import PRINCIPAL_HEADER, Principal, verify_principal
from tests.conftest import TEST_SECRET


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(http_client.time, "monotonic", fake)
    return fake


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    async def instant(_: float) -> None:
        return None

    monkeypatch.setattr(http_client.asyncio, "sleep", instant)


def scripted(*answers: int | type[Exception]) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """A transport answering each call with the next status code, or raising the next exception."""
    seen: list[httpx.Request] = []
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, int):
            return httpx.Response(answer, json={"ok": answer < 500})
        raise answer("boom", request=request)

    return httpx.MockTransport(handler), seen


def client(transport: httpx.MockTransport, **kwargs: object) -> InternalClient:
    return InternalClient(TEST_SECRET, caller="foundation", transport=transport, **kwargs)  # type: ignore[arg-type]


async def test_each_call_carries_a_service_token() -> None:
    transport, seen = scripted(200)
    c = client(transport)
    try:
        response = await c.request("projects", "GET", "http://projects/api/v1/projects/about")
    finally:
        await c.aclose()
    assert response.status_code == 200
    principal = verify_principal(seen[0].headers[PRINCIPAL_HEADER], TEST_SECRET)
    assert principal.kind == "service" and principal.subject == "foundation"


async def test_on_behalf_of_a_caller_and_no_smuggled_principal() -> None:
    transport, seen = scripted(200)
    c = client(transport)
    caller = Principal(kind="user", subject="5", roles=frozenset({"reviewer"}))
    try:
        await c.request(
            "projects",
            "GET",
            "http://projects/x",
            on_behalf_of=caller,
            headers={"X-KJT-Principal": "forged", "Accept-Language": "en"},
        )
        await c.request("projects", "GET", "http://projects/x", headers=None)
    finally:
        await c.aclose()
    assert seen[0].headers.get_list(PRINCIPAL_HEADER) != ["forged"]
    assert len(seen[0].headers.get_list(PRINCIPAL_HEADER)) == 1
    principal = verify_principal(seen[0].headers[PRINCIPAL_HEADER], TEST_SECRET)
    assert principal.subject == "5" and principal.roles == frozenset({"reviewer"})
    assert seen[0].headers["accept-language"] == "en"


async def test_gets_are_retried_and_posts_are_not() -> None:
    transport, seen = scripted(503, httpx.ConnectError, 200)
    c = client(transport, retries=2)
    try:
        assert (await c.request("talent", "GET", "http://talent/x")).status_code == 200
        assert len(seen) == 3
        post_transport, post_seen = scripted(502)
        await c.client.aclose()
        c.client = httpx.AsyncClient(transport=post_transport)
        with pytest.raises(DependencyUnavailable):
            await c.request("talent", "POST", "http://talent/x", json={})
        assert len(post_seen) == 1
    finally:
        await c.aclose()


async def test_client_errors_are_answers_not_failures() -> None:
    transport, seen = scripted(404)
    c = client(transport)
    try:
        response = await c.request("transfer", "GET", "http://transfer/x")
    finally:
        await c.aclose()
    assert response.status_code == 404 and len(seen) == 1
    assert c.breakers["transfer"].failures == 0


async def test_timeouts_and_5xx_become_a_503_with_retry_after() -> None:
    transport, _ = scripted(httpx.ReadTimeout)
    c = client(transport, retries=1)
    try:
        with pytest.raises(DependencyUnavailable) as caught:
            await c.request("foreign_experts", "GET", "http://foreign-experts.internal:8105/x")
    finally:
        await c.aclose()
    error = caught.value
    assert error.status == 503 and int(error.headers["Retry-After"]) >= 1
    problem = error.to_problem("en")
    assert problem["dependency"] == "foreign_experts"
    assert "internal" not in str(problem) and "8105" not in str(problem)


async def test_the_breaker_opens_then_lets_one_trial_through(clock: Clock) -> None:
    transport, seen = scripted(500)
    c = client(transport, retries=0, breaker_threshold=2, breaker_reset=10.0)
    try:
        for _ in range(2):
            with pytest.raises(DependencyUnavailable):
                await c.request("projects", "GET", "http://projects/x")
        assert len(seen) == 2
        # open: refused without a call
        with pytest.raises(DependencyUnavailable) as refused:
            await c.request("projects", "GET", "http://projects/x")
        assert len(seen) == 2 and int(refused.value.headers["Retry-After"]) <= 11

        clock.now += 10.0
        transport_ok, seen_ok = scripted(200)
        await c.client.aclose()
        c.client = httpx.AsyncClient(transport=transport_ok)
        assert (await c.request("projects", "GET", "http://projects/x")).status_code == 200
        assert len(seen_ok) == 1 and c.breakers["projects"].opened_at is None
    finally:
        await c.aclose()


def test_half_open_admits_a_single_trial(clock: Clock) -> None:
    breaker = CircuitBreaker(threshold=1, reset_after=5.0)
    assert breaker.allow()
    breaker.record_failure()
    assert not breaker.allow()
    assert breaker.retry_after() == 6
    clock.now += 5.0
    assert breaker.allow()  # the trial
    assert not breaker.allow()  # everyone else waits for it
    breaker.record_failure()  # the trial failed: open again for a full period
    assert not breaker.allow()
    clock.now += 5.0
    assert breaker.allow()
    breaker.record_success()
    assert breaker.allow() and breaker.allow() and breaker.failures == 0
