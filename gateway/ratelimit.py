"""Rate limits: per API key, per user, per client IP for anonymous calls, and per IP for login attempts.

The ``limits`` library's sliding-window-counter strategy keeps two counters per key whatever the
limit, so 1200/minute per agency key costs the same storage as 10/minute (a moving window keeps one
entry per request). Counters live in process memory by default and in Redis when ``redis_url`` is
set, so that gateway replicas share them.

Redis down: the gateway fails open *to a per-process memory limiter* and logs a warning. Rate limits
protect capacity, not data: refusing every call of every agency because a cache is down would turn
a Redis outage into a platform outage, while per-replica counters still stop a runaway client, and
login brute force is further stopped by the account lockout kept in the gateway database.

Clients see the IETF ``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset`` (seconds)
headers on every limited response, and a 429 ``rate_limited`` problem with ``Retry-After`` when over.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from starlette.types import Scope

from gateway.health import GatewayMetrics
from gateway.settings import GatewaySettings
from shared.errors import TooManyRequests
from shared.middleware import header
from shared.principal import Principal

log = logging.getLogger("kjt.gateway.ratelimit")
# After a Redis failure the memory fallback is used this long before Redis is tried again, so an
# outage costs one slow call per few seconds, not one per request.
REDIS_RETRY_SECONDS = 5.0
REDIS_SOCKET_TIMEOUT = 0.25
_WARN_EVERY_SECONDS = 30.0


@dataclass(frozen=True)
class Decision:
    """The outcome of one hit: whether it passed, and what to tell the client."""

    allowed: bool
    limit: int
    remaining: int
    reset_after: int  # seconds until the quota is back to full (RateLimit-Reset)
    retry_after: int  # seconds until one more call is allowed (Retry-After, on a 429)

    def headers(self) -> dict[str, str]:
        out = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_after),
        }
        if not self.allowed:
            out["Retry-After"] = str(self.retry_after)
        return out

    def error(self) -> TooManyRequests:
        return TooManyRequests(
            f"请求过于频繁，请在 {self.retry_after} 秒后重试。",
            f"Too many requests; retry in {self.retry_after} seconds.",
            headers=self.headers(),
        )


def client_ip(scope: Scope, trust_forwarded_for: bool) -> str:
    """The caller's address. ``X-Forwarded-For`` counts only behind a proxy we trust, and then its
    right-most valid entry: the one our proxy appended, not one the client wrote itself."""
    if trust_forwarded_for:
        forwarded = header(scope, b"x-forwarded-for")
        if forwarded:
            for candidate in reversed(forwarded.split(",")[-20:]):
                candidate = candidate.strip()
                try:
                    return str(ipaddress.ip_address(candidate))
                except ValueError:
                    continue
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def redis_storage_uri(redis_url: str) -> str:
    return redis_url if redis_url.startswith("async+") else f"async+{redis_url}"


class RateLimiter:
    """The gateway's limits; one per app, created in the lifespan and closed at shutdown."""

    def __init__(
        self, settings: GatewaySettings, *, namespace: str = "kjt-gw", metrics: GatewayMetrics | None = None
    ) -> None:
        self.namespace = namespace
        self.limits: dict[str, RateLimitItem] = {
            category: parse(getattr(settings, f"rate_limit_{category}"))
            for category in ("api_key", "user", "anonymous", "login")
        }
        self.trust_forwarded_for = settings.trust_forwarded_for
        self._memory = MemoryStorage()
        self._local = SlidingWindowCounterRateLimiter(self._memory)
        self._redis_pool: Any = None
        self._shared: SlidingWindowCounterRateLimiter | None = None
        self._redis_down_until = 0.0
        self._last_warning = 0.0
        if settings.redis_url:
            self._shared = SlidingWindowCounterRateLimiter(self._redis_storage(settings.redis_url))
        self.metrics = metrics or GatewayMetrics()

    def _redis_storage(self, redis_url: str) -> Storage:
        import redis.asyncio

        # Our own pool, with short timeouts: a Redis that hangs must not hang every request.
        plain = redis_storage_uri(redis_url).removeprefix("async+")
        self._redis_pool = redis.asyncio.ConnectionPool.from_url(
            plain, socket_connect_timeout=REDIS_SOCKET_TIMEOUT, socket_timeout=REDIS_SOCKET_TIMEOUT
        )
        return RedisStorage(redis_storage_uri(redis_url), implementation="redispy", connection_pool=self._redis_pool)

    @property
    def uses_redis(self) -> bool:
        return self._shared is not None

    async def check(self, principal: Principal, ip: str) -> Decision:
        """Count one call of ``principal`` (keyed by the caller's IP when anonymous)."""
        if principal.is_anonymous:
            return await self.hit("anonymous", ip)
        return await self.hit("api_key" if principal.kind == "api_key" else "user", principal.subject)

    async def hit(self, category: str, key: str) -> Decision:
        """Count one call against ``category``'s limit (``login`` is per IP, before any password is checked)."""
        item = self.limits[category]
        identifiers = (self.namespace, category, key)
        # Redis when configured, unless it failed moments ago (then this process's memory).
        redis_up = time.monotonic() >= self._redis_down_until
        strategy = self._shared if self._shared is not None and redis_up else self._local
        try:
            allowed = await strategy.hit(item, *identifiers)
            stats = await strategy.get_window_stats(item, *identifiers)
        except Exception as exc:
            if strategy is self._local:
                raise
            self._redis_failed(exc)
            strategy = self._local
            allowed = await strategy.hit(item, *identifiers)
            stats = await strategy.get_window_stats(item, *identifiers)
        if not allowed:
            self.metrics.rate_limited.labels(category).inc()
        wait = max(0, math.ceil(stats.reset_time - time.time()))
        return Decision(allowed, item.amount, max(0, stats.remaining), wait, max(1, wait))

    def _redis_failed(self, exc: Exception) -> None:
        self.metrics.rate_limit_storage_errors.inc()
        now = time.monotonic()
        self._redis_down_until = now + REDIS_RETRY_SECONDS
        if not self._last_warning or now - self._last_warning >= _WARN_EVERY_SECONDS:
            self._last_warning = now
            log.warning(
                "rate-limit storage (Redis) failed (%s); using per-process limits for %.0f s",
                type(exc).__name__,
                REDIS_RETRY_SECONDS,
            )

    async def close(self) -> None:
        timer = getattr(self._memory, "timer", None)
        if timer is not None and not timer.done():
            timer.cancel()
        if self._redis_pool is not None:
            await self._redis_pool.aclose()
