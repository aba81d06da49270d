"""Small helpers shared by the benchmarks: timing, percentiles, temporary databases."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pick(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    return {"p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99), "mean": statistics.fmean(ordered)}


async def measure(call: Callable[[], Awaitable[Any]], n: int, warmup: int = 20) -> tuple[float, dict[str, float]]:
    """Run ``call`` ``n`` times one after another; return calls per second and latency percentiles (ms)."""
    for _ in range(warmup):
        await call()
    samples: list[float] = []
    started = time.perf_counter()
    for _ in range(n):
        t0 = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    return n / elapsed, percentiles(samples)


def fmt_latency(stats: dict[str, float]) -> str:
    return f"p50 {stats['p50']:.2f} ms, p95 {stats['p95']:.2f} ms, p99 {stats['p99']:.2f} ms"
