"""Use cases of the reviewer pool. Never commits: the request's unit of work does.

Who may do what: officials manage the pool; agencies and auditors read it; a reviewer reads their own
entry and changes its availability, keywords and declared conflicts; everyone else is refused.
Other services read candidates (keys only) and report the load they put on each reviewer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from services.projects import access
from services.projects.reviewers import repository
from services.projects.reviewers import schemas as s
from services.projects.reviewers.models import (
    Reviewer,
    ReviewerConflict,
    ReviewerDiscipline,
    ReviewerKeyword,
)
from services.projects.reviewers.repository import ReviewerRepository
from shared import audit
from shared.clients.reviewers import CandidatePage, ReviewerCandidate, pool_snapshot_hash
from shared.concurrency import check_if_match
from shared.db import CommonTables
from shared.errors import Duplicate, NotFound, PreconditionFailed, ValidationFailed, field_error
from shared.principal import Principal
from shared.subject_keys import organisation_key, person_key
from shared.validators import mask_id

SORTS = repository.SORTS  # the orders its list takes, as the router documents them

ETAG_KIND = "reviewer"


@dataclass(frozen=True)
class Keys:
    """Turns numbers into subject keys with the platform's secret (``shared.subject_keys``)."""

    secret: str

    def person(self, id_number: str) -> str:
        return person_key(id_number, self.secret)

    def organisation(self, uscc: str) -> str:
        return organisation_key(uscc, self.secret)


@dataclass(frozen=True)
class Context:
    session: AsyncSession
    common: CommonTables
    caller: Principal
    keys: Keys
    today: date

    @property
    def repo(self) -> ReviewerRepository:
        return ReviewerRepository(self.session)


# --- reading --------------------------------------------------------------------------------------


def is_available(reviewer: Reviewer, day: date) -> bool:
    if not reviewer.unavailable:
        return True
    return reviewer.unavailable_until is not None and reviewer.unavailable_until < day


def current_load(reviewer: Reviewer) -> int:
    return sum(load.open_assignments for load in reviewer.loads)


def to_read(reviewer: Reviewer, today: date) -> s.ReviewerRead:
    people = [c for c in reviewer.conflicts if c.kind == "person"]
    orgs = [c for c in reviewer.conflicts if c.kind == "organisation"]
    return s.ReviewerRead(
        id=reviewer.id,
        name=reviewer.name,
        id_number_masked=reviewer.id_number_masked,
        user_id=reviewer.user_id,
        organisation_name=reviewer.organisation_name,
        organisation_uscc=reviewer.organisation_uscc,
        title=reviewer.title,
        discipline_codes=[d.code for d in reviewer.disciplines],
        keywords=[k.keyword for k in reviewer.keywords],
        declared_conflicts=s.DeclaredConflictsRead(
            people=[
                s.PersonConflictRead(
                    key=c.subject_key, id_number_masked=c.display, name=c.name, relation=c.relation, note=c.note
                )
                for c in people
            ],
            organisations=[
                s.OrganisationConflictRead(
                    key=c.subject_key, uscc_masked=c.display, name=c.name, relation=c.relation, note=c.note
                )
                for c in orgs
            ],
            notes=reviewer.conflict_notes,
        ),
        availability=s.AvailabilityRead(
            available=is_available(reviewer, today),
            unavailable_until=reviewer.unavailable_until,
            declared_unavailable=reviewer.unavailable,
        ),
        current_load=current_load(reviewer),
        active=reviewer.active,
        version=reviewer.version,
        created_at=reviewer.created_at,
        updated_at=reviewer.updated_at,
    )


def to_summary(reviewer: Reviewer, today: date) -> s.ReviewerSummary:
    return s.ReviewerSummary(
        id=reviewer.id,
        name=reviewer.name,
        id_number_masked=reviewer.id_number_masked,
        organisation_name=reviewer.organisation_name,
        title=reviewer.title,
        discipline_codes=[d.code for d in reviewer.disciplines],
        keywords=[k.keyword for k in reviewer.keywords],
        available=is_available(reviewer, today),
        active=reviewer.active,
        version=reviewer.version,
    )


async def get(ctx: Context, reviewer_id: int) -> Reviewer:
    """Pool readers see any entry; a reviewer only their own (another's is a 404, as if absent)."""
    if not access.reads_pool(ctx.caller) and not ctx.caller.has_role("reviewer"):
        access.require_pool_reader(ctx.caller)
    reviewer = await ctx.repo.get(reviewer_id)
    if reviewer is None:
        raise NotFound()
    if not access.reads_pool(ctx.caller) and not access.is_own_entry(ctx.caller, reviewer):
        raise NotFound()
    return reviewer


async def get_own(ctx: Context) -> Reviewer:
    access.require_reviewer(ctx.caller)
    reviewer = await ctx.repo.get_by_user(ctx.caller.subject)
    if reviewer is None:
        raise NotFound("您的账号尚未关联专家库条目。", "Your account is not linked to a pool entry.")
    return reviewer


