"""Use cases of foundation applications (基金申请书). Never commits: the request's unit of work does.

``move`` is the one way any module moves an application: the caller's roles narrowed to this
application (``access.acting``), the workflow table (history row), the limits ledger in the projects
service kept current (``sync_ledger``: a 503 there rolls the whole request back, so nothing is
half-written here), and the audit trail.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from services.foundation import access
from services.foundation.applications import repository as repo
from services.foundation.applications.models import FoundationApplication
from services.foundation.applications.schemas import (
    ApplicantIn,
    ApplicationCreate,
    ApplicationRead,
    ApplicationSummary,
    ApplicationUpdate,
)
from services.foundation.db import common
from services.foundation.deps import Environment
from services.foundation.plans import repository as plans_repo
from services.foundation.plans.models import FundingPlan, PlanCategory
from services.foundation.rules import eligibility
from services.foundation.rules.workflows import APPLICATION_WORKFLOW, EDITABLE_STATES, LEDGER_ENTRY
from shared import audit
from shared.clients.ledger import ItemState
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import ApplicationNotEditable, NotFound, PreconditionFailed, ValidationFailed, field_error
from shared.pagination import Page
from shared.principal import Principal
from shared.review.schemas import dump_declarations, read_declarations
from shared.subject_keys import person_key
from shared.validators import mask_id, parse_resident_id
from shared.windows import DeadlineNow, deadline_now
from shared.workdays import today_shanghai
from shared.workflow import HistoryRead, load_history

SORTS = repo.SORTS  # the orders its list takes, as the router documents them

KIND = "foundation_application"
# The ledger's "programme" of every foundation item.
LEDGER_PROGRAMME = "NSF"
# NSF-5: senior staff (高级职称: 正高 and 副高) are counted across the plans.
SENIOR_RANKS = frozenset({"senior", "associate"})
# Roles that see ID numbers in full on an application they may see (formal review checks them);
# the owner too. The host institution's org_admin and auditors see them masked.
FULL_ID_ROLES = ("applicant", "official", "agency")
# Awaiting the formal review (NSF-1): its deadline runs for these.
FORMAL_PENDING = frozenset({"submitted", "returned_by_org", "endorsed"})
SUBMIT_ACTIONS = frozenset({"submit", "resubmit"})


def not_found() -> NotFound:
    return NotFound("基金申请书不存在。", "No such foundation application.")


async def load(
    session: AsyncSession, principal: Principal, application_id: int, *, for_update: bool = False
) -> FoundationApplication:
    """The application if the caller may see it; otherwise a 404 (never a 403: no existence leak)."""
    application = await repo.get_visible(session, principal, application_id, for_update=for_update)
    if application is None:
        raise not_found()
    return application


async def acting(session: AsyncSession, principal: Principal, application: FoundationApplication) -> Principal:
    return access.acting(principal, application, await repo.plan_of(session, application))


def applicant_key(application: FoundationApplication, secret: str) -> str:
    return person_key(application.applicant_id_number, secret)


async def sync_ledger(application: FoundationApplication, env: Environment) -> None:
    """Report the application's current state to the limits ledger (PRJ-1, NSF-5), or take it out
    (draft, withdrawn). The revision is the application's version, so a late report is ignored."""
    state = ledger_state(application, env)
    ledger = env.projects.ledger
    if state is None:
        # a draft withdrawn before it was ever submitted was never reported
        if application.status != "draft" and application.submitted_at is not None:
            await ledger.remove(str(application.id), revision=application.version)
        return
    await ledger.report(
        state.item_id,
        person_key=state.person_key,
        role=state.role,
        kind=state.kind,
        programme=state.programme,
        year=state.year,
        status=state.status,
        revision=state.revision,
    )


def ledger_state(application: FoundationApplication, env: Environment) -> ItemState | None:
    """The application's ledger entry as ``sync_ledger`` would report it; None when it has none."""
    entry = LEDGER_ENTRY.get(application.status)
    if entry is None:
        return None
    kind, status = entry
    return ItemState(
        item_id=str(application.id),
        person_key=applicant_key(application, env.subject_key_secret),
        role="applicant",
        kind=kind,
        programme=LEDGER_PROGRAMME,
        year=application.year,
        status=status,
        revision=application.version,
    )


