"""Use cases of yearly funding plans: officials draft, publish and close them, with the agencies that
run them; anyone reads the published ones. Never commits.

A plan's drafts are seen by officials, auditors and the agencies it lists (``repository.visible``);
an agency not listed sees only published and closed plans, and never acts on any plan.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation.db import common
from services.foundation.errors import PlanNotEditable
from services.foundation.plans import repository as repo
from services.foundation.plans.models import FundingPlan, PlanAgency, PlanCategory
from services.foundation.plans.schemas import CategoryIn, CategoryRead, PlanCreate, PlanRead, PlanSummary, PlanUpdate
from services.foundation.rules import eligibility
from services.foundation.rules.workflows import PLAN_WORKFLOW
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import NotFound, ValidationFailed, field_error
from shared.pagination import Page
from shared.principal import Principal
from shared.windows import WindowNow, deadline_now, read_with, window_now
from shared.workflow import HistoryRead, load_history

SORTS = repo.SORTS  # the orders its list takes, as the router documents them

KIND = "funding_plan"


def not_found() -> NotFound:
    return NotFound("资助计划不存在。", "No such funding plan.")


async def load(session: AsyncSession, principal: Principal, plan_id: int, *, for_update: bool = False) -> FundingPlan:
    plan = await repo.get_visible(session, principal, plan_id, for_update=for_update)
    if plan is None:
        raise not_found()
    return plan


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    year: int | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
    now: datetime,
) -> Page[PlanSummary]:
    """Published and closed plans for everyone; drafts for officials, auditors and the plan's agencies."""
    rows, next_cursor = await repo.page(
        session, principal, year=year, status=status, limit=limit, cursor=cursor, sort=sort
    )
    items = [read_with(PlanSummary, r, window(r, now).fields()) for r in rows]
    return Page[PlanSummary](items=items, next_cursor=next_cursor)


def _set_categories(plan: FundingPlan, categories: list[CategoryIn]) -> None:
    # Matched by code, so a category keeps its id (and no (plan, code) clash is flushed).
    by_code = {c.code: c for c in plan.categories}
    rows: list[PlanCategory] = []
    for position, c in enumerate(categories):
        row = by_code.get(c.code) or PlanCategory(code=c.code, version=1)
        male, female = eligibility.default_age_limits(c.kind)
        row.position = position
        row.kind, row.name, row.partner = c.kind, c.name, c.partner
        row.project_count, row.amount_mode, row.amount, row.budget = c.project_count, c.amount_mode, c.amount, c.budget
        row.reviewers_per_application = c.reviewers_per_application or eligibility.default_reviewers(c.kind)
        row.max_age_male = c.max_age_male if c.max_age_male is not None else male
        row.max_age_female = c.max_age_female if c.max_age_female is not None else female
        rows.append(row)
    plan.categories = rows


def _set_agencies(plan: FundingPlan, org_ids: list[int]) -> None:
    kept = {a.org_id: a for a in plan.agencies}
    plan.agencies = [kept.get(o) or PlanAgency(org_id=o) for o in sorted(set(org_ids))]


def _check_window(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= opens_at:
        raise ValidationFailed(
            [field_error("closes_at", "before_opens_at", "截止时间应晚于开始时间", "closes_at must be after opens_at")]
        )


async def create(session: AsyncSession, principal: Principal, body: PlanCreate) -> FundingPlan:
    plan = FundingPlan(
        code=body.code,
        year=body.year,
        title=body.title,
        guide=body.guide,
        discipline_codes=list(body.discipline_codes),
        opens_at=body.opens_at,
        closes_at=body.closes_at,
        formal_review_days=body.formal_review_days,
        notice_working_days=body.notice_working_days,
        status=PLAN_WORKFLOW.initial,
        version=1,
        created_by=principal.actor_id,
        categories=[],
        agencies=[],
    )
    _set_categories(plan, body.categories)
    _set_agencies(plan, body.agency_org_ids)
    await repo.add(session, plan)
    await flush_versioned(session, "资助计划")
    await PLAN_WORKFLOW.record_creation(session, common, plan, principal)
    await audit.append(session, common, principal, "create", KIND, plan.id, {"code": plan.code, "year": plan.year})
    return plan


async def update(
    session: AsyncSession, principal: Principal, plan_id: int, body: PlanUpdate, if_match: str | None
) -> FundingPlan:
    plan = await load(session, principal, plan_id, for_update=True)
    check_if_match(if_match, KIND, plan.id, plan.version)
    if plan.status != "draft":
        raise PlanNotEditable("只有草稿状态的资助计划可以修改。", "Only a draft plan can be edited.")
    changes = body.model_dump(exclude_unset=True)
    for name in ("title", "opens_at", "closes_at", "formal_review_days", "notice_working_days"):
        if changes.get(name) is not None:
            setattr(plan, name, getattr(body, name))
    if "guide" in changes:
        plan.guide = body.guide
    if body.discipline_codes is not None:
        plan.discipline_codes = list(body.discipline_codes)
    _check_window(plan.opens_at, plan.closes_at)
    if body.categories is not None:
        _set_categories(plan, body.categories)
    if body.agency_org_ids is not None:
        _set_agencies(plan, body.agency_org_ids)
    plan.version += 1
    await flush_versioned(session, "资助计划")
    await audit.append(session, common, principal, "update", KIND, plan.id, {"fields": sorted(changes)})
    return plan


async def act(
    session: AsyncSession,
    principal: Principal,
    plan_id: int,
    action: str,
    comment: str | None,
    if_match: str | None,
    now: datetime,
) -> FundingPlan:
    plan = await load(session, principal, plan_id, for_update=True)
    check_if_match(if_match, KIND, plan.id, plan.version, required=False)
    if action == "publish" and plan.status == "draft" and plan.closes_at <= now:
        raise eligibility.PlanClosed(
            "申请截止时间已过，不能发布。", "The closing time has passed; the plan cannot be published."
        )
    await PLAN_WORKFLOW.apply(session, common, plan, action, principal, comment=comment)
    await flush_versioned(session, "资助计划")
    await audit.append(session, common, principal, action, KIND, plan.id, {"status": plan.status})
    return plan


async def history(session: AsyncSession, principal: Principal, plan_id: int) -> list[HistoryRead]:
    plan = await load(session, principal, plan_id)
    return await load_history(session, common, KIND, plan.id)


def window(plan: FundingPlan, now: datetime) -> WindowNow:
    """Taking applications now (CAL-2): published, not closed by hand, and now within the plan's times."""
    return window_now(plan.opens_at, plan.closes_at, now, taking=plan.status == "published")


def to_read(plan: FundingPlan, now: datetime) -> PlanRead:
    due = eligibility.formal_review_due(plan.closes_at, plan.formal_review_days)
    formal_review = deadline_now(due, now)
    return PlanRead.model_validate(
        {
            **{
                k: getattr(plan, k)
                for k in (
                    "id",
                    "code",
                    "year",
                    "title",
                    "guide",
                    "discipline_codes",
                    "opens_at",
                    "closes_at",
                    "formal_review_days",
                    "notice_working_days",
                    "agency_org_ids",
                    "status",
                    "version",
                    "created_at",
                    "updated_at",
                )
            },
            **window(plan, now).fields(),
            "formal_review_due": due,
            "formal_review_days_left": formal_review.days_left,
            "formal_review_calendar_confirmed": formal_review.calendar_confirmed,
            "categories": [CategoryRead.model_validate(c) for c in plan.categories],
        }
    )
