"""The talent service's demo data (`kjt seed`, `kjt run`): a young-talent programme kept by the official,
this year's call under it, published and open today, and applications by Jilin organisations' researchers
in several states (formally accepted after the organisation's endorsement, endorsed, submitted, a draft).
Everything goes through the public API as the people would; the persons and their ID numbers are invented
(``shared.demo``). The call's window is relative to today, so the demo works any day. Idempotent: a
programme or a call whose demo code exists already is left as it is, its applications not filed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from shared.demo import Demo, DemoResult, resident_id

TALENT = "/api/v1/talent"
PROGRAMME_CODE = "JLQN-DEMO"

PROGRAMME: dict[str, Any] = {
    "code": PROGRAMME_CODE,
    "name": "吉林省青年科技人才托举计划（演示）",
    "name_en": "Jilin Young S&T Talent Programme (demo)",
    "level": "provincial_key",
    "kind": "young_talent",
    "org_kinds": ["university", "research_institute", "enterprise"],
    "max_age_male": 35,
    "max_age_female": 40,
    "indicators": [
        {
            "code": "original_results",
            "name": "原创性成果与创新能力",
            "dimension": "innovation_ability",
            "weight": "0.35",
        },
        {"code": "work_quality", "name": "代表作质量", "dimension": "quality", "weight": "0.25"},
        {"code": "contribution", "name": "对学科与产业的贡献", "dimension": "contribution", "weight": "0.25"},
        {"code": "performance", "name": "承担任务绩效", "dimension": "performance", "weight": "0.15"},
    ],
    "max_works": 5,
    "tenure_years": 3,
    "support_amount": "600000.00",
    "tranche_shares": ["0.4", "0.3", "0.3"],
    "notice_working_days": 5,
}


@dataclass(frozen=True)
class DemoApplication:
    applicant: str  # the demo account that applies
    admin: str  # the organisation's administrator, who endorses
    name: str
    birth_years_ago: int
    seq: str  # odd for men (ID-2)
    title: str
    works: tuple[tuple[str, str, str], ...]  # (kind, title, own contribution)
    steps: tuple[str, ...]  # after creation: submit (applicant), endorse (admin), accept (official)
    discipline_code: str = "C13"  # the experts are drawn by it (NSF-2)


APPLICATIONS = (
    DemoApplication(
        "jlu.applicant",
        "jlu.admin",
        "王晓明",
        33,
        "013",
        "作物抗逆分子育种",
        (
            ("paper", "玉米耐旱关键基因的挖掘与功能解析", "提出研究思路，完成主要实验，第一作者"),
            ("patent", "一种提高玉米抗旱性的分子标记及其应用", "第一发明人，设计标记方案"),
        ),
        ("submit", "endorse", "accept"),
    ),
    DemoApplication(
        "ciomp.applicant",
        "ciomp.admin",
        "李光华",
        34,
        "025",
        "大口径空间光学系统精密装调",
        (("product", "某型空间相机主镜支撑组件", "负责结构设计与装调工艺，项目技术负责人"),),
        ("submit", "endorse"),
        "F05",
    ),
    DemoApplication(
        "faw.applicant",
        "faw.admin",
        "赵志强",
        32,
        "037",
        "新能源汽车电驱系统热管理",
        (("transformed_achievement", "电驱系统油冷技术在红旗车型上的应用", "技术方案提出人，主持工程化"),),
        ("submit",),
        "E06",
    ),
    DemoApplication(
        "jlu.applicant",
        "jlu.admin",
        "王晓明",
        33,
        "013",
        "（草稿）盐碱地作物改良",
        (),
        (),
    ),
)


def call_code(year: int) -> str:
    return f"JLQN-DEMO-{year}"


def call_body(programme_id: int, today: date) -> dict[str, Any]:
    return {
        "programme_id": programme_id,
        "code": call_code(today.year),
        "year": today.year,
        "title": f"{today.year}年度吉林省青年科技人才托举计划申报（演示）",
        "guide": "申报人须为本单位在职科研人员，男性不超过35周岁、女性不超过40周岁（当年1月1日计）。",
        "opens_on": (today - timedelta(days=10)).isoformat(),
        "closes_on": (today + timedelta(days=20)).isoformat(),
        "cap_per_org": 2,
    }


def application_body(item: DemoApplication, call_id: int, demo: Demo) -> dict[str, Any]:
    org = demo.orgs[demo.users[item.applicant].org]
    birth = date(demo.today.year - item.birth_years_ago, 3, 15)
    return {
        "call_id": call_id,
        "applicant_name": item.name,
        "id_number": resident_id("220102", birth, item.seq),
        "org_name": org.name,
        "org_kind": org.kind,
        "title": item.title,
        "discipline_code": item.discipline_code,
        "summary": f"{item.name}近五年围绕{item.title}开展研究，取得的主要创新成果与贡献见代表作。",
        "works": [{"kind": k, "title": t, "own_contribution": c} for k, t, c in item.works],
    }


async def _programme(demo: Demo, official: dict[str, str]) -> dict[str, Any]:
    existing = [p for p in await demo.api.all_pages(f"{TALENT}/programmes", official) if p["code"] == PROGRAMME_CODE]
    if existing:
        return existing[0]
    created: dict[str, Any] = (
        await demo.api.send("POST", f"{TALENT}/programmes", headers=official, json=PROGRAMME)
    ).json()
    return created


async def load_programmes(demo: Demo) -> DemoResult:
    """The programme, this year's call, its applications. Returns a summary."""
    api, today = demo.api, demo.today
    official = await demo.login("official")
    programme = await _programme(demo, official)
    code = call_code(today.year)
    if any(c["code"] == code for c in await api.all_pages(f"{TALENT}/calls", official)):
        return DemoResult(False, f"talent call {code} already there")
    draft = (await api.send("POST", f"{TALENT}/calls", headers=official, json=call_body(programme["id"], today))).json()
    call = (await api.send("POST", f"{TALENT}/calls/{draft['id']}/publish", headers=official)).json()
    for item in APPLICATIONS:
        applicant = await demo.login(item.applicant)
        base = f"{TALENT}/applications"
        created = (
            await api.send("POST", base, headers=applicant, json=application_body(item, call["id"], demo))
        ).json()
        for action in item.steps:
            who = {"submit": applicant, "endorse": await demo.login(item.admin), "accept": official}[action]
            await api.send("POST", f"{base}/{created['id']}/{action}", headers=who)
    return DemoResult(True, f"talent programme {PROGRAMME_CODE} with call {code} and {len(APPLICATIONS)} applications")


