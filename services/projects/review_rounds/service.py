"""Use cases of review rounds: create, draw (NSF-2, NSF-3), verify, exclusions, close with the NSF-4
aggregate, ranking. Never commits: the request's unit of work does.

Only the agency entrusted with the call's programme runs a round (draw, close: PRJ-2); officials
create rounds and, with auditors, read them; another agency's round is a 404.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.applications import service as applications
from services.projects.applications.models import Application
from services.projects.calls import repository as calls_repo
from services.projects.db import common
from services.projects.programmes import repository as programmes_repo
from services.projects.review_rounds import repository as repo
from services.projects.review_rounds import schemas as s
from services.projects.review_rounds.models import (
    ReviewAssignment,
    ReviewExclusion,
    ReviewRound,
    ReviewRoundInput,
)
from services.projects.review_rounds.policy import (
    DEFAULTS,
    HOLDING,
    ROUND_WORKFLOW,
    TIE_BREAK,
    aggregation_settings,
    pool_prefixes,
    rank_key,
    round_settings,
)
from services.projects.reviewers import service as reviewers
from shared import audit
from shared.clients.reviewers import to_review_pool
from shared.concurrency import check_if_match
from shared.db import flush_versioned, utcnow
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shared.principal import Principal
from shared.review import aggregate as agg
from shared.review.draw import (
    DrawRecord,
    DrawResult,
    application_snapshot,
    draw,
    replace_slot,
    reviewer_snapshot,
    verify,
)
from shared.review.model import Application as DrawApplication
from shared.review.model import Reviewer as DrawReviewer
from shared.review.model import RoundSettings
from shared.review.schemas import declaration_keys
from shared.review.stored import application_from_snapshot, record_from_rows, reviewer_from_snapshot, stored_result
from shared.subject_keys import organisation_key, person_key
from shared.workdays import today_shanghai

KIND = "review_round"
READ_ROLES = ("official", "agency", "auditor")


class NoApplicationsToDraw(Conflict):
    code = "review_round_no_applications"
    title_zh = "没有可抽取专家的申报书"
    title_en = "No application of the round can be sent to review"


class RoundNotDrawn(Conflict):
    code = "review_round_not_drawn"
    title_zh = "评审轮次尚未抽取专家"
    title_en = "The round has not been drawn yet"


class RoundNotClosed(Conflict):
    code = "review_round_not_closed"
    title_zh = "评审轮次尚未结束"
    title_en = "The round is not closed yet"


@dataclass(frozen=True)
class Environment:
    subject_key_secret: str

    @property
    def applications(self) -> applications.Environment:
        return applications.Environment(subject_key_secret=self.subject_key_secret)


def _not_found() -> NotFound:
    return NotFound("评审轮次不存在。", "No such review round.")


def require_reader(caller: Principal) -> None:
    if not caller.has_role(*READ_ROLES):
        raise Forbidden(
            "只有厅内工作人员、项目管理专业机构和审计人员可以查看评审轮次。",
            "Only officials, project-management agencies and auditors read review rounds.",
        )


async def load(session: AsyncSession, caller: Principal, round_id: int, *, for_update: bool = False) -> ReviewRound:
    require_reader(caller)
    rnd = await repo.get_visible_round(session, caller, round_id, for_update=for_update)
    if rnd is None:
        raise _not_found()
    return rnd


async def acting(session: AsyncSession, caller: Principal, rnd: ReviewRound) -> Principal:
    """The caller with only the roles it holds for this round (agency: entrusted with its programme)."""
    roles = {r for r in ("official", "auditor") if caller.has_role(r)}
    if caller.has_role("agency") and await programmes_repo.is_entrusted(session, rnd.programme_id, caller.org_id):
        roles.add("agency")
    return caller.model_copy(update={"roles": frozenset(roles)})


# --- reading --------------------------------------------------------------------------------------


def settings_read(rnd: ReviewRound) -> s.RoundSettingsRead:
    return s.RoundSettingsRead(
        reviewers_per_application=rnd.reviewers_per_application,
        reviewers_per_category=rnd.reviewers_per_category,
        load_cap=rnd.load_cap,
        exclude_same_institution=rnd.exclude_same_institution,
        criteria=[s.CriterionRead.model_validate(c) for c in rnd.criteria],
        trim_from=rnd.trim_from,
        min_valid=rnd.min_valid,
    )


def to_read(rnd: ReviewRound, who: Principal | None = None) -> s.RoundRead:
    info = None
    if rnd.draw_record is not None and rnd.seed is not None and rnd.drawn_at is not None:
        record = rnd.draw_record
        info = s.DrawInfo(
            seed=rnd.seed,
            seed_generated=bool(rnd.seed_generated),
            algorithm_version=record["algorithm_version"],
            pool_hash=record["pool_hash"],
            applications_hash=record["applications_hash"],
            replacements=len(record.get("replacements", ())),
            drawn_at=rnd.drawn_at,
        )
    return s.RoundRead(
        id=rnd.id,
        call_id=rnd.call_id,
        topic_id=rnd.topic_id,
        programme_id=rnd.programme_id,
        title=rnd.title,
        category=rnd.category,
        discipline_codes=rnd.discipline_codes,
        settings=settings_read(rnd),
        status=rnd.status,
        draw=info,
        shortfalls=[s.ShortfallRead.model_validate(x) for x in rnd.shortfalls or []],
        closed_at=rnd.closed_at,
        version=rnd.version,
        created_at=rnd.created_at,
        allowed_actions=ROUND_WORKFLOW.actions_from(rnd.status, who) if who is not None else [],
    )


# --- creating -------------------------------------------------------------------------------------


async def create(session: AsyncSession, caller: Principal, body: s.RoundCreate) -> ReviewRound:
    if not caller.has_role("official", "agency"):
        raise Forbidden(
            "只有厅内工作人员和受托的项目管理专业机构可以设立评审轮次。",
            "Only officials and the entrusted agency set up review rounds.",
        )
    call = await calls_repo.get_visible(session, caller, body.call_id)
    if (
        call is None
        or call.status == "draft"
        or not (
            caller.has_role("official") or await programmes_repo.is_entrusted(session, call.programme_id, caller.org_id)
        )
    ):
        raise NotFound("申报指南不存在。", "No such call.")
    if body.topic_id is not None and body.topic_id not in {t.id for t in call.topics}:
        raise ValidationFailed([{"field": "topic_id", "code": "unknown_topic", "message": "not a topic of this call"}])
    criteria = (
        [c.model_dump(mode="json") for c in body.criteria]
        if body.criteria is not None
        else [
            {"code": c.code, "name": c.name, "weight": str(c.weight), "max_score": str(c.max_score)}
            for c in DEFAULTS.criteria
        ]
    )
    rnd = ReviewRound(
        call_id=call.id,
        topic_id=body.topic_id,
        programme_id=call.programme_id,
        title=body.title,
        category=body.category,
        discipline_codes=list(body.discipline_codes),
        reviewers_per_application=body.reviewers_per_application or DEFAULTS.reviewers_per_application,
        reviewers_per_category=dict(
            body.reviewers_per_category if body.reviewers_per_category is not None else DEFAULTS.reviewers_per_category
        ),
        load_cap=body.load_cap or DEFAULTS.load_cap,
        exclude_same_institution=(
            DEFAULTS.exclude_same_institution
            if body.exclude_same_institution is None
            else body.exclude_same_institution
        ),
        criteria=criteria,
        trim_from=body.trim_from or DEFAULTS.trim_from,
        min_valid=body.min_valid or DEFAULTS.min_valid,
        status=ROUND_WORKFLOW.initial,
        version=1,
        created_by=caller.actor_id,
        shortfalls=[],
    )
    await repo.add_all(session, [rnd])
    await ROUND_WORKFLOW.record_creation(session, common, rnd, caller)
    await audit.append(session, common, caller, "create", KIND, rnd.id, {"call_id": call.id})
    return rnd


# --- the draw (NSF-2, NSF-3) ----------------------------------------------------------------------


def _settings(rnd: ReviewRound) -> RoundSettings:
    return round_settings(
        reviewers_per_application=rnd.reviewers_per_application,
        reviewers_per_category=rnd.reviewers_per_category,
        load_cap=rnd.load_cap,
        exclude_same_institution=rnd.exclude_same_institution,
    )


def to_draw_application(application: Application, rnd: ReviewRound, secret: str) -> DrawApplication:
    """An application as the conflict and assignment rules see it: people and institutions as keys,
    with the applicant's NSF-3 declarations (the people to exclude, the declared relations)."""
    return DrawApplication(
        id=str(application.id),
        applicant_key=person_key(application.leader_id_number, secret),
        institution_key=organisation_key(application.applicant_uscc, secret),
        team_keys=tuple(person_key(m["id_number"], secret) for m in application.team),
        team_institution_keys=tuple(
            organisation_key(m["org_uscc"], secret) for m in application.team if m.get("org_uscc")
        ),
        disciplines=tuple(rnd.discipline_codes),
        keywords=frozenset(k.casefold() for k in application.keywords),
        exclusions=declaration_keys(application.exclusions, secret),
        declared_persons=frozenset(declaration_keys(application.relations, secret)),
        category=rnd.category,
    )


