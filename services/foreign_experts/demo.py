"""The foreign_experts service's demo data (`kjt seed`, `kjt run`): employers in Changchun and Jilin
City registered by their own clerks, and work-permit applications of classes A, B and C in several
states, one of them issued as a permit; this year's programme call (引进外国专家项目申报) and training plan
(出国(境)培训计划), published by the official and open today, with applications under them in several
states (a programme approved after two reviews, a training trip approved with its places). Everything
goes through the public API as the people would; the passports, birth dates, persons and experts are
invented (``shared.demo``). The calls' windows and the plans' dates are relative to today, so the demo
works any day. Idempotent: an employer registered already is found again, the work-permit applications
are not filed again when an earlier run's are there (by the foreigners' names), and a call whose demo
code exists already is left as it is, its applications not filed again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from shared.demo import Demo, DemoResult, Headers

FE = "/api/v1/foreign-experts"
PERMIT_APPLICATIONS = f"{FE}/permit-applications"


@dataclass(frozen=True)
class DemoEmployer:
    org: str  # the key of the demo organisation
    clerk: str  # the key of the clerk's demo account
    name_en: str
    city_code: str
    contact: tuple[str, str]
    licence_years: int | None  # None: the licence has no end (长期)


EMPLOYERS = (
    DemoEmployer("faw", "faw.applicant", "China FAW Group Co., Ltd.", "2201", ("赵志强", "0431-85900000"), None),
    DemoEmployer("jlu", "jlu.admin", "Jilin University", "2201", ("王晓明", "0431-85166000"), None),
    DemoEmployer(
        "jlcf", "jlcf.applicant", "Jilin Chemical Fiber Group Co., Ltd.", "2202", ("孙丽", "0432-63500000"), 12
    ),
)


@dataclass(frozen=True)
class DemoPermitApplication:
    employer: str
    foreigner: dict[str, Any]
    post: dict[str, Any]
    contract_days: int
    steps: tuple[str, ...]  # actions after creation, in order; the clerk submits, the official decides
    documents_missing: tuple[str, ...] = ()
    comments: dict[str, str] = field(default_factory=dict)


APPLICATIONS = (
    # A: a doctorate at 600,000 a year (points over 85, WP-2): accepted, approved and issued
    DemoPermitApplication(
        "faw",
        {
            "name": "WAGNER, Lukas",
            "chinese_name": "瓦格纳",
            "nationality": "DEU",
            "passport_number": "C4DM0W271",
            "sex": "male",
            "birth_date": "1981-07-09",
            "education": "doctorate",
            "degree_institution": "RWTH Aachen University",
            "work_years": 14,
            "bonuses": ["fortune_500"],
        },
        {
            "position": "新能源汽车电驱系统首席工程师",
            "work_city_code": "2201",
            "annual_salary": "600000.00",
            "months_per_year": "12",
        },
        1095,
        ("submit", "accept", "approve", "issue"),
    ),
    # B: a master's at 150,000 (72 points, the basic conditions hold): accepted, the clock running
    DemoPermitApplication(
        "faw",
        {
            "name": "SATO, Haruki",
            "chinese_name": "佐藤春树",
            "nationality": "JPN",
            "passport_number": "TS4417096",
            "sex": "male",
            "birth_date": "1988-02-21",
            "education": "master",
            "degree_institution": "Tohoku University",
            "work_years": 6,
            "hsk_level": 4,
        },
        {
            "position": "智能网联测试工程师",
            "work_city_code": "2201",
            "annual_salary": "150000.00",
            "months_per_year": "12",
        },
        730,
        ("submit", "accept"),
    ),
    # B by WP-3's language-teacher path: submitted, awaiting acceptance
    DemoPermitApplication(
        "jlu",
        {
            "name": "TAYLOR, Emily",
            "nationality": "GBR",
            "passport_number": "561203948",
            "sex": "female",
            "birth_date": "1994-11-03",
            "education": "bachelor",
            "degree_institution": "University of Leeds",
            "work_years": 1,
            "language_teacher": {"native_speaker": True, "tefl_hours": 150},
        },
        {
            "position": "外语学院英语外籍教师",
            "work_city_code": "2201",
            "annual_salary": "150000.00",
            "months_per_year": "10",
        },
        365,
        ("submit",),
    ),
    # C: seasonal work (a post the state lists): accepted, then waiting for documents (the clock stops)
    DemoPermitApplication(
        "jlcf",
        {
            "name": "IVANOV, Sergei",
            "nationality": "RUS",
            "passport_number": "751234567",
            "sex": "male",
            "birth_date": "1979-05-30",
            "education": "senior_worker",
            "work_years": 15,
        },
        {
            "position": "碳纤维原丝生产线调试技师",
            "work_city_code": "2202",
            "annual_salary": "90000.00",
            "months_per_year": "3",
            "post_kind": "seasonal",
        },
        80,
        ("submit", "accept", "request_documents"),
        comments={"request_documents": "请补充经认证的无犯罪记录证明（6个月内出具）"},
    ),
    # A draft a clerk is still filling in
    DemoPermitApplication(
        "jlcf",
        {
            "name": "KIM, Minjun",
            "chinese_name": "金敏俊",
            "nationality": "KOR",
            "passport_number": "M58213746",
            "sex": "male",
            "birth_date": "1990-09-14",
            "education": "master",
            "work_years": 5,
            "hsk_level": 5,
        },
        {
            "position": "高性能纤维研发工程师",
            "work_city_code": "2202",
            "annual_salary": "220000.00",
            "months_per_year": "12",
        },
        730,
        (),
        documents_missing=("medical_certificate",),
    ),
)

DOCUMENTS = (
    "application_form",
    "work_experience",
    "highest_degree",
    "criminal_record",
    "medical_certificate",
    "employment_contract",
    "passport",
    "photo",
)
OFFICIAL_STEPS = frozenset({"accept", "approve", "issue", "request_documents", "return_for_documents"})


def documents(today: date, missing: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    out = []
    for i, code in enumerate(c for c in DOCUMENTS if c not in missing):
        doc: dict[str, Any] = {
            "code": code,
            "name": f"{code}.pdf",
            "size": 180_000 + 977 * i,
            "sha256": f"{0xD3E0 + i:064x}",
            "content_type": "application/pdf",
        }
        if code in ("highest_degree", "criminal_record"):
            doc["authenticated"] = True
        if code == "criminal_record":
            doc["issued_on"] = (today - timedelta(days=40)).isoformat()
        out.append(doc)
    return out


# --- the bureau's yearly calls: foreign-expert programmes and outbound training (rules/funding.py) ---------


def programme_call_code(year: int) -> str:
    return f"JLWZ-DEMO-{year}"


def training_plan_code(year: int) -> str:
    return f"JLPX-DEMO-{year}"


def programme_call(year: int, today: date) -> dict[str, Any]:
    """This year's programme call: open from a month before today to two months after (both days included)."""
    return {
        "code": programme_call_code(year),
        "year": year,
        "title": f"{year}年度吉林省引进外国专家项目申报",
        "title_en": f"Jilin Foreign Expert Programmes {year}",
        "guide": "支持省内用人单位围绕汽车、化工、农业、光电信息和生物医药等重点产业引进外国专家开展技术合作、"
        "人才培养和联合攻关；单项资助不超过30万元，项目结束后30日内提交总结报告（演示数据）。",
        "opens_on": (today - timedelta(days=30)).isoformat(),
        "closes_on": (today + timedelta(days=60)).isoformat(),
        "budget": "3000000.00",
        "max_amount": "300000.00",
        "report_due_days": 30,
    }


