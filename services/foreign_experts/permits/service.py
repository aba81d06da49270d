"""Use cases of permits: issue under the foreigner's lifelong number (WP-8), validity (WP-5, WP-6), changes
(延期, 变更, 注销) and other agencies' verification (WP-9). Never commits, but for the verification log,
which has its own transaction so that it outlives a "not found"."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.foreign_experts import access
from services.foreign_experts.applications.models import PermitApplication
from services.foreign_experts.db import common
from services.foreign_experts.deps import Environment
from services.foreign_experts.employers import repository as employers_repo
from services.foreign_experts.employers.models import Employer
from services.foreign_experts.errors import ChangePending, PassportOfAnotherPerson, PermitNotFound, PermitNotValid
from services.foreign_experts.foreigners import repository as foreigners
from services.foreign_experts.foreigners.models import Foreigner, ForeignerPassport
from services.foreign_experts.labels import change_kind_label, state_label
from services.foreign_experts.nationality import nationality_label
from services.foreign_experts.parameters import service as parameters
from services.foreign_experts.permits import repository as repo
from services.foreign_experts.permits.models import Permit, PermitChange, PermitSerial, Verification
from services.foreign_experts.permits.schemas import (
    ChangeCreate,
    ChangeRead,
    PassportIn,
    PermitRead,
    PermitSummary,
    VerificationRead,
)
from services.foreign_experts.protect import mask_passport
from services.foreign_experts.rules.labels import PERMIT_CLASSES, VALIDITY_LIMITS, label
from services.foreign_experts.rules.permit_number import make_permit_number, validate_permit_number
from services.foreign_experts.rules.permit_status import PermitStatus, permit_status
from services.foreign_experts.rules.validity import (
    check_passport,
    notice_valid_until,
    permit_validity,
    residence_permit_apply_by,
)
from services.foreign_experts.rules.workflows import CHANGE_WORKFLOW, PERMIT_WORKFLOW
from shared import audit
from shared.clients.permits import PermitCheck, PermitCheckRequest
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import NotFound
from shared.pagination import Page
from shared.principal import Principal
from shared.validators import IdNumberError, validate_uscc
from shared.workflow import HistoryRead, load_history

SORTS = repo.SORTS  # the orders its list takes, as the router documents them

KIND = "permit"
CHANGE_KIND = "permit_change"


def not_found() -> NotFound:
    return NotFound("工作许可不存在。", "No such work permit.")


def verification_not_found() -> NotFound:
    return PermitNotFound(
        "未查询到与该许可证号和护照号码相符的工作许可。", "No work permit matches this number and passport."
    )


# --- the person and the lifelong number (WP-8) ----------------------------------------------------


async def match_foreigner(session: AsyncSession, application: PermitApplication) -> Foreigner | None:
    """The person the application is about, if the bureau knows them: the same nationality and birth date,
    and the same passport, or the previous passport or permit number the employer gave."""
    candidates: list[Foreigner | None] = []
    for key in (application.passport_key, application.previous_passport_key):
        if key:
            passport = await foreigners.passport(session, key)
            if passport is not None:
                candidates.append(await foreigners.get(session, passport.foreigner_id))
    if application.previous_permit_number:
        candidates.append(await foreigners.by_permit_number(session, application.previous_permit_number))
    for person in candidates:
        if (
            person is not None
            and person.nationality == application.nationality
            and person.birth_key == application.birth_key
        ):
            return person
    if application.passport_key and (await foreigners.passport(session, application.passport_key)) is not None:
        raise PassportOfAnotherPerson(
            "该护照号码已登记在出生日期不同的外国人名下，请核对。",
            "This passport is recorded for a person with another birth date; check it.",
        )
    return None


async def next_number(session: AsyncSession, year: int) -> str:
    """The next number of ``year`` (WP-8), the year's serial taken under a row lock."""
    serial = await repo.serial(session, year)
    if serial is None:
        try:
            async with session.begin_nested():
                session.add(PermitSerial(year=year, last_serial=0))
        except IntegrityError:  # another issue created the year's row first
            pass
        serial = await repo.serial(session, year, refresh=True)
        assert serial is not None
    serial.last_serial += 1
    return make_permit_number(year, serial.last_serial)


