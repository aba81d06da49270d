"""The Foreign Experts Bureau's part of the demo (`kjt seed`, `kjt run`): employers in Changchun and Jilin
City registered by their own clerks, and work-permit applications of classes A, B and C in several
states, one of them issued as a permit. Everything goes through the public API as the people would;
the passports, birth dates and persons are invented.

``seed_foreign_experts`` is called by ``gateway.seed.seed`` with its API helper and its login function.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

import httpx

FE = "/api/v1/foreign-experts"


class Sender(Protocol):
    """``gateway.seed.Api``: sends as given, a problem outside ``expect`` raised as ``SeedError``."""

    async def send(self, method: str, url: str, *, expect: tuple[int, ...] = ..., **kwargs: Any
                   ) -> httpx.Response: ...


@dataclass(frozen=True)
class DemoEmployer:
    org: str  # the key of the organisation in gateway.seed.ORGS
    clerk: str  # the key of the clerk's account in gateway.seed.USERS
    name_en: str
    city_code: str
    contact: tuple[str, str]
    licence_years: int | None  # None: the licence has no end (长期)


EMPLOYERS = (
    DemoEmployer("faw", "faw.applicant", "China FAW Group Co., Ltd.", "2201", ("赵志强", "0431-85900000"), None),
    DemoEmployer("jlu", "jlu.admin", "Jilin University", "2201", ("王晓明", "0431-85166000"), None),
    DemoEmployer("jlcf", "jlcf.applicant", "Jilin Chemical Fiber Group Co., Ltd.", "2202",
                 ("孙丽", "0432-63500000"), 12),
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
    DemoPermitApplication("faw", {
        "name": "WAGNER, Lukas", "chinese_name": "瓦格纳", "nationality": "DEU", "passport_number": "C4DM0W271",
        "sex": "male", "birth_date": "1981-07-09", "education": "doctorate",
        "degree_institution": "RWTH Aachen University", "work_years": 14, "bonuses": ["fortune_500"]},
        {"position": "新能源汽车电驱系统首席工程师", "work_city_code": "2201", "annual_salary": "600000.00",
         "months_per_year": "12"}, 1095, ("submit", "accept", "approve", "issue")),
    # B: a master's at 150,000 (72 points, the basic conditions hold): accepted, the clock running
    DemoPermitApplication("faw", {
        "name": "SATO, Haruki", "chinese_name": "佐藤春树", "nationality": "JPN", "passport_number": "TS4417096",
        "sex": "male", "birth_date": "1988-02-21", "education": "master", "degree_institution": "Tohoku University",
        "work_years": 6, "hsk_level": 4},
        {"position": "智能网联测试工程师", "work_city_code": "2201", "annual_salary": "150000.00",
         "months_per_year": "12"}, 730, ("submit", "accept")),
    # B by WP-3's language-teacher path: submitted, awaiting acceptance
    DemoPermitApplication("jlu", {
        "name": "TAYLOR, Emily", "nationality": "GBR", "passport_number": "561203948", "sex": "female",
        "birth_date": "1994-11-03", "education": "bachelor", "degree_institution": "University of Leeds",
        "work_years": 1, "language_teacher": {"native_speaker": True, "tefl_hours": 150}},
        {"position": "外语学院英语外籍教师", "work_city_code": "2201", "annual_salary": "150000.00",
         "months_per_year": "10"}, 365, ("submit",)),
    # C: seasonal work (a post the state lists): accepted, then waiting for documents (the clock stops)
    DemoPermitApplication("jlcf", {
        "name": "IVANOV, Sergei", "nationality": "RUS", "passport_number": "751234567", "sex": "male",
        "birth_date": "1979-05-30", "education": "senior_worker", "work_years": 15},
        {"position": "碳纤维原丝生产线调试技师", "work_city_code": "2202", "annual_salary": "90000.00",
         "months_per_year": "3", "post_kind": "seasonal"}, 80, ("submit", "accept", "request_documents"),
        comments={"request_documents": "请补充经认证的无犯罪记录证明（6个月内出具）"}),
    # A draft a clerk is still filling in
    DemoPermitApplication("jlcf", {
        "name": "KIM, Minjun", "chinese_name": "金敏俊", "nationality": "KOR", "passport_number": "M58213746",
        "sex": "male", "birth_date": "1990-09-14", "education": "master", "work_years": 5, "hsk_level": 5},
        {"position": "高性能纤维研发工程师", "work_city_code": "2202", "annual_salary": "220000.00",
         "months_per_year": "12"}, 730, (), documents_missing=("medical_certificate",)),
)

DOCUMENTS = ("application_form", "work_experience", "highest_degree", "criminal_record", "medical_certificate",
             "employment_contract", "passport", "photo")
OFFICIAL_STEPS = frozenset({"accept", "approve", "issue", "request_documents", "return_for_documents"})


def documents(today: date, missing: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    out = []
    for i, code in enumerate(c for c in DOCUMENTS if c not in missing):
        doc: dict[str, Any] = {"code": code, "name": f"{code}.pdf", "size": 180_000 + 977 * i,
                               "sha256": f"{0xD3E0 + i:064x}", "content_type": "application/pdf"}
        if code in ("highest_degree", "criminal_record"):
            doc["authenticated"] = True
        if code == "criminal_record":
            doc["issued_on"] = (today - timedelta(days=40)).isoformat()
        out.append(doc)
    return out


async def seed_foreign_experts(api: Sender, as_: Callable[[str], Awaitable[dict[str, str]]],
                               orgs: dict[str, tuple[str, str]], today: date) -> str:
    """Load the bureau's demo; ``orgs`` maps an organisation's key to (name, USCC). Returns a summary."""
    official = await as_("official")
    employer_ids: dict[str, int] = {}
    for e in EMPLOYERS:
        name, uscc = orgs[e.org]
        licence = None if e.licence_years is None else (today + timedelta(days=365 * e.licence_years)).isoformat()
        r = await api.send("POST", f"{FE}/employers", headers=await as_(e.clerk), expect=(201, 409), json={
            "uscc": uscc, "name": name, "name_en": e.name_en, "city_code": e.city_code, "contact_name": e.contact[0],
            "contact_phone": e.contact[1], "licence_expires_on": licence})
        if r.status_code == 201:
            employer_ids[e.org] = r.json()["id"]
        else:  # registered by an earlier run: find it among the clerk's own
            listed = (await api.send("GET", f"{FE}/employers", headers=await as_(e.clerk))).json()["items"]
            employer_ids[e.org] = next(item["id"] for item in listed if item["uscc"] == uscc)

    by_org = {e.org: e for e in EMPLOYERS}
    for item in APPLICATIONS:
        clerk = await as_(by_org[item.employer].clerk)
        starts = today + timedelta(days=30)
        body = {
            "employer_id": employer_ids[item.employer],
            "foreigner": {**item.foreigner, "passport_expires_on": (today + timedelta(days=2900)).isoformat()},
            "post": {**item.post, "contract_starts_on": starts.isoformat(),
                     "contract_ends_on": (starts + timedelta(days=item.contract_days)).isoformat()},
            "documents": documents(today, item.documents_missing),
        }
        application = (await api.send("POST", f"{FE}/applications", headers=clerk, json=body)).json()
        for action in item.steps:
            who = official if action in OFFICIAL_STEPS else clerk
            comment = item.comments.get(action)
            await api.send("POST", f"{FE}/applications/{application['id']}/{action}", headers=who,
                           json={"comment": comment} if comment else None)
    return f"{len(EMPLOYERS)} employers and {len(APPLICATIONS)} work-permit applications (classes A, B and C)"
