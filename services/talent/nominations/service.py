"""Use cases of nominations: a registered nominator drafts one under an open cycle and submits it; officials
decide the formal review. Never commits.

The guards at submit, each a problem with a stable code: the cycle's window (``call_not_open``, CAL-2); AW-2
(``nominator_not_allowed``, ``self_nomination``, ``expert_nominator_is_candidate``,
``expert_nomination_limit``, ``person_nomination_limit``, ``former_winner_first_completer``), read from the
year's nominations naming the same people only (indexed by year and person key); an integrity debarment of a
completer or a unit (PRJ-5, ``debarred``); for the Friendship Award, the nominee's work permit in force and
registered to the named employer (``work_permit_not_valid``, ``work_permit_employer_mismatch``). The checks
that ask another service run last; when one does not answer, the submission is refused with a 503 and
nothing is written. The year's cycles are locked while a nomination is submitted, so two submissions naming
the same person in one year (in any category) go one at a time."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.award_cycles import service as cycles
from services.talent.award_cycles.models import AwardCycle
from services.talent.db import common
from services.talent.errors import (
    NominationNotRegradable,
    NominatorNotRegistered,
    WorkPermitEmployerMismatch,
    WorkPermitNotValid,
)
from services.talent.nominations import repository as repo
from services.talent.nominations.deps import AwardEnvironment
from services.talent.nominations.models import Nomination, NominationPerson
from services.talent.nominations.schemas import CompleterIn, NominationCreate, NominationRead, NominationUpdate
from services.talent.nominators import repository as nominators
from services.talent.nominators.models import Nominator
from services.talent.rules import nominations as aw2
from services.talent.rules.award_flows import AWARD_STATE_LABELS, EDITABLE_STATES, NOMINATION_WORKFLOW
from services.talent.rules.awards import FRIENDSHIP_CATEGORIES, award_category
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import ApplicationNotEditable, Debarred, Forbidden, NotFound, ValidationFailed, field_error
from shared.pagination import Page
from shared.principal import Principal
from shared.schemas import Label
from shared.subject_keys import organisation_key, person_key
from shared.validators import mask_id
from shared.windows import check_open
from shared.workflow import HistoryRead, load_history

SORTS = repo.SORTS
KIND = "award_nomination"
SEE_ALL = ("official", "auditor")


def not_found() -> NotFound:
    return NotFound("提名书不存在。", "No such nomination.")


def label(state: str) -> Label:
    zh, en = AWARD_STATE_LABELS.get(state, (state, state))
    return Label(zh=zh, en=en)


def acting(principal: Principal, nomination: Nomination) -> Principal:
    """``principal`` with the roles it holds for this nomination: ``nominator`` for the account that filed
    it, ``official`` and ``auditor`` as held."""
    roles = {r for r in SEE_ALL if principal.has_role(r)}
    if principal.subject == nomination.owner and principal.kind == "user":
        roles.add("nominator")
    return principal.model_copy(update={"roles": frozenset(roles)})


def to_read(
    nomination: Nomination, people: list[NominationPerson], principal: Principal, env: AwardEnvironment | Any
) -> NominationRead:
    values: dict[str, Any] = {c.key: getattr(nomination, c.key) for c in Nomination.__table__.columns}
    category = award_category(nomination.category)
    values["category_label"] = Label(zh=category.name_zh, en=category.name_en)
    values["completers"] = [
        {
            "position": p.position,
            "name": p.name,
            "unit_name": p.unit_name,
            "id_number": mask_id(env.cipher.decrypt(p.id_number_sealed)) if p.id_number_sealed else None,
        }
        for p in people
    ]
    values["status_label"] = label(nomination.status)
    values["allowed_actions"] = NOMINATION_WORKFLOW.actions_from(nomination.status, acting(principal, nomination))
    return NominationRead.model_validate(values)


async def read(
    session: AsyncSession, nomination: Nomination, principal: Principal, env: AwardEnvironment | Any
) -> NominationRead:
    people = (await repo.people(session, [nomination.id]))[nomination.id]
    return to_read(nomination, people, principal, env)


async def load(
    session: AsyncSession, principal: Principal, nomination_id: int, *, for_update: bool = False
) -> Nomination:
    nomination = await repo.get_visible(session, principal, nomination_id, for_update=for_update)
    if nomination is None:
        raise not_found()
    return nomination


async def page(
    session: AsyncSession,
    principal: Principal,
    env: AwardEnvironment,
    *,
    cycle_id: int | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> Page[NominationRead]:
    rows, next_cursor = await repo.page(
        session, principal, cycle_id=cycle_id, status=status, limit=limit, cursor=cursor, sort=sort
    )
    people = await repo.people(session, [r.id for r in rows])
    return Page[NominationRead](items=[to_read(r, people[r.id], principal, env) for r in rows], next_cursor=next_cursor)


# --- drafting ----------------------------------------------------------------------------------------


async def registered(session: AsyncSession, principal: Principal) -> Nominator:
    """AW-2: only a registered, active nominator files a nomination."""
    nominator = await nominators.by_account(session, principal.subject) if principal.kind == "user" else None
    if nominator is None or not nominator.active:
        raise NominatorNotRegistered(
            "本账号不是已登记的提名者，不能提名（AW-2）。",
            "This account is not a registered nominator and cannot nominate (AW-2).",
            extra={"clause": "AW-2"},
        )
    return nominator


def nominator_key(nominator: Nominator, env: AwardEnvironment) -> str:
    """The nominator's subject key (an expert's person key, an organisation's USCC key), else a keyed hash of
    its account: AW-2 compares it with the completers' keys (no self-nomination) and counts an expert's."""
    return nominator.subject_key or env.cipher.lookup_key(f"award-nominator:{nominator.account}")


def _people(
    nomination: Nomination, completers: list[CompleterIn], permit_number: str | None, env: AwardEnvironment
) -> list[NominationPerson]:
    """The completers' rows: a person with an ID number is keyed by it (``shared.subject_keys``, the key the
    integrity check knows); a Friendship Award nominee without one by the permit number."""
    category = award_category(nomination.category)
    errors = []
    rows = []
    for position, c in enumerate(completers, start=1):
        if c.id_number is not None:
            key = person_key(c.id_number, env.subject_key_secret)
        elif category.code in FRIENDSHIP_CATEGORIES and position == 1 and permit_number:
            key = env.cipher.lookup_key(f"work-permit:{permit_number}")
        else:
            errors.append(
                field_error(f"completers.{position - 1}.id_number", "required", "须填写身份证号码", "required")
            )
            continue
        rows.append(
            NominationPerson(
                year=nomination.year,
                position=position,
                name=c.name,
                unit_name=c.unit_name,
                id_number_sealed=env.cipher.encrypt(c.id_number) if c.id_number else None,
                person_key=key,
            )
        )
    if category.code in FRIENDSHIP_CATEGORIES and not (permit_number and nomination.employer_uscc):
        errors.append(
            field_error(
                "permit_number", "required", "友谊奖须填写工作许可证号和聘用单位", "permit and employer required"
            )
        )
    if len({r.person_key for r in rows}) != len(rows):
        errors.append(field_error("completers", "duplicate", "完成人重复", "a completer appears twice"))
    if errors:
        raise ValidationFailed(errors)
    return rows


async def _set_people(
    session: AsyncSession,
    nomination: Nomination,
    completers: list[CompleterIn],
    permit_number: str | None,
    env: AwardEnvironment,
) -> None:
    rows = _people(nomination, completers, permit_number, env)
    await repo.delete_people(session, nomination.id)
    await session.flush()
    for row in rows:
        row.nomination_id = nomination.id
        session.add(row)


async def create(
    session: AsyncSession, principal: Principal, body: NominationCreate, env: AwardEnvironment
) -> Nomination:
    nominator = await registered(session, principal)
    cycle = await cycles.repo.get(session, body.cycle_id)
    if cycle is None or cycle.status != "open":
        raise NotFound("评审周期不存在或未开始提名。", "No such award cycle open for nominations.")
    nomination = Nomination(
        cycle_id=cycle.id,
        year=cycle.year,
        category=cycle.category,
        nominator_id=nominator.id,
        nominator_kind=nominator.kind,
        nominator_key=nominator_key(nominator, env),
        owner=principal.subject,
        title=body.title,
        summary=body.summary,
        disciplines=body.disciplines,
        keywords=body.keywords,
        units=[u.model_dump() for u in body.units],
        employer_uscc=body.employer_uscc,
        permit_number_sealed=env.cipher.encrypt(body.permit_number) if body.permit_number else None,
        status=NOMINATION_WORKFLOW.initial,
        version=1,
    )
    rows = _people(nomination, body.completers, body.permit_number, env)
    session.add(nomination)
    await flush_versioned(session, "提名书")
    for row in rows:
        row.nomination_id = nomination.id
        session.add(row)
    await NOMINATION_WORKFLOW.record_creation(session, common, nomination, principal)
    await audit.append(session, common, principal, "create", KIND, nomination.id, {"cycle_id": cycle.id})
    return nomination


async def update(
    session: AsyncSession,
    principal: Principal,
    nomination_id: int,
    body: NominationUpdate,
    if_match: str | None,
    env: AwardEnvironment,
) -> Nomination:
    nomination = await load(session, principal, nomination_id, for_update=True)
    if "nominator" not in acting(principal, nomination).roles:
        raise Forbidden("只有提名者可以修改提名书。", "Only the nominator edits the nomination.")
    check_if_match(if_match, KIND, nomination.id, nomination.version)
    if nomination.status not in EDITABLE_STATES:
        raise ApplicationNotEditable(
            "提名书已提交，不能修改。", "The nomination is submitted and can no longer be edited."
        )
    changes = body.model_dump(exclude_unset=True, exclude={"completers", "permit_number", "units"})
    for field, value in changes.items():
        setattr(nomination, field, value)
    if body.units is not None:
        nomination.units = [u.model_dump() for u in body.units]
    if "permit_number" in body.model_fields_set:
        nomination.permit_number_sealed = env.cipher.encrypt(body.permit_number) if body.permit_number else None
    if body.completers is not None or "permit_number" in body.model_fields_set:
        permit = env.cipher.decrypt(nomination.permit_number_sealed) if nomination.permit_number_sealed else None
        people = (await repo.people(session, [nomination.id]))[nomination.id]
        completers = body.completers or [
            CompleterIn(
                name=p.name,
                unit_name=p.unit_name,
                id_number=env.cipher.decrypt(p.id_number_sealed) if p.id_number_sealed else None,
            )
            for p in people
        ]
        await _set_people(session, nomination, completers, permit, env)
    nomination.version += 1
    await flush_versioned(session, "提名书")
    fields = sorted(body.model_fields_set - {"permit_number"})
    await audit.append(session, common, principal, "update", KIND, nomination.id, {"fields": fields})
    return nomination


# --- the guards at submit ----------------------------------------------------------------------------


async def check_aw2(
    session: AsyncSession, nomination: Nomination, people: list[NominationPerson], nominator: Nominator
) -> None:
    """AW-2 against the year's nominations that name the same people (or that the same experts made)."""
    keys = [p.person_key for p in people]
    mine = aw2.Nomination(
        id=str(nomination.id),
        nominator_kind=nomination.nominator_kind,
        nominator_key=nomination.nominator_key,
        completers=tuple(keys),
        nominator_recognised=nominator.recognised,
    )
    others: dict[int, tuple[str, str, list[str]]] = {}
    for nid, key, kind, by in await repo.nominations_naming(session, nomination.year, [*keys, mine.nominator_key]):
        others.setdefault(nid, (kind, by, []))[2].append(key)
    for nid, kind, by in await repo.nominations_by(session, nomination.year, [mine.nominator_key, *keys]):
        others.setdefault(nid, (kind, by, []))
    year = aw2.YearNominations(
        aw2.Nomination(str(nid), kind, by, tuple(named)) for nid, (kind, by, named) in sorted(others.items())
    )
    wins = await repo.past_wins(session, nomination.year - 1, keys[0]) if keys else []
    barred = aw2.barred_first_completers(aw2.PastWin(keys[0], grade, position) for grade, position in wins)
    aw2.check_nomination(mine, year, barred)