async def _record_passport(session: AsyncSession, person: Foreigner, application: PermitApplication) -> None:
    passport = await foreigners.passport(session, application.passport_key)
    if passport is None:
        session.add(
            ForeignerPassport(
                foreigner_id=person.id,
                passport_key=application.passport_key,
                passport_enc=application.passport_enc,
                passport_masked=application.passport_masked,
                expires_on=application.passport_expires_on,
                application_id=application.id,
            )
        )
    else:
        passport.expires_on = application.passport_expires_on


async def issue(
    session: AsyncSession, principal: Principal, application: PermitApplication, employer: Employer, env: Environment
) -> Permit:
    """The permit of an approved application, under the person's lifelong number; the person's earlier
    valid permit (another employer's, or the one renewed) is superseded."""
    today = env.today
    params = await parameters.get_parameters(session, today.year)
    person = await match_foreigner(session, application)
    if person is None:
        person = Foreigner(
            nationality=application.nationality,
            birth_key=application.birth_key,
            birth_date_enc=application.birth_date_enc,
            sex=application.sex,
            name=application.name,
            chinese_name=application.chinese_name,
        )
        session.add(person)
        await session.flush()
    else:
        person.name, person.chinese_name = application.name, application.chinese_name
    if person.permit_number is None:
        person.permit_number = await next_number(session, today.year)
        person.first_issued_year = today.year
    await _record_passport(session, person, application)

    for old in await repo.valid_of(session, person.id):
        await PERMIT_WORKFLOW.apply(
            session,
            common,
            old,
            "supersede",
            principal,
            comment=f"由许可申请 {application.id} 的新许可取代 / superseded by the permit of "
            f"application {application.id}",
        )

    assert application.permit_class is not None
    starts_on = max(application.contract_starts_on, today)
    validity = permit_validity(
        permit_class=application.permit_class,
        starts_on=starts_on,
        contract_ends_on=application.contract_ends_on,
        passport_expires_on=application.passport_expires_on,
        licence_expires_on=employer.licence_expires_on,
        params=params,
    )
    permit = Permit(
        number=person.permit_number,
        foreigner_id=person.id,
        application_id=application.id,
        employer_id=employer.id,
        employer_uscc=employer.uscc,
        employer_name=employer.name,
        permit_class=application.permit_class,
        nationality=application.nationality,
        position=application.position,
        work_city_code=application.work_city_code,
        contract_ends_on=application.contract_ends_on,
        passport_key=application.passport_key,
        passport_expires_on=application.passport_expires_on,
        issued_on=today,
        valid_from=validity.valid_from,
        valid_until=validity.valid_until,
        valid_until_reason=validity.binding[0],
        notice_valid_until=notice_valid_until(today, params),
        status=PERMIT_WORKFLOW.initial,
        version=1,
    )
    session.add(permit)
    await flush_versioned(session, "工作许可")
    application.foreigner_id = person.id
    await PERMIT_WORKFLOW.record_creation(session, common, permit, principal)
    await audit.append(
        session,
        common,
        principal,
        "issue",
        KIND,
        permit.id,
        {"application_id": application.id, "number": permit.number, "class": permit.permit_class},
    )
    return permit


# --- reading --------------------------------------------------------------------------------------


async def load(session: AsyncSession, principal: Principal, permit_id: int, *, for_update: bool = False) -> Permit:
    permit = await repo.get_visible(session, principal, permit_id, for_update=for_update)
    if permit is None:
        raise not_found()
    return permit


def status_on(permit: Permit, day: date) -> PermitStatus:
    return permit_status(permit.status, permit.valid_from, permit.valid_until, day)


