"""Use cases of talent applications: an applicant drafts, edits and submits one under a call; the host
organisation's administrator endorses (recommends) it within the call's cap per organisation, or returns
it; the applicant may withdraw it until it is endorsed. Never commits.

The guards at submit, each a problem with a stable code: the call's window (``call_not_open``, CAL-2), the
organisation's kind (``org_kind_not_allowed``), the age limit from the ID number (TAL-4,
``over_programme_age_limit``), the representative works (TAL-1, ``invalid_representative_works``), a
declared title of the same level still running (TAL-2, ``same_level_support_active``), and an integrity
debarment (PRJ-5, ``debarred``; the projects service decides, and when it does not answer the submission is
refused with a 503, nothing written)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.applications import repository as repo
from services.talent.applications.models import TalentApplication
from services.talent.applications.schemas import ApplicationCreate, ApplicationRead, ApplicationUpdate
from services.talent.calls import repository as calls
from services.talent.calls.models import TalentCall
from services.talent.db import common
from services.talent.deps import Environment
from services.talent.errors import EndorsementCapReached
from services.talent.labels import state_label
from services.talent.programmes import service as programmes
from services.talent.programmes.models import Programme
from services.talent.rules.age import AgeLimit, check_age_limit_by_id
from services.talent.rules.evidence import (
    WORK_KIND_NAMES,
    EvidenceRules,
    RepresentativeWork,
    check_representative_works,
)
from services.talent.rules.exclusivity import NationalTitle, Tenure, check_same_level
from services.talent.rules.workflows import APPLICATION_WORKFLOW, EDITABLE_STATES, SYSTEM_ACTIONS
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import (
    ApplicationNotEditable,
    Debarred,
    Forbidden,
    NotFound,
    OrgKindNotAllowed,
)
from shared.pagination import Page
from shared.principal import Principal
from shared.schemas import Label
from shared.subject_keys import person_key
from shared.validators import mask_id
from shared.windows import check_open
from shared.workflow import HistoryRead, load_history

SORTS = repo.SORTS  # the orders its list takes, as the router documents them
KIND = "talent_application"
SEE_ALL = ("official", "auditor")


def not_found() -> NotFound:
    return NotFound("申报书不存在。", "No such application.")


def acting(principal: Principal, application: TalentApplication) -> Principal:
    """``principal`` with the roles it holds for this application: ``applicant`` for its author,
    ``org_admin`` for the host organisation's administrator, ``official`` and ``auditor`` as held."""
    roles = {r for r in SEE_ALL if principal.has_role(r)}
    if principal.has_role("applicant") and principal.subject == application.owner:
        roles.add("applicant")
    if principal.has_role("org_admin") and principal.org_id == application.org_id:
        roles.add("org_admin")
    return principal.model_copy(update={"roles": frozenset(roles)})


def to_read(application: TalentApplication, principal: Principal, env: Environment) -> ApplicationRead:
    values: dict[str, Any] = {c.key: getattr(application, c.key) for c in TalentApplication.__table__.columns}
    values["id_number"] = mask_id(env.cipher.decrypt(application.id_number_sealed))
    values["works"] = [
        {**w, "kind_label": Label(zh=WORK_KIND_NAMES[w["kind"]][0], en=WORK_KIND_NAMES[w["kind"]][1])}
        for w in application.works
    ]
    values["status_label"] = state_label(application.status)
    allowed = APPLICATION_WORKFLOW.actions_from(application.status, acting(principal, application))
    # the moves the review, the committee, the notice and the tenure make are not the caller's to call
    values["allowed_actions"] = [a for a in allowed if a not in SYSTEM_ACTIONS]
    return ApplicationRead.model_validate(values)


async def load(
    session: AsyncSession, principal: Principal, application_id: int, *, for_update: bool = False
) -> TalentApplication:
    application = await repo.get_visible(session, principal, application_id, for_update=for_update)
    if application is None:
        raise not_found()
    return application