async def move(
    session: AsyncSession,
    principal: Principal,
    application: FoundationApplication,
    action: str,
    comment: str | None,
    env: Environment,
    *,
    context: dict[str, Any] | None = None,
    plan: FundingPlan | None = None,
    audit_data: dict[str, Any] | None = None,
) -> FoundationApplication:
    """Move a loaded (and locked) application by ``action``: roles narrowed to it, the table (409 /
    403), guards with ``context``, history, the ledger, the audit trail."""
    plan = plan or await repo.plan_of(session, application)
    who = access.acting(principal, application, plan)
    await APPLICATION_WORKFLOW.apply(session, common, application, action, who, comment=comment, context=context or {})
    await flush_versioned(session, "基金申请书")
    await sync_ledger(application, env)
    await audit.append(
        session,
        common,
        principal,
        action,
        KIND,
        application.id,
        {"status": application.status, "comment": comment, **(audit_data or {})},
    )
    return application


async def start_review_many(
    session: AsyncSession,
    principal: Principal,
    found: Sequence[FoundationApplication],
    plan: FundingPlan,
    env: Environment,
) -> list[int]:
    """``move(..., "start_review")`` for every application a draw sends to review, in a few statements:
    one bulk update (each row only at the version read, else 412), one bulk insert of history rows, and
    the ledger told in one batch. The caller writes one audit entry naming them all. The loaded objects
    are brought up to date without another round trip."""
    if not found:
        return []
    who = access.plan_roles(plan, principal)
    step = APPLICATION_WORKFLOW.decide("accepted", "start_review", who)
    if any(a.status != "accepted" for a in found):
        raise PreconditionFailed("申请已被他人修改，请重新抽取。", "An application changed meanwhile; draw again.")
    for a in found:
        for guard in step.guards:
            guard(a, who, {})
    now = env.now
    changed = await repo.move_many(session, [(a.id, a.version) for a in found], step.target, now)
    if changed not in (-1, len(found)):
        raise PreconditionFailed("申请已被他人修改，请重新抽取。", "An application changed meanwhile; draw again.")
    await APPLICATION_WORKFLOW.record_moves(session, common, [a.id for a in found], step, "accepted", who, at=now)
    for a in found:  # what the UPDATE wrote, without marking the objects dirty
        set_committed_value(a, "status", step.target)
        set_committed_value(a, "version", a.version + 1)
        set_committed_value(a, "updated_at", now)
    states = [state for state in (ledger_state(a, env) for a in found) if state is not None]
    if states:
        await env.projects.ledger.report_many(states)
    return [a.id for a in found]


# --- content --------------------------------------------------------------------------------------


def _invalid(field: str, code: str, zh: str, en: str) -> ValidationFailed:
    return ValidationFailed([field_error(field, code, zh, en)])


def _set_applicant(application: FoundationApplication, applicant: ApplicantIn) -> None:
    info = parse_resident_id(applicant.id_number)
    application.applicant_name = applicant.name
    application.applicant_id_number = info.number
    application.applicant_birth_date = info.birth_date  # ID-2, ID-3: never typed
    application.applicant_sex = info.sex
    application.applicant_title = applicant.title
    application.title_rank = applicant.title_rank
    application.degree = applicant.degree


def _set_budget(application: FoundationApplication, budget: dict[str, Any]) -> None:
    lines = {line: eligibility.fen(amount) for line, amount in budget.items()}
    application.budget_lines = {line: str(amount) for line, amount in lines.items()}
    application.requested_total = eligibility.total(list(lines.values()))


def _dump(items: list[Any]) -> list[dict[str, Any]]:
    return [i.model_dump(mode="json") for i in items]


async def _category(session: AsyncSession, plan: FundingPlan, category_id: int) -> PlanCategory:
    category = await plans_repo.category(session, plan.id, category_id)
    if category is None:
        raise _invalid("category_id", "unknown_category", "不是本资助计划的类别", "not a category of this plan")
    return category