def valid_on(permit: Permit, day: date) -> bool:
    return status_on(permit, day) == "in_force"


async def to_read(session: AsyncSession, permit: Permit, caller: Principal, env: Environment) -> PermitRead:
    person = await foreigners.get(session, permit.foreigner_id)
    passport = await foreigners.passport(session, permit.passport_key)
    assert person is not None and passport is not None
    full = access.sees_pii(access.acting(caller, permit.employer_uscc))
    return PermitRead(
        id=permit.id,
        number=permit.number,
        application_id=permit.application_id,
        employer_id=permit.employer_id,
        employer_name=permit.employer_name,
        name=person.name,
        chinese_name=person.chinese_name,
        nationality=permit.nationality,
        nationality_label=nationality_label(permit.nationality),
        passport_number=env.protector.open(passport.passport_enc) if full else passport.passport_masked,
        passport_expires_on=permit.passport_expires_on,
        permit_class=permit.permit_class,
        class_label=label(PERMIT_CLASSES, permit.permit_class),
        position=permit.position,
        work_city_code=permit.work_city_code,
        contract_ends_on=permit.contract_ends_on,
        issued_on=permit.issued_on,
        valid_from=permit.valid_from,
        valid_until=permit.valid_until,
        valid_until_reason=permit.valid_until_reason,
        valid_until_reason_label=label(VALIDITY_LIMITS, permit.valid_until_reason),
        notice_valid_until=permit.notice_valid_until,
        entered_on=permit.entered_on,
        residence_permit_due_on=permit.residence_permit_due_on,
        status=permit.status,
        status_label=state_label(permit.status),
        valid_today=valid_on(permit, env.today),
        version=permit.version,
    )


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    permit_class: str | None,
    number: str | None,
    employer_id: int | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> Page[PermitSummary]:
    """The permits the caller may see (a clerk its own employer's), passports masked."""
    rows, next_cursor = await repo.page(
        session,
        principal,
        status=status,
        permit_class=permit_class,
        number=number,
        employer_id=employer_id,
        limit=limit,
        cursor=cursor,
        sort=sort,
    )
    return Page[PermitSummary](items=await summaries(session, rows), next_cursor=next_cursor)


async def summaries(session: AsyncSession, permits: list[Permit]) -> list[PermitSummary]:
    masked = await foreigners.masked_passports(session, {p.passport_key for p in permits})
    names = await foreigners.names(session, {p.foreigner_id for p in permits})
    return [
        PermitSummary(
            id=p.id,
            number=p.number,
            employer_id=p.employer_id,
            name=names.get(p.foreigner_id, ""),
            nationality=p.nationality,
            passport_number=masked.get(p.passport_key, "***"),
            permit_class=p.permit_class,
            work_city_code=p.work_city_code,
            valid_until=p.valid_until,
            status=p.status,
            status_label=state_label(p.status),
            version=p.version,
        )
        for p in permits
    ]


async def record_entry(
    session: AsyncSession,
    principal: Principal,
    permit_id: int,
    entered_on: date,
    if_match: str | None,
    env: Environment,
) -> Permit:
    """WP-6: the day of entry on the notice, and the last day to apply for the residence permit."""
    permit = await load(session, principal, permit_id, for_update=True)
    if not access.acting(principal, permit.employer_uscc).has_role("official", "clerk"):
        raise not_found()
    check_if_match(if_match, KIND, permit.id, permit.version, required=False)
    if permit.status != "valid":
        raise PermitNotValid(f"许可状态为“{state_label(permit.status).zh}”。", f"The permit is {permit.status}.")
    params = await parameters.get_parameters(session, permit.issued_on.year)
    permit.entered_on = entered_on
    permit.residence_permit_due_on = residence_permit_apply_by(entered_on, params)
    permit.version += 1
    await flush_versioned(session, "工作许可")
    await audit.append(
        session, common, principal, "record_entry", KIND, permit.id, {"entered_on": entered_on.isoformat()}
    )
    return permit


