"""``kjt run``: migrate every database, start the five services and the gateway as child processes,
wait until the gateway's ``/readyz`` answers, and supervise them until Ctrl-C or SIGTERM.

``kjt`` never imports a service, so the children are named by uvicorn factory strings only.
Each child runs in its own session (process group): a Ctrl-C in the terminal reaches this process
alone, which then stops the children in order; on Linux a child also dies with its parent, so none
is left behind even when this process is killed outright.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import importlib.util
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import IO, ClassVar

import httpx
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from gateway.settings import GatewaySettings
from kjt import startup
from shared.db.engine import database_url_for
from shared.db.migrate import ALL_DATABASES, upgrade
from shared.settings import DEFAULT_PORTS, SERVICES, PlatformSettings, ServiceSettings, url_segment

GRACE_SECONDS = 10.0
READY_TIMEOUT_SECONDS = 60.0
# The demo logs in about a dozen demo people from this machine; the operator's own first logins from the same
# address must still fit the per-address login limit afterwards (the account lockout still stops guessing).
DEMO_LOGIN_LIMIT = "60/minute"
TAIL_LINES = 15
POLL_SECONDS = 0.2
UVICORN_LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


class RunError(Exception):
    """The platform cannot be started; the message says why and what to do."""


# --- what to start -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Child:
    """One process of the platform: the gateway or a service, named by its uvicorn factory."""

    name: str
    module: str
    host: str
    port: int

    @property
    def label(self) -> str:
        return url_segment(self.name)

    @property
    def factory(self) -> str:
        return f"{self.module}:create_app"

    @property
    def url(self) -> str:
        return f"http://{connect_host(self.host)}:{self.port}"


def connect_host(host: str) -> str:
    """The address to reach a server bound to ``host`` (a wildcard bind is reached on loopback)."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - we connect to, not bind, this address
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def port_variable(name: str) -> str:
    return "KJT_PORT" if name == "gateway" else f"KJT_{name.upper()}_PORT"


def port_from_env(name: str, env: Mapping[str, str]) -> int:
    """``KJT_PORT`` for the gateway, ``KJT_<SERVICE>_PORT`` for a service, else DEFAULT_PORTS.

    A service's port deliberately does not fall back to ``KJT_PORT``: that one is the gateway's.
    """
    var = port_variable(name)
    raw = env.get(var, "").strip()
    if not raw:
        return DEFAULT_PORTS[name]
    try:
        port = int(raw)
    except ValueError:
        raise RunError(f"{var}={raw!r} is not a port number") from None
    if not 0 < port < 65536:
        raise RunError(f"{var}={port} is outside 1-65535")
    return port


def plan(host: str = "127.0.0.1", env: Mapping[str, str] | None = None) -> list[Child]:
    """The six processes in start order: services first, the gateway last.

    Services always bind to loopback: they refuse any call that does not carry the gateway's token
    anyway, and nothing outside this machine should need to reach them. ``host`` is the gateway's.
    """
    env = os.environ if env is None else env
    children = [Child(name, f"services.{name}.main", "127.0.0.1", port_from_env(name, env)) for name in SERVICES]
    children.append(Child("gateway", "gateway.main", host, port_from_env("gateway", env)))
    seen: dict[int, str] = {}
    for child in children:
        if child.port in seen:
            raise RunError(
                f"{child.label} and {seen[child.port]} would both listen on port {child.port}; "
                f"set {port_variable(child.name)} to another port"
            )
        seen[child.port] = child.label
    return children