def training_plan(year: int, today: date) -> dict[str, Any]:
    """This year's outbound training plan, open from a month before today to two months after."""
    return {
        "code": training_plan_code(year),
        "year": year,
        "title": f"{year}年度吉林省出国(境)培训计划",
        "title_en": f"Jilin Outbound Training Plan {year}",
        "guide": "组织省内企业、高校和科研院所管理及技术骨干赴境外开展专题培训；每团组在外不超过21天"
        "（含出发和返回当日），回国后30日内提交培训报告（演示数据）。",
        "opens_on": (today - timedelta(days=30)).isoformat(),
        "closes_on": (today + timedelta(days=60)).isoformat(),
        "budget": "1500000.00",
        "max_amount": "200000.00",
        "participant_quota": 60,
        "max_duration_days": 21,
        "report_due_days": 30,
    }


@dataclass(frozen=True)
class DemoProgramme:
    employer: str  # the key of a DemoEmployer: its clerk applies
    expert: dict[str, Any]
    title: str
    objectives: str
    work_plan: str
    starts_in: int  # the plan of work starts this many days after today
    days: int  # its length, first and last day included
    days_in_china: int
    budget_items: tuple[tuple[str, str], ...]  # (item, yuan): they add up to the amount requested
    self_funding: str
    steps: tuple[str, ...]  # after creation: "submit" by the clerk; "accept", "review", "approve" by the official
    reviews: tuple[tuple[str, int, str, str], ...] = ()  # (reviewer, score, recommendation, opinion)
    granted: str | None = None  # the grant at "approve" (none: the amount requested)

    @property
    def requested(self) -> str:
        return f"{sum(Decimal(amount) for _, amount in self.budget_items):.2f}"

    def body(self, call_id: int, employer_id: int, today: date) -> dict[str, Any]:
        starts = today + timedelta(days=self.starts_in)
        return {
            "call_id": call_id,
            "employer_id": employer_id,
            "expert": self.expert,
            "plan": {
                "title": self.title,
                "objectives": self.objectives,
                "work_plan": self.work_plan,
                "starts_on": starts.isoformat(),
                "ends_on": (starts + timedelta(days=self.days - 1)).isoformat(),
                "days_in_china": self.days_in_china,
                "requested_amount": self.requested,
                "self_funding": self.self_funding,
                "budget_items": [{"item": item, "amount": amount} for item, amount in self.budget_items],
            },
        }