async def create(session: AsyncSession, principal: Principal, body: ApplicationCreate) -> FoundationApplication:
    plan = await plans_repo.get_visible(session, principal, body.plan_id)
    if plan is None:
        raise NotFound("资助计划不存在。", "No such funding plan.")
    eligibility.check_plan_published(plan.status)
    category = await _category(session, plan, body.category_id)
    eligibility.check_discipline(body.discipline_code, plan.discipline_codes)
    if principal.org_uscc and principal.org_uscc != body.institution_uscc:
        raise _invalid(
            "institution_uscc",
            "not_your_organisation",
            "只能通过您注册所在的单位申报",
            "apply through the organisation you are registered with",
        )
    application = FoundationApplication(
        plan_id=plan.id,
        category_id=category.id,
        year=plan.year,
        owner=principal.subject,
        discipline_code=body.discipline_code,
        title=body.title,
        abstract=body.abstract,
        keywords=list(body.keywords),
        institution_uscc=body.institution_uscc,
        institution_name=body.institution_name,
        team=_dump(body.team),
        duration_months=body.duration_months,
        exclusions=dump_declarations(body.exclusions),
        relations=dump_declarations(body.relations),
        attachments=_dump(body.attachments),
        status=APPLICATION_WORKFLOW.initial,
        version=1,
    )
    _set_applicant(application, body.applicant)
    _set_budget(application, body.budget)
    await repo.add(session, application)
    await APPLICATION_WORKFLOW.record_creation(session, common, application, principal)
    await audit.append(
        session, common, principal, "create", KIND, application.id, {"plan_id": plan.id, "category_id": category.id}
    )
    return application


async def update(
    session: AsyncSession, principal: Principal, application_id: int, body: ApplicationUpdate, if_match: str | None
) -> FoundationApplication:
    application = await load(session, principal, application_id, for_update=True)
    if application.owner != principal.subject or not principal.has_role("applicant"):
        raise not_found()
    check_if_match(if_match, KIND, application.id, application.version)
    if application.status not in EDITABLE_STATES:
        raise ApplicationNotEditable(
            f"状态“{application.status}”下不能修改申请书。",
            f"An application cannot be edited in state '{application.status}'.",
        )
    plan = await repo.plan_of(session, application)
    changes = body.model_dump(exclude_unset=True)
    if body.category_id is not None:
        application.category_id = (await _category(session, plan, body.category_id)).id
    if body.discipline_code is not None:
        eligibility.check_discipline(body.discipline_code, plan.discipline_codes)
        application.discipline_code = body.discipline_code
    for name in ("title", "abstract", "institution_name", "duration_months"):
        if changes.get(name) is not None:
            setattr(application, name, getattr(body, name))
    if body.keywords is not None:
        application.keywords = list(body.keywords)
    if body.applicant is not None:
        _set_applicant(application, body.applicant)
    if body.team is not None:
        application.team = _dump(body.team)
    if body.budget is not None:
        _set_budget(application, body.budget)
    if body.attachments is not None:
        application.attachments = _dump(body.attachments)
    # NSF-3 declarations: an explicit null clears them like an empty list
    if "exclusions" in changes:
        application.exclusions = dump_declarations(body.exclusions)
    if "relations" in changes:
        application.relations = dump_declarations(body.relations)
    application.version += 1
    await flush_versioned(session, "基金申请书")
    await audit.append(session, common, principal, "update", KIND, application.id, {"fields": sorted(changes)})
    return application


# --- the projects service's answers (gathered before anything changes) ---------------------------


async def _debarments(application: FoundationApplication, env: Environment) -> list[eligibility.DebarmentFinding]:
    """PRJ-5, NSF-7: the applicant and the host institution, on today's date in Asia/Shanghai."""
    today = today_shanghai(env.now)
    found: list[eligibility.DebarmentFinding] = []
    integrity = env.projects.integrity
    for subject, result in (
        ("applicant", await integrity.check(id_number=application.applicant_id_number, on=today)),
        ("institution", await integrity.check(uscc=application.institution_uscc, on=today)),
    ):
        if result.debarred:
            found.extend(eligibility.DebarmentFinding(subject, p.measure, p.start, p.end) for p in result.periods)
    return found


