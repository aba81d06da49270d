"""Use cases of applications (申报书): create and edit drafts, move them through
``rules.workflows.APPLICATION_WORKFLOW`` with the guards at submit, keep the limits ledger current
and call duplicate screening. Never commits: the request's unit of work does.

Who may act is decided twice: the roles in the workflow table, then the object: the owner for the
applicant's actions, the applicant organisation's org_admin (Principal.org_uscc = the
application's USCC), the agency entrusted with the programme (PRJ-2), any official. The caller's
roles are narrowed to those it holds *for this application* before the table is consulted.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import access
from services.projects.applications import repository as repo
from services.projects.applications.models import Application
from services.projects.applications.schemas import (
    ApplicationCreate,
    ApplicationRead,
    ApplicationSummary,
    ApplicationUpdate,
    BudgetLineIn,
    LeaderIn,
)
from services.projects.calls import repository as calls_repo
from services.projects.calls.models import Call
from services.projects.db import common
from services.projects.deps import Environment
from services.projects.integrity import service as integrity
from services.projects.ledger import service as ledger
from services.projects.programmes import repository as programmes_repo
from services.projects.programmes import service as programmes
from services.projects.programmes.models import Programme
from services.projects.rules import eligibility
from services.projects.rules.workflows import APPLICATION_WORKFLOW, EDITABLE_STATES, LEDGER_ENTRY
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import ApplicationNotEditable, NotFound, ValidationFailed, field_error
from shared.pagination import Page
from shared.principal import Principal
from shared.review.schemas import dump_declarations, read_declarations
from shared.subject_keys import organisation_key, person_key
from shared.validators import mask_id, parse_resident_id
from shared.workdays import today_shanghai
from shared.workflow import HistoryRead, load_history

SORTS = repo.SORTS  # the orders its list takes, as the router documents them

KIND = "application"
LEDGER_SERVICE = "projects"
# Roles that need the ID numbers in full on an application they can see (formal review checks them).
FULL_ID_ROLES = ("official", "agency")


def _not_found() -> NotFound:
    return NotFound("申报书不存在。", "No such application.")


def _invalid(field: str, code: str, zh: str, en: str) -> ValidationFailed:
    return ValidationFailed([field_error(field, code, zh, en)])


# --- loading and who acts -------------------------------------------------------------------------


async def load(
    session: AsyncSession, principal: Principal, application_id: int, *, for_update: bool = False
) -> Application:
    application = await repo.get_visible(session, principal, application_id, for_update=for_update)
    if application is None:
        raise _not_found()
    return application


async def acting(session: AsyncSession, principal: Principal, application: Application) -> Principal:
    """``principal`` with only the roles it holds for this application (``access.acting``)."""
    return access.acting(
        principal,
        entrusted=await programmes.entrusted(session, principal, application.programme_id),
        owner=application.owner,
        applicant_uscc=application.applicant_uscc,
    )


async def read(session: AsyncSession, principal: Principal, application: Application) -> ApplicationRead:
    """The detail as the caller may see it (``to_read`` with the caller narrowed to this application)."""
    return to_read(application, await acting(session, principal, application))


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    call_id: int | None,
    programme_id: int | None,
    year: int | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> Page[ApplicationSummary]:
    """The applications the caller may see (``access.visible_applications``), ID numbers masked."""
    rows, next_cursor = await repo.page(
        session,
        principal,
        status=status,
        call_id=call_id,
        programme_id=programme_id,
        year=year,
        limit=limit,
        cursor=cursor,
        sort=sort,
    )
    return Page[ApplicationSummary](items=[to_summary(r) for r in rows], next_cursor=next_cursor)


# --- content --------------------------------------------------------------------------------------


def _topic_of(call: Call, topic_id: int | None) -> int | None:
    ids = [t.id for t in call.topics]
    if not ids:
        if topic_id is not None:
            raise _invalid("topic_id", "unknown_topic", "本批次未设课题", "this call has no topics")
        return None
    if topic_id is None:
        raise _invalid("topic_id", "required", "请选择本批次的一个课题", "choose one of the call's topics")
    if topic_id not in ids:
        raise _invalid("topic_id", "unknown_topic", "不是本批次的课题", "not a topic of this call")
    return topic_id


def _set_leader(application: Application, leader: LeaderIn) -> None:
    info = parse_resident_id(leader.id_number)
    application.leader_name = leader.name
    application.leader_id_number = info.number
    application.leader_title = leader.title
    application.leader_birth_date = info.birth_date  # ID-2: never typed
    application.leader_sex = info.sex


def _set_budget(application: Application, budget: dict[str, BudgetLineIn]) -> None:
    application.budget_lines = {
        line: {"requested": str(eligibility.fen(v.requested)), "self_raised": str(eligibility.fen(v.self_raised))}
        for line, v in budget.items()
    }
    application.requested_total = eligibility.total(v.requested for v in budget.values())
    application.self_raised_total = eligibility.total(v.self_raised for v in budget.values())


def _dump(items: list[Any]) -> list[dict[str, Any]]:
    return [i.model_dump(mode="json") for i in items]


async def create(session: AsyncSession, principal: Principal, body: ApplicationCreate) -> Application:
    call = await calls_repo.get_visible(session, principal, body.call_id)
    if call is None:
        raise NotFound("申报指南不存在。", "No such call.")
    eligibility.check_call_status(call.status)
    if principal.org_uscc and principal.org_uscc != body.applicant_uscc:
        raise _invalid(
            "applicant_uscc",
            "not_your_organisation",
            "只能以您注册所在的单位名义申报",
            "apply on behalf of the organisation you are registered with",
        )
    application = Application(
        call_id=call.id,
        topic_id=_topic_of(call, body.topic_id),
        programme_id=call.programme_id,
        year=call.year,
        owner=principal.subject,
        title=body.title,
        abstract=body.abstract,
        keywords=list(body.keywords),
        team=_dump(body.team),
        applicant_uscc=body.applicant_uscc,
        applicant_org_name=body.applicant_org_name,
        organization_kind=body.organization_kind,
        partners=_dump(body.partners),
        duration_months=body.duration_months,
        attachments=_dump(body.attachments),
        exclusions=dump_declarations(body.exclusions),
        relations=dump_declarations(body.relations),
        status=APPLICATION_WORKFLOW.initial,
        version=1,
    )
    _set_leader(application, body.leader)
    _set_budget(application, body.budget)
    await repo.add(session, application)
    await APPLICATION_WORKFLOW.record_creation(session, common, application, principal)
    await audit.append(session, common, principal, "create", KIND, application.id, {"call_id": call.id})
    return application


async def update(
    session: AsyncSession,
    principal: Principal,
    application_id: int,
    body: ApplicationUpdate,
    if_match: str | None,
    env: Environment,
) -> Application:
    application = await load(session, principal, application_id, for_update=True)
    if application.owner != principal.subject or not principal.has_role("applicant"):
        raise (
            _not_found()
            if application.status == "draft"
            else ApplicationNotEditable("只有申报人可以修改申报书。", "Only the applicant edits an application.")
        )
    check_if_match(if_match, KIND, application.id, application.version)
    if application.status not in EDITABLE_STATES:
        raise ApplicationNotEditable(
            f"状态“{application.status}”下不能修改申报书。",
            f"An application cannot be edited in state '{application.status}'.",
        )
    changes = body.model_dump(exclude_unset=True)
    for field in ("title", "abstract", "applicant_org_name", "organization_kind", "duration_months"):
        if changes.get(field) is not None:
            setattr(application, field, getattr(body, field))
    if body.keywords is not None:
        application.keywords = list(body.keywords)
    for field in ("team", "partners", "attachments"):
        if getattr(body, field) is not None:
            setattr(application, field, _dump(getattr(body, field)))
    for field in ("exclusions", "relations"):  # NSF-3: given (even null) replaces what was declared
        if field in changes:
            setattr(application, field, dump_declarations(getattr(body, field)))
    if body.leader is not None:
        _set_leader(application, body.leader)
    if body.budget is not None:
        _set_budget(application, body.budget)
    if "topic_id" in changes:
        call = await calls_repo.get(session, application.call_id)
        assert call is not None
        application.topic_id = _topic_of(call, body.topic_id)
    application.version += 1
    await flush_versioned(session, "申报书")
    if application.status != "draft":
        await sync_ledger(session, application, env)
    await audit.append(session, common, principal, "update", KIND, application.id, {"fields": sorted(changes)})
    return application


# --- the workflow ---------------------------------------------------------------------------------


async def _debarments(
    session: AsyncSession, application: Application, env: Environment
) -> list[eligibility.DebarmentFinding]:
    """PRJ-5: the integrity records of the leader and of the organisation, today in Asia/Shanghai."""
    today = today_shanghai(env.clock())
    found: list[eligibility.DebarmentFinding] = []
    for subject, key in (
        ("leader", person_key(application.leader_id_number, env.subject_key_secret)),
        ("organization", organisation_key(application.applicant_uscc, env.subject_key_secret)),
    ):
        result = await integrity.check_debarment(session, key, on=today)
        if result.debarred:
            found.extend(eligibility.DebarmentFinding(subject, p.measure, p.start, p.end) for p in result.periods)
    return found


async def _limit_violations(
    session: AsyncSession, application: Application, env: Environment
) -> list[eligibility.LimitViolation]:
    """PRJ-1 through the ledger; the application's own entry (a resubmission) does not count."""
    decision = await ledger.check(
        session,
        person_key(application.leader_id_number, env.subject_key_secret),
        "application",
        application.year,
        service=LEDGER_SERVICE,
        role="leader",
        exclude_item_id=str(application.id),
    )
    return [
        eligibility.LimitViolation(
            v.clause,
            v.code,
            v.limit,
            v.count,
            tuple(
                {"service": e.service, "item_id": e.item_id, "kind": e.kind, "year": e.year, "status": e.status}
                for e in v.items
            ),
        )
        for v in decision.violations
    ]


