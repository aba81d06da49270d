"""The one internal HTTP client of a process: timeouts, retries for idempotent GETs only, a circuit
breaker per dependency, and a 503 with ``Retry-After`` when a dependency is down (rule 1: refuse,
never guess)."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx

from shared.errors import DependencyUnavailable
from shared.principal import PRINCIPAL_HEADER, Principal, sign_principal

log = logging.getLogger("kjt.http")


@dataclass
class CircuitBreaker:
    """Opens after ``threshold`` consecutive failures; lets one trial call through after ``reset_after``."""

    threshold: int = 5
    reset_after: float = 30.0
    failures: int = 0
    opened_at: float | None = None

    def allow(self) -> bool:
        if self.opened_at is None:
            return True
        now = time.monotonic()
        if now - self.opened_at >= self.reset_after:
            # Half-open: this call is the one trial. Restarting the clock keeps the others out until
            # it succeeds (closing the breaker) or another ``reset_after`` has passed.
            self.opened_at = now
            return True
        return False

    def retry_after(self) -> int:
        if self.opened_at is None:
            return 1
        return max(1, int(self.reset_after - (time.monotonic() - self.opened_at)) + 1)

    def record_success(self) -> None:
        self.failures = 0
        self.opened_at = None

    def record_failure(self) -> None:
        self.failures += 1
        if self.failures >= self.threshold:
            self.opened_at = time.monotonic()


class InternalClient:
    """Calls other services directly, signing a service principal token for each call."""

    def __init__(
        self,
        secret: str,
        *,
        caller: str,
        timeout: float = 5.0,
        retries: int = 2,
        transport: httpx.AsyncBaseTransport | None = None,
        breaker_threshold: int = 5,
        breaker_reset: float = 30.0,
    ) -> None:
        self.secret = secret
        self.caller = caller
        self.retries = retries
        self._breaker_args = (breaker_threshold, breaker_reset)
        self.breakers: dict[str, CircuitBreaker] = {}
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 2.0)),
            transport=transport,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        )

    def _breaker(self, dependency: str) -> CircuitBreaker:
        if dependency not in self.breakers:
            threshold, reset = self._breaker_args
            self.breakers[dependency] = CircuitBreaker(threshold=threshold, reset_after=reset)
        return self.breakers[dependency]

    def _headers(self, on_behalf_of: Principal | None) -> dict[str, str]:
        principal = on_behalf_of or Principal(kind="service", subject=self.caller, roles=frozenset())
        return {PRINCIPAL_HEADER: sign_principal(principal, self.secret, ttl_seconds=60)}

    async def request(
        self,
        dependency: str,
        method: str,
        url: str,
        *,
        on_behalf_of: Principal | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send a request; transport failures, timeouts and 5xx answers become a 503 problem."""
        breaker = self._breaker(dependency)
        if not breaker.allow():
            raise DependencyUnavailable(dependency, retry_after=breaker.retry_after())
        attempts = 1 + (self.retries if method.upper() in ("GET", "HEAD") else 0)
        # A caller-supplied principal header, in any spelling, never rides along with ours.
        given = {k: v for k, v in (kwargs.pop("headers", None) or {}).items() if k.lower() != PRINCIPAL_HEADER}
        headers = {**given, **self._headers(on_behalf_of)}
        for attempt in range(attempts):
            try:
                response = await self.client.request(method, url, headers=headers, **kwargs)
            except httpx.HTTPError as exc:
                log.warning("%s %s to %s failed: %s", method, url, dependency, type(exc).__name__)
            else:
                if response.status_code < 500:
                    breaker.record_success()
                    return response
                log.warning("%s %s to %s answered %s", method, url, dependency, response.status_code)
            if attempt + 1 < attempts:
                await asyncio.sleep(0.05 * 2**attempt)
        breaker.record_failure()
        raise DependencyUnavailable(dependency, retry_after=breaker.retry_after())

    async def aclose(self) -> None:
        await self.client.aclose()
