"""``make bench``: run every benchmark under tests/bench/ and print its figures.

Benchmarks measure; they never fail a build on timing. Each ``bench_*.py`` module has an async
``run() -> list[tuple[str, str]]`` returning (figure, value) rows.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import pkgutil
import sys
import time
from pathlib import Path


def main(selected: list[str]) -> int:
    logging.disable(logging.INFO)
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    if selected:
        names = [n for n in names if any(s in n for s in selected)]
    for name in names:
        module = importlib.import_module(f"tests.bench.{name}")
        started = time.perf_counter()
        rows = asyncio.run(module.run())
        print(f"\n## {name} ({time.perf_counter() - started:.1f} s)")
        width = max(len(k) for k, _ in rows)
        for key, value in rows:
            print(f"  {key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
