"""Use cases of the national S&T award nominations (国家科学技术奖提名): officials set each year's quota per
national category (data), nominate provincial winners within it (counted under the quota row's lock) and
export the year's package as JSON or XLSX. Never commits."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.db import common
from services.talent.errors import NationalQuotaExceeded, NationalQuotaNotSet, NotAProvincialWinner
from services.talent.national import repository as repo
from services.talent.national.models import NationalNomination, NationalQuota
from services.talent.national.schemas import NationalNominationCreate, NationalNominationRead, QuotaRead, QuotasIn
from services.talent.nominations import repository as nominations
from services.talent.rules.award_flows import NATIONAL_CATEGORIES
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import Conflict, NotFound
from shared.principal import Principal
from shared.schemas import Label

KIND = "national_nomination"


def _label(category: str) -> Label:
    zh, en = NATIONAL_CATEGORIES[category]
    return Label(zh=zh, en=en)


async def set_quotas(session: AsyncSession, principal: Principal, year: int, body: QuotasIn) -> list[QuotaRead]:
    existing = {q.national_category: q for q in await repo.quotas(session, year)}
    for category, quota in body.quotas.items():
        row = existing.get(category)
        if row is None:
            session.add(NationalQuota(year=year, national_category=category, quota=quota, version=1))
        else:
            row.quota = quota
            row.version += 1
    await flush_versioned(session, "国家奖提名名额")
    await audit.append(
        session, common, principal, "set_quotas", "national_quota", year, {str(k): v for k, v in body.quotas.items()}
    )
    return await quotas(session, year)


async def quotas(session: AsyncSession, year: int) -> list[QuotaRead]:
    used = await repo.used(session, year)
    return [
        QuotaRead(
            year=year,
            national_category=q.national_category,
            label=_label(q.national_category),
            quota=q.quota,
            used=used.get(q.national_category, 0),
        )
        for q in await repo.quotas(session, year)
    ]


async def to_read(session: AsyncSession, row: NationalNomination) -> NationalNominationRead:
    nomination = await nominations.get(session, row.nomination_id)
    assert nomination is not None
    people = (await nominations.people(session, [nomination.id]))[nomination.id]
    return NationalNominationRead.model_validate(
        {
            **{c.key: getattr(row, c.key) for c in NationalNomination.__table__.columns},
            "national_category_label": _label(row.national_category),
            "title": nomination.title,
            "provincial_category": nomination.category,
            "provincial_grade": nomination.grade,
            "certificate_no": nomination.certificate_no,
            "first_completer": people[0].name if people else "",
            "first_unit": nomination.units[0]["name"] if nomination.units else "",
        }
    )


async def create(session: AsyncSession, principal: Principal, body: NationalNominationCreate) -> NationalNomination:
    nomination = await nominations.get(session, body.nomination_id)
    if nomination is None:
        raise NotFound("提名书不存在。", "No such nomination.")
    if nomination.status != "awarded":
        raise NotAProvincialWinner(
            "该项目不是已公布的省科学技术奖获奖项目。",
            "The nomination is not a provincial winner with published results.",
            extra={"status": nomination.status},
        )
    year = nomination.year
    quota = await repo.quota_locked(session, year, body.national_category)
    if quota is None:
        raise NationalQuotaNotSet(
            f"{year} 年度该国家奖类别的提名名额尚未设定。",
            f"The {year} quota of the national category is not set.",
            extra={"year": year, "national_category": body.national_category},
        )
    used = (await repo.used(session, year)).get(body.national_category, 0)
    if used >= quota.quota:
        raise NationalQuotaExceeded(
            f"{year} 年度该类别至多提名 {quota.quota} 项，已提名 {used} 项。",
            f"The category takes at most {quota.quota} nominations in {year}; {used} are taken.",
            extra={"quota": quota.quota, "used": used, "national_category": body.national_category},
        )
    if await repo.by_nomination(session, nomination.id) is not None:
        raise Conflict("该项目已被提名过国家奖。", "The project is already nominated for a national award.")
    row = NationalNomination(
        year=year,
        national_category=body.national_category,
        nomination_id=nomination.id,
        statement=body.statement,
        status="nominated",
        version=1,
        created_by=principal.actor_id,
    )
    session.add(row)
    await flush_versioned(session, "国家奖提名")
    await audit.append(session, common, principal, "create", KIND, row.id, {"nomination_id": nomination.id})
    return row


async def withdraw(
    session: AsyncSession, principal: Principal, national_id: int, if_match: str | None
) -> NationalNomination:
    row = await repo.get(session, national_id, for_update=True)
    if row is None:
        raise NotFound("国家奖提名不存在。", "No such national nomination.")
    check_if_match(if_match, KIND, row.id, row.version, required=False)
    if row.status != "nominated":
        raise Conflict("该提名已撤回。", "The national nomination is already withdrawn.")
    row.status = "withdrawn"
    row.version += 1
    await flush_versioned(session, "国家奖提名")
    await audit.append(session, common, principal, "withdraw", KIND, row.id, {})
    return row


async def load(session: AsyncSession, national_id: int) -> NationalNomination:
    row = await repo.get(session, national_id)
    if row is None:
        raise NotFound("国家奖提名不存在。", "No such national nomination.")
    return row


async def of_year(session: AsyncSession, year: int) -> list[NationalNominationRead]:
    return [await to_read(session, r) for r in await repo.of_year(session, year)]


COLUMNS: tuple[tuple[str, str], ...] = (
    ("national_category", "国家奖类别"),
    ("title", "项目名称"),
    ("provincial_category", "省奖类别"),
    ("provincial_grade", "省奖等级"),
    ("certificate_no", "省奖证书编号"),
    ("first_completer", "第一完成人"),
    ("first_unit", "第一完成单位"),
    ("statement", "提名意见"),
)


async def package(session: AsyncSession, year: int) -> dict[str, Any]:
    """The year's nomination package: the quotas and each nomination still standing (public facts only)."""
    items = [r for r in await of_year(session, year) if r.status == "nominated"]
    return {
        "year": year,
        "quotas": [q.model_dump(mode="json") for q in await quotas(session, year)],
        "nominations": [
            {**{k: getattr(r, k) for k, _ in COLUMNS}, "national_category_name": r.national_category_label.zh}
            for r in items
        ],
    }


def xlsx(pkg: dict[str, Any]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"{pkg['year']}年度国家科学技术奖提名"
    sheet.append(["序号", *[zh for _, zh in COLUMNS]])
    for n, row in enumerate(pkg["nominations"], start=1):
        values = [row["national_category_name"], *[row[k] for k, _ in COLUMNS[1:]]]
        sheet.append([n, *["" if v is None else v for v in values]])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
