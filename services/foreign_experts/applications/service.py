"""Use cases of permit applications (外国人来华工作许可申请). Never commits: the request's unit of work does.

``act`` is the one way an application moves: the caller narrowed to its roles for the employer
(``access.acting``), the guards of the move (documents WP-7, passport WP-5, the class and its refusals
WP-2/WP-3, the C quota), the workflow table (history row), WP-4's clock kept current, and the audit
trail (no personal information in it).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts import access, policy
from services.foreign_experts.applications import repository as repo
from services.foreign_experts.applications.models import ClockPause, PermitApplication
from services.foreign_experts.applications.schemas import (
    REFUSAL_LABELS,
    SEX_LABELS,
    ApplicationCreate,
    ApplicationRead,
    ApplicationSummary,
    ApplicationUpdate,
    DocumentRead,
    ForeignerIn,
    ForeignerRead,
)
from services.foreign_experts.assessments.schemas import AssessmentRead, PersonFacts, PostIn
from services.foreign_experts.db import common
from services.foreign_experts.deps import Environment
from services.foreign_experts.employers import repository as employers_repo
from services.foreign_experts.employers import service as employers
from services.foreign_experts.errors import AgeWaiverNotNeeded, AlreadyExtended, ExtensionNotAllowed
from services.foreign_experts.labels import state_label
from services.foreign_experts.nationality import nationality_label
from services.foreign_experts.parameters import service as parameters
from services.foreign_experts.protect import mask_birth_date, mask_passport
from services.foreign_experts.rules.labels import EDUCATION, POST_KINDS, label
from services.foreign_experts.rules.parameters import YearParameters
from services.foreign_experts.rules.workflows import APPLICATION_WORKFLOW, EDITABLE_STATES, PENDING_DECISION
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import ApplicationNotEditable, NotFound, ValidationFailed, field_error
from shared.pagination import Page
from shared.principal import Principal
from shared.schemas import Label
from shared.validators import JILIN_REGIONS
from shared.windows import deadline_now
from shared.workdays import WorkingCalendar, calendar_from_db
from shared.workflow import HistoryRead, load_history

SORTS = repo.SORTS  # the orders its list takes, as the router documents them

KIND = "permit_application"
SUBMIT_ACTIONS = frozenset({"submit", "resubmit"})
PERSON_FIELDS = tuple(PersonFacts.model_fields)


def not_found() -> NotFound:
    return NotFound("工作许可申请不存在。", "No such permit application.")


# --- reading ---------------------------------------------------------------------------------------


async def load(
    session: AsyncSession, principal: Principal, application_id: int, *, for_update: bool = False
) -> PermitApplication:
    application = await repo.get_visible(session, principal, application_id, for_update=for_update)
    if application is None:
        raise not_found()
    return application


def person_facts(application: PermitApplication, birth_date: date) -> PersonFacts:
    return PersonFacts.model_validate({**application.facts, "birth_date": birth_date})


def post_facts(application: PermitApplication) -> PostIn:
    return PostIn(
        position=application.position,
        post_kind=application.post_kind,
        work_city_code=application.work_city_code,
        annual_salary=application.annual_salary,
        months_per_year=application.months_per_year,
        contract_starts_on=application.contract_starts_on,
        contract_ends_on=application.contract_ends_on,
    )


async def to_read(
    session: AsyncSession,
    application: PermitApplication,
    caller: Principal,
    env: Environment,
    *,
    calendar: WorkingCalendar | None = None,
) -> ApplicationRead:
    acting = access.acting(caller, application.employer_uscc)
    employer = await employers_repo.get(session, application.employer_id)
    full = access.sees_pii(acting)
    birth = env.protector.open_date(application.birth_date_enc)
    foreigner = ForeignerRead(
        name=application.name,
        chinese_name=application.chinese_name,
        nationality=application.nationality,
        nationality_label=nationality_label(application.nationality),
        sex=application.sex,
        passport_number=env.protector.open(application.passport_enc) if full else application.passport_masked,
        passport_expires_on=application.passport_expires_on,
        birth_date=birth.isoformat() if full else mask_birth_date(birth),
        sex_label=label(SEX_LABELS, application.sex),
        education_label=label(EDUCATION, str(application.facts.get("education", ""))),
        facts=application.facts,
    )
    deadline = None
    if application.accepted_on is not None:
        calendar = calendar or await calendar_from_db(session, common)
        accepted_params = await parameters.get_parameters(session, application.accepted_on.year)
        deadline = policy.deadline(
            application, await repo.pauses(session, application.id), calendar, accepted_params, env.today
        )
    params = await parameters.get_parameters(session, env.today.year)
    return ApplicationRead(
        id=application.id,
        employer_id=application.employer_id,
        employer_name=employer.name if employer else "",
        foreigner=foreigner,
        post=post_facts(application).model_dump(mode="json"),
        post_kind_label=label(POST_KINDS, application.post_kind),
        work_city=Label(
            zh=JILIN_REGIONS.get(application.work_city_code, ("", ""))[0] or application.work_city_code,
            en=JILIN_REGIONS.get(application.work_city_code, ("", ""))[1] or application.work_city_code,
        ),
        documents=[
            DocumentRead.model_validate({**d, "label": policy.document_label(d["code"])}) for d in application.documents
        ],
        missing_documents=policy.document_problems(application.documents, env.today, params),
        assessment=AssessmentRead.model_validate(application.assessment) if application.assessment else None,
        permit_class=application.permit_class,
        green_channel=application.green_channel,
        deadline=deadline,
        age_waiver_reason=application.age_waiver_reason,
        refusal_codes=application.refusal_codes,
        refusal_labels=[label(REFUSAL_LABELS, c) for c in application.refusal_codes or []],
        permit_id=application.permit_id,
        status=application.status,
        status_label=state_label(application.status),
        allowed_actions=APPLICATION_WORKFLOW.actions_from(application.status, acting),
        version=application.version,
        created_at=application.created_at,
        updated_at=application.updated_at,
        submitted_at=application.submitted_at,
    )


def to_summary(application: PermitApplication, today: date, due_soon_until: date | None) -> ApplicationSummary:
    due = application.decision_due_on if application.status in PENDING_DECISION else None
    return ApplicationSummary(
        id=application.id,
        employer_id=application.employer_id,
        name=application.name,
        nationality=application.nationality,
        passport_number=application.passport_masked,
        position=application.position,
        work_city_code=application.work_city_code,
        permit_class=application.permit_class,
        status=application.status,
        status_label=state_label(application.status),
        decision_due_on=due,
        decision_days_left=deadline_now(due, today).days_left,
        overdue=due is not None and today > due,
        due_soon=due is not None and due_soon_until is not None and today <= due <= due_soon_until,
        submitted_at=application.submitted_at,
        version=application.version,
    )


async def page(
    session: AsyncSession,
    principal: Principal,
    env: Environment,
    *,
    status: str | None,
    employer_id: int | None,
    permit_class: str | None,
    due: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> Page[ApplicationSummary]:
    """The applications the caller may see (a clerk its own employer's); ``due`` gives the officials' WP-4
    lists: accepted applications past their deadline (``overdue``) or due within the year's due-soon
    working days, today included (``due_soon``)."""
    today = env.today
    params = await parameters.get_parameters(session, today.year)
    calendar = await calendar_from_db(session, common)
    soon_until = calendar.add_working_days(today, params.due_soon_working_days).value
    due_from = due_until = None
    statuses = None
    if due == "overdue":
        statuses, due_until = frozenset({"accepted"}), today - timedelta(days=1)
    elif due == "due_soon":
        statuses, due_from, due_until = frozenset({"accepted"}), today, soon_until
    rows, next_cursor = await repo.page(
        session,
        principal,
        status=status,
        employer_id=employer_id,
        permit_class=permit_class,
        due_from=due_from,
        due_until=due_until,
        statuses=statuses,
        limit=limit,
        cursor=cursor,
        sort=sort or ("decision_due_on" if due else None),
    )
    return Page[ApplicationSummary](items=[to_summary(r, today, soon_until) for r in rows], next_cursor=next_cursor)


# --- writing ---------------------------------------------------------------------------------------


def _set_foreigner(application: PermitApplication, foreigner: ForeignerIn, env: Environment) -> None:
    p = env.protector
    application.name = foreigner.name
    application.chinese_name = foreigner.chinese_name
    application.nationality = foreigner.nationality
    application.passport_enc = p.seal(foreigner.passport_number)
    application.passport_key = p.passport_key(foreigner.nationality, foreigner.passport_number)
    application.passport_masked = mask_passport(foreigner.passport_number)
    application.passport_expires_on = foreigner.passport_expires_on
    application.birth_date_enc = p.seal_date(foreigner.birth_date)
    application.birth_key = p.birth_key(foreigner.nationality, foreigner.birth_date)
    application.sex = foreigner.sex
    application.previous_passport_key = (
        p.passport_key(foreigner.nationality, foreigner.previous_passport_number)
        if foreigner.previous_passport_number
        else None
    )
    application.previous_permit_number = foreigner.previous_permit_number
    application.facts = foreigner.model_dump(mode="json", include=set(PERSON_FIELDS) - {"birth_date"})


def _set_post(application: PermitApplication, post: PostIn) -> None:
    if post.contract_ends_on <= post.contract_starts_on:
        raise ValidationFailed(
            [
                field_error(
                    "post.contract_ends_on",
                    "before_start",
                    "合同终止日期须晚于起始日期",
                    "the contract must end after it starts",
                )
            ]
        )
    application.position = post.position
    application.post_kind = post.post_kind
    application.work_city_code = post.work_city_code
    application.contract_starts_on = post.contract_starts_on
    application.contract_ends_on = post.contract_ends_on
    application.annual_salary = post.annual_salary
    application.months_per_year = post.months_per_year


async def create(
    session: AsyncSession, principal: Principal, body: ApplicationCreate, env: Environment
) -> PermitApplication:
    employer = await employers.load(session, principal, body.employer_id)
    if not access.is_clerk_of(principal, employer.uscc):
        raise employers.not_found()  # only the employer's own clerks apply for it
    employers.check_may_apply(employer, env.today)
    application = PermitApplication(
        employer_id=employer.id,
        employer_uscc=employer.uscc,
        owner=principal.subject,
        documents=[d.model_dump(mode="json") for d in body.documents],
        status=APPLICATION_WORKFLOW.initial,
        version=1,
        green_channel=False,
        extended=False,
    )
    _set_foreigner(application, body.foreigner, env)
    _set_post(application, PostIn.model_validate(body.post.model_dump()))
    session.add(application)
    await flush_versioned(session, "工作许可申请")
    await APPLICATION_WORKFLOW.record_creation(session, common, application, access.acting(principal, employer.uscc))
    await audit.append(session, common, principal, "create", KIND, application.id, {"employer_id": employer.id})
    return application


async def update(
    session: AsyncSession,
    principal: Principal,
    application_id: int,
    body: ApplicationUpdate,
    if_match: str | None,
    env: Environment,
) -> PermitApplication:
    application = await load(session, principal, application_id)
    if not access.is_clerk_of(principal, application.employer_uscc):
        raise (
            not_found()
            if not principal.has_role("official", "auditor")
            else ApplicationNotEditable(
                "只有用人单位经办人可以修改申请。", "Only the employer's clerks may edit the application."
            )
        )
    check_if_match(if_match, KIND, application.id, application.version)
    if application.status not in EDITABLE_STATES:
        raise ApplicationNotEditable(
            f"状态“{state_label(application.status).zh}”下不能修改。",
            f"An application that is {application.status} cannot be edited.",
            extra={"state": application.status},
        )
    if application.status == "awaiting_documents" and (body.foreigner is not None or body.post is not None):
        raise ApplicationNotEditable(
            "补正期间只能补充或更换材料。", "While documents are awaited only the documents can change."
        )
    if body.foreigner is not None:
        _set_foreigner(application, body.foreigner, env)
    if body.post is not None:
        _set_post(application, body.post if isinstance(body.post, PostIn) else PostIn.model_validate(body.post))
    if body.documents is not None:
        application.documents = [d.model_dump(mode="json") for d in body.documents]
    application.version += 1
    await flush_versioned(session, "工作许可申请")
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


async def _assess(
    session: AsyncSession, application: PermitApplication, env: Environment, year: int | None = None
) -> tuple[AssessmentRead, YearParameters]:
    params = await parameters.get_parameters(session, year or env.today.year)
    birth = env.protector.open_date(application.birth_date_enc)
    result = policy.assess(
        person_facts(application, birth),
        post_facts(application),
        params,
        env.today,
        age_waiver_reason=application.age_waiver_reason,
    )
    application.assessment = result.model_dump(mode="json")
    application.permit_class = result.permit_class
    return result, params


async def act(
    session: AsyncSession,
    principal: Principal,
    application_id: int,
    action: str,
    comment: str | None,
    if_match: str | None,
    env: Environment,
    *,
    reasons: list[str] | None = None,
) -> PermitApplication:
    application = await load(session, principal, application_id, for_update=True)
    check_if_match(if_match, KIND, application.id, application.version, required=False)
    acting = access.acting(principal, application.employer_uscc)
    APPLICATION_WORKFLOW.decide(application.status, action, acting)  # 409/403 before any guard runs
    employer = await employers_repo.get(session, application.employer_id)
    assert employer is not None
    calendar = await calendar_from_db(session, common)
    data: dict[str, Any] = {}

    if action in SUBMIT_ACTIONS:
        employers.check_may_apply(employer, env.today)
        result, params = await _assess(session, application, env)
        policy.check_passport(application.passport_expires_on, env.today, params)
        policy.check_documents(application.documents, result.permit_class, env.today, params, allow_missing=True)
        application.submitted_at = env.now
        data["class"] = result.permit_class
    elif action == "accept":
        result, params = await _assess(session, application, env)
        check = policy.check_documents(
            application.documents, result.permit_class, env.today, params, allow_missing=True
        )
        application.green_channel = not check.complete  # WP-2: A-class 容缺受理, documents to follow
        application.accepted_on = env.today
    elif action == "request_documents":
        session.add(ClockPause(application_id=application.id, started_on=env.today, reason=comment or ""))
    elif action == "supply_documents":
        params = await parameters.get_parameters(session, env.today.year)
        policy.check_documents(application.documents, application.permit_class, env.today, params)
        pause = await repo.open_pause(session, application.id)
        if pause is not None:
            pause.ended_on = env.today
    elif action == "extend":
        if application.extended:
            raise AlreadyExtended("该申请的审查期限已延长过一次。", "This application's deadline was extended already.")
        assert application.accepted_on is not None
        if not policy.is_long_term(application, await parameters.get_parameters(session, application.accepted_on.year)):
            raise ExtensionNotAllowed(
                "90日以下工作的审查期限为5个工作日，不能延长。",
                "Work of 90 days or less is decided within 5 working days, not extendable.",
            )
        application.extended = True
        application.extension_reason = comment
    elif action == "waive_age_limit":
        birth = env.protector.open_date(application.birth_date_enc)
        params = await parameters.get_parameters(session, env.today.year)
        if not policy.over_age_limit(birth, env.today, params):
            raise AgeWaiverNotNeeded("申请人年龄未超过60周岁。", "The foreigner is not over the age limit of WP-3.")
        application.age_waiver_reason = comment
        await _assess(session, application, env)
    elif action == "approve":
        result, params = await _assess(session, application, env)
        policy.check_documents(application.documents, result.permit_class, env.today, params)
        await policy.check_approvable(session, result, params)
        _decided(application, calendar, env, await repo.pauses(session, application.id))
        data["class"] = result.permit_class
    elif action == "refuse":
        application.refusal_codes = list(reasons or ["other"])
        _decided(application, calendar, env, await repo.pauses(session, application.id))
        data["reasons"] = application.refusal_codes

    await APPLICATION_WORKFLOW.apply(session, common, application, action, acting, comment=comment)
    if action == "issue":
        from services.foreign_experts.permits import service as permits  # permits import this module

        permit = await permits.issue(session, principal, application, employer, env)
        application.permit_id = permit.id
        data["permit_number"] = permit.number
    await _refresh_due(session, application, calendar, env)
    await flush_versioned(session, "工作许可申请")
    await audit.append(session, common, principal, action, KIND, application.id, {"status": application.status, **data})
    return application


def _decided(
    application: PermitApplication, calendar: WorkingCalendar, env: Environment, pauses: list[ClockPause]
) -> None:
    application.decided_on = env.today
    if application.accepted_on is not None:
        application.processing_working_days = policy.working_days_used(application, pauses, calendar, env.today)


async def _refresh_due(
    session: AsyncSession, application: PermitApplication, calendar: WorkingCalendar, env: Environment
) -> None:
    """The stored due date that the lists of overdue and due-soon applications filter on: set while the clock
    runs, none while it stands for documents or once the application is decided."""
    if application.status == "accepted" and application.accepted_on is not None:
        await session.flush()
        params = await parameters.get_parameters(session, application.accepted_on.year)
        deadline = policy.deadline(application, await repo.pauses(session, application.id), calendar, params, env.today)
        application.decision_due_on = deadline.due_on
    else:
        application.decision_due_on = None


async def history(session: AsyncSession, principal: Principal, application_id: int) -> list[HistoryRead]:
    application = await load(session, principal, application_id)
    return await load_history(session, common, KIND, application.id)
