"""Use cases of the foundation's review rounds: create, the draw from the projects service's reviewer
pool (NSF-2, NSF-3), verify, and a released slot drawn again. Never commits: the request's unit of
work does.

The staff of a round's plan (officials, the agencies the plan lists) create and draw it; auditors
read and verify; an agency the plan does not list gets a 404.

The draw asks the projects service for the pool (``ReviewerPoolClient.candidates``) before anything
is written, so a 503 there leaves nothing behind; after the database work it reports each drawn
reviewer's open foundation assignments to the pool (``report_loads``, batched), and a failure there is
a 503 that rolls the whole request back.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation import access
from services.foundation.applications import service as applications
from services.foundation.db import common
from services.foundation.deps import Environment
from services.foundation.plans.models import FundingPlan
from services.foundation.review import repository as repo
from services.foundation.review import schemas as s
from services.foundation.review.models import ReviewAssignment, ReviewExclusion, ReviewRound, ReviewRoundInput
from services.foundation.review.policy import (
    ASSIGNED,
    DEFAULTS,
    HOLDING,
    ROUND_WORKFLOW,
    in_prefixes,
    pool_prefixes,
    round_settings,
    to_draw_application,
)
from shared import audit
from shared.clients.reviewers import to_review_pool
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shared.principal import Principal
from shared.review.draw import (
    DrawResult,
    application_snapshot,
    draw,
    replace_slot,
    reviewer_snapshot,
    verify,
)
from shared.review.model import Application as DrawApplication
from shared.review.model import Reviewer as DrawReviewer
from shared.review.stored import application_from_snapshot, record_from_rows, reviewer_from_snapshot, stored_result

KIND = "foundation_review_round"
READ_ROLES = ("official", "agency", "auditor")
# Load reports to the pool run a few at a time (each is one small PUT).


class PlanNotPublished(Conflict):
    code = "plan_not_published"
    title_zh = "资助计划尚未发布"
    title_en = "The funding plan is not published"


class NoApplicationsToDraw(Conflict):
    code = "review_round_no_applications"
    title_zh = "没有可送评审的申请书"
    title_en = "No application of the round can be sent to review"


class RoundNotDrawn(Conflict):
    code = "review_round_not_drawn"
    title_zh = "评审轮次尚未抽取专家"
    title_en = "The round has not been drawn yet"


class RoundClosed(Conflict):
    code = "review_round_closed"
    title_zh = "评审轮次已结束"
    title_en = "The review round is closed"


def not_found() -> NotFound:
    return NotFound("评审轮次不存在。", "No such review round.")


def require_reader(caller: Principal) -> None:
    if not caller.has_role(*READ_ROLES):
        raise Forbidden(
            "只有基金管理人员和审计人员可以查看评审轮次。",
            "Only the foundation's staff and auditors read review rounds.",
        )


async def load(session: AsyncSession, caller: Principal, round_id: int, *, for_update: bool = False) -> ReviewRound:
    """The round if the caller may see it (staff of its plan, officials, auditors); else a 404."""
    require_reader(caller)
    rnd = await repo.get_visible_round(session, caller, round_id, for_update=for_update)
    if rnd is None:
        raise not_found()
    return rnd


async def plan_of(session: AsyncSession, rnd: ReviewRound) -> FundingPlan:
    plan = await repo.plan(session, rnd.plan_id)
    assert plan is not None  # foreign key
    return plan


async def acting(session: AsyncSession, caller: Principal, rnd: ReviewRound) -> Principal:
    """The caller with only the roles it holds for this round's plan."""
    return access.plan_roles(await plan_of(session, rnd), caller)