PROGRAMMES = (
    # approved: accepted for review, two opinions recorded, granted a little less than requested
    DemoProgramme(
        "faw",
        {
            "name": "BECKER, Matthias",
            "chinese_name": "贝克尔",
            "nationality": "DEU",
            "field": "氢燃料电池系统集成 / fuel-cell system integration",
            "position": "Abteilungsleiter Brennstoffzellensysteme, Fraunhofer ISE, Freiburg",
            "achievements": "长期从事车用质子交换膜燃料电池系统研究，主持欧盟地平线计划项目3项，授权发明专利20余件。",
        },
        "商用车氢燃料电池系统低温冷启动技术合作",
        "解决-30℃环境下燃料电池系统冷启动时间长、膜电极衰减快的问题，形成适用于东北高寒地区的冷启动控制策略。",
        "专家分两次来长春：第一次开展系统诊断与台架试验方案设计，第二次在一汽解放高寒试验基地完成整车验证，"
        "并为研发团队开展专题培训。",
        45,
        240,
        60,
        (("国际旅费", "60000.00"), ("专家工薪", "180000.00"), ("食宿及国内交通", "40000.00")),
        "300000.00",
        ("submit", "accept", "review", "approve"),
        reviews=(
            (
                "王建国（吉林大学汽车工程学院）",
                90,
                "support",
                "合作方向契合我省汽车产业需求，专家研究基础扎实，实施方案可行，建议资助。",
            ),
            (
                "陈思远（中国科学院长春应用化学研究所）",
                84,
                "revise",
                "技术路线合理；建议压缩国际旅费，并明确低温试验的量化考核指标。",
            ),
        ),
        granted="250000.00",
    ),
    # submitted, awaiting acceptance
    DemoProgramme(
        "jlu",
        {
            "name": "PETROV, Alexei",
            "chinese_name": "彼得罗夫",
            "nationality": "RUS",
            "field": "超硬材料高压合成 / high-pressure synthesis of superhard materials",
            "position": "Leading Researcher, Institute for High Pressure Physics, Russian Academy of Sciences",
            "achievements": "在纳米聚晶金刚石和立方氮化硼高压合成方面发表论文80余篇。",
        },
        "纳米孪晶超硬材料高压合成联合研究",
        "联合开展纳米孪晶立方氮化硼的高温高压合成与性能表征，共同培养博士研究生2名。",
        "专家来华期间在超硬材料国家重点实验室开展合成实验、讲授研究生课程并联合撰写论文。",
        60,
        180,
        45,
        (("国际旅费", "40000.00"), ("专家工薪", "120000.00"), ("实验材料", "20000.00")),
        "50000.00",
        ("submit",),
    ),
    # a draft the clerk is still writing
    DemoProgramme(
        "faw",
        {
            "name": "YAMAMOTO, Kenji",
            "chinese_name": "山本健二",
            "nationality": "JPN",
            "field": "汽车轻量化与镁合金压铸 / lightweight vehicles and magnesium die casting",
            "position": "名古屋大学 客員教授（元 自動車部品メーカー 鋳造技術部長）",
        },
        "新能源汽车一体化压铸镁合金结构件开发",
        "开发大型一体化压铸镁合金后地板结构件，减重15%以上。",
        "（草稿）专家来华指导模具设计与压铸工艺调试。",
        90,
        150,
        40,
        (("国际旅费", "30000.00"), ("专家工薪", "100000.00")),
        "100000.00",
        (),
    ),
)


