"""The projects service's demo data (`kjt seed`, `kjt run`): programmes of this year's provincial S&T
development plan entrusted to the demo agency, an open call with topics for each, reviewers in the
pool linked to their accounts, and applications in several states.

Everything goes through the public API as the people would (``shared.demo``): the official sets up
the programmes, calls and reviewer pool, applicants apply, the organisations' administrators endorse,
the entrusted agency accepts. Skipped when this year's marker programme exists. The ID numbers are
invented, with valid check digits (ID-2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.demo import Demo, DemoResult, resident_id

BASE = "/api/v1/projects"
MARKER_PREFIX = "JLKJ-DEMO"  # the marker programme's code is f"{MARKER_PREFIX}-{year}-ZDYF"

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
    applicant: str  # the key of the demo account that applies
    org: str  # the key of its organisation
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


async def load(demo: Demo) -> DemoResult:
    """This year's programmes with their published calls, the reviewers and the applications."""
    api = demo.api
    year = demo.today.year
    official = await demo.login("official")
    plans = programmes(year)
    existing = {p["code"]: p for p in await api.all_pages(f"{BASE}/programmes", official)}
    if plans[0]["code"] in existing:
        return DemoResult(False, f"programme {plans[0]['code']} exists")

    demo.echo(f"loading demo data for {year}: programmes, calls, reviewers, applications")
    calls: list[dict[str, Any]] = []
    opens, closes = demo.window()
    for plan, topics in zip(plans, CALL_TOPICS, strict=True):
        programme = (
            existing.get(plan["code"])  # left by an interrupted run
            or (
                await api.send(
                    "POST",
                    f"{BASE}/programmes",
                    json={**plan, "agency_org_ids": [demo.org_ids["agency"]]},
                    headers=official,
                )
            ).json()
        )
        call = (
            await api.send(
                "POST",
                f"{BASE}/calls",
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
        calls.append((await api.send("POST", f"{BASE}/calls/{call['id']}/publish", headers=official)).json())

    for user_key, id_number, title, disciplines, keywords in REVIEWERS:
        user = demo.users[user_key]
        org = demo.orgs[user.org]
        await api.send(
            "POST",
            f"{BASE}/reviewers",
            headers=official,
            json={
                "name": user.display_name.split("（")[0],
                "id_number": id_number,
                "user_id": str(demo.user_ids[user_key]),
                "organisation_name": org.name,
                "organisation_uscc": org.uscc,
                "title": title,
                "discipline_codes": disciplines,
                "keywords": keywords,
            },
            expect=(201, 409),
        )

    for item in APPLICATIONS:
        org = demo.orgs[item.org]
        call = calls[item.programme]
        topic = next(t for t in call["topics"] if t["code"] == item.topic)
        application = (
            await api.send(
                "POST",
                f"{BASE}/applications",
                headers=await demo.login(item.applicant),
                json={
                    "call_id": call["id"],
                    "topic_id": topic["id"],
                    "title": item.title,
                    "abstract": item.abstract,
                    "keywords": list(item.keywords),
                    "leader": {"name": item.leader[0], "id_number": item.leader[1], "title": item.leader[2]},
                    "applicant_uscc": org.uscc,
                    "applicant_org_name": org.name,
                    "organization_kind": org.kind,
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
            await api.send("POST", f"{BASE}/applications/{application['id']}/{action}", headers=await demo.login(who))
    return DemoResult(
        True,
        f"{len(plans)} programmes, {len(calls)} open calls, {len(REVIEWERS)} reviewers, "
        f"{len(APPLICATIONS)} applications",
    )
