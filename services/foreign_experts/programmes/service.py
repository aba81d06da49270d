"""Use cases of foreign-expert programme applications (引进外国专家项目). Never commits.

An employer's clerk drafts under a published call and submits within its window (the request within the
call's cap); an official accepts it for review, records the panel's opinions, approves a grant (within the
request, the cap and the budget left, under the call's row lock) or rejects it, pays it, and accepts the
completion report (the grant spent never more than was paid)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts import access
from services.foreign_experts.calls import repository as calls_repo
from services.foreign_experts.calls import service as calls
from services.foreign_experts.db import common
from services.foreign_experts.deps import Environment
from services.foreign_experts.employers import repository as employers_repo
from services.foreign_experts.employers import service as employers
from services.foreign_experts.errors import NotUnderReview, ReviewsMissing
from services.foreign_experts.labels import state_label
from services.foreign_experts.nationality import nationality_label
from services.foreign_experts.programmes import repository as repo
from services.foreign_experts.programmes.models import ProgrammeApplication, ProgrammeReview
from services.foreign_experts.programmes.schemas import (
    RECOMMENDATIONS,
    ApproveBody,
    ExpertIn,
    ExpertRead,
    FundBody,
    PlanIn,
    ProgrammeCreate,
    ProgrammeRead,
    ProgrammeReportIn,
    ProgrammeSummary,
    ProgrammeUpdate,
    ReportRead,
    ReviewIn,
    ReviewRead,
)
from services.foreign_experts.rules import funding
from services.foreign_experts.rules.workflows import PROGRAMME_WORKFLOW
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import Duplicate, Forbidden, NotFound
from shared.pagination import Page
from shared.principal import Principal
from shared.schemas import Label
from shared.windows import deadline_now
from shared.workflow import HistoryRead, load_history

SORTS = repo.SORTS  # the orders its list takes, as the router documents them

KIND = "expert_programme_application"
CALL_KIND = "programme"
EDITABLE = frozenset({"draft", "returned"})


def not_found() -> NotFound:
    return NotFound("引进外国专家项目申请不存在。", "No such foreign-expert programme application.")


async def load(
    session: AsyncSession, principal: Principal, application_id: int, *, for_update: bool = False
) -> ProgrammeApplication:
    application = await repo.get_visible(session, principal, application_id, for_update=for_update)
    if application is None:
        raise not_found()
    return application


# --- reading ---------------------------------------------------------------------------------------


def _report(application: ProgrammeApplication) -> ReportRead | None:
    if application.report is None:
        return None
    spent = Decimal(application.report["grant_spent"])
    return ReportRead(
        **{**application.report, "grant_spent": spent, "unspent": (application.granted_amount or Decimal(0)) - spent}
    )


async def to_read(
    session: AsyncSession, application: ProgrammeApplication, caller: Principal, today: date
) -> ProgrammeRead:
    acting = access.acting(caller, application.employer_uscc)
    employer = await employers_repo.get(session, application.employer_id)
    call = await calls_repo.get(session, application.call_id)
    assert call is not None
    count, mean = await repo.review_stats(session, application.id)
    due = (
        funding.report_due_on(application.ends_on, call.report_due_days) if application.funded_on is not None else None
    )
    a = application
    return ProgrammeRead(
        id=a.id,
        call_id=a.call_id,
        call_code=call.code,
        employer_id=a.employer_id,
        employer_name=employer.name if employer else "",
        expert=ExpertRead(
            name=a.expert_name,
            chinese_name=a.expert_chinese_name,
            nationality=a.expert_nationality,
            nationality_label=nationality_label(a.expert_nationality),
            field=a.expert_field,
            position=a.expert_position,
            achievements=a.expert_achievements,
            permit_number=a.permit_number,
        ),
        title=a.title,
        objectives=a.objectives,
        work_plan=a.work_plan,
        starts_on=a.starts_on,
        ends_on=a.ends_on,
        days_in_china=a.days_in_china,
        requested_amount=a.requested_amount,
        self_funding=a.self_funding,
        budget_items=a.budget_items,
        review_count=count,
        mean_score=mean,
        granted_amount=a.granted_amount,
        decided_on=a.decided_on,
        funded_on=a.funded_on,
        funding_reference=a.funding_reference,
        report=_report(a),
        report_due_on=due,
        report_overdue=due is not None and a.status == "funded" and today > due,
        report_days_left=deadline_now(due, today, running=a.status == "funded").days_left,
        reported_on=a.reported_on,
        status=a.status,
        status_label=state_label(a.status),
        allowed_actions=PROGRAMME_WORKFLOW.actions_from(a.status, acting),
        version=a.version,
        created_at=a.created_at,
        updated_at=a.updated_at,
        submitted_at=a.submitted_at,
    )


def to_summary(a: ProgrammeApplication) -> ProgrammeSummary:
    return ProgrammeSummary(
        id=a.id,
        call_id=a.call_id,
        employer_id=a.employer_id,
        expert_name=a.expert_name,
        expert_nationality=a.expert_nationality,
        title=a.title,
        requested_amount=a.requested_amount,
        granted_amount=a.granted_amount,
        status=a.status,
        status_label=state_label(a.status),
        submitted_at=a.submitted_at,
        version=a.version,
    )


# --- writing ---------------------------------------------------------------------------------------


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    call_id: int | None,
    employer_id: int | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> Page[ProgrammeSummary]:
    """The programme applications the caller may see (a clerk its own employer's)."""
    rows, next_cursor = await repo.page(
        session,
        principal,
        call_id=call_id,
        employer_id=employer_id,
        status=status,
        limit=limit,
        cursor=cursor,
        sort=sort,
    )
    return Page[ProgrammeSummary](items=[to_summary(r) for r in rows], next_cursor=next_cursor)


def _set_expert(application: ProgrammeApplication, expert: ExpertIn) -> None:
    application.expert_name = expert.name
    application.expert_chinese_name = expert.chinese_name
    application.expert_nationality = expert.nationality
    application.expert_field = expert.field
    application.expert_position = expert.position
    application.expert_achievements = expert.achievements
    application.permit_number = expert.permit_number


def _set_plan(application: ProgrammeApplication, plan: PlanIn) -> None:
    application.title = plan.title
    application.objectives = plan.objectives
    application.work_plan = plan.work_plan
    application.starts_on = plan.starts_on
    application.ends_on = plan.ends_on
    application.days_in_china = plan.days_in_china
    application.requested_amount = plan.requested_amount
    application.self_funding = plan.self_funding
    application.budget_items = [i.model_dump(mode="json") for i in plan.budget_items]


async def create(
    session: AsyncSession, principal: Principal, body: ProgrammeCreate, env: Environment
) -> ProgrammeApplication:
    employer = await employers.load(session, principal, body.employer_id)
    if not access.is_clerk_of(principal, employer.uscc):
        raise Forbidden("只有用人单位的经办人可以申报。", "Only the employer's own clerks may apply.")
    employers.check_may_apply(employer, env.today)
    call = await calls.open_call(session, CALL_KIND, body.call_id, env.today)
    funding.check_request(body.plan.requested_amount, calls.figures(call))
    application = ProgrammeApplication(
        call_id=call.id,
        employer_id=employer.id,
        employer_uscc=employer.uscc,
        owner=principal.subject,
        status=PROGRAMME_WORKFLOW.initial,
        version=1,
    )
    _set_expert(application, body.expert)
    _set_plan(application, body.plan)
    session.add(application)
    await flush_versioned(session, "引进外国专家项目申请")
    await PROGRAMME_WORKFLOW.record_creation(session, common, application, principal)
    await audit.append(session, common, principal, "create", KIND, application.id, {"call_id": call.id})
    return application


async def update(
    session: AsyncSession,
    principal: Principal,
    application_id: int,
    body: ProgrammeUpdate,
    if_match: str | None,
    env: Environment,
) -> ProgrammeApplication:
    application = await load(session, principal, application_id, for_update=True)
    access.check_clerk_may_edit(principal, application.employer_uscc, KIND, application, if_match, EDITABLE)
    if body.expert is not None:
        _set_expert(application, body.expert)
    if body.plan is not None:
        call = await calls_repo.get(session, application.call_id)
        assert call is not None
        funding.check_request(body.plan.requested_amount, calls.figures(call))
        _set_plan(application, body.plan)
    application.version += 1
    await flush_versioned(session, "引进外国专家项目申请")
    await audit.append(
        session,
        common,
        principal,
        "update",
        KIND,
        application.id,
        {"fields": sorted(body.model_dump(exclude_unset=True))},
    )
    return application


async def act(
    session: AsyncSession,
    principal: Principal,
    application_id: int,
    action: str,
    comment: str | None,
    if_match: str | None,
    env: Environment,
    payload: Any = None,
) -> ProgrammeApplication:
    """The one way an application moves (``rules/workflows.py`` PROGRAMME_WORKFLOW) with its guards."""
    application = await load(session, principal, application_id, for_update=True)
    check_if_match(if_match, KIND, application.id, application.version, required=False)
    acting = access.acting(principal, application.employer_uscc)
    PROGRAMME_WORKFLOW.decide(application.status, action, acting)  # 409/403 before any guard runs
    data: dict[str, Any] = {}
    if action in ("submit", "resubmit"):
        employer = await employers_repo.get(session, application.employer_id)
        assert employer is not None
        employers.check_may_apply(employer, env.today)
        call = await calls.open_call(session, CALL_KIND, application.call_id, env.today)
        funding.check_request(application.requested_amount, calls.figures(call))
        application.submitted_at = env.now
    elif action == "approve":
        body = payload if isinstance(payload, ApproveBody) else ApproveBody()
        if (await repo.review_stats(session, application.id))[0] == 0:
            raise ReviewsMissing(
                "批准前须录入至少一份专家评审意见。", "Record at least one reviewer's opinion before approving."
            )
        granted = body.granted_amount if body.granted_amount is not None else application.requested_amount
        call = await calls.locked(session, application.call_id)
        funding.check_grant(application.requested_amount, granted, calls.figures(call))
        calls.take(call, granted)
        application.granted_amount = granted
        application.decided_on = env.today
        data["granted_amount"] = f"{granted:.2f}"
    elif action == "reject":
        application.decided_on = env.today
    elif action == "cancel":
        call = await calls.locked(session, application.call_id)
        calls.give_back(call, application.granted_amount or Decimal(0))
        data["released"] = f"{application.granted_amount or 0:.2f}"
    elif action == "fund":
        assert isinstance(payload, FundBody)
        application.funded_on = env.today
        application.funding_reference = payload.reference
        data["reference"] = payload.reference
    elif action == "submit_report":
        assert isinstance(payload, ProgrammeReportIn)
        funding.check_spent(payload.grant_spent, application.granted_amount or Decimal(0))
        application.report = payload.model_dump(mode="json")
        application.reported_on = env.today
    await PROGRAMME_WORKFLOW.apply(session, common, application, action, acting, comment=comment)
    await flush_versioned(session, "引进外国专家项目申请")
    await audit.append(session, common, principal, action, KIND, application.id, {"status": application.status, **data})
    return application


async def add_review(
    session: AsyncSession, principal: Principal, application_id: int, body: ReviewIn
) -> ProgrammeReview:
    application = await load(session, principal, application_id, for_update=True)
    if application.status != "under_review":
        raise NotUnderReview(
            f"申请状态为“{state_label(application.status).zh}”。", f"The application is {application.status}."
        )
    if await repo.review_by(session, application.id, body.reviewer_name) is not None:
        raise Duplicate(
            f"{body.reviewer_name} 的评审意见已录入。",
            f"{body.reviewer_name}'s opinion is recorded already.",
            extra={"field": "reviewer_name"},
        )
    review = ProgrammeReview(application_id=application.id, recorded_by=principal.actor_id, **body.model_dump())
    session.add(review)
    await flush_versioned(session, "评审意见")
    await audit.append(
        session,
        common,
        principal,
        "review",
        KIND,
        application.id,
        {"score": body.score, "recommendation": body.recommendation},
    )
    return review


def review_read(review: ProgrammeReview) -> ReviewRead:
    zh, en = RECOMMENDATIONS[review.recommendation]
    return ReviewRead.model_validate(
        {
            **{c.key: getattr(review, c.key) for c in ProgrammeReview.__table__.columns},
            "recommendation_label": Label(zh=zh, en=en),
        }
    )


async def reviews(session: AsyncSession, principal: Principal, application_id: int) -> list[ReviewRead]:
    application = await load(session, principal, application_id)
    return [review_read(r) for r in await repo.reviews(session, application.id)]


async def history(session: AsyncSession, principal: Principal, application_id: int) -> list[HistoryRead]:
    application = await load(session, principal, application_id)
    return await load_history(session, common, KIND, application.id)
