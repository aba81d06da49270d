"""Use cases of approval (批准资助). Never commits: the request's unit of work does.

* An official approves a category's ranked list: the applications named (by default those within the
  funding line) ranked → approved with their amounts; when the list is final the category's other
  ranked applications ranked → not_approved. The category's ``approved_total``/``approved_count`` grow
  under the category's row lock (SELECT ... FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE lets one
  writer in), so concurrent approvals can never exceed its budget or its project count.
* An objection upheld during the public notice (``notices``) takes an approval back and gives its
  amount and place back to the category (``withdraw_approval``).
Every application moves through ``applications.service.move`` (history, the limits ledger in the
projects service, the audit trail): when projects does not answer, the whole request is refused (503)
and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation import access
from services.foundation.applications import service as applications
from services.foundation.applications.models import FoundationApplication
from services.foundation.approvals import repository as repo
from services.foundation.approvals import rules
from services.foundation.approvals.models import CategoryApproval, CategoryApprovalItem
from services.foundation.approvals.schemas import ApprovalCreate, ApprovalRead, BudgetRead
from services.foundation.db import common
from services.foundation.deps import Environment
from services.foundation.errors import CategoryBudgetExceeded, CategoryCountExceeded, NothingToApprove
from services.foundation.plans.models import FundingPlan, PlanCategory
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned, utcnow
from shared.errors import ApplicationNotRanked, Conflict, NotFound, ValidationFailed, field_error
from shared.principal import Principal

APPROVAL_SORTS = repo.APPROVAL_SORTS  # the orders its list takes, as the router documents them

APPROVAL = "category_approval"
CATEGORY = "plan_category"  # the ETag of a category's budget
DECLINED = "未列入批准资助名单 / not on the approved list"


OVERRUNS: dict[str, type[Conflict]] = {
    "category_budget_exceeded": CategoryBudgetExceeded,
    "category_count_exceeded": CategoryCountExceeded,
}


def _no_plan() -> NotFound:
    return NotFound("资助计划或类别不存在。", "No such plan or category.")


def sees_plan(plan: FundingPlan, principal: Principal) -> bool:
    """Officials and auditors see every plan; an agency the plans that list it."""
    return principal.has_role("official", "auditor") or access.is_plan_agency(plan, principal)


async def plan_and_category(
    session: AsyncSession, principal: Principal, plan_id: int, category_id: int, *, for_update: bool = False
) -> tuple[FundingPlan, PlanCategory]:
    plan = await repo.plan(session, plan_id)
    if plan is None or not sees_plan(plan, principal):
        raise _no_plan()
    category = await repo.category(session, plan.id, category_id, for_update=for_update)
    if category is None:
        raise _no_plan()
    return plan, category


def room_of(category: PlanCategory) -> rules.Room:
    return rules.Room(category.budget, category.approved_total, category.project_count, category.approved_count)


def budget_read(category: PlanCategory) -> BudgetRead:
    room = room_of(category)
    return BudgetRead(
        plan_id=category.plan_id,
        category_id=category.id,
        code=category.code,
        name=category.name,
        amount_mode=category.amount_mode,
        amount=category.amount,
        budget=category.budget,
        approved_total=category.approved_total,
        remaining=room.remaining,
        project_count=category.project_count,
        approved_count=category.approved_count,
        remaining_count=room.remaining_count,
        version=category.version,
    )


async def budget(session: AsyncSession, principal: Principal, plan_id: int, category_id: int) -> PlanCategory:
    _, category = await plan_and_category(session, principal, plan_id, category_id)
    return category


# --- approval ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    application: FoundationApplication
    amount: Decimal


async def _named(
    session: AsyncSession, body: ApprovalCreate, category: PlanCategory, ranked: dict[int, FoundationApplication]
) -> list[Choice]:
    """The applications the official named: each a ranked one of the category, in rank order, for at
    most its grant."""
    items = body.items or []
    ids = [i.application_id for i in items]
    errors = [
        field_error("items", "duplicate_application", f"申请书 {i} 被列出两次", f"application {i} is named twice")
        for i in rules.duplicates(ids)
    ]
    if errors:
        raise ValidationFailed(errors)
    others = {a.id: a for a in await repo.applications(session, [i for i in ids if i not in ranked])}
    for n, application_id in enumerate(ids):
        other = others.get(application_id)
        if application_id not in ranked and (other is None or other.category_id != category.id):
            errors.append(
                field_error(
                    f"items.{n}.application_id",
                    "not_in_category",
                    f"申请书 {application_id} 不是本类别的申请书",
                    f"application {application_id} is not an application of this category",
                )
            )
    if errors:
        raise ValidationFailed(errors)
    not_ranked = [i for i in ids if i not in ranked]
    if not_ranked:
        raise ApplicationNotRanked(
            f"以下申请书不处于已排序状态：{not_ranked}。",
            f"These applications are not ranked: {not_ranked}.",
            extra={"application_ids": not_ranked, "statuses": {str(i): others[i].status for i in not_ranked}},
        )
    errors = [
        field_error(
            f"items.{n}.application_id",
            "not_in_rank_order",
            "请按排序先后列出申请书",
            "list the applications in rank order",
        )
        for n in rules.out_of_rank_order([ranked[i].rank for i in ids])
    ]
    choices: list[Choice] = []
    for n, item in enumerate(items):
        application = ranked[item.application_id]
        granted = rules.grant(category.amount_mode, category.amount, application.requested_total)
        amount = item.amount if item.amount is not None else granted
        errors += rules.amount_problems(n, amount, granted)
        choices.append(Choice(application, amount))
    if errors:
        raise ValidationFailed(errors)
    return choices


async def approve(
    session: AsyncSession,
    principal: Principal,
    plan_id: int,
    category_id: int,
    body: ApprovalCreate,
    if_match: str | None,
    env: Environment,
) -> tuple[CategoryApproval, PlanCategory]:
    # The category's row lock serialises approvals in it; its totals are read after taking it.
    plan, category = await plan_and_category(session, principal, plan_id, category_id, for_update=True)
    check_if_match(if_match, CATEGORY, category.id, category.version, required=False)
    ranked = await repo.ranked(session, category.id)
    room = room_of(category)
    by_id = {a.id: a for a in ranked}
    if body.items is None:
        line = rules.funding_line(
            [rules.Candidate(a.id, a.rank, a.requested_total) for a in ranked],
            category.amount_mode,
            category.amount,
            room.remaining,
            room.remaining_count,
        )
        choices = [Choice(by_id[c.application_id], amount) for c, amount in line]
    else:
        choices = await _named(session, body, category, by_id)
    chosen = {c.application.id for c in choices}
    declined = [a for a in ranked if a.id not in chosen] if body.final else []
    if not choices and not declined:
        raise NothingToApprove("该类别没有可批准的已排序申请书。", "The category has no ranked application to approve.")
    total = sum((c.amount for c in choices), Decimal("0.00"))
    overrun = rules.overrun(room, total, len(choices))
    if overrun is not None:
        raise OVERRUNS[overrun](
            f"本次拟批准 {len(choices)} 项、{total:.2f} 元；"
            f"该类别尚余 {room.remaining_count} 项、{room.remaining:.2f} 元。",
            f"The list approves {len(choices)} project(s) for {total:.2f} yuan; {room.remaining_count} project(s) "
            f"and {room.remaining:.2f} yuan of the category remain.",
            extra={
                "budget": f"{category.budget:.2f}",
                "approved_total": f"{category.approved_total:.2f}",
                "remaining": f"{room.remaining:.2f}",
                "requested": f"{total:.2f}",
                "project_count": category.project_count,
                "approved_count": category.approved_count,
                "requested_count": len(choices),
            },
        )
    items: list[CategoryApprovalItem] = []
    for position, choice in enumerate(choices, start=1):
        application = choice.application
        application.approved_amount = choice.amount
        await applications.move(
            session,
            principal,
            application,
            "approve",
            body.comment,
            env,
            plan=plan,
            audit_data={"approved_amount": f"{choice.amount:.2f}", "category_id": category.id},
        )
        items.append(
            CategoryApprovalItem(
                application_id=application.id,
                position=position,
                rank=application.rank,
                decision="approve",
                amount=choice.amount,
                status="approved",
            )
        )
    for position, application in enumerate(declined, start=len(choices) + 1):
        await applications.move(
            session,
            principal,
            application,
            "decline",
            body.comment or DECLINED,
            env,
            plan=plan,
            audit_data={"category_id": category.id},
        )
        items.append(
            CategoryApprovalItem(
                application_id=application.id,
                position=position,
                rank=application.rank,
                decision="decline",
                amount=None,
                status="declined",
            )
        )
    category.approved_total = room.approved_total + total
    category.approved_count = room.approved_count + len(choices)
    category.version += 1
    await flush_versioned(session, "资助类别")
    approval = CategoryApproval(
        plan_id=plan.id,
        category_id=category.id,
        final=body.final,
        source="funding_line" if body.items is None else "official",
        total_amount=total,
        approved_count=len(choices),
        declined_count=len(declined),
        comment=body.comment,
        approved_by=principal.actor_id,
        created_at=utcnow(),
        items=items,
    )
    await repo.add(session, approval)
    await audit.append(
        session,
        common,
        principal,
        "approve",
        APPROVAL,
        approval.id,
        {
            "plan_id": plan.id,
            "category_id": category.id,
            "final": body.final,
            "approved_amount": f"{total:.2f}",
            "approved": [i.application_id for i in items if i.decision == "approve"],
            "declined": [i.application_id for i in items if i.decision == "decline"],
            "category_approved_total": f"{category.approved_total:.2f}",
            "budget": f"{category.budget:.2f}",
            "category_approved_count": category.approved_count,
            "project_count": category.project_count,
        },
    )
    return approval, category


async def approvals(
    session: AsyncSession,
    principal: Principal,
    plan_id: int,
    category_id: int,
    *,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[CategoryApproval], str | None]:
    _, category = await plan_and_category(session, principal, plan_id, category_id)
    return await repo.approvals_page(session, category.id, limit=limit, cursor=cursor, sort=sort)


def approval_read(approval: CategoryApproval, category: PlanCategory | None = None) -> ApprovalRead:
    read = ApprovalRead.model_validate(approval)
    return read.model_copy(update={"budget": budget_read(category)}) if category is not None else read


# --- an approval taken back ---------------------------------------------------------------------


async def withdraw_approval(
    session: AsyncSession,
    principal: Principal,
    plan_id: int,
    category_id: int,
    application_id: int,
    objection_id: int,
    comment: str,
    env: Environment,
) -> None:
    """An upheld objection takes the approval back: approved → not_approved with the resolution as the
    comment, and the amount and the place given back to the category (under its lock, then the
    application's: the approval's lock order)."""
    plan = await repo.plan(session, plan_id)
    category = await repo.category(session, plan_id, category_id, for_update=True)
    (application,) = await repo.applications(session, [application_id], for_update=True)
    assert plan is not None and category is not None  # foreign keys
    if application.status == "approved":
        amount = application.approved_amount or Decimal("0.00")
        reason = f"公示异议成立（异议 {objection_id}）：{comment}"
        application.approved_amount = None
        await applications.move(
            session,
            principal,
            application,
            "withdraw_approval",
            reason,
            env,
            plan=plan,
            audit_data={"released_amount": f"{amount:.2f}", "objection_id": objection_id},
        )
        category.approved_total -= amount
        category.approved_count -= 1
        category.version += 1
        item = await repo.approved_item(session, application.id)
        if item is not None:
            item.status, item.released_at = "withdrawn", utcnow()
        await audit.append(
            session,
            common,
            principal,
            "release_budget",
            CATEGORY,
            category.id,
            {
                "application_id": application.id,
                "released_amount": f"{amount:.2f}",
                "objection_id": objection_id,
                "category_approved_total": f"{category.approved_total:.2f}",
                "category_approved_count": category.approved_count,
            },
        )
