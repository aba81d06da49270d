"""The demo data `kjt seed` and `kjt run` load: realistic organisations, one account per role,
programmes of the provincial S&T development plan, open calls with topics, reviewers in the pool and
applications in several states; the natural science foundation's plan and applications
(``gateway.seed_foundation``); the Foreign Experts Bureau's employers and work-permit applications
(``gateway.seed_foreign_experts``).

Everything goes through the public API with the credentials a real user would hold (ARCHITECTURE
rule 2: the gateway imports no service): the administrator registers organisations and accounts,
the official sets up programmes, calls and the reviewer pool, applicants apply, the organisations'
administrators endorse, the entrusted agency accepts. Idempotent: organisations and accounts are
matched by USCC and e-mail, and once the marker programme exists the rest is skipped. Development
only: refused when ``KJT_ENV=production`` unless forced.

The USCCs and ID numbers are invented (with valid check characters, ID-1 and ID-2); the names of
real institutions are used for realism only. Every demo account has the password ``DEMO_PASSWORD``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import httpx
from stdnum.cn import ric, uscc

from gateway.accounts.bootstrap import DEVELOPMENT_ADMIN_PASSWORD
from gateway.seed_foreign_experts import seed_foreign_experts
from gateway.seed_foundation import seed_foundation
from shared.validators import validate_resident_id, validate_uscc
from shared.workdays import SHANGHAI, today_shanghai

DEMO_PASSWORD = "Kjt-Demo-2026!"  # development only; printed by `kjt seed` and in README.md
DEMO_DOMAIN = "demo.kjt.jl.gov.cn"
MARKER_PREFIX = "JLKJ-DEMO"  # the marker programme's code is f"{MARKER_PREFIX}-{year}-ZDYF"
MAX_RATE_LIMIT_WAIT = 65.0


class SeedError(Exception):
    """The demo could not be loaded; the message names the call that failed and the answer."""


class SeedRefused(SeedError):
    """Seeding a production platform without ``force``."""


def with_uscc_check(body: str) -> str:
    """A 17-character USCC body completed with its check character (GB 32100, ID-1)."""
    return validate_uscc(body + uscc.calc_check_digit(body))


def resident_id(region: str, birth: date, seq: str) -> str:
    """A resident ID number with its check digit (GB 11643, ID-2); ``seq`` odd for men."""
    body = f"{region}{birth:%Y%m%d}{seq}"
    return validate_resident_id(body + ric.calc_check_digit(body + "0"))


# --- the data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoOrg:
    key: str
    name: str
    kind: str
    uscc: str


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


@dataclass(frozen=True)
class DemoUser:
    key: str
    display_name: str
    roles: tuple[str, ...]
    org: str

    @property
    def email(self) -> str:
        return f"{self.key}@{DEMO_DOMAIN}"


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

REVIEWERS = (  # (user key, ID number, title, discipline codes, keywords)
    (
        "reviewer.zhang",
        resident_id("220104", date(1968, 4, 12), "031"),
        "教授",
        ["D01", "C13"],
        ["黑土地", "土壤学", "农业工程"],
    ),
    (
        "reviewer.zhou",
        resident_id("220102", date(1972, 9, 3), "057"),
        "研究员",
        ["F05", "E05"],
        ["光学工程", "精密制造", "空间光学"],
    ),
    (
        "reviewer.jin",
        resident_id("222401", date(1975, 1, 20), "083"),
        "教授",
        ["E05", "F03"],
        ["汽车工程", "智能网联", "新能源汽车"],
    ),
)


def programmes(year: int) -> list[dict[str, Any]]:
    return [
        {
            "code": f"{MARKER_PREFIX}-{year}-ZDYF",
            "name": f"{year}年度吉林省科技发展计划 重点研发项目",
            "year": year,
            "budget": "80000000.00",
            "max_project_budget": "2000000.00",
            "max_duration_months": 36,
            "description": "围绕黑土地保护、光电信息、汽车产业等重点领域组织关键核心技术攻关（演示数据）。",
        },
        {
            "code": f"{MARKER_PREFIX}-{year}-CGZH",
            "name": f"{year}年度吉林省科技发展计划 科技成果转化项目",
            "year": year,
            "budget": "30000000.00",
            "max_project_budget": "1000000.00",
            "max_duration_months": 24,
            "description": "支持高校院所科技成果在省内转移转化和中试熟化（演示数据）。",
        },
    ]


GUIDE_TERMS = "申报单位须为在吉林省内注册的高校、科研院所或企业；企业申报须自筹资金不低于申请资金。"
CALL_TOPICS = (
    [
        {"code": "T01", "title": "黑土地保护与利用关键技术", "budget_cap": "2000000.00"},
        {"code": "T02", "title": "光电信息与高端光学制造", "budget_cap": "2000000.00"},
        {"code": "T03", "title": "新能源汽车与智能网联关键技术", "budget_cap": "2000000.00"},
    ],
    [
        {"code": "C01", "title": "生物医药与长白山特色资源成果转化", "budget_cap": "1000000.00"},
        {"code": "C02", "title": "先进材料中试熟化", "budget_cap": "1000000.00"},
    ],
)


@dataclass(frozen=True)
class DemoApplication:
    applicant: str  # user key
    org: str
    programme: int  # index into programmes()
    topic: str
    title: str
    abstract: str
    keywords: tuple[str, ...]
    leader: tuple[str, str, str]  # name, ID number, title
    requested: str
    self_raised: str
    months: int
    # actions after creation, each by a user key: the state the demo shows
    steps: tuple[tuple[str, str], ...]


APPLICATIONS = (
    DemoApplication(
        "jlu.applicant",
        "jlu",
        0,
        "T01",
        "黑土地保育与地力提升关键技术研究与示范",
        "研究黑土地退化机理，集成秸秆还田与保护性耕作技术，在长春、四平建立示范区并评价地力提升效果。",
        ("黑土地", "保护性耕作", "地力提升"),
        ("王晓明", resident_id("220104", date(1978, 5, 17), "015"), "教授"),
        "1500000.00",
        "300000.00",
        36,
        (("submit", "jlu.applicant"), ("endorse", "jlu.admin"), ("accept", "agency"), ("start-review", "agency")),
    ),
    DemoApplication(
        "ciomp.applicant",
        "ciomp",
        0,
        "T02",
        "大口径空间光学反射镜超精密制造技术",
        "突破大口径碳化硅反射镜的轻量化设计、超精密加工与检测技术，形成工程化制造能力。",
        ("空间光学", "超精密加工", "碳化硅"),
        ("李光华", resident_id("220102", date(1982, 11, 8), "037"), "研究员"),
        "1800000.00",
        "500000.00",
        36,
        (("submit", "ciomp.applicant"), ("endorse", "ciomp.admin"), ("accept", "agency")),
    ),
    DemoApplication(
        "faw.applicant",
        "faw",
        0,
        "T03",
        "智能网联汽车线控底盘关键技术研发与应用",
        "研发线控转向与线控制动系统及其冗余控制策略，完成整车集成验证并在红旗车型上应用。",
        ("线控底盘", "智能网联汽车", "冗余控制"),
        ("赵志强", resident_id("220106", date(1980, 2, 26), "059"), "正高级工程师"),
        "2000000.00",
        "4000000.00",
        36,
        (("submit", "faw.applicant"),),
    ),
    DemoApplication(
        "jlu.applicant",
        "jlu",
        1,
        "C01",
        "人参皂苷Rg3新型制剂成果转化与产业化",
        "将人参皂苷 Rg3 新型制剂技术在省内企业转化，完成中试放大、质量标准和注册申报准备。",
        ("人参皂苷", "成果转化", "中试"),
        ("刘佳", resident_id("220104", date(1985, 7, 30), "022"), "副教授"),
        "800000.00",
        "200000.00",
        24,
        (("submit", "jlu.applicant"), ("endorse", "jlu.admin")),
    ),
    DemoApplication(
        "ciomp.applicant",
        "ciomp",
        1,
        "C02",
        "高性能碳纤维复合材料光学支撑结构中试",
        "面向航天光学载荷，开展碳纤维复合材料支撑结构的中试熟化与批量化工艺验证（草稿）。",
        ("碳纤维", "复合材料", "中试熟化"),
        ("何宇", resident_id("220102", date(1988, 3, 14), "071"), "副研究员"),
        "600000.00",
        "100000.00",
        24,
        (),
    ),
)


# --- the run -------------------------------------------------------------------------------------


@dataclass
class SeedReport:
    loaded: bool
    message: str
    accounts: list[tuple[str, str]] = field(default_factory=list)  # (e-mail, roles)
    created: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [self.message]
        if self.accounts:
            out.append(f"demo accounts (password {DEMO_PASSWORD}):")
            out += [f"  {email:<36} {roles}" for email, roles in self.accounts]
        return out


class Api:
    """A thin caller of the public API: tokens per person, problems turned into ``SeedError``."""

    def __init__(self, client: httpx.AsyncClient, sleep: Callable[[float], Any] = asyncio.sleep) -> None:
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

    async def login(self, email: str, password: str) -> dict[str, str]:
        if email not in self.tokens:
            answer = await self.send(
                "POST", "/api/v1/auth/token", data={"username": email, "password": password}, expect=(200,)
            )
            self.tokens[email] = answer.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[email]}"}

    async def all_pages(self, url: str, auth: dict[str, str]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
            page = (await self.send("GET", url, params=params, headers=auth)).json()
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return items


async def seed(
    client: httpx.AsyncClient,
    *,
    admin_email: str,
    admin_password: str | None,
    env: str = "development",
    force: bool = False,
    now: datetime | None = None,
    echo: Callable[[str], None] = lambda _: None,
    sleep: Callable[[float], Any] = asyncio.sleep,
) -> SeedReport:
    """Load the demo through ``client`` (based at the gateway). Returns what was done."""
    if env == "production" and not force:
        raise SeedRefused(
            "refusing to load demo data into a production platform (KJT_ENV=production); "
            "pass --force if you really mean it"
        )
    api = Api(client, sleep)
    now = now or datetime.now(SHANGHAI)
    year = today_shanghai(now).year
    accounts = [(u.email, ",".join(u.roles)) for u in USERS]
    admin = await api.login(admin_email, admin_password or DEVELOPMENT_ADMIN_PASSWORD)
    created = {"organizations": 0, "users": 0}

    org_ids: dict[str, int] = {o["uscc"]: o["id"] for o in await api.all_pages("/api/v1/admin/organizations", admin)}
    for org in ORGS:
        if org.uscc not in org_ids:
            body: dict[str, Any] = {"name": org.name, "kind": org.kind, "uscc": org.uscc}
            org_ids[org.uscc] = (
                await api.send("POST", "/api/v1/admin/organizations", json=body, headers=admin)
            ).json()["id"]
            created["organizations"] += 1
    org_id = {o.key: org_ids[o.uscc] for o in ORGS}

    user_ids: dict[str, int] = {u["email"]: u["id"] for u in await api.all_pages("/api/v1/admin/users", admin)}
    for user in USERS:
        if user.email not in user_ids:
            body = {
                "email": user.email,
                "display_name": user.display_name,
                "roles": list(user.roles),
                "organization_id": org_id[user.org],
                "password": DEMO_PASSWORD,
            }
            user_ids[user.email] = (await api.send("POST", "/api/v1/admin/users", json=body, headers=admin)).json()[
                "id"
            ]
            created["users"] += 1

    async def as_(key: str) -> dict[str, str]:
        return await api.login(f"{key}@{DEMO_DOMAIN}", DEMO_PASSWORD)

    official = await as_("official")
    plans = programmes(year)
    existing = {p["code"]: p for p in await api.all_pages("/api/v1/projects/programmes", official)}
    if plans[0]["code"] in existing:
        return SeedReport(
            False, f"demo data already loaded (programme {plans[0]['code']} exists); nothing to do", accounts, created
        )

    echo(f"loading demo data for {year}: programmes, calls, reviewers, applications")
    base = "/api/v1/projects"
    calls: list[dict[str, Any]] = []
    opens = now - timedelta(hours=1)
    closes = datetime.combine(today_shanghai(now) + timedelta(days=28), time(17, 0), SHANGHAI)
    for plan, topics in zip(plans, CALL_TOPICS, strict=True):
        programme = (
            existing.get(plan["code"])
            or (
                await api.send(
                    "POST",
                    f"{base}/programmes",
                    json={**plan, "agency_org_ids": [org_id["agency"]]},
                    headers=official,
                )
            ).json()
        )
        call = (
            await api.send(
                "POST",
                f"{base}/calls",
                headers=official,
                json={
                    "programme_id": programme["id"],
                    "title": f"{plan['name']}申报指南",
                    "guide": f"{plan['description']}\n{GUIDE_TERMS}",
                    "topics": topics,
                    "opens_at": opens.isoformat(),
                    "closes_at": closes.isoformat(),
                },
            )
        ).json()
        calls.append((await api.send("POST", f"{base}/calls/{call['id']}/publish", headers=official)).json())

    for user_key, id_number, title, disciplines, keywords in REVIEWERS:
        user = next(u for u in USERS if u.key == user_key)
        org = next(o for o in ORGS if o.key == user.org)
        await api.send(
            "POST",
            f"{base}/reviewers",
            headers=official,
            json={
                "name": user.display_name.split("（")[0],
                "id_number": id_number,
                "user_id": str(user_ids[user.email]),
                "organisation_name": org.name,
                "organisation_uscc": org.uscc,
                "title": title,
                "discipline_codes": disciplines,
                "keywords": keywords,
            },
            expect=(201, 409),
        )

    for item in APPLICATIONS:
        org = next(o for o in ORGS if o.key == item.org)
        call = calls[item.programme]
        topic = next(t for t in call["topics"] if t["code"] == item.topic)
        application = (
            await api.send(
                "POST",
                f"{base}/applications",
                headers=await as_(item.applicant),
                json={
                    "call_id": call["id"],
                    "topic_id": topic["id"],
                    "title": item.title,
                    "abstract": item.abstract,
                    "keywords": list(item.keywords),
                    "leader": {"name": item.leader[0], "id_number": item.leader[1], "title": item.leader[2]},
                    "applicant_uscc": org.uscc,
                    "applicant_org_name": org.name,
                    "organization_kind": "enterprise" if org.kind == "enterprise" else org.kind,
                    "budget": {"equipment": {"requested": item.requested, "self_raised": item.self_raised}},
                    "duration_months": item.months,
                    "attachments": [
                        {
                            "name": "申报书.pdf",
                            "size": 524288,
                            "sha256": "0" * 63 + str(len(item.title) % 10),
                            "content_type": "application/pdf",
                        }
                    ],
                },
            )
        ).json()
        for action, who in item.steps:
            await api.send("POST", f"{base}/applications/{application['id']}/{action}", headers=await as_(who))
    foundation = await seed_foundation(api, as_, year=year, opens=opens, closes=closes, orgs=ORGS, org_ids=org_id)
    foreign_experts = await seed_foreign_experts(api, as_, {o.key: (o.name, o.uscc) for o in ORGS}, today_shanghai(now))
    return SeedReport(
        True,
        f"demo data loaded: {len(plans)} programmes, {len(calls)} open calls, "
        f"{len(REVIEWERS)} reviewers, {len(APPLICATIONS)} applications, "
        f"{created['organizations']} organisations and {created['users']} accounts created; "
        f"{foundation.summary()}; {foreign_experts}",
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
) -> SeedReport:
    """``seed`` against the gateway at ``base_url`` (what `kjt seed` and `kjt run` call)."""
    if env == "production" and not force:  # before any connection, so the refusal is the answer
        raise SeedRefused(
            "refusing to load demo data into a production platform (KJT_ENV=production); "
            "pass --force if you really mean it"
        )

    async def go() -> SeedReport:
        async with httpx.AsyncClient(base_url=base_url, timeout=timeout, trust_env=False) as client:
            return await seed(
                client, admin_email=admin_email, admin_password=admin_password, env=env, force=force, echo=echo
            )

    try:
        return asyncio.run(go())
    except httpx.HTTPError as exc:
        raise SeedError(f"cannot reach the gateway at {base_url}: {type(exc).__name__}: {exc}") from exc