async def history(session: AsyncSession, principal: Principal, permit_id: int) -> list[HistoryRead]:
    permit = await load(session, principal, permit_id)
    return await load_history(session, common, KIND, permit.id)


# --- verification by other agencies (WP-9) --------------------------------------------------------


async def verify(
    session: AsyncSession,
    log_sessions: async_sessionmaker[AsyncSession],
    principal: Principal,
    number: str,
    passport: str,
    env: Environment,
) -> VerificationRead | None:
    """Valid or not and why (``rules.permit_status``), the class, the dates of validity and the employer's
    name, when the number and the passport match; otherwise "not found", whether the number is unknown or the
    passport wrong. Every call is logged with the caller (the passport itself is never stored) and committed
    even when the answer is "not found" (None: the router answers ``verification_not_found()`` without rolling
    back)."""
    permit = None
    try:
        normalised = validate_permit_number(number)
    except IdNumberError:
        normalised = None
    if normalised is not None:
        candidate = await repo.latest_by_number(session, normalised)
        if candidate is not None:
            try:
                key = env.protector.passport_key(candidate.nationality, passport)
            except IdNumberError:
                key = None
            if key is not None and key == candidate.passport_key:
                permit = candidate
    status = status_on(permit, env.today) if permit is not None else None
    valid = status == "in_force"
    async with log_sessions() as log:  # its own write transaction: the GET's session only reads
        log.add(
            Verification(
                at=env.now,
                caller_kind=principal.kind,
                caller_id=principal.subject,
                caller_name=principal.name,
                caller_org_id=principal.org_id,
                number=(normalised or number.strip())[:40],
                found=permit is not None,
                permit_id=permit.id if permit else None,
                valid=valid if permit else None,
            )
        )
        await log.commit()  # kept whatever the answer, "not found" too
    if permit is None:
        return None
    assert status is not None
    return VerificationRead(
        valid=valid,
        status=status,
        permit_class=permit.permit_class,
        valid_from=permit.valid_from,
        valid_until=permit.valid_until,
        employer_name=permit.employer_name,
    )


async def verifications(session: AsyncSession, *, permit_id: int | None, limit: int) -> list[Verification]:
    return await repo.verifications(session, permit_id=permit_id, limit=limit)


# --- changes: 延期, 变更, 注销 -----------------------------------------------------------------------


def _masked_request(body: ChangeCreate) -> dict[str, Any]:
    data: dict[str, Any] = body.model_dump(mode="json")[body.kind]
    if isinstance(data.get("passport"), dict):
        data["passport"] = {**data["passport"], "number": mask_passport(data["passport"]["number"])}
    return data


async def change_to_read(change: PermitChange, caller: Principal) -> ChangeRead:
    acting = access.acting(caller, change.employer_uscc)
    return ChangeRead(
        id=change.id,
        permit_id=change.permit_id,
        kind=change.kind,
        kind_label=change_kind_label(change.kind),
        request={k: v for k, v in change.request.items() if k != "passport_sealed"},
        outcome=change.outcome,
        reason=change.reason,
        status=change.status,
        status_label=state_label(change.status),
        allowed_actions=CHANGE_WORKFLOW.actions_from(change.status, acting),
        version=change.version,
        created_at=change.created_at,
        decided_at=change.decided_at,
    )


