"""Use cases of outbound training applications (出国(境)培训). Never commits.

A unit's clerk (an ``applicant`` or ``org_admin`` whose organisation is the unit, by USCC) applies under the
year's published plan within its window: the stay within the plan's longest, the request within its cap,
the group within the places left. An official approves it, taking budget and places from the plan under
its row lock, or rejects it; the unit or an official may call off an approved trip before departure, which
gives both back. After return the unit reports (due ``report_due_days`` after the planned return)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts import access
from services.foreign_experts.calls import repository as calls_repo
from services.foreign_experts.calls import service as calls
from services.foreign_experts.calls.models import FundingCall
from services.foreign_experts.db import common
from services.foreign_experts.deps import Environment
from services.foreign_experts.errors import TripStarted
from services.foreign_experts.labels import state_label
from services.foreign_experts.nationality import nationality_label
from services.foreign_experts.rules import funding
from services.foreign_experts.rules.workflows import TRAINING_WORKFLOW
from services.foreign_experts.training import repository as repo
from services.foreign_experts.training.models import TrainingApplication
from services.foreign_experts.training.schemas import (
    TrainingApproveBody,
    TrainingCreate,
    TrainingIn,
    TrainingRead,
    TrainingReportIn,
    TrainingReportRead,
    TrainingSummary,
    TrainingUpdate,
)
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import Forbidden, NotFound, ValidationFailed, field_error
from shared.pagination import Page
from shared.principal import Principal
from shared.windows import deadline_now
from shared.workflow import HistoryRead, load_history

SORTS = repo.SORTS  # the orders its list takes, as the router documents them

KIND = "training_application"
CALL_KIND = "training"
EDITABLE = frozenset({"draft", "returned"})
# The report on return is due (and shown) once approved, until the application is closed.
REPORTING = frozenset({"approved", "reported", "closed"})


def not_found() -> NotFound:
    return NotFound("出国(境)培训申请不存在。", "No such outbound training application.")


async def load(
    session: AsyncSession, principal: Principal, application_id: int, *, for_update: bool = False
) -> TrainingApplication:
    application = await repo.get_visible(session, principal, application_id, for_update=for_update)
    if application is None:
        raise not_found()
    return application


# --- reading ---------------------------------------------------------------------------------------


def _report(a: TrainingApplication) -> TrainingReportRead | None:
    if a.report is None:
        return None
    spent = Decimal(a.report["spent"])
    return TrainingReportRead(**{**a.report, "spent": spent, "unspent": (a.approved_amount or Decimal(0)) - spent})


async def to_read(session: AsyncSession, a: TrainingApplication, caller: Principal, today: date) -> TrainingRead:
    call = await calls_repo.get(session, a.call_id)
    assert call is not None
    due = funding.report_due_on(a.ends_on, call.report_due_days) if a.status in REPORTING else None
    return TrainingRead(
        id=a.id,
        call_id=a.call_id,
        call_code=call.code,
        unit_uscc=a.unit_uscc,
        unit_name=a.unit_name,
        contact_name=a.contact_name,
        contact_phone=a.contact_phone,
        topic=a.topic,
        destination=a.destination,
        destination_label=nationality_label(a.destination),
        host_institution=a.host_institution,
        purpose=a.purpose,
        starts_on=a.starts_on,
        ends_on=a.ends_on,
        days=funding.trip_days(a.starts_on, a.ends_on),
        participants=a.participants,
        requested_amount=a.requested_amount,
        budget_items=a.budget_items,
        approved_amount=a.approved_amount,
        approved_participants=a.approved_participants,
        decided_on=a.decided_on,
        report=_report(a),
        report_due_on=due,
        report_overdue=due is not None and a.status == "approved" and today > due,
        report_days_left=deadline_now(due, today, running=a.status == "approved").days_left,
        reported_on=a.reported_on,
        status=a.status,
        status_label=state_label(a.status),
        allowed_actions=TRAINING_WORKFLOW.actions_from(a.status, access.acting(caller, a.unit_uscc)),
        version=a.version,
        created_at=a.created_at,
        updated_at=a.updated_at,
        submitted_at=a.submitted_at,
    )


def to_summary(a: TrainingApplication) -> TrainingSummary:
    return TrainingSummary(
        id=a.id,
        call_id=a.call_id,
        unit_name=a.unit_name,
        topic=a.topic,
        destination=a.destination,
        starts_on=a.starts_on,
        ends_on=a.ends_on,
        participant_count=len(a.participants),
        requested_amount=a.requested_amount,
        approved_amount=a.approved_amount,
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
    destination: str | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> Page[TrainingSummary]:
    """The training applications the caller may see (a clerk its own unit's)."""
    rows, next_cursor = await repo.page(
        session,
        principal,
        call_id=call_id,
        destination=destination,
        status=status,
        limit=limit,
        cursor=cursor,
        sort=sort,
    )
    return Page[TrainingSummary](items=[to_summary(r) for r in rows], next_cursor=next_cursor)


def _check_plan(training: TrainingIn | TrainingApplication, call: FundingCall) -> None:
    """What the plan's figures say of a trip (as asked, or as stored) before approval: the stay, the cap,
    the places left."""
    figures = calls.figures(call)
    funding.check_trip(training.starts_on, training.ends_on, figures)
    funding.check_request(training.requested_amount, figures)
    funding.check_places(len(training.participants), figures)


def _set_training(application: TrainingApplication, training: TrainingIn) -> None:
    data = training.model_dump(mode="json")
    for field in ("topic", "destination", "host_institution", "purpose", "participants", "budget_items"):
        setattr(application, field, data[field])
    application.starts_on = training.starts_on
    application.ends_on = training.ends_on
    application.requested_amount = training.requested_amount


async def create(
    session: AsyncSession, principal: Principal, body: TrainingCreate, env: Environment
) -> TrainingApplication:
    if not principal.org_uscc:
        raise Forbidden(
            "只有所属单位有统一社会信用代码的账号可以申报。",
            "Only accounts of an organisation with a USCC may apply for their unit.",
        )
    call = await calls.open_call(session, CALL_KIND, body.call_id, env.today)
    _check_plan(body.training, call)
    application = TrainingApplication(
        call_id=call.id,
        unit_uscc=principal.org_uscc,
        unit_name=body.unit_name,
        owner=principal.subject,
        contact_name=body.contact_name,
        contact_phone=body.contact_phone,
        status=TRAINING_WORKFLOW.initial,
        version=1,
    )
    _set_training(application, body.training)
    session.add(application)
    await flush_versioned(session, "出国(境)培训申请")
    await TRAINING_WORKFLOW.record_creation(session, common, application, principal)
    await audit.append(session, common, principal, "create", KIND, application.id, {"call_id": call.id})
    return application


async def update(
    session: AsyncSession, principal: Principal, application_id: int, body: TrainingUpdate, if_match: str | None
) -> TrainingApplication:
    application = await load(session, principal, application_id, for_update=True)
    access.check_clerk_may_edit(principal, application.unit_uscc, KIND, application, if_match, EDITABLE)
    if body.contact_name is not None:
        application.contact_name = body.contact_name
    if body.contact_phone is not None:
        application.contact_phone = body.contact_phone
    if body.training is not None:
        call = await calls_repo.get(session, application.call_id)
        assert call is not None
        _check_plan(body.training, call)
        _set_training(application, body.training)
    application.version += 1
    await flush_versioned(session, "出国(境)培训申请")
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


def _check_report(report: TrainingReportIn, application: TrainingApplication, today: date) -> None:
    if not application.starts_on <= report.returned_on <= today:
        raise ValidationFailed(
            [
                field_error(
                    "returned_on",
                    "out_of_range",
                    "回国日期应在出发日期与今天之间",
                    "the return is between the departure and today",
                )
            ]
        )
    if report.travelled > (application.approved_participants or 0):
        raise ValidationFailed(
            [field_error("travelled", "more_than_approved", "出访人数超过批准人数", "more people than were approved")]
        )
    funding.check_spent(report.spent, application.approved_amount or Decimal(0), "spent")


async def act(
    session: AsyncSession,
    principal: Principal,
    application_id: int,
    action: str,
    comment: str | None,
    if_match: str | None,
    env: Environment,
    payload: Any = None,
) -> TrainingApplication:
    """The one way an application moves (``rules/workflows.py`` TRAINING_WORKFLOW) with its guards."""
    application = await load(session, principal, application_id, for_update=True)
    check_if_match(if_match, KIND, application.id, application.version, required=False)
    acting = access.acting(principal, application.unit_uscc)
    TRAINING_WORKFLOW.decide(application.status, action, acting)  # 409/403 before any guard runs
    data: dict[str, Any] = {}
    if action in ("submit", "resubmit"):
        call = await calls.open_call(session, CALL_KIND, application.call_id, env.today)
        _check_plan(application, call)
        application.submitted_at = env.now
    elif action == "approve":
        body = payload if isinstance(payload, TrainingApproveBody) else TrainingApproveBody()
        amount = body.approved_amount if body.approved_amount is not None else application.requested_amount
        people = len(application.participants)
        call = await calls.locked(session, application.call_id)
        figures = calls.figures(call)
        funding.check_trip(application.starts_on, application.ends_on, figures)
        funding.check_grant(application.requested_amount, amount, figures)
        funding.check_places(people, figures)
        calls.take(call, amount, people)
        application.approved_amount = amount
        application.approved_participants = people
        application.decided_on = env.today
        data |= {"approved_amount": f"{amount:.2f}", "participants": people}
    elif action == "reject":
        application.decided_on = env.today
    elif action == "cancel":
        if env.today >= application.starts_on:
            raise TripStarted(f"出发日期为 {application.starts_on}。", f"The group left on {application.starts_on}.")
        call = await calls.locked(session, application.call_id)
        calls.give_back(call, application.approved_amount or Decimal(0), application.approved_participants or 0)
    elif action == "submit_report":
        assert isinstance(payload, TrainingReportIn)
        _check_report(payload, application, env.today)
        application.report = payload.model_dump(mode="json")
        application.reported_on = env.today
    await TRAINING_WORKFLOW.apply(session, common, application, action, acting, comment=comment)
    await flush_versioned(session, "出国(境)培训申请")
    await audit.append(session, common, principal, action, KIND, application.id, {"status": application.status, **data})
    return application


async def history(session: AsyncSession, principal: Principal, application_id: int) -> list[HistoryRead]:
    application = await load(session, principal, application_id)
    return await load_history(session, common, KIND, application.id)
