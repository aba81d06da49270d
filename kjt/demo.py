"""The demo data `kjt seed` and `kjt run` load: what the services' demos share (the organisations, one
account per role, their logins, the HTTP helper) and the order in which each service's own demo
(``services/<name>/demo.py``, a ``load(demo: shared.demo.Demo)``) is loaded.

Everything goes through the public API with the credentials a real user would hold: the
administrator registers the organisations and accounts here, then each service's demo sets up its
own data as its people would. ``kjt`` imports no service, so the demos are found by module name.
Idempotent: organisations and accounts are matched by USCC and e-mail, and each service's demo skips
what an earlier run loaded. Development only: refused when ``KJT_ENV=production`` unless forced.

The USCCs are invented (with valid check characters, ID-1); the names of real institutions are used
for realism only. Every demo account has the password ``DEMO_PASSWORD``.
"""

from __future__ import annotations

import asyncio
import importlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from stdnum.cn import uscc

from gateway.accounts.bootstrap import DEVELOPMENT_ADMIN_PASSWORD
from shared.demo import Demo, DemoOrg, DemoResult, DemoUser, Headers
from shared.validators import validate_uscc
from shared.workdays import SHANGHAI

DEMO_PASSWORD = "Kjt-Demo-2026!"  # development only; printed by `kjt seed` and in README.md
DEMO_DOMAIN = "demo.kjt.jl.gov.cn"
MAX_RATE_LIMIT_WAIT = 65.0
# Every request of the demo carries an X-Request-ID that starts so: its lines in the logs say whose they are
# (`kjt run` folds them into a count on its console unless KJT_LOG_LEVEL=debug).
REQUEST_ID_PREFIX = "kjt-demo-"
# The services whose demo is loaded, in this order: the foundation's applicants are checked against the
# limits ledger the projects service keeps, so the projects demo comes first.
SERVICE_DEMOS = ("projects", "foundation", "foreign_experts", "talent")


class SeedError(Exception):
    """The demo could not be loaded; the message names the call that failed and the answer."""


class SeedRefused(SeedError):
    """Seeding a production platform without ``force``."""


def with_uscc_check(body: str) -> str:
    """A 17-character USCC body completed with its check character (GB 32100, ID-1)."""
    return validate_uscc(body + uscc.calc_check_digit(body))


def email(user_key: str) -> str:
    return f"{user_key}@{DEMO_DOMAIN}"


ORGS = (
    DemoOrg("kjt", "吉林省科学技术厅", "government", with_uscc_check("11220000013544357")),
    DemoOrg("agency", "吉林省科技项目管理专业机构（演示）", "agency", with_uscc_check("12220000MA0000011")),
    DemoOrg("jlu", "吉林大学", "university", with_uscc_check("12220104412755001")),
    DemoOrg(
        "ciomp", "中国科学院长春光学精密机械与物理研究所", "research_institute", with_uscc_check("12220100412755002")
    ),
    DemoOrg("faw", "中国第一汽车集团有限公司", "enterprise", with_uscc_check("91220106123456780")),
    DemoOrg("ybu", "延边大学", "university", with_uscc_check("12222401412755003")),
    DemoOrg("jlcf", "吉林化纤集团有限责任公司", "enterprise", with_uscc_check("91220201124456001")),
)

USERS = (
    DemoUser("official", "刘处长（科技厅计划处）", ("official",), "kjt"),
    DemoUser("auditor", "孙审计（科技厅监督处）", ("auditor",), "kjt"),
    DemoUser("agency", "陈主管（项目管理专业机构）", ("agency",), "agency"),
    DemoUser("jlu.admin", "吉林大学科研院", ("org_admin",), "jlu"),
    DemoUser("jlu.applicant", "王晓明（吉林大学）", ("applicant",), "jlu"),
    DemoUser("ciomp.admin", "长春光机所科技处", ("org_admin",), "ciomp"),
    DemoUser("ciomp.applicant", "李光华（长春光机所）", ("applicant",), "ciomp"),
    DemoUser("faw.admin", "一汽研发总院科技管理部", ("org_admin",), "faw"),
    DemoUser("faw.applicant", "赵志强（中国一汽）", ("applicant",), "faw"),
    DemoUser("jlcf.applicant", "孙丽（吉林化纤人力资源部）", ("applicant",), "jlcf"),
    DemoUser("reviewer.zhang", "张立群（评审专家）", ("reviewer",), "jlu"),
    DemoUser("reviewer.zhou", "周明远（评审专家）", ("reviewer",), "ciomp"),
    DemoUser("reviewer.jin", "金哲（评审专家）", ("reviewer",), "ybu"),
)


@dataclass
class SeedReport:
    loaded: bool
    message: str
    accounts: list[tuple[str, str]] = field(default_factory=list)  # (e-mail, roles)
    created: dict[str, int] = field(default_factory=dict)
    requests: int = 0  # sent through the gateway (set by ``load``)

    def lines(self) -> list[str]:
        out = [self.message]
        if self.accounts:
            out.append(f"demo accounts (password {DEMO_PASSWORD}):")
            out += [f"  {address:<36} {roles}" for address, roles in self.accounts]
        return out