# --- reading --------------------------------------------------------------------------------------


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
        plan_id=rnd.plan_id,
        category_id=rnd.category_id,
        title=rnd.title,
        discipline_prefixes=list(rnd.discipline_prefixes),
        settings=s.RoundSettingsRead(
            reviewers_per_application=rnd.reviewers_per_application,
            load_cap=rnd.load_cap,
            exclude_same_institution=rnd.exclude_same_institution,
            min_valid=rnd.min_valid,
        ),
        review_due_at=rnd.review_due_at,
        status=rnd.status,
        draw=info,
        shortfalls=[s.ShortfallRead.model_validate(x) for x in rnd.shortfalls or []],
        closed_at=rnd.closed_at,
        version=rnd.version,
        created_at=rnd.created_at,
        allowed_actions=ROUND_WORKFLOW.actions_from(rnd.status, who) if who is not None else [],
    )


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
                release_reason=r.release_reason,
            )
        )
    return [s.ApplicationAssignmentsRead(application_id=k, reviewers=v) for k, v in sorted(by_app.items())]


# --- creating -------------------------------------------------------------------------------------


async def create(session: AsyncSession, caller: Principal, body: s.RoundCreate) -> ReviewRound:
    if not caller.has_role("official", "agency"):
        raise Forbidden("只有基金管理人员可以设立评审轮次。", "Only the foundation's staff set up review rounds.")
    plan = await repo.plan(session, body.plan_id)
    if plan is None or not access.is_staff(plan, caller):
        raise NotFound("资助计划不存在。", "No such funding plan.")
    if plan.status == "draft":
        raise PlanNotPublished("资助计划发布后才能设立评审轮次。", "Publish the plan before setting up review rounds.")
    category = await repo.category(session, body.category_id)
    if category is None or category.plan_id != plan.id:
        raise ValidationFailed(
            [{"field": "category_id", "code": "unknown_category", "message": "not a category of this plan"}]
        )
    min_valid = body.min_valid or DEFAULTS.min_valid
    if min_valid > category.reviewers_per_application:
        raise ValidationFailed(
            [
                {
                    "field": "min_valid",
                    "code": "above_reviewers_per_application",
                    "message": f"at most the category's {category.reviewers_per_application} reviewers per application",
                }
            ]
        )
    rnd = ReviewRound(
        plan_id=plan.id,
        category_id=category.id,
        title=body.title,
        discipline_prefixes=list(body.discipline_prefixes or []),
        reviewers_per_application=category.reviewers_per_application,
        load_cap=body.load_cap or DEFAULTS.load_cap,
        exclude_same_institution=(
            DEFAULTS.exclude_same_institution
            if body.exclude_same_institution is None
            else body.exclude_same_institution
        ),
        min_valid=min_valid,
        review_due_at=body.review_due_at,
        status=ROUND_WORKFLOW.initial,
        version=1,
        created_by=caller.actor_id,
        shortfalls=[],
    )
    await repo.add_all(session, [rnd])
    await ROUND_WORKFLOW.record_creation(session, common, rnd, caller)
    await audit.append(
        session, common, caller, "create", KIND, rnd.id, {"plan_id": plan.id, "category_id": category.id}
    )
    return rnd


# --- the draw (NSF-2, NSF-3) ----------------------------------------------------------------------


@dataclass(frozen=True)
class DrawOutcome:
    round: ReviewRound
    applications: int
    objective: dict[str, Any]
    subject_groups: int


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


def _shortfalls(result: DrawResult) -> list[dict[str, Any]]:
    return [
        {"application_id": int(x.application_id), "needed": x.needed, "assigned": x.assigned, "reason": x.reason}
        for x in result.shortfalls
    ]


async def report_loads(session: AsyncSession, env: Environment, reviewer_ids: Iterable[int]) -> None:
    """Tell the pool each reviewer's open assignments in this service (all its rounds: the pool keeps
    one figure per reporting service), in batches. Any failure is a 503; a reviewer gone from the pool
    is skipped."""
    counts = await repo.open_counts(session, reviewer_ids)
    if counts:
        await env.projects.reviewers.report_loads(dict(counts))