async def list_page(
    ctx: Context, filters: s.ReviewerFilters, *, limit: int, cursor: str | None, sort: str | None
) -> tuple[list[Reviewer], str | None]:
    access.require_pool_reader(ctx.caller)
    return await ctx.repo.page(filters, ctx.today, limit=limit, cursor=cursor, sort=sort)


# --- writing --------------------------------------------------------------------------------------


def _conflict_rows(keys: Keys, conflicts: s.DeclaredConflictsIn) -> list[ReviewerConflict]:
    rows = [
        ReviewerConflict(
            kind="person",
            subject_key=keys.person(p.id_number),
            display=mask_id(p.id_number),
            name=p.name,
            relation=p.relation,
            note=p.note,
        )
        for p in conflicts.people
    ]
    rows += [
        ReviewerConflict(
            kind="organisation",
            subject_key=keys.organisation(o.uscc),
            display=mask_id(o.uscc),
            name=o.name,
            relation=o.relation,
            note=o.note,
        )
        for o in conflicts.organisations
    ]
    return rows


def _set_disciplines(reviewer: Reviewer, codes: Sequence[str]) -> None:
    reviewer.disciplines = [ReviewerDiscipline(code=c, position=i) for i, c in enumerate(codes)]


def _set_keywords(reviewer: Reviewer, keywords: Sequence[str]) -> None:
    reviewer.keywords = [ReviewerKeyword(keyword=k, norm=k.casefold(), position=i) for i, k in enumerate(keywords)]


def _set_availability(reviewer: Reviewer, availability: s.AvailabilityIn) -> None:
    reviewer.unavailable = not availability.available
    reviewer.unavailable_until = availability.until


async def _set_conflicts(ctx: Context, reviewer: Reviewer, conflicts: s.DeclaredConflictsIn) -> None:
    rows = _conflict_rows(ctx.keys, conflicts)
    if any(r.kind == "person" and r.subject_key == reviewer.person_key for r in rows):
        raise ValidationFailed(
            [
                field_error(
                    "declared_conflicts.people",
                    "self_conflict",
                    "评审专家不能申报与本人存在利益冲突",
                    "a reviewer cannot declare a conflict with themselves",
                )
            ]
        )
    if reviewer.id is not None and reviewer.conflicts:
        # The unit of work inserts before it deletes: the old rows must go first, or re-declaring
        # the same person would collide with their old row.
        reviewer.conflicts = []
        await _flush(ctx)
    reviewer.conflicts = rows
    reviewer.conflict_notes = conflicts.notes


async def _check_unique(ctx: Context, person: str | None, user_id: str | None, reviewer_id: int | None) -> None:
    if person is not None:
        found = await ctx.repo.id_of_person(person)
        if found is not None and found != reviewer_id:
            raise Duplicate("此人已在专家库中。", "This person is already in the pool.", extra={"existing_id": found})
    if user_id is not None:
        found = await ctx.repo.id_of_user(user_id)
        if found is not None and found != reviewer_id:
            raise Duplicate("该账号已关联其他专家。", "This account is already linked to another reviewer.")


async def _flush(ctx: Context) -> None:
    try:
        await ctx.repo.flush()
    except StaleDataError as exc:
        # Changed by someone else since it was read: the stale If-Match is a 412, not a lost update.
        raise PreconditionFailed(
            "资源已被他人修改，请重新读取后再提交。", "The resource was changed by someone else; read it again."
        ) from exc
    except IntegrityError as exc:
        # Two concurrent writes of the same person or account: the loser is a 409, not a 500.
        raise Duplicate("此人或该账号已在专家库中。", "This person or account is already in the pool.") from exc


async def create(ctx: Context, body: s.ReviewerCreate) -> Reviewer:
    access.require_pool_manager(ctx.caller)
    key = ctx.keys.person(body.id_number)
    await _check_unique(ctx, key, body.user_id, None)
    reviewer = Reviewer(
        name=body.name,
        person_key=key,
        id_number_masked=mask_id(body.id_number),
        user_id=body.user_id,
        organisation_name=body.organisation_name,
        organisation_uscc=body.organisation_uscc,
        organisation_key=ctx.keys.organisation(body.organisation_uscc),
        title=body.title,
        active=body.active,
        version=1,
        loads=[],
    )
    _set_disciplines(reviewer, body.discipline_codes)
    _set_keywords(reviewer, body.keywords)
    _set_availability(reviewer, body.availability)
    reviewer.conflicts = []
    await _set_conflicts(ctx, reviewer, body.declared_conflicts)
    ctx.session.add(reviewer)
    await _flush(ctx)
    await audit.append(
        ctx.session,
        ctx.common,
        ctx.caller,
        "create",
        "reviewer",
        reviewer.id,
        {"discipline_codes": list(body.discipline_codes), "active": body.active},
    )
    return reviewer


def _refuse_nulls(body: s.ReviewerUpdate | s.ReviewerSelfUpdate, nullable: frozenset[str]) -> None:
    errors = [
        field_error(name, "null_not_allowed", "不能为 null", "may not be null")
        for name in sorted(body.model_fields_set)
        if getattr(body, name) is None and name not in nullable
    ]
    if errors:
        raise ValidationFailed(errors)


