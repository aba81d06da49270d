"""Use cases of approval (批准资助), the public notice (公示) and funding. Never commits: the request's
unit of work does.

* An official approves a category's ranked list: the applications named (by default those within the
  funding line) ranked → approved with their amounts; when the list is final the category's other
  ranked applications ranked → not_approved. The category's ``approved_total``/``approved_count`` grow
  under the category's row lock (SELECT ... FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE lets one
  writer in), so concurrent approvals can never exceed its budget or its project count.
* An official opens the notice of the category's approved applications for the plan's
  ``notice_working_days`` working days (CAL-1); anyone reads it; any logged-in person objects under
  their real name while it runs; an official resolves each objection (an upheld one withdraws the
  approval and gives its amount and place back to the category) and concludes the notice once its
  period is over and nothing is pending: every application still listed is funded.
Every application moves through ``applications.service.move`` (history, the limits ledger in the
projects service, the audit trail): when projects does not answer, the whole request is refused (503)
and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation import access
from services.foundation.applications import service as applications
from services.foundation.applications.models import FoundationApplication
from services.foundation.approvals import repository as repo
from services.foundation.approvals import rules
from services.foundation.approvals.models import (
    CategoryApproval,
    CategoryApprovalItem,
    FoundationNotice,
    NoticeEntry,
    NoticeObjection,
)
from services.foundation.approvals.schemas import (
    ApprovalCreate,
    ApprovalRead,
    BudgetRead,
    NoticeCreate,
    NoticeRead,
    ObjectionCreate,
)
from services.foundation.db import common
from services.foundation.deps import Environment
from services.foundation.plans.models import FundingPlan, PlanCategory
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned, utcnow
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.notices import (
    NOTICE_WORKFLOW,
    OBJECTION_WORKFLOW,
    NoticeClosed,
    NoticeNotStarted,
    NoticePeriodRunning,
    ObjectionsUnresolved,
    conclusion_blockers,
    notice_period,
    objection_window,
)
from shared.principal import Principal
from shared.workdays import calendar_from_db, local_date, to_shanghai
from shared.workflow import HistoryRead, load_history

APPROVAL = "category_approval"
CATEGORY = "plan_category"  # the ETag of a category's budget
NOTICE = NOTICE_WORKFLOW.entity_type
OBJECTION = OBJECTION_WORKFLOW.entity_type
DECLINED = "未列入批准资助名单 / not on the approved list"


class CategoryBudgetExceeded(Conflict):
    code = "category_budget_exceeded"
    title_zh = "超出资助类别预算"
    title_en = "The category's budget would be exceeded"


class CategoryCountExceeded(Conflict):
    code = "category_count_exceeded"
    title_zh = "超出资助类别项目数"
    title_en = "The category's number of projects would be exceeded"


class ApplicationNotRanked(Conflict):
    code = "application_not_ranked"
    title_zh = "申请书不处于已排序状态"
    title_en = "An application is not in the ranked state"


class NothingToApprove(Conflict):
    code = "nothing_to_approve"
    title_zh = "没有可批准的申请书"
    title_en = "Nothing to approve"


class NothingToPublish(Conflict):
    code = "nothing_to_publish"
    title_zh = "没有待公示的已批准申请书"
    title_en = "No approved application awaits a notice"


OVERRUNS: dict[str, type[Conflict]] = {
    "category_budget_exceeded": CategoryBudgetExceeded,
    "category_count_exceeded": CategoryCountExceeded,
}


def _sh(moment: datetime) -> str:
    return to_shanghai(moment).isoformat()


def _no_plan() -> NotFound:
    return NotFound("资助计划或类别不存在。", "No such plan or category.")


def _no_notice() -> NotFound:
    return NotFound("公示不存在。", "No such notice.")


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
        {"field": "items", "code": "duplicate_application", "message": f"application {i} is named twice"}
        for i in rules.duplicates(ids)
    ]
    if errors:
        raise ValidationFailed(errors)
    others = {a.id: a for a in await repo.applications(session, [i for i in ids if i not in ranked])}
    for n, application_id in enumerate(ids):
        other = others.get(application_id)
        if application_id not in ranked and (other is None or other.category_id != category.id):
            errors.append(
                {
                    "field": f"items.{n}.application_id",
                    "code": "not_in_category",
                    "message": f"application {application_id} is not an application of this category",
                }
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
        {
            "field": f"items.{n}.application_id",
            "code": "not_in_rank_order",
            "message": "list the applications in rank order",
        }
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


# --- the public notice ---------------------------------------------------------------------------


async def open_notice(
    session: AsyncSession, principal: Principal, plan_id: int, category_id: int, body: NoticeCreate, now: datetime
) -> FoundationNotice:
    # the category's lock: two officials publishing at once cannot list an application twice
    plan, category = await plan_and_category(session, principal, plan_id, category_id, for_update=True)
    approved = await repo.to_publish(session, category.id)
    if not approved:
        raise NothingToPublish(
            "该类别没有尚未公示的已批准申请书。",
            "The category has no approved application that is not on a notice yet.",
        )
    period = notice_period(
        await calendar_from_db(session, common), rules.notice_start(body.starts_on, now), plan.notice_working_days
    )
    entries = [
        NoticeEntry(
            application_id=a.id,
            position=n,
            rank=a.rank,
            title=a.title,
            applicant_name=a.applicant_name,
            institution_name=a.institution_name,
            discipline_code=a.discipline_code,
            amount=a.approved_amount or Decimal("0.00"),
            status="listed",
        )
        for n, a in enumerate(approved, start=1)
    ]
    notice = FoundationNotice(
        plan_id=plan.id,
        category_id=category.id,
        year=plan.year,
        title=body.title or f"{plan.title}·{category.name}拟资助项目公示",
        starts_at=period.starts_at,
        closes_at=period.closes_at,
        starts_on=local_date(period.starts_at),
        ends_on=local_date(period.closes_at),
        working_days=plan.notice_working_days,
        calendar_confirmed=period.calendar_confirmed,
        status=NOTICE_WORKFLOW.initial,
        opened_by=principal.actor_id,
        version=1,
        entries=entries,
    )
    await repo.add(session, notice)
    await NOTICE_WORKFLOW.record_creation(session, common, notice, principal)
    await audit.append(
        session,
        common,
        principal,
        "open",
        NOTICE,
        notice.id,
        {
            "plan_id": plan.id,
            "category_id": category.id,
            "starts_at": _sh(notice.starts_at),
            "ends_on": notice.ends_on.isoformat(),
            "working_days": notice.working_days,
            "calendar_confirmed": notice.calendar_confirmed,
            "listed": [e.application_id for e in entries],
        },
    )
    return notice


async def load_notice(session: AsyncSession, notice_id: int, *, for_update: bool = False) -> FoundationNotice:
    """Every notice is public (open or concluded)."""
    notice = await repo.notice(session, notice_id, for_update=for_update)
    if notice is None:
        raise _no_notice()
    return notice


async def _staff_of(session: AsyncSession, principal: Principal, plan_id: int) -> bool:
    plan = await repo.plan(session, plan_id)
    return plan is not None and sees_plan(plan, principal)


async def object_to(
    session: AsyncSession, principal: Principal, notice_id: int, body: ObjectionCreate, now: datetime
) -> NoticeObjection:
    notice = await load_notice(session, notice_id)
    if notice.status != "open":
        raise NoticeClosed("公示已结束，不再受理异议。", "The notice is concluded; objections are no longer taken.")
    window = objection_window(now, notice.starts_at, notice.closes_at)
    if window == "not_started":
        raise NoticeNotStarted(
            f"公示自 {_sh(notice.starts_at)} 开始。",
            f"The notice starts at {_sh(notice.starts_at)}.",
            extra={"starts_at": _sh(notice.starts_at)},
        )
    if window == "closed":
        raise NoticeClosed(
            f"公示期已于 {notice.ends_on.isoformat()} 结束，逾期异议不予受理。",
            f"The period ended on {notice.ends_on.isoformat()}; late objections are not accepted.",
            extra={"ends_on": notice.ends_on.isoformat(), "closes_at": _sh(notice.closes_at)},
        )
    if body.application_id not in {e.application_id for e in notice.entries if e.status == "listed"}:
        raise ValidationFailed(
            [
                {
                    "field": "application_id",
                    "code": "not_on_notice",
                    "message": "the application is not listed on this notice",
                }
            ]
        )
    objection = NoticeObjection(
        notice_id=notice.id,
        application_id=body.application_id,
        objector_actor=principal.actor_id,
        objector_name=body.objector_name,
        objector_contact=body.objector_contact,
        grounds=body.grounds,
        evidence=[e.model_dump(mode="json") for e in body.evidence],
        status=OBJECTION_WORKFLOW.initial,
        version=1,
        submitted_at=now,
    )
    await repo.add(session, objection)
    await OBJECTION_WORKFLOW.record_creation(session, common, objection, principal)
    await audit.append(
        session,
        common,
        principal,
        "object",
        OBJECTION,
        objection.id,
        {"notice_id": notice.id, "application_id": body.application_id},
    )
    return objection


async def load_objection(
    session: AsyncSession, principal: Principal, objection_id: int, *, for_update: bool = False
) -> tuple[NoticeObjection, FoundationNotice]:
    """The plan's staff and auditors see every objection; an objector their own; anybody else a 404."""
    objection = await repo.objection(session, objection_id, for_update=for_update)
    notice = await repo.notice(session, objection.notice_id) if objection is not None else None
    if (
        objection is None
        or notice is None
        or not (objection.objector_actor == principal.actor_id or await _staff_of(session, principal, notice.plan_id))
    ):
        raise NotFound("异议不存在。", "No such objection.")
    return objection, notice