def load_source(rnd: ReviewRound) -> str:
    return f"projects:review_round:{rnd.id}"


async def report_loads(session: AsyncSession, rnd: ReviewRound, reviewer_ids: Sequence[int]) -> None:
    """Keep the pool's load current: the round's open assignments per reviewer (0 once closed)."""
    counts = await repo.holding_counts(session, reviewer_ids, rnd.id)
    for rid, n in counts.items():
        await reviewers.set_load(session, rid, load_source(rnd), 0 if rnd.status == "closed" else n)


def _exclusion_rows(
    rnd: ReviewRound, exclusions: Mapping[str, Mapping[str, Sequence[str]]], known: set[tuple[int, int]] | None = None
) -> list[ReviewExclusion]:
    rows = []
    for app_id, by_reviewer in sorted(exclusions.items()):
        for reviewer_id, rules in sorted(by_reviewer.items()):
            pair = (int(app_id), int(reviewer_id))
            if known is not None and pair in known:
                continue
            rows.append(
                ReviewExclusion(
                    round_id=rnd.id, application_id=pair[0], reviewer_id=pair[1], rules=[str(r) for r in rules]
                )
            )
    return rows


async def run_draw(
    session: AsyncSession, caller: Principal, round_id: int, body: s.DrawIn, if_match: str | None, env: Environment
) -> tuple[ReviewRound, dict[str, Any]]:
    """NSF-2: draw every application of the round; returns the round and the draw's objective figures."""
    rnd = await load(session, caller, round_id, for_update=True)
    check_if_match(if_match, KIND, rnd.id, rnd.version, required=False)
    who = await acting(session, caller, rnd)
    ROUND_WORKFLOW.decide(rnd.status, "draw", who)  # 409 / 403 before any work
    found = await repo.drawable_applications(session, rnd)
    if not found:
        raise NoApplicationsToDraw(
            "该指南（方向）下没有已受理待评审的申报书。", "The call (topic) has no application accepted for review."
        )
    settings = _settings(rnd)
    candidates = await reviewers.pool_candidates(
        session, pool_prefixes(rnd.discipline_codes, settings.prefix_length), today_shanghai()
    )
    pool = to_review_pool(candidates)
    draw_apps = [to_draw_application(a, rnd, env.subject_key_secret) for a in found]
    seed = body.seed if body.seed is not None else secrets.randbits(63)
    # The min-cost flow is CPU work: off the event loop.
    result = await asyncio.to_thread(draw, pool, draw_apps, settings, seed)

    await repo.add_all(
        session,
        [
            ReviewRoundInput(
                round_id=rnd.id,
                pool=sorted((reviewer_snapshot(r) for r in pool), key=lambda d: d["id"]),
                applications=[application_snapshot(a) for a in draw_apps],
            )
        ],
    )
    await repo.add_all(
        session,
        [
            ReviewAssignment(
                round_id=rnd.id,
                application_id=int(app_id),
                reviewer_id=int(rid),
                slot=slot,
                status="assigned",
                version=1,
            )
            for app_id, chosen in sorted(result.assignments.items())
            for slot, rid in enumerate(chosen)
        ],
    )
    await repo.add_all(session, _exclusion_rows(rnd, result.exclusions))
    rnd.seed, rnd.seed_generated = seed, body.seed is None
    rnd.draw_record = result.record.as_dict()
    rnd.shortfalls = _shortfalls(result)
    rnd.drawn_at = utcnow()
    await ROUND_WORKFLOW.apply(session, common, rnd, "draw", who)
    await flush_versioned(session, "评审轮次")
    for application in found:
        if application.status == "accepted":
            await applications.act(session, caller, application.id, "start_review", None, None, env.applications)
    await report_loads(session, rnd, sorted({int(r) for chosen in result.assignments.values() for r in chosen}))
    await audit.append(
        session,
        common,
        caller,
        "draw",
        KIND,
        rnd.id,
        {
            "seed": seed,
            "pool_hash": result.record.pool_hash,
            "applications": len(found),
            "algorithm_version": result.record.algorithm_version,
        },
    )
    return rnd, dict(result.objective.as_dict())


