"""Builders for the bureau's yearly calls and the applications under them (programmes, training)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.services.foreign_experts.conftest import CLERK, OFFICIAL

# The test clock starts on Monday 2 March 2026 (conftest): these calls are open then.
PROGRAMME_CALL = {
    "code": "WZXM2026",
    "year": 2026,
    "title": "2026年度吉林省引进外国专家项目",
    "title_en": "Jilin Foreign Expert Programmes 2026",
    "opens_on": "2026-02-01",
    "closes_on": "2026-04-30",
    "budget": "1000000.00",
    "max_amount": "300000.00",
}
TRAINING_PLAN = {
    "code": "CGPX2026",
    "year": 2026,
    "title": "2026年度出国(境)培训计划",
    "opens_on": "2026-02-01",
    "closes_on": "2026-04-30",
    "budget": "500000.00",
    "max_amount": "200000.00",
    "participant_quota": 10,
    "max_duration_days": 21,
}


async def make_call(fe: Any, path: str = "programme-calls", publish: bool = True, **overrides: Any) -> dict[str, Any]:
    body = (PROGRAMME_CALL if path == "programme-calls" else TRAINING_PLAN) | overrides
    call: dict[str, Any] = await fe.call("POST", f"/{path}", OFFICIAL, 201, json=body)
    if publish:
        call = await fe.call("POST", f"/{path}/{call['id']}/publish", OFFICIAL)
    return call


def plan(amount: str = "200000.00", **overrides: Any) -> dict[str, Any]:
    half = (Decimal(amount) / 2).quantize(Decimal("0.01"))
    rest = Decimal(amount) - half
    return {
        "title": "黑土地保护性耕作技术合作",
        "objectives": "建立保护性耕作示范区",
        "work_plan": "春播前后两次来华指导",
        "starts_on": "2026-05-01",
        "ends_on": "2026-10-31",
        "days_in_china": 60,
        "requested_amount": amount,
        "self_funding": "50000.00",
        "budget_items": [{"item": "国际旅费", "amount": str(half)}, {"item": "专家工薪", "amount": str(rest)}],
    } | overrides


def expert(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "DUPONT, Jean",
        "chinese_name": "杜邦",
        "nationality": "FRA",
        "field": "土壤学 / soil science",
        "position": "Directeur de recherche, INRAE",
    } | overrides


async def make_programme(
    fe: Any, call_id: int, employer_id: int, who: dict[str, str] = CLERK, expect: int = 201, **parts: Any
) -> dict[str, Any]:
    body = {
        "call_id": call_id,
        "employer_id": employer_id,
        "expert": expert(**parts.get("expert", {})),
        "plan": plan(**parts.get("plan", {})),
    }
    result: dict[str, Any] = await fe.call("POST", "/programme-applications", who, expect, json=body)
    return result


async def prog(fe: Any, application_id: int, action: str, who: dict[str, str], expect: int = 200, **body: Any) -> Any:
    return await fe.call("POST", f"/programme-applications/{application_id}/{action}", who, expect, json=body or None)


async def review(
    fe: Any, application_id: int, name: str = "李明（吉林农业大学）", score: int = 86, expect: int = 201
) -> Any:
    return await fe.call(
        "POST",
        f"/programme-applications/{application_id}/reviews",
        OFFICIAL,
        expect,
        json={"reviewer_name": name, "score": score, "recommendation": "support", "opinion": "合作基础好，计划可行"},
    )


def trip(amount: str = "120000.00", people: int = 3, **overrides: Any) -> dict[str, Any]:
    return {
        "topic": "智能制造与工业4.0管理培训",
        "destination": "DEU",
        "host_institution": "Fraunhofer IPK, Berlin",
        "purpose": "学习德国智能制造管理经验",
        "starts_on": "2026-06-01",
        "ends_on": "2026-06-14",
        "participants": [{"name": f"学员{i}", "position": "高级工程师"} for i in range(1, people + 1)],
        "requested_amount": amount,
        "budget_items": [{"item": "国际旅费及培训费", "amount": amount}],
    } | overrides


async def make_training(
    fe: Any, call_id: int, who: dict[str, str] = CLERK, expect: int = 201, **overrides: Any
) -> dict[str, Any]:
    body = {
        "call_id": call_id,
        "unit_name": "长春光华新材料科技有限公司",
        "contact_name": "王丽",
        "contact_phone": "0431-85550000",
        "training": trip(**overrides),
    }
    result: dict[str, Any] = await fe.call("POST", "/training-applications", who, expect, json=body)
    return result


async def train(fe: Any, application_id: int, action: str, who: dict[str, str], expect: int = 200, **body: Any) -> Any:
    return await fe.call("POST", f"/training-applications/{application_id}/{action}", who, expect, json=body or None)