async def request_change(
    session: AsyncSession, principal: Principal, permit_id: int, body: ChangeCreate, env: Environment
) -> PermitChange:
    permit = await load(session, principal, permit_id, for_update=True)
    acting = access.acting(principal, permit.employer_uscc)
    if not acting.has_role("clerk", "official"):
        raise not_found()
    if permit.status != "valid":
        raise PermitNotValid(
            f"许可状态为“{state_label(permit.status).zh}”，不能申请{change_kind_label(body.kind).zh}。",
            f"The permit is {permit.status}; no {body.kind} can be asked for.",
        )
    pending = await repo.pending_change_id(session, permit.id)
    if pending is not None:
        raise ChangePending(
            "请先等待或撤回待审批的变更申请。",
            "Wait for or withdraw the change awaiting decision.",
            extra={"change_id": pending},
        )
    request = _masked_request(body)
    passport = body.extension.passport if body.extension else body.change.passport if body.change else None
    if passport is not None:
        params = await parameters.get_parameters(session, env.today.year)
        check_passport(passport.expires_on, env.today, params)
        request["passport_sealed"] = env.protector.seal(passport.number)
    change = PermitChange(
        permit_id=permit.id,
        employer_uscc=permit.employer_uscc,
        owner=principal.subject,
        kind=body.kind,
        request=request,
        reason=body.comment,
        status=CHANGE_WORKFLOW.initial,
        version=1,
    )
    session.add(change)
    await flush_versioned(session, "许可变更申请")
    await CHANGE_WORKFLOW.record_creation(session, common, change, acting)
    await audit.append(
        session, common, principal, "request_" + body.kind, CHANGE_KIND, change.id, {"permit_id": permit.id}
    )
    return change


async def load_change(session: AsyncSession, principal: Principal, change_id: int) -> PermitChange:
    change = await repo.get_change_visible(session, principal, change_id)
    if change is None:
        raise NotFound("许可变更申请不存在。", "No such permit change.")
    return change


async def list_changes(session: AsyncSession, principal: Principal, permit_id: int) -> list[PermitChange]:
    permit = await load(session, principal, permit_id)
    return await repo.changes(session, permit.id)


async def _new_passport(
    session: AsyncSession, permit: Permit, change: PermitChange, env: Environment, outcome: dict[str, Any]
) -> None:
    sealed = change.request.get("passport_sealed")
    if not sealed:
        return
    passport = PassportIn(number=env.protector.open(sealed), expires_on=change.request["passport"]["expires_on"])
    key = env.protector.passport_key(permit.nationality, passport.number)
    existing = await foreigners.passport(session, key)
    if existing is not None and existing.foreigner_id != permit.foreigner_id:
        raise PassportOfAnotherPerson(
            "该护照号码已登记在另一外国人名下。", "This passport is recorded for another person."
        )
    if existing is None:
        session.add(
            ForeignerPassport(
                foreigner_id=permit.foreigner_id,
                passport_key=key,
                passport_enc=sealed,
                passport_masked=mask_passport(passport.number),
                expires_on=passport.expires_on,
            )
        )
    else:
        existing.expires_on = passport.expires_on
    outcome["passport_expires_on"] = [permit.passport_expires_on.isoformat(), passport.expires_on.isoformat()]
    outcome["passport"] = ["recorded", mask_passport(passport.number)]
    permit.passport_key, permit.passport_expires_on = key, passport.expires_on


async def _revalidate(
    session: AsyncSession, permit: Permit, starts_on: date, env: Environment, outcome: dict[str, Any]
) -> None:
    employer = await employers_repo.get(session, permit.employer_id)
    params = await parameters.get_parameters(session, env.today.year)
    validity = permit_validity(
        permit_class=permit.permit_class,
        starts_on=starts_on,
        contract_ends_on=permit.contract_ends_on,
        passport_expires_on=permit.passport_expires_on,
        licence_expires_on=employer.licence_expires_on if employer else None,
        params=params,
    )
    if validity.valid_until != permit.valid_until:
        outcome["valid_until"] = [permit.valid_until.isoformat(), validity.valid_until.isoformat()]
    permit.valid_until, permit.valid_until_reason = validity.valid_until, validity.binding[0]