@dataclass(frozen=True)
class DemoTraining:
    org: str  # the key of the unit's demo organisation
    clerk: str  # a user of that unit (an applicant or org_admin)
    contact: tuple[str, str]
    topic: str
    destination: str  # ISO 3166-1 alpha-3 (HKG, MAC, TWN: 出境)
    host_institution: str
    purpose: str
    starts_in: int  # departure this many days after today
    days: int  # the stay, departure and return days both counted
    participants: tuple[tuple[str, str], ...]  # (name, position)
    budget_items: tuple[tuple[str, str], ...]
    steps: tuple[str, ...]  # after creation: "submit" by the clerk; "approve" by the official
    approved: str | None = None  # the amount at "approve" (none: the amount requested)

    @property
    def requested(self) -> str:
        return f"{sum(Decimal(amount) for _, amount in self.budget_items):.2f}"

    def body(self, call_id: int, unit_name: str, today: date) -> dict[str, Any]:
        departs = today + timedelta(days=self.starts_in)
        return {
            "call_id": call_id,
            "unit_name": unit_name,
            "contact_name": self.contact[0],
            "contact_phone": self.contact[1],
            "training": {
                "topic": self.topic,
                "destination": self.destination,
                "host_institution": self.host_institution,
                "purpose": self.purpose,
                "starts_on": departs.isoformat(),
                "ends_on": (departs + timedelta(days=self.days - 1)).isoformat(),
                "participants": [{"name": n, "position": p} for n, p in self.participants],
                "requested_amount": self.requested,
                "budget_items": [{"item": item, "amount": amount} for item, amount in self.budget_items],
            },
        }