def child_env(children: Sequence[Child], base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of every child: ours, plus where each process listens."""
    env = dict(os.environ if base is None else base)
    services = [c for c in children if c.name != "gateway"]
    gateway = next(c for c in children if c.name == "gateway")
    env["KJT_SERVICE_URLS"] = json.dumps({c.name: c.url for c in services})
    env["KJT_GATEWAY_URL"] = gateway.url
    env["KJT_PORT"] = str(gateway.port)
    for child in services:
        env[port_variable(child.name)] = str(child.port)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def with_demo_headroom(env: Mapping[str, str], *, demo: bool, platform_env: str) -> dict[str, str]:
    """The children's environment with room in the login limit for the demo's logins: only when the demo
    is loaded (never in production) and the operator has not set ``KJT_RATE_LIMIT_LOGIN``."""
    out = dict(env)
    if demo and platform_env != "production" and "KJT_RATE_LIMIT_LOGIN" not in out:
        out["KJT_RATE_LIMIT_LOGIN"] = DEMO_LOGIN_LIMIT
    return out


def verbose(log_level: str) -> bool:
    """``KJT_LOG_LEVEL=debug`` (or trace): every line of every process, on the console."""
    return log_level.strip().lower() in ("debug", "trace")


def uvicorn_command(child: Child, log_level: str = "info", python: str | None = None) -> list[str]:
    level = log_level.strip().lower()
    level = {"warn": "warning", "fatal": "critical"}.get(level, level)
    if level not in UVICORN_LOG_LEVELS:
        level = "info"
    # uvicorn's own lines (started, running on, shutting down) and its access log only at debug: the runner
    # announces each process itself, and the gateway logs one line per request (kjt.access). Its warnings
    # and errors (a port taken, an app that cannot be imported) always show.
    uvicorn_level = level if verbose(level) or level in ("warning", "error", "critical") else "warning"
    # uvloop and httptools come with uvicorn[standard] but not on every platform (no uvloop on Windows).
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return [
        python or sys.executable,
        "-m",
        "uvicorn",
        child.factory,
        "--factory",
        "--host",
        child.host,
        "--port",
        str(child.port),
        "--loop",
        loop,
        "--http",
        http,
        *([] if verbose(level) else ["--no-access-log"]),
        "--log-level",
        uvicorn_level,
        "--timeout-graceful-shutdown",
        "5",
    ]


def port_in_use(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


# --- migrations ----------------------------------------------------------------------------------


def database_settings(name: str) -> PlatformSettings:
    """The settings a process reads for its database: a service's ``KJT_<SERVICE>_`` variables
    first, then the platform-wide ones, exactly as the service itself resolves them."""
    if name == "gateway":
        return PlatformSettings()

    class _ServiceDatabase(ServiceSettings):
        service_name: ClassVar[str] = name
        model_config = SettingsConfigDict(env_prefix=f"KJT_{name.upper()}_", extra="ignore")

    return _ServiceDatabase()


def describe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def migrate_databases(names: Iterable[str] | None = None, echo: Callable[[str], None] = print) -> None:
    """Upgrade each named database (default: all six) to its newest migration.

    On PostgreSQL each one lives in its own schema, created if missing, with its version table inside.
    """
    chosen = list(names or ALL_DATABASES)
    unknown = [n for n in chosen if n not in ALL_DATABASES]
    if unknown:
        raise RunError(f"no database named {', '.join(unknown)}; the databases are {', '.join(ALL_DATABASES)}")
    for name in chosen:
        try:
            settings = database_settings(name)
        except ValidationError as exc:
            raise RunError(f"the settings of {name} are invalid: {exc}") from exc
        url = database_url_for(name, settings.database_url, settings.var_dir)
        try:
            upgrade(name, settings.database_url, settings.var_dir)
        except Exception as exc:
            raise RunError(f"migrating {name} ({describe_url(url)}) failed: {type(exc).__name__}: {exc}") from exc
        echo(f"migrated {name:<16} -> head   {describe_url(url)}")


# --- supervision ---------------------------------------------------------------------------------


def _parent_death_signal() -> Callable[[], None] | None:
    """A ``preexec_fn`` that makes the child receive SIGTERM when this process dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGTERM))
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