async def page(
    session: AsyncSession,
    principal: Principal,
    env: Environment,
    *,
    call_id: int | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> Page[ApplicationRead]:
    rows, next_cursor = await repo.page(
        session, principal, call_id=call_id, status=status, limit=limit, cursor=cursor, sort=sort
    )
    return Page[ApplicationRead](items=[to_read(r, principal, env) for r in rows], next_cursor=next_cursor)


async def create(
    session: AsyncSession, principal: Principal, body: ApplicationCreate, env: Environment
) -> TalentApplication:
    if principal.org_id is None:
        raise Forbidden(
            "申报人须属于一个已登记的单位。", "An applicant must belong to a registered organisation.", extra={}
        )
    call = await calls.get(session, body.call_id)
    if call is None or call.status != "published":
        raise NotFound("年度申报不存在或尚未发布。", "No such published call.")
    values = body.model_dump(mode="json", exclude={"id_number", "call_id"})
    application = TalentApplication(
        **values,
        call_id=call.id,
        programme_id=call.programme_id,
        year=call.year,
        owner=principal.subject,
        org_id=principal.org_id,
        org_uscc=principal.org_uscc,
        id_number_sealed=env.cipher.encrypt(body.id_number),
        person_key=person_key(body.id_number, env.subject_key_secret),
        status=APPLICATION_WORKFLOW.initial,
        version=1,
    )
    session.add(application)
    await flush_versioned(session, "申报书")
    await APPLICATION_WORKFLOW.record_creation(session, common, application, principal)
    await audit.append(session, common, principal, "create", KIND, application.id, {"call_id": call.id})
    return application


async def update(
    session: AsyncSession, principal: Principal, application_id: int, body: ApplicationUpdate, if_match: str | None
) -> TalentApplication:
    application = await load(session, principal, application_id, for_update=True)
    if "applicant" not in acting(principal, application).roles:
        raise Forbidden("只有申报人可以修改申报书。", "Only the applicant edits the application.", extra={})
    check_if_match(if_match, KIND, application.id, application.version)
    if application.status not in EDITABLE_STATES:
        raise ApplicationNotEditable(
            "申报书已提交，不能修改。", "The application is submitted and can no longer be edited."
        )
    changes = body.model_dump(mode="json", exclude_unset=True)
    for field, value in changes.items():
        setattr(application, field, value)
    application.version += 1
    await flush_versioned(session, "申报书")
    await audit.append(session, common, principal, "update", KIND, application.id, {"fields": sorted(changes)})
    return application


async def check_submission(
    application: TalentApplication,
    call: TalentCall,
    programme: Programme,
    env: Environment,
    tenures: list[Tenure] | None = None,
) -> None:
    """The guards at submit, in order; the integrity check (a call to the projects service) last."""
    check_open(call.status, call.opens_on, call.closes_on, env.today)  # CAL-2
    if application.org_kind not in programme.org_kinds:
        raise OrgKindNotAllowed(
            f"本计划受理的单位类型为：{'、'.join(programme.org_kinds)}；申报单位类型为 {application.org_kind}。",
            f"This programme admits organisations of kinds {', '.join(programme.org_kinds)}; "
            f"the applicant's is {application.org_kind}.",
            extra={"kind": application.org_kind, "allowed": list(programme.org_kinds)},
        )
    limit = AgeLimit(programme.max_age_male, programme.max_age_female)
    check_age_limit_by_id(env.cipher.decrypt(application.id_number_sealed), limit, call.year, today=env.today)
    works = [RepresentativeWork(w["kind"], w["title"], w["own_contribution"]) for w in application.works]
    check_representative_works(works, EvidenceRules(max_works=programme.max_works))
    titles = [
        NationalTitle(t["title"], t["level"], date.fromisoformat(t["ends_on"]) if t.get("ends_on") else None)
        for t in application.national_titles
    ]
    check_same_level(programme.level, env.today, tenures or [], titles)
    found = await env.integrity.check(subject_key=application.person_key, on=env.today)
    if found.debarred:
        raise Debarred(
            "申报人存在有效的科研诚信限制措施，不能申报（PRJ-5）。",
            "An integrity debarment of the applicant is in force; the application cannot be submitted (PRJ-5).",
            extra={
                "clause": "PRJ-5",
                "debarments": [p.model_dump(mode="json") for p in found.periods],
            },
        )


async def endorse(session: AsyncSession, application: TalentApplication) -> None:
    """The call's cap per organisation, counted under the call's row lock (one endorsement at a time)."""
    call = await calls.locked(session, application.call_id)
    assert call is not None  # an application's call is never deleted (foreign key)
    if await repo.endorsed_count(session, call.id, application.org_id) >= call.cap_per_org:
        raise EndorsementCapReached(call.cap_per_org)


async def act(
    session: AsyncSession,
    principal: Principal,
    application_id: int,
    action: str,
    comment: str | None,
    if_match: str | None,
    env: Environment,
) -> TalentApplication:
    application = await load(session, principal, application_id)
    check_if_match(if_match, KIND, application.id, application.version, required=False)
    who = acting(principal, application)
    APPLICATION_WORKFLOW.decide(application.status, action, who)  # an illegal move before any guard
    if action in ("submit", "resubmit"):
        call = await calls.get(session, application.call_id)
        assert call is not None
        # TAL-2: the applicant's tenures running in this service, beside the national titles declared
        held = [Tenure(*row) for row in await repo.running_tenures(session, application.person_key)]
        await check_submission(application, call, await programmes.load(session, call.programme_id), env, held)
        application.submitted_at = env.now
    if action == "endorse":
        await endorse(session, application)
        application.endorsed_at = env.now
    await APPLICATION_WORKFLOW.apply(session, common, application, action, who, comment=comment)
    await flush_versioned(session, "申报书")
    await audit.append(session, common, principal, action, KIND, application.id, {"status": application.status})
    return application


async def history(session: AsyncSession, principal: Principal, application_id: int) -> list[HistoryRead]:
    application = await load(session, principal, application_id)
    return await load_history(session, common, KIND, application.id)