async def objections(
    session: AsyncSession,
    principal: Principal,
    notice_id: int,
    *,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[NoticeObjection], str | None]:
    notice = await load_notice(session, notice_id)
    if not await _staff_of(session, principal, notice.plan_id):
        raise _no_notice()
    return await repo.objections_page(session, notice.id, status=status, limit=limit, cursor=cursor, sort=sort)


async def _withdraw_approval(
    session: AsyncSession,
    principal: Principal,
    notice: FoundationNotice,
    objection: NoticeObjection,
    comment: str,
    env: Environment,
) -> None:
    """An upheld objection takes the approval back: approved → not_approved with the resolution as the
    comment, and the amount and the place given back to the category (under its lock, then the
    application's: the approval's lock order)."""
    plan = await repo.plan(session, notice.plan_id)
    category = await repo.category(session, notice.plan_id, notice.category_id, for_update=True)
    (application,) = await repo.applications(session, [objection.application_id], for_update=True)
    assert plan is not None and category is not None  # foreign keys
    if application.status == "approved":
        amount = application.approved_amount or Decimal("0.00")
        reason = f"公示异议成立（异议 {objection.id}）：{comment}"
        application.approved_amount = None
        await applications.move(
            session,
            principal,
            application,
            "withdraw_approval",
            reason,
            env,
            plan=plan,
            audit_data={"released_amount": f"{amount:.2f}", "objection_id": objection.id},
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
                "objection_id": objection.id,
                "category_approved_total": f"{category.approved_total:.2f}",
                "category_approved_count": category.approved_count,
            },
        )
    for entry in notice.entries:
        if entry.application_id == application.id:
            entry.status = "withdrawn"