async def _limit_violations(application: FoundationApplication, env: Environment) -> list[eligibility.LimitViolation]:
    """NSF-5 and PRJ-1 through the projects ledger; the application's own entry (a resubmission)
    does not count."""
    answer = await env.projects.ledger.check(
        person_key=applicant_key(application, env.subject_key_secret),
        year=application.year,
        kind="application",
        role="applicant",
        senior=application.title_rank in SENIOR_RANKS,
        exclude_item_id=str(application.id),
    )
    return [
        eligibility.LimitViolation(
            r.clause,
            r.code,
            r.limit,
            r.count,
            tuple(
                {
                    "service": e.service,
                    "item_id": e.item_id,
                    "kind": e.kind,
                    "programme": e.programme,
                    "year": e.year,
                    "status": e.status,
                }
                for e in r.items
            ),
        )
        for r in answer.results
        if not r.allowed
    ]


async def _context(
    session: AsyncSession, application: FoundationApplication, plan: FundingPlan, action: str, env: Environment
) -> dict[str, Any]:
    if action in SUBMIT_ACTIONS:
        category = await plans_repo.get_category(session, application.category_id)
        assert category is not None  # foreign key
        return {
            "plan": plan,
            "category": category,
            "now": env.now,
            "debarments": await _debarments(application, env),
            "limit_violations": await _limit_violations(application, env),
        }
    # formal review (NSF-1): a debarment may have arrived since the submission
    return {
        "plan": plan,
        "now": env.now,
        "debarments": await _debarments(application, env),
        "integrity_clause": "NSF-1",
    }


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
) -> FoundationApplication:
    """One workflow action by the caller. The application is locked first: for a submission, every
    application of the same applicant and year (NSF-5: parallel submissions run one after the other).
    The guards' remote answers are gathered before anything changes: when the projects service does
    not answer, the request fails (503) and nothing is written."""
    application = await load(session, principal, application_id)
    if action in SUBMIT_ACTIONS:
        await repo.lock_applicant_year(session, application)
    else:
        await repo.lock(session, application)
    check_if_match(if_match, KIND, application.id, application.version, required=False)
    plan = await repo.plan_of(session, application)
    who = access.acting(principal, application, plan)
    transition = APPLICATION_WORKFLOW.decide(application.status, action, who)
    context = await _context(session, application, plan, action, env) if transition.guards else {}
    if action in SUBMIT_ACTIONS:
        application.submitted_at = env.now
    if action == "reject_formal":
        application.formal_reasons = list(reasons or [])
    return await move(
        session,
        principal,
        application,
        action,
        comment,
        env,
        context=context,
        plan=plan,
        audit_data={"reasons": reasons} if reasons else None,
    )


async def history(session: AsyncSession, principal: Principal, application_id: int) -> list[HistoryRead]:
    application = await load(session, principal, application_id)
    return await load_history(session, common, KIND, application.id)


# --- reading --------------------------------------------------------------------------------------


def formal_review_due_of(plan: FundingPlan) -> date:
    return eligibility.formal_review_due(plan.closes_at, plan.formal_review_days)


def is_formal_review_overdue(application: FoundationApplication, plan: FundingPlan, now: datetime) -> bool:
    return application.status in FORMAL_PENDING and eligibility.formal_review_overdue(formal_review_due_of(plan), now)


def formal_review_deadline(application: FoundationApplication, plan: FundingPlan, now: datetime) -> DeadlineNow:
    """NSF-1's deadline as the application shows it: counted while it awaits formal review."""
    return deadline_now(formal_review_due_of(plan), now, running=application.status in FORMAL_PENDING)


async def overdue_plan_ids(session: AsyncSession, now: datetime) -> list[int]:
    """Plans whose formal-review deadline (NSF-1) has passed."""
    return [
        p.id for p in await repo.all_plans(session) if eligibility.formal_review_overdue(formal_review_due_of(p), now)
    ]


async def read(
    session: AsyncSession, principal: Principal, application: FoundationApplication, now: datetime
) -> ApplicationRead:
    """The detail as the caller may see it (``to_read`` with the caller narrowed to this application)."""
    plan = await repo.plan_of(session, application)
    return to_read(application, plan, access.acting(principal, application, plan), now)