async def _submit_context(session: AsyncSession, application: Application, env: Environment) -> dict[str, Any]:
    call = await calls_repo.get(session, application.call_id)
    programme = await programmes_repo.get(session, application.programme_id)
    assert call is not None and programme is not None  # foreign keys
    return {
        "call": call,
        "programme": programme,
        "topic": next((t for t in call.topics if t.id == application.topic_id), None),
        "now": env.clock(),
        "debarments": await _debarments(session, application, env),
        "limit_violations": await _limit_violations(session, application, env),
    }


async def sync_ledger(
    session: AsyncSession, application: Application, env: Environment, programme: Programme | None = None
) -> None:
    """Keep the ledger's entry of this application current (revision = the application's version)."""
    entry = LEDGER_ENTRY.get(application.status)
    if entry is None:
        if application.status != "draft":
            await ledger.remove(session, LEDGER_SERVICE, str(application.id), revision=application.version)
        return
    programme = programme or await programmes_repo.get(session, application.programme_id)
    assert programme is not None
    kind, status = entry
    await ledger.record(
        session,
        ledger.ItemReport(
            service=LEDGER_SERVICE,
            item_id=str(application.id),
            person_key=person_key(application.leader_id_number, env.subject_key_secret),
            role="leader",
            kind=kind,
            programme=programme.code,
            year=application.year,
            status=status,
            revision=application.version,
        ),
    )