async def run_draw(
    session: AsyncSession, caller: Principal, round_id: int, body: s.DrawIn, if_match: str | None, env: Environment
) -> DrawOutcome:
    """NSF-2: draw reviewers for every application of the round's category accepted at formal review
    (within the round's discipline prefixes), from the projects service's pool, and send them to review."""
    rnd = await load(session, caller, round_id, for_update=True)
    check_if_match(if_match, KIND, rnd.id, rnd.version, required=False)
    plan = await plan_of(session, rnd)
    who = access.plan_roles(plan, caller)
    ROUND_WORKFLOW.decide(rnd.status, "draw", who)  # 409 / 403 before any work
    found = [
        a
        for a in await repo.drawable_applications(session, rnd)
        if in_prefixes(a.discipline_code, rnd.discipline_prefixes)
    ]
    if not found:
        raise NoApplicationsToDraw(
            "该类别（学科）下没有通过形式审查、待送评审的申请书。",
            "The category (disciplines) has no application accepted at formal review.",
        )
    category = await repo.category(session, rnd.category_id)
    assert category is not None  # foreign key
    prefixes = pool_prefixes(rnd.discipline_prefixes, plan.discipline_codes, (a.discipline_code for a in found))
    # The pool, over HTTP, before anything is written: a 503 here leaves the round as it was.
    candidates = await env.projects.reviewers.candidates(prefixes)
    pool = to_review_pool(candidates)
    accounts = {str(c.id): c.user_id for c in candidates}
    draw_apps = [
        to_draw_application(
            a,
            category_kind=category.kind,
            reviewers_needed=rnd.reviewers_per_application,
            secret=env.subject_key_secret,
        )
        for a in found
    ]
    settings = round_settings(
        reviewers_per_application=rnd.reviewers_per_application,
        load_cap=rnd.load_cap,
        exclude_same_institution=rnd.exclude_same_institution,
    )
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
                accounts=accounts,
            )
        ],
    )
    await repo.insert_many(
        session,
        ReviewAssignment,
        [
            {
                "round_id": rnd.id,
                "application_id": int(app_id),
                "reviewer_id": int(rid),
                "reviewer_user_id": accounts.get(rid),
                "slot": slot,
                "status": ASSIGNED,
                "version": 1,
            }
            for app_id, chosen in sorted(result.assignments.items())
            for slot, rid in enumerate(chosen)
        ],
    )
    await repo.insert_many(
        session,
        ReviewExclusion,
        [
            {"round_id": e.round_id, "application_id": e.application_id, "reviewer_id": e.reviewer_id, "rules": e.rules}
            for e in _exclusion_rows(rnd, result.exclusions)
        ],
    )
    rnd.seed, rnd.seed_generated = seed, body.seed is None
    rnd.draw_record = result.record.as_dict()
    rnd.shortfalls = _shortfalls(result)
    rnd.drawn_at = env.now
    await ROUND_WORKFLOW.apply(session, common, rnd, "draw", who)
    await flush_versioned(session, "评审轮次")
    # accepted → in_review: history rows and the limits ledger in bulk; the draw's audit entry names them
    moved = await applications.start_review_many(session, caller, found, plan, env)
    await report_loads(session, env, {int(r) for chosen in result.assignments.values() for r in chosen})
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
            "sent_to_review": moved,
            "algorithm_version": result.record.algorithm_version,
        },
    )
    return DrawOutcome(
        round=rnd,
        applications=len(found),
        objective=dict(result.objective.as_dict()),
        subject_groups=len({g for g in result.groups.values()}),
    )


# --- verify ---------------------------------------------------------------------------------------


async def stored_inputs(
    session: AsyncSession, rnd: ReviewRound
) -> tuple[list[DrawReviewer], list[DrawApplication], dict[str, str | None]]:
    inputs = await repo.inputs(session, rnd.id)
    if inputs is None or rnd.draw_record is None:
        raise RoundNotDrawn("评审轮次尚未抽取专家。", "The round has not been drawn yet.")
    return (
        [reviewer_from_snapshot(d) for d in inputs.pool],
        [application_from_snapshot(d) for d in inputs.applications],
        dict(inputs.accounts),
    )


