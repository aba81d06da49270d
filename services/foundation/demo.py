"""The foundation service's demo data (`kjt seed`, `kjt run`): this year's plan (年度资助计划) with its
four categories, published by the official and run by the demo agency, and applications from the demo
institutions in several states, from a draft to accepted at formal review, one returned by its
institution and one rejected at formal review (NSF-1).

Everything goes through the public API as the people would (``shared.demo``): the official drafts
and publishes the plan, applicants apply through their own institution, the institutions'
administrators endorse or return, the agency runs the formal review. Skipped when this year's demo
plan exists.

The applicants are invented people, none of them a leader of the projects demo: the limits ledger
(PRJ-1, NSF-5) counts one provincial plan application per person and year across the projects service
and the foundation. Their birth dates are stated as the age on 1 January of the plan's year, so the
youth category's applicants stay under its NSF-6 limits whatever the year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from shared.demo import Demo, DemoOrg, DemoResult, resident_id

FOUNDATION = "/api/v1/foundation"


# --- the data ------------------------------------------------------------------------------------


def plan_code(year: int) -> str:
    return f"JLNSF-DEMO-{year}"


CATEGORIES = (  # NSF-2 reviewers and NSF-6 age limits are the documented defaults (5 for key; youth 35/40)
    {
        "code": "general",
        "kind": "general",
        "name": "面上项目（自由探索）",
        "project_count": 300,
        "amount_mode": "cap",
        "amount": "100000.00",
        "budget": "30000000.00",
    },
    {
        "code": "youth",
        "kind": "youth",
        "name": "青年基金项目",
        "project_count": 200,
        "amount_mode": "fixed",
        "amount": "60000.00",
        "budget": "12000000.00",
    },
    {
        "code": "key",
        "kind": "key",
        "name": "重点项目",
        "project_count": 40,
        "amount_mode": "cap",
        "amount": "300000.00",
        "budget": "12000000.00",
    },
    {
        "code": "joint-changchun",
        "kind": "joint",
        "name": "吉林省-长春市联合基金项目",
        "partner": "长春市科学技术局",
        "project_count": 30,
        "amount_mode": "cap",
        "amount": "200000.00",
        "budget": "6000000.00",
    },
)
# Sections of the discipline codes (申请代码) the plan funds: mathematical and physical, chemical, life,
# earth, engineering and materials, information, and medical sciences.
DISCIPLINE_CODES = ("A", "B", "C", "D", "E", "F", "H")

GUIDE = (
    "{year}年度吉林省自然科学基金面向基础研究和应用基础研究，设面上项目（自由探索）、青年基金项目、重点项目和"
    "吉林省-长春市联合基金项目。申请人每年限申请1项；青年基金项目申请人男性未满35周岁、女性未满40周岁"
    "（以当年1月1日计）；处于科研诚信处理期内的人员和单位不得申请。申请书须经依托单位审核推荐（演示数据）。"
)


def plan(year: int, *, opens: datetime, closes: datetime, agency_org_id: int) -> dict[str, Any]:
    return {
        "code": plan_code(year),
        "year": year,
        "title": f"{year}年度吉林省自然科学基金",
        "guide": GUIDE.format(year=year),
        "discipline_codes": list(DISCIPLINE_CODES),
        "opens_at": opens.isoformat(),
        "closes_at": closes.isoformat(),
        "agency_org_ids": [agency_org_id],
        "categories": [dict(c) for c in CATEGORIES],
    }


@dataclass(frozen=True)
class Person:
    name: str
    age: int  # completed years on 1 January of the plan's year
    region: str  # the ID number's 6-digit region code (ID-5)
    birthday: tuple[int, int]  # month, day: never 1 January, so ``age`` holds on that day
    seq: str  # 3 digits, the last odd for men (ID-2)

    def id_number(self, year: int) -> str:
        """A resident ID number (GB 11643, ID-2) with its check digit, born ``age`` years before 1 January."""
        return resident_id(self.region, date(year - self.age - 1, *self.birthday), self.seq)


@dataclass(frozen=True)
class DemoFoundationApplication:
    applicant: str  # the key of the demo account that owns the application
    org: str  # the key of the host institution (the account's own)
    category: str
    discipline: str
    title: str
    abstract: str
    keywords: tuple[str, ...]
    person: Person
    title_name: str  # 职称
    title_rank: str
    degree: str
    budget: Mapping[str, str]
    months: int
    team: tuple[tuple[Person, str], ...]  # member, role (from the host institution)
    # actions after creation, each by a user key with its body: the state the demo shows
    steps: tuple[tuple[str, str, dict[str, Any] | None], ...]
    status: str  # the state the steps leave it in


APPLICATIONS = (
    DemoFoundationApplication(
        "jlu.applicant",
        "jlu",
        "general",
        "D0709",
        "东北黑土区秸秆还田下土壤有机碳固持的微生物驱动机制",
        "以东北典型黑土为对象，结合长期定位试验与宏基因组分析，揭示秸秆还田条件下微生物残体碳形成与稳定的机制。",
        ("黑土", "秸秆还田", "土壤有机碳", "微生物残体"),
        Person("陈思远", 43, "220104", (4, 12), "011"),
        "副教授",
        "associate",
        "doctorate",
        {"equipment": "20000.00", "business": "60000.00", "labour": "20000.00"},
        36,
        ((Person("刘洋", 30, "220102", (9, 1), "023"), "骨干"),),
        (("submit", "jlu.applicant", None), ("endorse", "jlu.admin", None), ("accept", "agency", None)),
        "accepted",
    ),
    DemoFoundationApplication(
        "jlu.applicant",
        "jlu",
        "youth",
        "B0502",
        "可见光驱动二氧化碳还原的单原子催化剂设计与构效关系研究",
        "设计过渡金属单原子光催化剂，结合原位光谱与理论计算，阐明可见光下二氧化碳选择性还原为甲醇的构效关系。",
        ("单原子催化", "光催化", "二氧化碳还原"),
        Person("孙悦", 33, "220105", (7, 18), "046"),
        "讲师",
        "intermediate",
        "doctorate",
        {"equipment": "15000.00", "business": "35000.00", "labour": "10000.00"},
        36,
        (),
        (("submit", "jlu.applicant", None), ("endorse", "jlu.admin", None)),
        "endorsed",
    ),
    DemoFoundationApplication(
        "ciomp.applicant",
        "ciomp",
        "key",
        "F0501",
        "大口径空间望远镜主动光学波前传感与校正的关键科学问题研究",
        "针对大口径分块式空间望远镜，研究在轨波前传感、面形主动校正与共相位检测方法，建立系统误差传递模型。",
        ("空间望远镜", "主动光学", "波前传感"),
        Person("张凯", 50, "220102", (2, 26), "015"),
        "研究员",
        "senior",
        "doctorate",
        {"equipment": "80000.00", "business": "160000.00", "labour": "40000.00"},
        48,
        (
            (Person("马骏", 35, "220104", (11, 3), "057"), "骨干"),
            (Person("杨帆", 29, "220106", (5, 9), "068"), "博士后"),
        ),
        (("submit", "ciomp.applicant", None), ("endorse", "ciomp.admin", None), ("accept", "agency", None)),
        "accepted",
    ),
    DemoFoundationApplication(
        "ciomp.applicant",
        "ciomp",
        "youth",
        "F0502",
        "基于超构表面的偏振光谱一体化成像方法研究",
        "研究多功能超构表面对偏振与光谱信息的同时调控机理，发展紧凑型偏振光谱一体化成像器件的设计方法。",
        ("超构表面", "偏振成像", "计算成像"),
        Person("何佳", 31, "220102", (10, 21), "079"),
        "助理研究员",
        "intermediate",
        "doctorate",
        {"equipment": "20000.00", "business": "30000.00", "labour": "10000.00"},
        36,
        (),
        (("submit", "ciomp.applicant", None),),
        "submitted",
    ),
    DemoFoundationApplication(
        "ciomp.applicant",
        "ciomp",
        "general",
        "F0503",
        "飞秒激光直写硫系玻璃中红外波导器件研究",
        "利用飞秒激光直写技术在硫系玻璃中制备低损耗中红外波导，研究折射率改性机理及其在气体传感中的应用。",
        ("飞秒激光", "硫系玻璃", "中红外波导"),
        Person("刘畅", 36, "220104", (8, 30), "082"),
        "副研究员",
        "associate",
        "doctorate",
        {"equipment": "30000.00", "business": "50000.00", "labour": "20000.00"},
        36,
        (),
        (
            ("submit", "ciomp.applicant", None),
            ("return-by-org", "ciomp.admin", {"comment": "预算说明中设备费的测算依据不足，请补充后重新提交。"}),
        ),
        "returned_by_org",
    ),
    DemoFoundationApplication(
        "faw.applicant",
        "faw",
        "joint-changchun",
        "E0505",
        "面向智能网联汽车的多源融合感知不确定性量化方法",
        "针对复杂城市道路场景，研究激光雷达、毫米波雷达与视觉融合感知的不确定性建模与量化方法，并在长春示范区验证。",
        ("智能网联汽车", "多源融合感知", "不确定性量化"),
        Person("周志远", 45, "220106", (3, 15), "035"),
        "正高级工程师",
        "senior",
        "master",
        {"equipment": "50000.00", "business": "110000.00", "labour": "40000.00"},
        36,
        (),
        (
            ("submit", "faw.applicant", None),
            ("endorse", "faw.admin", None),
            (
                "reject-formal",
                "agency",
                {"comment": "未提供联合基金要求的长春市科学技术局推荐意见。", "reasons": ["incomplete_documents"]},
            ),
        ),
        "rejected_formal",
    ),
    DemoFoundationApplication(
        "jlu.applicant",
        "jlu",
        "joint-changchun",
        "H2807",
        "长白山人参皂苷Rk1改善糖尿病心肌病的作用机制研究",
        "以长白山人参特色成分人参皂苷Rk1为对象，研究其调控心肌细胞铁死亡改善糖尿病心肌病的分子机制（草稿）。",
        ("人参皂苷", "糖尿病心肌病", "铁死亡"),
        Person("王丽", 41, "220104", (12, 6), "024"),
        "副教授",
        "associate",
        "doctorate",
        {"equipment": "40000.00", "business": "100000.00", "labour": "30000.00"},
        36,
        (),
        (),
        "draft",
    ),
)


def applications(year: int) -> list[tuple[DemoFoundationApplication, str]]:
    """Each demo application with its applicant's ID number for ``year``."""
    return [(a, a.person.id_number(year)) for a in APPLICATIONS]