async def check_integrity(nomination: Nomination, people: list[NominationPerson], env: AwardEnvironment) -> None:
    """PRJ-5: no completer (known by an ID number) and no unit under a debarment in force."""
    subjects = [p.person_key for p in people if p.id_number_sealed]
    subjects += [organisation_key(u["uscc"], env.subject_key_secret) for u in nomination.units]
    for key in subjects:
        found = await env.integrity.check(subject_key=key, on=env.today)
        if found.debarred:
            raise Debarred(
                "提名的完成人或完成单位存在有效的科研诚信限制措施，不能提名（PRJ-5）。",
                "A completer or unit of the nomination is under an integrity debarment in force (PRJ-5).",
                extra={"clause": "PRJ-5", "debarments": [p.model_dump(mode="json") for p in found.periods]},
            )


async def check_permit(nomination: Nomination, env: AwardEnvironment) -> dict[str, Any]:
    """The Friendship Award: the nominee's permit in force today and registered to the named employer, as the
    foreign-experts service says (service to service). Returns the result to record, nothing more."""
    assert nomination.permit_number_sealed is not None and nomination.employer_uscc is not None
    number = env.cipher.decrypt(nomination.permit_number_sealed)
    found = await env.permits.check(number, nomination.employer_uscc, on=env.today)
    result = {
        "checked_at": env.now.isoformat(),
        "valid": found.valid,
        "status": found.status,
        "employer_matches": found.employer_matches,
    }
    if not found.valid:
        raise WorkPermitNotValid(
            f"候选人的外国人工作许可不在有效期内（{found.status}），不能提名友谊奖。",
            f"The nominee's work permit is not in force ({found.status}); no Friendship Award nomination.",
            extra={"permit_status": found.status},
        )
    if not found.employer_matches:
        raise WorkPermitEmployerMismatch(
            "候选人的工作许可登记的聘用单位与提名书所列不一致。",
            "The nominee's work permit is registered to another employer than the one named.",
            extra={"employer_uscc": nomination.employer_uscc},
        )
    return result