class ChildDied(RunError):
    def __init__(self, label: str, code: int | None, tail: Sequence[str]) -> None:
        self.label, self.code, self.tail = label, code, list(tail)
        lines = "\n".join(f"    {line}" for line in self.tail) or "    (no output)"
        killed = code is not None and code < 0
        how = f"was killed by {signal.Signals(-(code or 0)).name}" if killed else f"exited with code {code}"
        super().__init__(f"{label} {how}; the last lines of its output:\n{lines}")


class Supervisor:
    """Starts the children, copies their output to ours with a name prefix, and stops them."""

    def __init__(
        self,
        children: Sequence[Child],
        env: Mapping[str, str],
        *,
        log_level: str = "info",
        out: IO[str] | None = None,
        fold_requests: str | None = None,
    ) -> None:
        self.children = list(children)
        self.env = dict(env)
        self.log_level = log_level
        self.out = out or sys.stdout
        # The access lines of requests whose X-Request-ID starts with this (the demo's) are kept for a dead
        # child's report but not copied to the console: the demo's summary counts them.
        self.fold = f'"request_id": "{fold_requests}' if fold_requests else None
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.tails: dict[str, collections.deque[str]] = {
            c.label: collections.deque(maxlen=TAIL_LINES) for c in self.children
        }
        self.readers: list[threading.Thread] = []
        self.stopping = False
        self._write_lock = threading.Lock()
        self._width = max(len(c.label) for c in self.children)

    def say(self, text: str) -> None:
        with self._write_lock:
            self.out.write(text + "\n")
            self.out.flush()

    def start(self) -> None:
        preexec = _parent_death_signal()
        # Spawn all before starting any reader thread: preexec_fn is only safe without other threads.
        for child in self.children:
            cmd = uvicorn_command(child, self.log_level)
            proc = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
                cmd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=preexec,
            )
            self.procs[child.label] = proc
            self.say(f"started {child.label:<{self._width}} pid {proc.pid:<7} {child.factory} on {child.url}")
        for label, proc in self.procs.items():
            thread = threading.Thread(target=self._pump, args=(label, proc), name=f"kjt-out-{label}", daemon=True)
            thread.start()
            self.readers.append(thread)

    def _pump(self, label: str, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        tail = self.tails[label]
        for raw in iter(proc.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            tail.append(line)
            if self.fold and line.startswith("{") and self.fold in line:
                continue
            self.say(f"{label:<{self._width}} | {line}")
        proc.stdout.close()

    def first_dead(self) -> ChildDied | None:
        for label, proc in self.procs.items():
            code = proc.poll()
            if code is not None:
                # Let the reader drain what the child wrote last: that is usually the reason.
                for thread in self.readers:
                    if thread.name == f"kjt-out-{label}":
                        thread.join(timeout=2)
                return ChildDied(label, code, list(self.tails[label]))
        return None

    def stop(self, grace: float = GRACE_SECONDS) -> None:
        """SIGTERM to every child's process group (the gateway first), SIGKILL after ``grace``."""
        self.stopping = True
        order = sorted(self.procs.items(), key=lambda item: item[0] != "gateway")
        for _label, proc in order:
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for label, proc in order:
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say(f"{label} did not stop within {grace:.0f} s; killing it")
                _signal_group(proc, signal.SIGKILL)
                proc.wait()
        for thread in self.readers:
            thread.join(timeout=2)


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)


# --- the command ---------------------------------------------------------------------------------


class _StopFlag:
    """Set by SIGINT/SIGTERM. A plain attribute: a signal handler must not take locks."""

    def __init__(self) -> None:
        self.signal: int | None = None

    def __call__(self, signum: int, _frame: FrameType | None) -> None:
        self.signal = signum

    def __bool__(self) -> bool:
        return self.signal is not None


def wait_ready(sup: Supervisor, url: str, timeout: float, stop: _StopFlag) -> bool:
    """Poll ``url`` until it answers 200 (True), a signal arrives (False), a child dies or time runs out."""
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        while not stop:
            died = sup.first_dead()
            if died:
                raise died
            try:
                answer = client.get(url)
                if answer.status_code == 200:
                    return True
                last = f"{answer.status_code} {answer.text[:800]}"
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}: {exc}"
            if time.monotonic() > deadline:
                raise RunError(f"the platform was not ready within {timeout:.0f} s; GET {url} last answered: {last}")
            time.sleep(POLL_SECONDS)
    return False