def _shortfalls(result: DrawResult) -> list[dict[str, Any]]:
    return [
        {"application_id": int(x.application_id), "needed": x.needed, "assigned": x.assigned, "reason": x.reason}
        for x in result.shortfalls
    ]


def group_slots(rows: Sequence[ReviewAssignment]) -> list[s.ApplicationAssignmentsRead]:
    by_app: dict[int, list[s.SlotRead]] = {}
    for r in rows:
        by_app.setdefault(r.application_id, []).append(
            s.SlotRead(
                assignment_id=r.id,
                reviewer_id=r.reviewer_id,
                slot=r.slot,
                status=r.status,
                replaces_id=r.replaces_id,
                decline_reason=r.decline_reason,
            )
        )
    return [s.ApplicationAssignmentsRead(application_id=k, reviewers=v) for k, v in sorted(by_app.items())]


async def stored_inputs(session: AsyncSession, rnd: ReviewRound) -> tuple[list[DrawReviewer], list[DrawApplication]]:
    inputs = await repo.inputs(session, rnd.id)
    if inputs is None or rnd.draw_record is None:
        raise RoundNotDrawn()
    return (
        [reviewer_from_snapshot(d) for d in inputs.pool],
        [application_from_snapshot(d) for d in inputs.applications],
    )


