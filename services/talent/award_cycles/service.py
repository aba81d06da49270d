"""Use cases of award cycles: officials draft one per year and category with its figures as data, open it
for nominations (CAL-2 window), close it; everyone reads opened ones. A biennial category is refused in a
year it is not given (AW-1). Never commits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from fractions import Fraction
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.award_cycles import repository as repo
from services.talent.award_cycles.models import AwardCycle
from services.talent.award_cycles.schemas import CategoryRead, CycleCreate, CycleRead, CycleUpdate, GradeKey, VoteIn
from services.talent.db import common
from services.talent.nominations import repository as nominations
from services.talent.rules import awards as aw1
from services.talent.rules.award_flows import AWARD_STATE_LABELS, CYCLE_WORKFLOW
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import CallNotEditable, Duplicate, NotFound, ValidationFailed, field_error
from shared.pagination import Page
from shared.principal import Principal
from shared.schemas import Label
from shared.windows import window_now
from shared.workflow import HistoryRead, load_history

SORTS = repo.SORTS
KIND = "award_cycle"
EDITABLE = frozenset({"draft", "open", "closed"})


def not_found() -> NotFound:
    return NotFound("评审周期不存在。", "No such award cycle.")


def grade_of(key: str) -> int | None:
    return None if key == "none" else int(key)


def key_of(grade: int | None) -> str:
    return "none" if grade is None else str(grade)


def _vote_rule(data: dict[str, Any]) -> aw1.VoteRule:
    return aw1.VoteRule(
        Fraction(data["threshold"]),
        data.get("basis", "members"),
        bool(data.get("at_least", True)),
        Fraction(data.get("quorum", "2/3")),
    )


def vote_json(rule: aw1.VoteRule) -> dict[str, str | bool]:
    return {
        "threshold": str(rule.threshold),
        "basis": rule.basis,
        "at_least": rule.at_least,
        "quorum": str(rule.quorum),
    }


def category_of(cycle: AwardCycle) -> aw1.AwardCategory:
    """The cycle's category with its own quotas and vote rules (AW-1, as data)."""
    category = aw1.award_category(cycle.category)
    category = aw1.with_quotas(category, {grade_of(k): v for k, v in cycle.quotas.items()})
    grades = {
        g: replace(rule, vote=_vote_rule(cycle.votes[key_of(g)])) if key_of(g) in cycle.votes else rule
        for g, rule in category.grades.items()
    }
    return replace(category, grades=grades)


def _check_figures(cycle: AwardCycle) -> None:
    """AW-1: the quotas and votes name the category's grades only; fractions are read as such."""
    category = aw1.award_category(cycle.category)
    for key in [*cycle.quotas, *cycle.votes]:
        aw1.check_grade(category, grade_of(key))
    try:
        category_of(cycle)
    except (ValueError, ZeroDivisionError):
        raise ValidationFailed(
            [field_error("votes", "invalid_fraction", "表决比例不是有效分数", "a vote fraction is not valid")]
        ) from None


def _votes(votes: Mapping[GradeKey, VoteIn]) -> dict[str, dict[str, Any]]:
    return {k: v.model_dump() for k, v in votes.items()}


async def to_read(session: AsyncSession, cycle: AwardCycle, principal: Principal, today: date) -> CycleRead:
    category = category_of(cycle)
    taken = await nominations.quota_taken(session, cycle.id)
    zh, en = category.name_zh, category.name_en
    return CycleRead.model_validate(
        {
            **{c.key: getattr(cycle, c.key) for c in AwardCycle.__table__.columns},
            "category_label": Label(zh=zh, en=en),
            "grades": [
                {"grade": g, "quota": rule.quota, "taken": taken.get(g, 0), "vote": vote_json(rule.vote)}
                for g, rule in category.grades.items()
            ],
            "status_label": Label(**dict(zip(("zh", "en"), AWARD_STATE_LABELS[cycle.status], strict=True))),
            "allowed_actions": CYCLE_WORKFLOW.actions_from(cycle.status, principal),
            **window_now(cycle.opens_on, cycle.closes_on, today, taking=cycle.status == "open").fields(),
        }
    )