async def page(
    session: AsyncSession,
    principal: Principal,
    now: datetime,
    *,
    plan_id: int | None,
    category_id: int | None,
    status: str | None,
    discipline: str | None,
    formal_review_overdue: bool | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> Page[ApplicationSummary]:
    """The applications the caller may see (``access.visible_applications``), ID numbers masked;
    ``formal_review_overdue``: only those still awaiting formal review after its deadline (NSF-1)."""
    only_plans = only_statuses = None
    if formal_review_overdue:
        only_plans, only_statuses = await overdue_plan_ids(session, now), FORMAL_PENDING
    rows, next_cursor = await repo.page(
        session,
        principal,
        plan_id=plan_id,
        category_id=category_id,
        status=status,
        discipline=discipline,
        only_plans=only_plans,
        only_statuses=only_statuses,
        limit=limit,
        cursor=cursor,
        sort=sort,
    )
    plans = await repo.plans_by_id(session, (r.plan_id for r in rows))
    items = [to_summary(r, plans[r.plan_id], now) for r in rows]
    return Page[ApplicationSummary](items=items, next_cursor=next_cursor)


def _id(number: str, full: bool) -> str:
    return number if full else mask_id(number)


def to_read(application: FoundationApplication, plan: FundingPlan, who: Principal, now: datetime) -> ApplicationRead:
    """The detail: ID numbers in full for the owner and the plan's staff, masked for the host
    institution's org_admin and auditors. ``who`` is the caller narrowed to this application."""
    full = who.has_role(*FULL_ID_ROLES)
    number = application.applicant_id_number
    formal_review = formal_review_deadline(application, plan, now)
    return ApplicationRead.model_validate(
        {
            **{
                k: getattr(application, k)
                for k in (
                    "id",
                    "plan_id",
                    "category_id",
                    "year",
                    "discipline_code",
                    "title",
                    "abstract",
                    "keywords",
                    "institution_uscc",
                    "institution_name",
                    "requested_total",
                    "duration_months",
                    "attachments",
                    "formal_reasons",
                    "score",
                    "valid_reviews",
                    "rank",
                    "approved_amount",
                    "status",
                    "version",
                    "created_at",
                    "updated_at",
                    "submitted_at",
                )
            },
            "applicant": {
                "name": application.applicant_name,
                "id_number": _id(number, full),
                "id_kind": "foreign_permanent_resident" if number.startswith("9") else "resident",
                "birth_date": application.applicant_birth_date,
                "sex": application.applicant_sex,
                "title": application.applicant_title,
                "title_rank": application.title_rank,
                "degree": application.degree,
            },
            "team": [{**m, "id_number": _id(m["id_number"], full)} for m in application.team],
            "budget": dict(application.budget_lines),
            "exclusions": read_declarations(application.exclusions, full=full),
            "relations": read_declarations(application.relations, full=full),
            "formal_review_due": formal_review_due_of(plan),
            "formal_review_overdue": is_formal_review_overdue(application, plan, now),
            "formal_review_days_left": formal_review.days_left,
            "formal_review_calendar_confirmed": formal_review.calendar_confirmed,
            "allowed_actions": APPLICATION_WORKFLOW.actions_from(application.status, who),
        }
    )


def to_summary(application: FoundationApplication, plan: FundingPlan, now: datetime) -> ApplicationSummary:
    """A list row: ID numbers always masked."""
    return ApplicationSummary.model_validate(
        {
            **{
                k: getattr(application, k)
                for k in (
                    "id",
                    "plan_id",
                    "category_id",
                    "year",
                    "discipline_code",
                    "title",
                    "applicant_name",
                    "institution_uscc",
                    "institution_name",
                    "requested_total",
                    "status",
                    "version",
                    "created_at",
                    "submitted_at",
                )
            },
            "applicant_id_number": mask_id(application.applicant_id_number),
            "formal_review_due": formal_review_due_of(plan),
            "formal_review_days_left": formal_review_deadline(application, plan, now).days_left,
        }
    )