async def resolve(
    session: AsyncSession,
    principal: Principal,
    objection_id: int,
    action: str,
    comment: str,
    if_match: str | None,
    env: Environment,
) -> NoticeObjection:
    objection, notice = await load_objection(session, principal, objection_id, for_update=True)
    check_if_match(if_match, OBJECTION, objection.id, objection.version, required=False)
    await OBJECTION_WORKFLOW.apply(session, common, objection, action, principal, comment=comment)
    objection.resolution, objection.resolved_by, objection.resolved_at = comment, principal.actor_id, env.now
    if action == "uphold":
        await _withdraw_approval(session, principal, notice, objection, comment, env)
    await flush_versioned(session, "异议")
    await audit.append(
        session,
        common,
        principal,
        action,
        OBJECTION,
        objection.id,
        {"notice_id": notice.id, "application_id": objection.application_id, "comment": comment},
    )
    return objection


async def conclude(
    session: AsyncSession,
    principal: Principal,
    notice_id: int,
    comment: str | None,
    if_match: str | None,
    env: Environment,
) -> FoundationNotice:
    notice = await load_notice(session, notice_id, for_update=True)
    check_if_match(if_match, NOTICE, notice.id, notice.version, required=False)
    NOTICE_WORKFLOW.decide(notice.status, "conclude", principal)
    pending = await repo.unresolved(session, notice.id)
    blockers = conclusion_blockers(env.now, notice.closes_at, pending)
    if "period_running" in blockers:
        raise NoticePeriodRunning(
            f"公示期至 {notice.ends_on.isoformat()} 结束。",
            f"The period runs until the end of {notice.ends_on.isoformat()}.",
            extra={"ends_on": notice.ends_on.isoformat(), "closes_at": _sh(notice.closes_at)},
        )
    if pending:
        raise ObjectionsUnresolved(
            f"尚有 {len(pending)} 件异议未处理。",
            f"{len(pending)} objection(s) unresolved.",
            extra={"objection_ids": pending},
        )
    plan = await repo.plan(session, notice.plan_id)
    assert plan is not None  # foreign key
    listed = {e.application_id: e for e in notice.entries if e.status == "listed"}
    funded: list[int] = []
    for application in await repo.applications(session, sorted(listed), for_update=True):
        if application.status == "approved":
            await applications.move(
                session,
                principal,
                application,
                "fund",
                comment,
                env,
                plan=plan,
                audit_data={"notice_id": notice.id, "approved_amount": f"{application.approved_amount:.2f}"},
            )
            listed[application.id].status = "funded"
            funded.append(application.id)
    await NOTICE_WORKFLOW.apply(session, common, notice, "conclude", principal, comment=comment)
    notice.concluded_by, notice.concluded_at = principal.actor_id, env.now
    await flush_versioned(session, "公示")
    await audit.append(session, common, principal, "conclude", NOTICE, notice.id, {"funded": funded})
    return notice


async def notice_history(session: AsyncSession, principal: Principal, notice_id: int) -> list[HistoryRead]:
    notice = await load_notice(session, notice_id)
    if not await _staff_of(session, principal, notice.plan_id):
        raise _no_notice()
    return await load_history(session, common, NOTICE, notice.id)


async def objection_history(session: AsyncSession, principal: Principal, objection_id: int) -> list[HistoryRead]:
    objection, _ = await load_objection(session, principal, objection_id)
    return await load_history(session, common, OBJECTION, objection.id)


def notice_read(notice: FoundationNotice, now: datetime) -> NoticeRead:
    read = NoticeRead.model_validate(notice)
    accepting = notice.status == "open" and objection_window(now, notice.starts_at, notice.closes_at) is None
    return read.model_copy(update={"accepting_objections": accepting})