def banner(
    children: Sequence[Child],
    accounts: startup.Accounts,
    admin_email: str,
    demo: startup.DemoOutcome | None = None,
    cors: str | None = None,
) -> str:
    """What is true once the platform answers: where it is, the browser origins it answers (``cors``, the
    gateway's ``cors_summary()``), the administrators that exist (from the gateway's database), and whether
    the demo data loaded, and if not, why and what to do."""
    gateway = next(c for c in children if c.name == "gateway")
    base = gateway.url
    rows = [
        ("gateway", base),
        ("Swagger UI", f"{base}/docs"),
        ("ReDoc", f"{base}/redoc"),
        ("OpenAPI", f"{base}/openapi.json"),
        ("metrics", f"{base}/metrics"),
        ("readiness", f"{base}/readyz"),
    ]
    rows += [
        (c.label, f"{c.url}   (internal; public at {base}/api/v1/{c.label})") for c in children if c.name != "gateway"
    ]
    lines = ["", "吉林省科学技术厅 科技管理平台 / Jilin S&T management platform is ready", ""]
    lines += [f"  {name:<16} {url}" for name, url in rows]
    lines.append("")
    if cors is not None:
        lines += _block("CORS", [cors])
    lines += _block("administrator", _admin_lines(accounts, admin_email))
    if demo is not None:
        lines += _block("demo data", [demo.headline])
        lines += _block("to load it", demo.fixes, joiner="or ")
        lines += _block("demo accounts", demo.lines)
    lines += ["", "  Ctrl-C stops every process.", ""]
    return "\n".join(lines)


def _block(title: str, entries: Sequence[str], joiner: str = "") -> list[str]:
    """``title`` beside the first entry, the others below it (each after ``joiner``)."""
    return [f"  {title if i == 0 else '':<16} {joiner if i else ''}{entry}".rstrip() for i, entry in enumerate(entries)]


def _admin_lines(accounts: startup.Accounts, admin_email: str) -> list[str]:
    if accounts.error:
        return [f"unknown: the gateway's database could not be read ({accounts.error})"]
    if not accounts.admins:
        return ["none is active: .venv/bin/kjt create-admin --email <e-mail> makes one"]
    out = [admin.describe() for admin in accounts.admins]
    if accounts.total > len(accounts.admins):
        out.append(f"and {accounts.total - len(accounts.admins)} more")
    email = admin_email.strip().lower()
    if accounts.total == len(accounts.admins) and all(a.email != email for a in accounts.admins):
        out.append(
            f"(not KJT_ADMIN_EMAIL={email}: the gateway creates its first administrator only in an empty database)"
        )
    return out