async def _apply_common(ctx: Context, reviewer: Reviewer, body: s.ReviewerUpdate | s.ReviewerSelfUpdate) -> None:
    if body.keywords is not None:
        _set_keywords(reviewer, body.keywords)
    if body.availability is not None:
        _set_availability(reviewer, body.availability)
    if body.declared_conflicts is not None:
        await _set_conflicts(ctx, reviewer, body.declared_conflicts)


async def update(ctx: Context, reviewer_id: int, body: s.ReviewerUpdate, if_match: str | None) -> Reviewer:
    access.require_pool_manager(ctx.caller)
    _refuse_nulls(body, s.NULLABLE_UPDATE_FIELDS)
    reviewer = await ctx.repo.get(reviewer_id)
    if reviewer is None:
        raise NotFound()
    check_if_match(if_match, ETAG_KIND, reviewer.id, reviewer.version)
    fields = body.model_fields_set
    if "user_id" in fields:
        await _check_unique(ctx, None, body.user_id, reviewer.id)
        reviewer.user_id = body.user_id
    for name in ("name", "organisation_name", "title", "active"):
        if getattr(body, name) is not None:
            setattr(reviewer, name, getattr(body, name))
    if body.organisation_uscc is not None:
        reviewer.organisation_uscc = body.organisation_uscc
        reviewer.organisation_key = ctx.keys.organisation(body.organisation_uscc)
    if body.discipline_codes is not None:
        _set_disciplines(reviewer, body.discipline_codes)
    await _apply_common(ctx, reviewer, body)
    return await _finish_edit(ctx, reviewer, sorted(fields))


async def update_own(ctx: Context, body: s.ReviewerSelfUpdate, if_match: str | None) -> Reviewer:
    reviewer = await get_own(ctx)
    _refuse_nulls(body, frozenset())
    check_if_match(if_match, ETAG_KIND, reviewer.id, reviewer.version)
    await _apply_common(ctx, reviewer, body)
    return await _finish_edit(ctx, reviewer, sorted(body.model_fields_set))


async def _finish_edit(ctx: Context, reviewer: Reviewer, fields: list[str]) -> Reviewer:
    if not fields:
        return reviewer  # an empty PATCH changes nothing, so the version (and ETag) stay
    reviewer.version += 1
    await _flush(ctx)
    # Field names only: the audit trail must not carry ID numbers either.
    await audit.append(ctx.session, ctx.common, ctx.caller, "update", "reviewer", reviewer.id, {"fields": fields})
    return reviewer


# --- for other services ---------------------------------------------------------------------------


async def candidate_page(
    session: AsyncSession, prefixes: Sequence[str], day: date, *, limit: int, cursor: str | None
) -> CandidatePage:
    """Active reviewers available on ``day`` with a discipline under one of ``prefixes``, by id."""
    rows, next_cursor = await ReviewerRepository(session).candidates(prefixes, day, limit=limit, cursor=cursor)
    items = [
        ReviewerCandidate(
            id=r.id,
            person_key=r.person_key,
            institution_key=r.institution_key,
            discipline_codes=r.discipline_codes,
            keywords=sorted(r.keywords),
            declared_person_keys=sorted(r.person_conflicts),
            declared_institution_keys=sorted(r.organisation_conflicts),
            current_load=r.load,
            active=True,
            available=True,
            user_id=r.user_id,
        )
        for r in rows
    ]
    return CandidatePage(items=items, next_cursor=next_cursor, as_of=day, snapshot_sha256=pool_snapshot_hash(items))


async def pool_candidates(session: AsyncSession, prefixes: Sequence[str], day: date) -> list[ReviewerCandidate]:
    """Every candidate under ``prefixes`` (in process, for this service's own review rounds)."""
    items: list[ReviewerCandidate] = []
    cursor: str | None = None
    while True:
        page = await candidate_page(session, prefixes, day, limit=1000, cursor=cursor)
        items += page.items
        if not (cursor := page.next_cursor):
            return items


async def set_load(session: AsyncSession, reviewer_id: int, source: str, open_assignments: int) -> int:
    """Record how many open assignments ``source`` holds for a reviewer; the reviewer's total load."""
    repo = ReviewerRepository(session)
    if await repo.get(reviewer_id) is None:
        raise NotFound()
    await repo.set_load(reviewer_id, source, open_assignments)
    return await repo.total_load(reviewer_id)


async def set_loads(session: AsyncSession, source: str, loads: dict[int, int]) -> list[int]:
    """``set_load`` for many reviewers at once; returns the ids not in the pool (skipped, not an error:
    a reviewer may leave the pool while another service still holds their assignments)."""
    return await ReviewerRepository(session).set_loads(source, loads)


async def reviewer_id_for(session: AsyncSession, caller: Principal) -> int | None:
    """The pool entry of a reviewer principal (their gateway account), or None: how review rounds
    find the assignments a reviewer may see."""
    if caller.kind != "user" or not caller.has_role("reviewer"):
        return None
    return await ReviewerRepository(session).id_of_user(caller.subject)