def current_record(
    rnd: ReviewRound, rows: Sequence[ReviewAssignment], applications_: Sequence[DrawApplication]
) -> DrawRecord:
    """The stored record with its assignments as the assignment rows say now (slot order), so a
    tampered row shows up in ``verify``."""
    assert rnd.draw_record is not None
    return record_from_rows(
        rnd.draw_record,
        [a.id for a in applications_],
        ((r.application_id, r.slot, r.reviewer_id) for r in rows if r.status in HOLDING),
    )


async def run_verify(session: AsyncSession, caller: Principal, round_id: int) -> s.VerifyRead:
    rnd = await load(session, caller, round_id)
    pool, draw_apps = await stored_inputs(session, rnd)
    record = current_record(rnd, await repo.assignments(session, rnd.id), draw_apps)
    report = await asyncio.to_thread(verify, record, pool, draw_apps)
    await audit.append(session, common, caller, "verify", KIND, rnd.id, {"match": report.ok})
    return s.VerifyRead(
        match=report.ok,
        seed=record.seed,
        algorithm_version=record.algorithm_version,
        pool_hash=report.pool_hash,
        applications_hash=report.applications_hash,
        differences=[
            s.DifferenceRead(
                kind=d.kind,
                application_id=int(d.application_id) if d.application_id else None,
                expected=_jsonable(d.expected),
                actual=_jsonable(d.actual),
            )
            for d in report.differences
        ],
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [int(v) if isinstance(v, str) and v.isdigit() else v for v in value]
    return value


# --- declining a slot (reviewer side calls this) --------------------------------------------------


async def replace_declined(
    session: AsyncSession, rnd: ReviewRound, assignment: ReviewAssignment
) -> ReviewAssignment | None:
    """NSF-2: draw the declined slot alone again from the round's frozen pool; every other slot
    stays. The declined row becomes ``replaced`` (or ``declined`` when nobody can take it)."""
    pool, draw_apps = await stored_inputs(session, rnd)
    assert rnd.draw_record is not None
    stored = await repo.exclusions(session, rnd.id)
    current = stored_result(
        rnd.draw_record,
        ((e.application_id, e.reviewer_id, e.rules) for e in stored),
        rnd.shortfalls or [],
        pool,
        draw_apps,
    )
    result = await asyncio.to_thread(
        replace_slot, current, str(assignment.application_id), str(assignment.reviewer_id), pool, draw_apps
    )
    new_id = result.record.replacements[-1].replacement_id
    assignment.status = "replaced" if new_id is not None else "declined"
    assignment.version += 1
    replacement = None
    if new_id is not None:
        replacement = ReviewAssignment(
            round_id=rnd.id,
            application_id=assignment.application_id,
            reviewer_id=int(new_id),
            slot=assignment.slot,
            status="assigned",
            replaces_id=assignment.id,
            version=1,
        )
        await repo.add_all(session, [replacement])
    known = {(e.application_id, e.reviewer_id) for e in stored}
    await repo.add_all(session, _exclusion_rows(rnd, result.exclusions, known))
    rnd.draw_record = result.record.as_dict()
    kept = [x for x in rnd.shortfalls or [] if x["application_id"] != assignment.application_id]
    rnd.shortfalls = kept + [x for x in _shortfalls(result) if x["application_id"] == assignment.application_id]
    rnd.version += 1
    await flush_versioned(session, "评审轮次")
    await report_loads(session, rnd, [assignment.reviewer_id, *([int(new_id)] if new_id else [])])
    return replacement


# --- closing and ranking (NSF-4) ------------------------------------------------------------------


@dataclass(frozen=True)
class Results:
    rows: list[s.AggregateRead]
    groups: list[s.RankingGroup]


async def results(session: AsyncSession, rnd: ReviewRound) -> Results:
    """The aggregate of every application of the round over its submitted reviews, ranked per call
    and topic (``shared.review.aggregate``)."""
    settings = aggregation_settings(rnd.criteria, rnd.trim_from, rnd.min_valid)
    rows = await repo.assignments(session, rnd.id)
    reviews = await repo.reviews_of(session, [r.id for r in rows if r.status in HOLDING])
    inputs = await repo.inputs(session, rnd.id)
    app_ids = {int(a["id"]) for a in inputs.applications} if inputs else {r.application_id for r in rows}
    apps = await repo.applications_by_id(session, app_ids)
    by_app: dict[int, list[agg.Review]] = {i: [] for i in app_ids}
    for r in rows:
        review = reviews.get(r.id)
        if review is None or r.status not in HOLDING:
            continue
        by_app[r.application_id].append(
            agg.Review(
                reviewer_id=str(r.reviewer_id),
                grade=agg.Grade(review.grade) if review.grade else None,
                opinion=agg.Opinion(review.opinion) if review.opinion else None,
                criteria={k: Decimal(v) for k, v in review.scores.items()},
                submitted=review.status == "submitted",
            )
        )
    entries = [
        agg.RankInput(
            application_id=rank_key(i),
            group=(apps[i].call_id, apps[i].topic_id),
            submitted_at=apps[i].submitted_at or apps[i].created_at,
            reviews=by_app[i],
        )
        for i in sorted(app_ids)
    ]
    ranked = agg.rank(entries, settings)
    topics = await _topic_codes(session, rnd.call_id)
    out_rows: list[s.AggregateRead] = []
    groups: list[s.RankingGroup] = []
    for group, items in sorted(ranked.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):  # type: ignore[index]
        entries_out = []
        for item in items:
            app = apps[int(item.application_id)]
            valid = [r for r in by_app[app.id] if agg.is_complete(r, settings)]
            values = [agg.review_value(r, settings) for r in valid]
            mean = sum(values, Fraction(0)) / len(values) if values else None
            row = s.AggregateRead(
                application_id=app.id,
                title=app.title,
                call_id=app.call_id,
                topic_id=app.topic_id,
                valid_reviews=item.aggregate.valid_reviews,
                ignored_reviews=item.aggregate.ignored_reviews,
                mean=agg.show(mean),
                score=item.aggregate.score,
                trimmed=item.aggregate.trimmed,
                priority_count=item.aggregate.priority_count,
                status=item.aggregate.status,
                submitted_at=app.submitted_at or app.created_at,
                rank=item.rank,
                tied_on_score=item.tied_on_score,
            )
            entries_out.append(row)
            out_rows.append(row)
        key = cast(tuple[int, int | None], group)
        groups.append(
            s.RankingGroup(call_id=key[0], topic_id=key[1], topic_code=topics.get(key[1]), entries=entries_out)
        )
    return Results(rows=out_rows, groups=groups)


async def _topic_codes(session: AsyncSession, call_id: int) -> dict[int | None, str]:
    call = await calls_repo.get(session, call_id)
    return {t.id: t.code for t in call.topics} if call is not None else {}


async def close(
    session: AsyncSession, caller: Principal, round_id: int, if_match: str | None, env: Environment
) -> tuple[ReviewRound, Results, list[int]]:
    rnd = await load(session, caller, round_id, for_update=True)
    check_if_match(if_match, KIND, rnd.id, rnd.version, required=False)
    who = await acting(session, caller, rnd)
    ROUND_WORKFLOW.decide(rnd.status, "close", who)
    outcome = await results(session, rnd)
    await ROUND_WORKFLOW.apply(session, common, rnd, "close", who)
    rnd.closed_at = utcnow()
    await flush_versioned(session, "评审轮次")
    moved: list[int] = []
    apps = await repo.applications_by_id(session, [r.application_id for r in outcome.rows])
    for row in outcome.rows:
        if row.status == agg.STATUS_RANKED and apps[row.application_id].status == "in_review":
            await applications.act(session, caller, row.application_id, "complete_review", None, None, env.applications)
            moved.append(row.application_id)
    await report_loads(session, rnd, sorted({r.reviewer_id for r in await repo.assignments(session, rnd.id)}))
    await audit.append(session, common, caller, "close", KIND, rnd.id, {"reviewed": moved})
    return rnd, outcome, moved


async def ranking(session: AsyncSession, caller: Principal, round_id: int) -> s.RankingRead:
    rnd = await load(session, caller, round_id)
    if rnd.status != "closed":
        raise RoundNotClosed("评审结束后才能查看排序。", "The ranking is shown once the round is closed.")
    outcome = await results(session, rnd)
    return s.RankingRead(round_id=rnd.id, status=rnd.status, tie_break=list(TIE_BREAK), groups=outcome.groups)


async def round_assignments(session: AsyncSession, caller: Principal, round_id: int) -> list[ReviewAssignment]:
    rnd = await load(session, caller, round_id)
    return await repo.assignments(session, rnd.id)