def _body(item: DemoFoundationApplication, year: int, plan_read: dict[str, Any], org: DemoOrg) -> dict[str, Any]:
    category = next(c for c in plan_read["categories"] if c["code"] == item.category)
    return {
        "plan_id": plan_read["id"],
        "category_id": category["id"],
        "discipline_code": item.discipline,
        "title": item.title,
        "abstract": item.abstract,
        "keywords": list(item.keywords),
        "applicant": {
            "name": item.person.name,
            "id_number": item.person.id_number(year),
            "title": item.title_name,
            "title_rank": item.title_rank,
            "degree": item.degree,
        },
        "institution_uscc": org.uscc,
        "institution_name": org.name,
        "team": [
            {"name": p.name, "id_number": p.id_number(year), "role": role, "org_uscc": org.uscc}
            for p, role in item.team
        ],
        "budget": dict(item.budget),
        "duration_months": item.months,
        "attachments": [
            {
                "name": "基金申请书.pdf",
                "size": 786432,
                "sha256": f"{len(item.title):064x}",
                "content_type": "application/pdf",
            }
        ],
    }


# --- the run -------------------------------------------------------------------------------------


async def load(demo: Demo) -> DemoResult:
    """This year's plan, published, and the demo applications moved to their states."""
    api = demo.api
    year = demo.today.year
    official = await demo.login("official")
    code = plan_code(year)
    if any(p["code"] == code for p in await api.all_pages(f"{FOUNDATION}/plans", official)):
        return DemoResult(False, f"foundation plan {code} already there")
    demo.echo(f"loading the foundation's demo data for {year}: plan, applications")
    opens, closes = demo.window()
    draft = (
        await api.send(
            "POST",
            f"{FOUNDATION}/plans",
            headers=official,
            json=plan(year, opens=opens, closes=closes, agency_org_id=demo.org_ids["agency"]),
        )
    ).json()
    published = (await api.send("POST", f"{FOUNDATION}/plans/{draft['id']}/publish", headers=official)).json()
    for item in APPLICATIONS:
        created = (
            await api.send(
                "POST",
                f"{FOUNDATION}/applications",
                headers=await demo.login(item.applicant),
                json=_body(item, year, published, demo.orgs[item.org]),
            )
        ).json()
        for action, who, body in item.steps:
            await api.send(
                "POST", f"{FOUNDATION}/applications/{created['id']}/{action}", headers=await demo.login(who), json=body
            )
    return DemoResult(
        True,
        f"foundation plan {code} with {len(published['categories'])} categories and {len(APPLICATIONS)} applications",
    )