# --- the provincial awards: one cycle of this year in various states (AW-1..AW-3) ----------------------

AWARD_CYCLE_CODE = "JLSTA-DEMO"


def award_cycle_body(today: date) -> dict[str, Any]:
    return {
        "category": "st_progress",
        "year": today.year,
        "code": f"{AWARD_CYCLE_CODE}-{today.year}",
        "title": f"{today.year}年度吉林省科学技术进步奖（演示）",
        "guide": "由设区的市（州）政府、省直部门、中直驻吉单位或经认定的专家、机构提名，不受理自荐。",
        "opens_on": (today - timedelta(days=10)).isoformat(),
        "closes_on": (today + timedelta(days=50)).isoformat(),
        "quotas": {"1": 2, "2": 5, "3": 10},
        "votes": {"1": {"threshold": "2/3", "basis": "members"}},
        "committee": ["demo-committee-1", "demo-committee-2", "demo-committee-3"],
        "panel_size": 3,
        "panel_disciplines": ["D", "E", "F"],
    }


@dataclass(frozen=True)
class DemoNomination:
    nominator: str  # the demo account registered as a nominator
    title: str
    unit: str  # the first unit's demo organisation
    people: tuple[tuple[str, int, str], ...]  # (name, birth years ago, seq)
    steps: tuple[str, ...]  # submit (the nominator), accept (the official)


NOMINATIONS = (
    DemoNomination(
        "jlu.admin",
        "东北黑土地玉米密植高产关键技术创新与应用（演示）",
        "jlu",
        (("刘建国", 52, "031"), ("马晓燕", 45, "042")),
        ("submit", "accept"),
    ),
    DemoNomination(
        "faw.admin",
        "红旗新能源整车平台电驱系统集成技术（演示）",
        "faw",
        (("陈立新", 48, "053"), ("吴志刚", 41, "065")),
        ("submit",),
    ),
    DemoNomination("faw.admin", "（草稿）商用车氢燃料电池热管理（演示）", "faw", (("郑海涛", 44, "077"),), ()),
)


async def load_awards(demo: Demo) -> DemoResult:
    """The award demo: two registered nominators, this year's S&T progress cycle (open), and nominations by
    Jilin organisations in several states (formally accepted, submitted, a draft)."""
    api, today = demo.api, demo.today
    official = await demo.login("official")
    code = f"{AWARD_CYCLE_CODE}-{today.year}"
    if any(c["code"] == code for c in await api.all_pages(f"{TALENT}/award-cycles", official)):
        return DemoResult(False, f"award cycle {code} already there")
    registered = {n["account"] for n in await api.all_pages(f"{TALENT}/nominators", official)}
    for key, kind in (("jlu.admin", "organisation"), ("faw.admin", "central_unit_in_jilin")):
        org = demo.orgs[demo.users[key].org]
        account = str(demo.user_ids[key])
        if account not in registered:
            body = {"account": account, "kind": kind, "name": org.name, "uscc": org.uscc, "recognised": True}
            await api.send("POST", f"{TALENT}/nominators", headers=official, json=body)
    draft = (await api.send("POST", f"{TALENT}/award-cycles", headers=official, json=award_cycle_body(today))).json()
    cycle = (await api.send("POST", f"{TALENT}/award-cycles/{draft['id']}/open", headers=official)).json()
    for item in NOMINATIONS:
        nominator = await demo.login(item.nominator)
        org = demo.orgs[item.unit]
        body = {
            "cycle_id": cycle["id"],
            "title": item.title,
            "summary": f"{item.title}：主要科技创新、推广应用情况及经济社会效益。",
            "disciplines": ["D0101"] if item.unit == "jlu" else ["E0801"],
            "keywords": ["吉林", "科技进步"],
            "units": [{"name": org.name, "uscc": org.uscc}],
            "completers": [
                {
                    "name": name,
                    "id_number": resident_id("220104", date(today.year - years, 6, 1), seq),
                    "unit_name": org.name,
                }
                for name, years, seq in item.people
            ],
        }
        created = (await api.send("POST", f"{TALENT}/nominations", headers=nominator, json=body)).json()
        for action in item.steps:
            who = nominator if action == "submit" else official
            await api.send("POST", f"{TALENT}/nominations/{created['id']}/{action}", headers=who)
    return DemoResult(True, f"award cycle {code} with {len(NOMINATIONS)} nominations")


async def load(demo: Demo) -> DemoResult:
    """The talent demo: the programmes' year, then the awards' cycle. Returns a summary."""
    programmes = await load_programmes(demo)
    awards = await load_awards(demo)
    return DemoResult(programmes.loaded or awards.loaded, f"{programmes.summary}; {awards.summary}")
