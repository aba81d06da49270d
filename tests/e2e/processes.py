"""The real platform as processes: ``python -m kjt run`` on free ports with a temp var dir.

Used by the e2e tests (``tests/e2e/conftest.py``) and the gateway benchmark. ``running_platform``
always stops what it started, even when a test fails: SIGTERM to the runner (which
stops its children), SIGKILL after a grace period, and then a check that every child the runner
announced (``started <name> pid <N>``) is gone, killing and reporting any that is not.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from shared.settings import SERVICES

ROOT = Path(__file__).resolve().parents[2]
ADMIN_EMAIL = "e2e-admin@kjt.jl.gov.cn"
ADMIN_PASSWORD = "E2e-Admin-Passw0rd-2026"
START_TIMEOUT = 45.0
STOP_TIMEOUT = 20.0
STARTED = re.compile(r"^started (\S+)\s+pid (\d+)")
BANNER = "Jilin S&T management platform is ready"


@dataclass
class Platform:
    base_url: str
    service_urls: dict[str, str]
    log: Path
    env: dict[str, str]
    admin_email: str = ADMIN_EMAIL
    admin_password: str = ADMIN_PASSWORD

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def before_banner(self) -> list[str]:
        """The lines ``kjt run`` printed before its banner (the banner's blank first line left out)."""
        lines = self.output().splitlines()
        end = next(i for i, line in enumerate(lines) if BANNER in line)
        return lines[: end - 1] if end and not lines[end - 1].strip() else lines[:end]

    def banner(self) -> str:
        """The banner, from its headline to its last line."""
        text = self.output()
        start = text.index(BANNER)
        return text[start : text.index("Ctrl-C stops every process.", start)]

    def kjt(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a ``kjt`` command against this platform's databases."""
        return subprocess.run(
            [sys.executable, "-m", "kjt", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )


def free_ports(count: int) -> list[int]:
    socks = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            socks.append(sock)
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for sock in socks:
            sock.close()


def child_pids(log: Path) -> dict[str, int]:
    pids = {}
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        match = STARTED.match(line)
        if match:
            pids[match.group(1)] = int(match.group(2))
    return pids


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie is dead for our purposes; only its parent can reap it
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:])


@contextlib.contextmanager
def running_platform(tmp: Path, **extra_env: str) -> Iterator[Platform]:
    """Start the platform under ``tmp`` and stop it on exit; failures are reported with the log's tail."""
    gateway_port, *service_ports = free_ports(1 + len(SERVICES))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KJT_")}
    env.update(
        {
            "KJT_ENV": "development",
            "KJT_VAR_DIR": str(tmp / "var"),
            "KJT_PORT": str(gateway_port),
            "KJT_ADMIN_EMAIL": ADMIN_EMAIL,
            "KJT_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "KJT_INTERNAL_SECRET": "e2e-internal-secret-0123456789abcdef",
            "KJT_JWT_SECRET": "e2e-jwt-secret-0123456789abcdef-0123",
            "KJT_LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **extra_env,
        }
    )
    for name, port in zip(SERVICES, service_ports, strict=True):
        env[f"KJT_{name.upper()}_PORT"] = str(port)
    log = tmp / "platform.log"
    base_url = f"http://127.0.0.1:{gateway_port}"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kjt", "run", "--ready-timeout", str(START_TIMEOUT - 5), "--grace", "8"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    platform = Platform(
        base_url,
        {name: f"http://127.0.0.1:{port}" for name, port in zip(SERVICES, service_ports, strict=True)},
        log,
        env,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        with httpx.Client(timeout=2.0, trust_env=False) as client:
            while True:
                if proc.poll() is not None:
                    pytest.fail(
                        f"kjt run exited with {proc.returncode} before the platform was ready:\n"
                        f"{tail(platform.output())}"
                    )
                try:
                    if client.get(f"{base_url}/readyz").status_code == 200 and "is ready" in platform.output():
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"the platform was not ready within {START_TIMEOUT:.0f} s:\n{tail(platform.output())}")
                time.sleep(0.2)
        yield platform
    finally:
        _stop(proc, platform)


def _stop(proc: subprocess.Popen[bytes], platform: Platform) -> None:
    problems = []
    if proc.poll() is not None:
        if proc.returncode != 0:
            problems.append(f"kjt run had already exited with {proc.returncode}")
    else:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            problems.append(f"kjt run did not stop within {STOP_TIMEOUT:.0f} s of SIGTERM")
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        else:
            if proc.returncode != 0:
                problems.append(f"kjt run exited with {proc.returncode} after SIGTERM (expected 0)")
    deadline = time.monotonic() + 5
    pids = child_pids(platform.log)
    while any(alive(pid) for pid in pids.values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    for name, pid in pids.items():
        if alive(pid):
            problems.append(f"{name} (pid {pid}) was left running")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
    if len(pids) != 1 + len(SERVICES) and not problems:
        problems.append(f"expected six children in the runner's output, found {sorted(pids)}")
    if problems:
        pytest.fail("; ".join(problems) + f"\n{tail(platform.output())}")