async def check_submission(
    session: AsyncSession, nomination: Nomination, cycle: AwardCycle, env: AwardEnvironment
) -> None:
    """The guards at submit, in order; the calls to other services last."""
    check_open("published" if cycle.status == "open" else cycle.status, cycle.opens_on, cycle.closes_on, env.today)
    nominator = await nominators.get(session, nomination.nominator_id)
    if nominator is None or not nominator.active:
        raise NominatorNotRegistered(
            "提名者已不在提名者名录中（AW-2）。",
            "The nominator is no longer registered (AW-2).",
            extra={"clause": "AW-2"},
        )
    people = (await repo.people(session, [nomination.id]))[nomination.id]
    await check_aw2(session, nomination, people, nominator)
    await check_integrity(nomination, people, env)
    if nomination.category in FRIENDSHIP_CATEGORIES:
        nomination.permit_check = await check_permit(nomination, env)


async def act(
    session: AsyncSession,
    principal: Principal,
    nomination_id: int,
    action: str,
    comment: str | None,
    if_match: str | None,
    env: AwardEnvironment,
) -> Nomination:
    nomination = await load(session, principal, nomination_id)
    check_if_match(if_match, KIND, nomination.id, nomination.version, required=False)
    who = acting(principal, nomination)
    NOMINATION_WORKFLOW.decide(nomination.status, action, who)  # an illegal move before any guard
    if action == "submit":
        await cycles.repo.lock_year(session, nomination.year)  # AW-2 counted one submission of the year at a time
        cycle = await cycles.locked(session, nomination.cycle_id)
        await check_submission(session, nomination, cycle, env)
        nomination.submitted_at = env.now
    if action in ("accept", "reject", "not_award"):
        nomination.decided_at = env.now
    if action == "regrade":
        await check_regradable(session, nomination)
        nomination.grade, nomination.vote = None, None  # the committee votes again; the old vote is in the history
    await NOMINATION_WORKFLOW.apply(session, common, nomination, action, who, comment=comment)
    await flush_versioned(session, "提名书")
    await audit.append(session, common, principal, action, KIND, nomination.id, {"status": nomination.status})
    return nomination


async def check_regradable(session: AsyncSession, nomination: Nomination) -> None:
    """AW-3: an objection upheld on the proposed winners may change the grade rather than the award: a
    nomination the committee had graded goes back to it while the cycle's results are not published."""
    cycle = await cycles.locked(session, nomination.cycle_id)
    if not (nomination.vote or {}).get("passed") or cycle.status == "results_published":
        raise NominationNotRegradable(
            "只有在拟授奖公示中因异议成立被取消、且本周期结果尚未公布的提名，才能重新评定等级（AW-3）。",
            "Only a nomination taken off the proposed-winners notice, before the results, is graded again (AW-3).",
            extra={"clause": "AW-3"},
        )


async def history(session: AsyncSession, principal: Principal, nomination_id: int) -> list[HistoryRead]:
    nomination = await load(session, principal, nomination_id)
    return await load_history(session, common, KIND, nomination.id)