async def _apply(
    session: AsyncSession, principal: Principal, permit: Permit, change: PermitChange, env: Environment
) -> dict[str, Any]:
    outcome: dict[str, Any] = {}
    request = change.request
    if change.kind == "extension":
        await _new_passport(session, permit, change, env, outcome)
        ends = date.fromisoformat(request["contract_ends_on"])
        outcome["contract_ends_on"] = [permit.contract_ends_on.isoformat(), ends.isoformat()]
        permit.contract_ends_on = ends
        # the class's maximum term runs anew from the day after the current permit ends (or today)
        await _revalidate(session, permit, max(env.today, permit.valid_until + timedelta(days=1)), env, outcome)
    elif change.kind == "change":
        for field in ("position", "work_city_code", "employer_name"):
            if request.get(field) is not None and request[field] != getattr(permit, field):
                outcome[field] = [getattr(permit, field), request[field]]
                setattr(permit, field, request[field])
        if request.get("passport_sealed"):
            await _new_passport(session, permit, change, env, outcome)
            await _revalidate(session, permit, permit.valid_from, env, outcome)
    else:  # cancellation
        await PERMIT_WORKFLOW.apply(
            session,
            common,
            permit,
            "cancel",
            principal,
            comment=f"注销：{request['reason']}（{request['ended_on']}） / cancelled",
        )
        outcome["status"] = ["valid", "cancelled"]
        return outcome  # the workflow bumped the version
    permit.version += 1
    return outcome


async def act_on_change(
    session: AsyncSession,
    principal: Principal,
    change_id: int,
    action: str,
    comment: str | None,
    if_match: str | None,
    env: Environment,
) -> PermitChange:
    change = await load_change(session, principal, change_id)
    check_if_match(if_match, CHANGE_KIND, change.id, change.version, required=False)
    acting = access.acting(principal, change.employer_uscc)
    CHANGE_WORKFLOW.decide(change.status, action, acting)
    if action == "approve":
        permit = await repo.get_locked(session, change.permit_id)
        if permit.status != "valid":
            raise PermitNotValid(f"许可状态为“{state_label(permit.status).zh}”。", f"The permit is {permit.status}.")
        change.outcome = await _apply(session, principal, permit, change, env)
    await CHANGE_WORKFLOW.apply(session, common, change, action, acting, comment=comment)
    if action != "withdraw":
        change.decided_at = env.now
    if action == "refuse":
        change.reason = comment
    await flush_versioned(session, "许可变更申请")
    await audit.append(
        session,
        common,
        principal,
        f"{action}_{change.kind}",
        CHANGE_KIND,
        change.id,
        {"permit_id": change.permit_id, "status": change.status},
    )
    return change


async def change_history(session: AsyncSession, principal: Principal, change_id: int) -> list[HistoryRead]:
    change = await load_change(session, principal, change_id)
    return await load_history(session, common, CHANGE_KIND, change.id)


async def check_for_service(
    session: AsyncSession, principal: Principal, body: PermitCheckRequest, env: Environment
) -> PermitCheck:
    """Another service's check of a permit (the talent service's Friendship Award): in force on the day, and
    registered to the employer named. The number and the USCC come in a body; the answer carries no personal
    data. Logged like an agency's verification, with the calling service as the caller."""
    on = body.on or env.today
    try:
        number: str | None = validate_permit_number(body.number)
    except IdNumberError:
        number = None
    permit = await repo.latest_by_number(session, number) if number is not None else None
    try:
        employer = validate_uscc(body.employer_uscc)
    except IdNumberError:
        employer = None
    status = status_on(permit, on) if permit is not None else "not_found"
    session.add(
        Verification(
            at=env.now,
            caller_kind=principal.kind,
            caller_id=principal.subject,
            caller_name=principal.name,
            caller_org_id=principal.org_id,
            number=(number or body.number.strip())[:40],
            found=permit is not None,
            permit_id=permit.id if permit else None,
            valid=status == "in_force" if permit else None,
        )
    )
    return PermitCheck(
        found=permit is not None,
        status=status,
        valid=status == "in_force",
        employer_matches=permit is not None and employer is not None and permit.employer_uscc == employer,
        on=on,
    )
