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
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import security
from gateway.health import GatewayMetrics
from gateway.settings import GatewaySettings
from shared.errors import TooManyRequests
from shared.middleware import header, send_problem
from shared.principal import ANONYMOUS, Principal

log = logging.getLogger("kjt.gateway.ratelimit")

LOGIN_PATH = "/api/v1/auth/token"
GATEWAY_API_PREFIXES = ("/api/v1/auth", "/api/v1/admin")
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
    category: str

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
        self,
        settings: GatewaySettings,
        *,
        namespace: str = "kjt-gw",
        metrics: GatewayMetrics | None = None,
    ) -> None:
        self.namespace = namespace
        self.limits: dict[str, RateLimitItem] = {
            "api_key": parse(settings.rate_limit_api_key),
            "user": parse(settings.rate_limit_user),
            "anonymous": parse(settings.rate_limit_anonymous),
            "login": parse(settings.rate_limit_login),
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

    def category_for(self, principal: Principal) -> str:
        if principal.kind == "api_key":
            return "api_key"
        if principal.is_anonymous:
            return "anonymous"
        return "user"

    async def check(self, principal: Principal, ip: str) -> Decision:
        """Count one call of ``principal`` (keyed by the caller's IP when anonymous)."""
        category = self.category_for(principal)
        key = ip if category == "anonymous" else principal.subject
        return await self.hit(category, key)

    async def check_login(self, ip: str) -> Decision:
        return await self.hit("login", ip)

    async def hit(self, category: str, key: str) -> Decision:
        item = self.limits[category]
        identifiers = (self.namespace, category, key)
        strategy = self._strategy()
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
        now = time.time()
        wait = max(0, math.ceil(stats.reset_time - now))
        return Decision(
            allowed=allowed,
            limit=item.amount,
            remaining=max(0, stats.remaining),
            reset_after=wait,
            retry_after=max(1, wait),
            category=category,
        )

    def _strategy(self) -> SlidingWindowCounterRateLimiter:
        if self._shared is not None and time.monotonic() >= self._redis_down_until:
            return self._shared
        return self._local

    def _redis_failed(self, exc: Exception) -> None:
        self.metrics.rate_limit_storage_errors.inc()
        self._redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
        now = time.monotonic()
        if now - self._last_warning >= _WARN_EVERY_SECONDS or not self._last_warning:
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


class GatewayRateLimitMiddleware:
    """Rate limits for the gateway's own API (the proxy applies them to the services' routes).

    ``POST /api/v1/auth/token`` counts per client IP against the login limit, before any password is
    checked. Other ``/api/v1/auth`` and ``/api/v1/admin`` calls count per caller like proxied ones;
    ``authenticate`` remembers its answer on the request, so the handler's own call is free, and a
    bad credential is counted as an anonymous call from its IP (its 401 comes from the handler).
    """

    def __init__(self, app: ASGIApp, *, trust_forwarded_for: bool = False) -> None:
        self.app = app
        self.trust_forwarded_for = trust_forwarded_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = _route_path(scope)
        limiter: RateLimiter | None = getattr(scope["app"].state, "ratelimiter", None) if "app" in scope else None
        if limiter is None or not _is_gateway_api(path):
            await self.app(scope, receive, send)
            return
        ip = client_ip(scope, self.trust_forwarded_for)
        if path == LOGIN_PATH and scope["method"] == "POST":
            decision = await limiter.check_login(ip)
        else:
            try:
                principal = await security.authenticate(Request(scope, receive))
            except Exception:
                principal = ANONYMOUS
            decision = await limiter.check(principal, ip)
        if not decision.allowed:
            await send_problem(scope, receive, send, decision.error())
            return
        extra = [(k.lower().encode(), v.encode()) for k, v in decision.headers().items()]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _route_path(scope: Scope) -> str:
    path: str = scope.get("path", "")
    root = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _is_gateway_api(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in GATEWAY_API_PREFIXES)