async def act(
    session: AsyncSession,
    principal: Principal,
    application_id: int,
    action: str,
    comment: str | None,
    if_match: str | None,
    env: Environment,
) -> Application:
    application = await load(session, principal, application_id, for_update=True)
    check_if_match(if_match, KIND, application.id, application.version, required=False)
    who = await acting(session, principal, application)
    transition = APPLICATION_WORKFLOW.decide(application.status, action, who)
    context = await _submit_context(session, application, env) if transition.guards else {}
    await APPLICATION_WORKFLOW.apply(session, common, application, action, who, comment=comment, context=context)
    if action in ("submit", "resubmit"):
        application.submitted_at = context["now"]
    await flush_versioned(session, "申报书")
    await sync_ledger(session, application, env, context.get("programme"))
    if action in ("submit", "resubmit") and env.screen is not None:
        await env.screen(session, application)
    await audit.append(
        session, common, principal, action, KIND, application.id, {"status": application.status, "comment": comment}
    )
    return application


async def move(
    session: AsyncSession,
    principal: Principal,
    application: Application,
    action: str,
    comment: str | None,
    env: Environment,
    *,
    audit_data: dict[str, Any] | None = None,
) -> Application:
    """The hook other use cases (approval, public notice, contracts) call to move an application they
    have loaded and locked: roles narrowed to this application, the table, history, ledger, audit."""
    who = await acting(session, principal, application)
    await APPLICATION_WORKFLOW.apply(session, common, application, action, who, comment=comment)
    await flush_versioned(session, "申报书")
    await sync_ledger(session, application, env)
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


async def history(session: AsyncSession, principal: Principal, application_id: int) -> list[HistoryRead]:
    application = await load(session, principal, application_id)
    return await load_history(session, common, KIND, application.id)


# --- reading --------------------------------------------------------------------------------------


def _id(number: str, full: bool) -> str:
    return number if full else mask_id(number)


def to_read(application: Application, who: Principal) -> ApplicationRead:
    """The detail view: ID numbers (the leader's, the team's and those in the NSF-3 declarations) in
    full for the owner, officials and the entrusted agency, masked for everyone else."""
    full = who.has_role("applicant", *FULL_ID_ROLES)
    return ApplicationRead.model_validate(
        {
            **{
                k: getattr(application, k)
                for k in (
                    "id",
                    "call_id",
                    "topic_id",
                    "programme_id",
                    "year",
                    "title",
                    "abstract",
                    "keywords",
                    "applicant_uscc",
                    "applicant_org_name",
                    "organization_kind",
                    "partners",
                    "requested_total",
                    "self_raised_total",
                    "duration_months",
                    "attachments",
                    "status",
                    "version",
                    "created_at",
                    "updated_at",
                    "submitted_at",
                )
            },
            "leader": {
                "name": application.leader_name,
                "id_number": _id(application.leader_id_number, full),
                "title": application.leader_title,
                "birth_date": application.leader_birth_date,
                "sex": application.leader_sex,
            },
            "team": [{**m, "id_number": _id(m["id_number"], full)} for m in application.team],
            "budget": {
                line: {"requested": Decimal(v["requested"]), "self_raised": Decimal(v["self_raised"])}
                for line, v in application.budget_lines.items()
            },
            "exclusions": read_declarations(application.exclusions, full=full),
            "relations": read_declarations(application.relations, full=full),
            "allowed_actions": APPLICATION_WORKFLOW.actions_from(application.status, who),
        }
    )


def to_summary(application: Application) -> ApplicationSummary:
    summary = ApplicationSummary.model_validate(application, from_attributes=True)
    return summary.model_copy(update={"leader_id_number": mask_id(application.leader_id_number)})