async def run_verify(session: AsyncSession, caller: Principal, round_id: int) -> s.VerifyRead:
    """Re-run the draw (and every replacement since) from the frozen inputs, and compare it with the
    assignment rows as they are now: a row changed behind the service's back is named."""
    rnd = await load(session, caller, round_id)
    pool, draw_apps, _ = await stored_inputs(session, rnd)
    assert rnd.draw_record is not None
    rows = await repo.assignments(session, rnd.id)
    record = record_from_rows(
        rnd.draw_record,
        [a.id for a in draw_apps],
        ((r.application_id, r.slot, r.reviewer_id) for r in rows if r.status in HOLDING),
    )
    report = await asyncio.to_thread(verify, record, pool, draw_apps)
    await audit.append(session, common, caller, "verify", KIND, rnd.id, {"ok": report.ok})
    return s.VerifyRead(
        ok=report.ok,
        seed=record.seed,
        algorithm_version=record.algorithm_version,
        pool_hash=report.pool_hash,
        applications_hash=report.applications_hash,
        differences=[
            s.DifferenceRead(
                kind=d.kind,
                application_id=int(d.application_id) if d.application_id else None,
                expected=_ids(d.expected),
                actual=_ids(d.actual),
            )
            for d in report.differences
        ],
    )


def _ids(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [int(v) if isinstance(v, str) and v.isdigit() else v for v in value]
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


# --- a released slot drawn again (decline, late) --------------------------------------------------


async def release(
    session: AsyncSession,
    caller: Principal,
    rnd: ReviewRound,
    assignment: ReviewAssignment,
    *,
    status: str,
    reason: str | None,
    now: datetime,
    env: Environment,
) -> ReviewAssignment | None:
    """NSF-2: the slot ``assignment`` holds alone is drawn again from the round's frozen pool (never
    the same reviewer nor one who released it before); every other slot stays. The row becomes
    ``status`` (declined or late); the replacement, if anyone fits, is a new row that ``replaces_id``
    it, else the application is reported as a shortfall. Locks: the round and the row, by the caller."""
    if rnd.status != "drawn":
        raise RoundClosed("评审轮次已结束，不能再调整专家。", "The round is closed; its reviewers no longer change.")
    pool, draw_apps, accounts = await stored_inputs(session, rnd)
    assert rnd.draw_record is not None
    stored = await repo.exclusions(session, rnd.id, assignment.application_id)
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
    assignment.status = status
    assignment.release_reason = reason
    assignment.released_at = now
    assignment.version += 1
    replacement = None
    if new_id is not None:
        replacement = ReviewAssignment(
            round_id=rnd.id,
            application_id=assignment.application_id,
            reviewer_id=int(new_id),
            reviewer_user_id=accounts.get(new_id),
            slot=assignment.slot,
            status=ASSIGNED,
            replaces_id=assignment.id,
            version=1,
        )
    known = {(e.application_id, e.reviewer_id) for e in stored}
    new_exclusions = _exclusion_rows(
        rnd, {str(assignment.application_id): result.exclusions.get(str(assignment.application_id), {})}, known
    )
    rnd.draw_record = result.record.as_dict()
    kept = [x for x in rnd.shortfalls or [] if x["application_id"] != assignment.application_id]
    rnd.shortfalls = kept + [x for x in _shortfalls(result) if x["application_id"] == assignment.application_id]
    rnd.version += 1
    await flush_versioned(session, "评审任务")
    await repo.add_all(session, [*([replacement] if replacement else []), *new_exclusions])
    await report_loads(session, env, [assignment.reviewer_id, *([int(new_id)] if new_id else [])])
    await audit.append(
        session,
        common,
        caller,
        status,
        "foundation_review_assignment",
        assignment.id,
        {
            "round_id": rnd.id,
            "application_id": assignment.application_id,
            "replacement_id": replacement.id if replacement else None,
        },
    )
    return replacement