class Api:
    """A thin caller of the public API (``shared.demo.DemoApi``): tokens per person, problems turned
    into ``SeedError``."""

    def __init__(self, client: httpx.AsyncClient, sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> None:
        self.client = client
        self.sleep = sleep
        self.tokens: dict[str, str] = {}

    async def send(
        self, method: str, url: str, *, expect: tuple[int, ...] = (200, 201), **kwargs: Any
    ) -> httpx.Response:
        waited = 0.0
        while True:
            answer = await self.client.request(method, url, **kwargs)
            if answer.status_code != 429:
                break
            # The login limit counts per address; wait as the gateway asks rather than fail.
            delay = float(answer.headers.get("retry-after", "5"))
            if waited + delay > MAX_RATE_LIMIT_WAIT:
                break
            waited += delay
            await self.sleep(delay)
        if answer.status_code not in expect:
            raise SeedError(f"{method} {url} answered {answer.status_code}: {answer.text[:500]}")
        return answer

    async def login(self, address: str, password: str) -> Headers:
        if address not in self.tokens:
            answer = await self.send(
                "POST", "/api/v1/auth/token", data={"username": address, "password": password}, expect=(200,)
            )
            self.tokens[address] = answer.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[address]}"}

    async def all_pages(self, url: str, auth: Headers) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
            page = (await self.send("GET", url, params=params, headers=auth)).json()
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return items


async def register(api: Api, admin: Headers) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """The demo organisations and accounts, created unless they exist: their ids by key, and the counts created."""
    created = {"organizations": 0, "users": 0}
    by_uscc = {o["uscc"]: o["id"] for o in await api.all_pages("/api/v1/admin/organizations", admin)}
    for org in ORGS:
        if org.uscc not in by_uscc:
            body: dict[str, Any] = {"name": org.name, "kind": org.kind, "uscc": org.uscc}
            by_uscc[org.uscc] = (
                await api.send("POST", "/api/v1/admin/organizations", json=body, headers=admin)
            ).json()["id"]
            created["organizations"] += 1
    org_ids = {o.key: by_uscc[o.uscc] for o in ORGS}

    by_email = {u["email"]: u["id"] for u in await api.all_pages("/api/v1/admin/users", admin)}
    for user in USERS:
        if email(user.key) not in by_email:
            body = {
                "email": email(user.key),
                "display_name": user.display_name,
                "roles": list(user.roles),
                "organization_id": org_ids[user.org],
                "password": DEMO_PASSWORD,
            }
            by_email[email(user.key)] = (
                await api.send("POST", "/api/v1/admin/users", json=body, headers=admin)
            ).json()["id"]
            created["users"] += 1
    return org_ids, {u.key: by_email[email(u.key)] for u in USERS}, created


def _refuse_production(env: str, force: bool) -> None:
    if env == "production" and not force:
        raise SeedRefused(
            "refusing to load demo data into a production platform (KJT_ENV=production); "
            "pass --force if you really mean it"
        )


async def load_service_demo(name: str, demo: Demo) -> DemoResult:
    """``services/<name>/demo.py``'s ``load``, found by name: kjt imports no service."""
    module = importlib.import_module(f"services.{name}.demo")
    load: Callable[[Demo], Awaitable[DemoResult]] = module.load
    return await load(demo)


async def seed(
    client: httpx.AsyncClient,
    *,
    admin_email: str,
    admin_password: str | None,
    env: str = "development",
    force: bool = False,
    now: datetime | None = None,
    echo: Callable[[str], None] = lambda _: None,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> SeedReport:
    """Load the demo through ``client`` (based at the gateway). Returns what was done."""
    _refuse_production(env, force)
    api = Api(client, sleep)
    admin = await api.login(admin_email, admin_password or DEVELOPMENT_ADMIN_PASSWORD)
    org_ids, user_ids, created = await register(api, admin)
    accounts = [(email(u.key), ",".join(u.roles)) for u in USERS]

    async def login(user_key: str) -> Headers:
        return await api.login(email(user_key), DEMO_PASSWORD)

    demo = Demo(
        api=api,
        login=login,
        now=now or datetime.now(SHANGHAI),
        orgs={o.key: o for o in ORGS},
        users={u.key: u for u in USERS},
        org_ids=org_ids,
        user_ids=user_ids,
        echo=echo,
    )
    results = [await load_service_demo(name, demo) for name in SERVICE_DEMOS]
    if not any(r.loaded for r in results):
        skipped = "; ".join(r.summary for r in results)
        return SeedReport(False, f"demo data already loaded ({skipped}); nothing to do", accounts, created)
    first, *rest = results
    return SeedReport(
        True,
        "; ".join(
            [
                f"demo data loaded: {first.summary}, {created['organizations']} organisations and "
                f"{created['users']} accounts created",
                *(r.summary for r in rest),
            ]
        ),
        accounts,
        created,
    )


def load(
    base_url: str,
    *,
    admin_email: str,
    admin_password: str | None,
    env: str,
    force: bool = False,
    echo: Callable[[str], None] = lambda _: None,
    timeout: float = 30.0,
    request_id_prefix: str = REQUEST_ID_PREFIX,
) -> SeedReport:
    """``seed`` against the gateway at ``base_url`` (what `kjt seed` and `kjt run` call); each request's
    X-Request-ID starts with ``request_id_prefix``."""
    _refuse_production(env, force)  # before any connection, so the refusal is the answer
    sent = 0

    async def mark(request: httpx.Request) -> None:
        nonlocal sent
        sent += 1
        request.headers["X-Request-ID"] = f"{request_id_prefix}{uuid.uuid4().hex}"

    async def go() -> SeedReport:
        async with httpx.AsyncClient(
            base_url=base_url, timeout=timeout, trust_env=False, event_hooks={"request": [mark]}
        ) as client:
            report = await seed(
                client, admin_email=admin_email, admin_password=admin_password, env=env, force=force, echo=echo
            )
        report.requests = sent
        return report

    try:
        return asyncio.run(go())
    except httpx.HTTPError as exc:
        raise SeedError(f"cannot reach the gateway at {base_url}: {type(exc).__name__}: {exc}") from exc