TRAININGS = (
    # approved: 6 places and 180,000 yuan taken from the plan; the group leaves in two months
    DemoTraining(
        "faw",
        "faw.applicant",
        ("赵志强", "0431-85900000"),
        "智能制造与新能源汽车生产管理培训",
        "DEU",
        "Fraunhofer-Institut für Produktionsanlagen und Konstruktionstechnik (IPK), Berlin",
        "学习德国汽车工业数字化工厂、柔性生产线和质量管理体系的经验，用于红旗新能源工厂建设。",
        60,
        16,
        (
            ("刘洋", "制造工程部高级工程师"),
            ("孙海涛", "质量保证部部长"),
            ("郑佳", "数字化部主任工程师"),
            ("高明", "新能源工厂副厂长"),
            ("韩雪", "工艺规划高级经理"),
            ("马俊", "设备管理高级工程师"),
        ),
        (("国际旅费", "72000.00"), ("培训费", "78000.00"), ("住宿及伙食费", "30000.00")),
        ("submit", "approve"),
    ),
    # submitted, awaiting the official's decision
    DemoTraining(
        "jlu",
        "jlu.applicant",
        ("李婷", "0431-85166123"),
        "高校科技成果转化与技术转移管理培训",
        "SGP",
        "National University of Singapore, NUS Enterprise",
        "学习新加坡国立大学技术许可、孵化和校企合作机制，完善学校科技成果转化制度。",
        75,
        12,
        (
            ("张宏伟", "科学技术研究院副院长"),
            ("刘畅", "技术转移中心主任"),
            ("李婷", "知识产权办公室科长"),
            ("周涛", "资产经营公司副总经理"),
        ),
        (("国际旅费", "36000.00"), ("培训费", "48000.00"), ("住宿及伙食费", "28000.00")),
        ("submit",),
    ),
)
OFFICIAL_FUNDING_STEPS = frozenset({"accept", "review", "approve"})


async def _demo_call(demo: Demo, official: Headers, path: str, body: dict[str, Any]) -> dict[str, Any] | None:
    """The call drafted and published; ``None`` when its code exists (an earlier run's): left as it is."""
    if any(c["code"] == body["code"] for c in await demo.api.all_pages(f"{FE}/{path}", official)):
        return None
    draft = (await demo.api.send("POST", f"{FE}/{path}", headers=official, json=body)).json()
    published: dict[str, Any] = (
        await demo.api.send("POST", f"{FE}/{path}/{draft['id']}/publish", headers=official)
    ).json()
    return published


async def _funding(demo: Demo, employer_ids: dict[str, int]) -> list[str]:
    """This year's programme call and training plan, published, with their applications moved to their states."""
    api, today = demo.api, demo.today
    official = await demo.login("official")
    year = today.year
    by_org = {e.org: e for e in EMPLOYERS}
    out = []

    call = await _demo_call(demo, official, "programme-calls", programme_call(year, today))
    if call is None:
        out.append(f"programme call {programme_call_code(year)} already there")
    else:
        for item in PROGRAMMES:
            clerk = await demo.login(by_org[item.employer].clerk)
            base = f"{FE}/programme-applications"
            created = (
                await api.send(
                    "POST", base, headers=clerk, json=item.body(call["id"], employer_ids[item.employer], today)
                )
            ).json()
            for action in item.steps:
                who = official if action in OFFICIAL_FUNDING_STEPS else clerk
                if action == "review":
                    for reviewer, score, recommendation, opinion in item.reviews:
                        await api.send(
                            "POST",
                            f"{base}/{created['id']}/reviews",
                            headers=who,
                            json={
                                "reviewer_name": reviewer,
                                "score": score,
                                "recommendation": recommendation,
                                "opinion": opinion,
                            },
                        )
                    continue
                body = {"granted_amount": item.granted or item.requested} if action == "approve" else None
                await api.send("POST", f"{base}/{created['id']}/{action}", headers=who, json=body)
        out.append(f"programme call {programme_call_code(year)} with {len(PROGRAMMES)} applications")

    plan = await _demo_call(demo, official, "training-plans", training_plan(year, today))
    if plan is None:
        out.append(f"training plan {training_plan_code(year)} already there")
    else:
        for trip in TRAININGS:
            clerk = await demo.login(trip.clerk)
            base = f"{FE}/training-applications"
            unit_name = demo.orgs[trip.org].name
            created = (await api.send("POST", base, headers=clerk, json=trip.body(plan["id"], unit_name, today))).json()
            for action in trip.steps:
                who = official if action in OFFICIAL_FUNDING_STEPS else clerk
                body = {"approved_amount": trip.approved or trip.requested} if action == "approve" else None
                await api.send("POST", f"{base}/{created['id']}/{action}", headers=who, json=body)
        out.append(f"training plan {training_plan_code(year)} with {len(TRAININGS)} applications")
    return out


