"""The platform as real processes (``kjt run``): what the gateway adds to a call. SQLite by default;
``KJT_BENCH_DATABASE_URL`` (a PostgreSQL URL whose schemas may be replaced) runs it on PostgreSQL.

Load comes from this same 2-core machine, so figures are conservative: the load generator competes
with the gateway and the service for the CPU.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

import httpx

from tests.bench.harness import fmt_latency, percentiles
from tests.e2e.processes import running_platform

REQUESTS = 2000
CONCURRENCY = 16


async def load(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> tuple[float, dict[str, float]]:
    samples: list[float] = []
    queue = iter(range(REQUESTS))

    async def worker() -> None:
        for _ in queue:
            t0 = time.perf_counter()
            response = await client.get(url, headers=headers)
            samples.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.text

    for _ in range(50):
        await client.get(url, headers=headers)
    started = time.perf_counter()
    await asyncio.gather(*[worker() for _ in range(CONCURRENCY)])
    return REQUESTS / (time.perf_counter() - started), percentiles(samples)


async def run() -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_platform(
            Path(tmp),
            KJT_ACCESS_LOG="false",
            KJT_LOG_LEVEL="WARNING",
            KJT_DEMO="false",
            KJT_RATE_LIMIT_ANONYMOUS="1000000/minute",
            KJT_RATE_LIMIT_USER="1000000/minute",
            KJT_RATE_LIMIT_API_KEY="1000000/minute",
            **({"KJT_DATABASE_URL": url} if (url := os.environ.get("KJT_BENCH_DATABASE_URL")) else {}),
        ) as platform,
    ):
        made = platform.kjt(
            "api-key", "create", "--name", "bench", "--agency", "基准测试", "--scope", "projects:integrity:read"
        )
        assert made.returncode == 0, made.stderr
        api_key = made.stdout.strip().splitlines()[-1]
        limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
        async with httpx.AsyncClient(timeout=10, limits=limits, trust_env=False) as client:
            login = await client.post(
                f"{platform.base_url}/api/v1/auth/token",
                data={"username": platform.admin_email, "password": platform.admin_password},
            )
            assert login.status_code == 200, login.text
            bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
            cases = [
                ("service /healthz, direct", f"{platform.service_urls['projects']}/healthz", {}),
                ("gateway /healthz", f"{platform.base_url}/healthz", {}),
                ("proxied, anonymous (GET /projects/about)", f"{platform.base_url}/api/v1/projects/about", {}),
                ("proxied, API key", f"{platform.base_url}/api/v1/projects/about", {"X-API-Key": api_key}),
                ("proxied, JWT", f"{platform.base_url}/api/v1/projects/about", bearer),
            ]
            for label, url, headers in cases:
                rate, stats = await load(client, url, headers)
                rows.append((label, f"{rate:,.0f} req/s; {fmt_latency(stats)}"))
    database = "PostgreSQL" if "KJT_BENCH_DATABASE_URL" in os.environ else "SQLite"
    rows.append(("load", f"{REQUESTS} requests per row, {CONCURRENCY} concurrent, keep-alive, {database}"))
    return rows