def categories() -> list[CategoryRead]:
    return [
        CategoryRead(
            code=c.code,
            name=Label(zh=c.name_zh, en=c.name_en),
            graded=c.graded,
            grades=[g for g in c.grades if g is not None],
            default_quota=c.grades[None].quota if not c.graded else None,
            every_years=c.every_years,
            anchor_year=c.anchor_year,
            for_foreigners=c.for_foreigners,
        )
        for c in aw1.DEFAULT_CATEGORIES.values()
    ]


async def load(session: AsyncSession, principal: Principal, cycle_id: int) -> AwardCycle:
    cycle = await repo.get_visible(session, principal, cycle_id)
    if cycle is None:
        raise not_found()
    return cycle


async def locked(session: AsyncSession, cycle_id: int) -> AwardCycle:
    cycle = await repo.locked(session, cycle_id)
    if cycle is None:
        raise not_found()
    return cycle


async def page(
    session: AsyncSession,
    principal: Principal,
    today: date,
    *,
    year: int | None,
    category: str | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> Page[CycleRead]:
    rows, next_cursor = await repo.page(
        session, principal, year=year, category=category, status=status, limit=limit, cursor=cursor, sort=sort
    )
    return Page[CycleRead](items=[await to_read(session, r, principal, today) for r in rows], next_cursor=next_cursor)


async def create(session: AsyncSession, principal: Principal, body: CycleCreate) -> AwardCycle:
    aw1.check_cycle_year(aw1.award_category(body.category), body.year)  # AW-1: biennial categories
    if await repo.by_code(session, body.code) is not None:
        raise Duplicate(f"编号 {body.code} 已被使用。", f"The code {body.code} is taken.", extra={"field": "code"})
    if await repo.of_year_category(session, body.year, body.category) is not None:
        raise Duplicate(
            f"{body.year} 年度已有该类别的评审周期。",
            f"There is already a {body.category} cycle for {body.year}.",
            extra={"field": "category"},
        )
    values = body.model_dump(exclude={"votes"})
    cycle = AwardCycle(
        **values, votes=_votes(body.votes), status=CYCLE_WORKFLOW.initial, version=1, created_by=principal.actor_id
    )
    _check_figures(cycle)
    session.add(cycle)
    await flush_versioned(session, "评审周期")
    await CYCLE_WORKFLOW.record_creation(session, common, cycle, principal)
    await audit.append(session, common, principal, "create", KIND, cycle.id, {"code": cycle.code})
    return cycle


async def update(
    session: AsyncSession, principal: Principal, cycle_id: int, body: CycleUpdate, if_match: str | None
) -> AwardCycle:
    await load(session, principal, cycle_id)
    cycle = await locked(session, cycle_id)
    check_if_match(if_match, KIND, cycle.id, cycle.version)
    if cycle.status not in EDITABLE:
        raise CallNotEditable(
            "评审结果已公布，不能修改。", "The cycle's results are published; it can no longer change."
        )
    changes = body.model_dump(exclude_unset=True, exclude={"votes"})
    if body.votes is not None:
        changes["votes"] = _votes(body.votes)
    for field, value in changes.items():
        setattr(cycle, field, value)
    if cycle.closes_on < cycle.opens_on:
        raise ValidationFailed(
            [field_error("closes_on", "closes_before_opens", "截止日期早于开始日期", "closes_on is before opens_on")]
        )
    _check_figures(cycle)
    cycle.version += 1
    await flush_versioned(session, "评审周期")
    await audit.append(session, common, principal, "update", KIND, cycle.id, {"fields": sorted(changes)})
    return cycle


async def act(
    session: AsyncSession, principal: Principal, cycle_id: int, action: str, comment: str | None, if_match: str | None
) -> AwardCycle:
    await load(session, principal, cycle_id)
    cycle = await locked(session, cycle_id)
    check_if_match(if_match, KIND, cycle.id, cycle.version, required=False)
    await CYCLE_WORKFLOW.apply(session, common, cycle, action, principal, comment=comment)
    await flush_versioned(session, "评审周期")
    await audit.append(session, common, principal, action, KIND, cycle.id, {"status": cycle.status})
    return cycle


async def history(session: AsyncSession, principal: Principal, cycle_id: int) -> list[HistoryRead]:
    cycle = await load(session, principal, cycle_id)
    return await load_history(session, common, KIND, cycle.id)