def load_demo(
    settings: GatewaySettings,
    gateway_url: str,
    say: Callable[[str], None],
    accounts: startup.Accounts,
    request_id_prefix: str = "kjt-demo-",
) -> startup.DemoOutcome:
    """Load the demo data (kjt.demo) through the gateway, unless its login cannot work. A failure is
    reported in the banner, with its reason and the fix, not fatal: the platform itself is up."""
    from kjt import demo

    if settings.env == "production":
        return startup.DemoOutcome(False, "never loaded in production (KJT_ENV=production)")
    if accounts.demo_login:
        why = f"NOT LOADED: {accounts.demo_login}, so the demo cannot log in"
        say(f"kjt run: the demo data was not loaded: {accounts.demo_login}")
        return startup.DemoOutcome(False, why, fixes=accounts.fixes)
    say("kjt run: loading the demo data through the gateway")
    try:
        report = demo.load(
            gateway_url,
            admin_email=settings.admin_email,
            admin_password=settings.admin_password,
            env=settings.env,
            echo=say,
            request_id_prefix=request_id_prefix,
        )
    except demo.SeedError as exc:
        say(f"kjt run: the demo data was not loaded: {exc}")
        reason = str(exc) if len(str(exc)) <= 300 else str(exc)[:300] + "..."
        fixes = [
            "see the kjt run line above; `make seed` tries again while the platform runs",
            *startup.afresh(settings),
        ]
        return startup.DemoOutcome(False, f"NOT LOADED: {reason}", fixes=fixes)
    say(f"kjt run: {report.message} ({report.requests} requests through the gateway)")
    accounts_lines = [f"password {demo.DEMO_PASSWORD}"] + [f"{email:<36} {roles}" for email, roles in report.accounts]
    headline = (
        "loaded now (the kjt run line above says what)" if report.loaded else "already loaded by an earlier start"
    )
    return startup.DemoOutcome(True, headline, lines=accounts_lines)


def run(
    *,
    host: str = "127.0.0.1",
    migrate: bool = True,
    demo: bool = True,
    ready_timeout: float = READY_TIMEOUT_SECONDS,
    grace: float = GRACE_SECONDS,
    out: IO[str] | None = None,
) -> int:
    """Run the platform in the foreground. Returns 0 after Ctrl-C/SIGTERM, non-zero on failure."""
    out = out or sys.stdout
    err = sys.stderr if out is sys.stdout else out

    def say(text: str, stream: IO[str] = out) -> None:
        stream.write(text + "\n")
        stream.flush()

    def fail(message: str) -> int:
        say(f"kjt run: {message}", err)
        return 1

    try:
        settings = GatewaySettings()
        children = plan(host)
    except (ValidationError, RunError) as exc:
        return fail(str(exc))
    busy = [c for c in children if port_in_use(c.host, c.port)]
    if busy:
        names = ", ".join(f"{c.port} ({c.label}, {port_variable(c.name)})" for c in busy)
        return fail(
            f"port already in use: {names}. Is the platform already running? "
            "Stop it, or choose other ports with the variables named."
        )
    try:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        if migrate:
            say(
                f"migrating the databases under {settings.var_dir.resolve()}"
                if not settings.database_url
                else "migrating the databases"
            )
            migrate_databases(echo=say)
    except (OSError, RunError) as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        # No child runs yet; a migration's own transaction has been rolled back.
        say("kjt run: interrupted while migrating; nothing was started", err)
        return 130

    stop = _StopFlag()
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    env = with_demo_headroom(child_env(children), demo=demo, platform_env=settings.env)
    # This run's demo requests, by their X-Request-ID: their access lines are counted, not listed (unless debug).
    demo_requests = f"kjt-demo-{secrets.token_hex(3)}-"
    fold = None if verbose(settings.log_level) else demo_requests
    sup = Supervisor(children, env, log_level=settings.log_level, out=out, fold_requests=fold)
    stopped = False
    try:
        sup.start()
        if not wait_ready(sup, f"{children[-1].url}/readyz", ready_timeout, stop):
            return 0
        accounts = startup.read_accounts(settings)
        outcome = (
            load_demo(settings, children[-1].url, say, accounts, demo_requests)
            if demo
            else startup.DemoOutcome(False, "not loaded (--no-demo or KJT_DEMO=false)")
        )
        say(banner(children, accounts, settings.admin_email, outcome, cors=settings.cors_summary()))
        while not stop:
            died = sup.first_dead()
            if died:
                return fail(f"{died}\nstopping the other processes.")
            time.sleep(POLL_SECONDS)
        say(f"kjt run: {signal.Signals(stop.signal or signal.SIGINT).name} received, stopping every process")
        stopped = True
        return 0
    except (RunError, OSError) as exc:
        return fail(str(exc))
    finally:
        sup.stop(grace)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if stopped:
            say("kjt run: every process has stopped")