async def _employers(demo: Demo) -> dict[str, int]:
    """Each demo employer's id, registered by its clerk unless an earlier run did."""
    employer_ids: dict[str, int] = {}
    for e in EMPLOYERS:
        org = demo.orgs[e.org]
        clerk = await demo.login(e.clerk)
        licence = None if e.licence_years is None else (demo.today + timedelta(days=365 * e.licence_years)).isoformat()
        r = await demo.api.send(
            "POST",
            f"{FE}/employers",
            headers=clerk,
            expect=(201, 409),
            json={
                "uscc": org.uscc,
                "name": org.name,
                "name_en": e.name_en,
                "city_code": e.city_code,
                "contact_name": e.contact[0],
                "contact_phone": e.contact[1],
                "licence_expires_on": licence,
            },
        )
        if r.status_code == 201:
            employer_ids[e.org] = r.json()["id"]
        else:  # registered by an earlier run: find it among the clerk's own
            listed = (await demo.api.send("GET", f"{FE}/employers", headers=clerk)).json()["items"]
            employer_ids[e.org] = next(item["id"] for item in listed if item["uscc"] == org.uscc)
    return employer_ids


async def _permit_applications(demo: Demo, employer_ids: dict[str, int]) -> bool:
    """The work-permit applications moved to their states; False when an earlier run filed them."""
    official = await demo.login("official")
    names = {item.foreigner["name"] for item in APPLICATIONS}
    if any(a["name"] in names for a in await demo.api.all_pages(PERMIT_APPLICATIONS, official)):
        return False
    today = demo.today
    by_org = {e.org: e for e in EMPLOYERS}
    for item in APPLICATIONS:
        clerk = await demo.login(by_org[item.employer].clerk)
        starts = today + timedelta(days=30)
        body = {
            "employer_id": employer_ids[item.employer],
            "foreigner": {**item.foreigner, "passport_expires_on": (today + timedelta(days=2900)).isoformat()},
            "post": {
                **item.post,
                "contract_starts_on": starts.isoformat(),
                "contract_ends_on": (starts + timedelta(days=item.contract_days)).isoformat(),
            },
            "documents": documents(today, item.documents_missing),
        }
        application = (await demo.api.send("POST", PERMIT_APPLICATIONS, headers=clerk, json=body)).json()
        for action in item.steps:
            who = official if action in OFFICIAL_STEPS else clerk
            comment = item.comments.get(action)
            await demo.api.send(
                "POST",
                f"{PERMIT_APPLICATIONS}/{application['id']}/{action.replace('_', '-')}",  # action a_b is .../a-b
                headers=who,
                json={"comment": comment} if comment else None,
            )
    return True


async def load(demo: Demo) -> DemoResult:
    """The bureau's demo: employers, work-permit applications, this year's calls. Returns a summary."""
    employer_ids = await _employers(demo)
    filed = await _permit_applications(demo, employer_ids)
    funding = await _funding(demo, employer_ids)
    loaded = filed or any(not line.endswith("already there") for line in funding)
    permits = (
        f"{len(APPLICATIONS)} work-permit applications (classes A, B and C)"
        if filed
        else "work-permit applications already there"
    )
    return DemoResult(loaded, "; ".join([f"{len(EMPLOYERS)} employers and {permits}", *funding]))
