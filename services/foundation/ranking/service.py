"""Use cases of the ranking within a category (NSF-4) and its funding line. Never commits.

``rank`` (staff of the plan) ranks the category's ``reviewed`` applications together with those
already ``ranked`` (a later round's applications join the same list), by the mean score over valid
reviews with the documented tie-break (``rules.ranking``), writes ``score``, ``valid_reviews`` and
``rank`` on each and moves reviewed → ranked. An application with fewer valid reviews than the
category's rounds require cannot be ranked: should a reviewed one lack them, nothing is written and
the problem lists them. Once approvals have begun (any application of the category approved or
beyond), the ranking is frozen (409).

The writes go in bulk (one UPDATE executed for many rows, one INSERT of history rows, one audit entry
for the category) so a category of thousands ranks within the second the issue asks; each moved
application still gets its history row, and the ledger is told of the move where its entry changes.

``ranking`` (staff and auditors) shows the stored ranking with the funding line (``rules.ranking.allocate``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation import access
from services.foundation.applications import service as applications
from services.foundation.db import common
from services.foundation.deps import Environment
from services.foundation.errors import NothingToRank, RankingFrozen, RankingLacksReviews
from services.foundation.plans.models import FundingPlan, PlanCategory
from services.foundation.ranking import repository as repo
from services.foundation.ranking import schemas as s
from services.foundation.rules import ranking as rules
from services.foundation.rules.workflows import APPLICATION_WORKFLOW, LEDGER_ENTRY
from shared import audit
from shared.errors import NotFound, PreconditionFailed
from shared.principal import Principal
from shared.review import aggregate as agg
from shared.review_rounds.service import stored_review

CATEGORY_KIND = "foundation_plan_category"
RANKABLE = ("reviewed", "ranked")
# Once one of these is reached in a category, approvals have begun and the ranking no longer changes.
FROZEN = frozenset({"approved", "not_approved", "funded", "final_submitted", "concluded", "failed", "terminated"})
# Application states whose reviews the ranking view counts.
REVIEWED_STATES = ("in_review", *RANKABLE, *sorted(FROZEN))


def category_not_found() -> NotFound:
    return NotFound("资助类别不存在。", "No such category of the plan.")


async def load_category(
    session: AsyncSession, caller: Principal, plan_id: int, category_id: int, *, write: bool
) -> tuple[FundingPlan, PlanCategory]:
    """The plan and its category if the caller runs the plan (``write``) or may read it (staff,
    auditors); otherwise a 404, so an agency not on the plan learns nothing."""
    plan = await repo.plan(session, plan_id)
    if plan is None or not (access.is_staff(plan, caller) or (not write and caller.has_role("auditor"))):
        raise category_not_found()
    # The category row is locked while ranking: two rankings of one category queue behind each other.
    category = await repo.category(session, plan_id, category_id, for_update=write)
    if category is None:
        raise category_not_found()
    return plan, category


# --- the view ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AppView:
    id: int
    title: str
    status: str
    discipline_code: str
    applicant_name: str
    institution_name: str
    requested_total: Decimal
    submitted_at: datetime
    score: Decimal | None
    valid_reviews: int | None
    rank: int | None


def app_view(r: Sequence[Any]) -> AppView:
    """A row of ``repo.category_applications`` (unpacked by position: thousands of rows)."""
    id_, title, status, _version, discipline, applicant, institution, requested, submitted_at, score, valid, rank_ = r
    return AppView(
        id_, title, status, discipline, applicant, institution, Decimal(requested), submitted_at, score, valid, rank_
    )


@dataclass
class Tally:
    valid: int = 0
    priority: int = 0


def tallies(facts: Sequence[repo.ReviewFact], settings: agg.AggregationSettings) -> dict[int, Tally]:
    out: dict[int, Tally] = defaultdict(Tally)
    for app_id, review in map(to_review, facts):
        if agg.is_complete(review, settings):
            out[app_id].valid += 1
            out[app_id].priority += review.opinion is agg.Opinion.PRIORITY
    return out


def to_review(fact: repo.ReviewFact) -> tuple[int, agg.Review]:
    """A stored review as ``shared.review.aggregate`` reads it (only submitted ones are read)."""
    return fact.application_id, stored_review(fact.reviewer_id, fact.grade, fact.opinion, None, True)


def build_read(
    plan: FundingPlan, category: PlanCategory, apps: Sequence[AppView], counts: dict[int, Tally], min_valid: int
) -> s.RankingRead:
    ranked = sorted((a for a in apps if a.rank is not None), key=lambda a: (a.rank, a.id))
    amounts = [rules.grant_amount(category.amount_mode, category.amount, a.requested_total) for a in ranked]
    allocation = rules.allocate(
        [rules.Request(a.id, amt) for a, amt in zip(ranked, amounts, strict=True)],
        category.project_count,
        category.budget,
    )
    rows: list[s.RankingRow] = []
    previous: Decimal | None = None
    for app, line in zip(ranked, allocation.lines, strict=True):
        tally = counts.get(app.id, Tally())
        rows.append(
            s.RankingRow.model_construct(  # our own values: no need to validate thousands
                rank=app.rank or 0,
                application_id=app.id,
                title=app.title,
                discipline_code=app.discipline_code,
                applicant_name=app.applicant_name,
                institution_name=app.institution_name,
                status=app.status,
                score=app.score,
                valid_reviews=app.valid_reviews if app.valid_reviews is not None else tally.valid,
                priority_count=tally.priority,
                tied_on_score=bool(rows) and app.score == previous,
                requested_total=app.requested_total,
                amount=line.amount,
                cumulative=line.cumulative,
                within_quota=line.within_quota,
            )
        )
        previous = app.score

    def pending(a: AppView) -> s.PendingRead:
        return s.PendingRead(
            application_id=a.id,
            title=a.title,
            status=a.status,
            valid_reviews=counts.get(a.id, Tally()).valid,
            needed=min_valid,
        )

    return s.RankingRead(
        plan_id=plan.id,
        category_id=category.id,
        category_code=category.code,
        category_name=category.name,
        min_valid=min_valid,
        tie_break=list(rules.TIE_BREAK),
        rows=rows,
        funding=s.FundingLineRead(
            project_count=category.project_count,
            budget=category.budget,
            amount_mode=category.amount_mode,
            amount=category.amount,
            funded_count=allocation.funded_count,
            funded_total=allocation.funded_total,
            remaining_budget=allocation.remaining_budget,
            remaining_count=allocation.remaining_count,
            stopped_by=allocation.stopped_by,
            first_outside=allocation.first_outside,
        ),
        lacking=[pending(a) for a in apps if a.status == "in_review" and counts.get(a.id, Tally()).valid < min_valid],
        awaiting=[pending(a) for a in apps if a.status == "reviewed"],
    )


async def min_valid_of(session: AsyncSession, category: PlanCategory) -> int:
    return await repo.category_min_valid(session, category.id) or rules.DEFAULT_MIN_VALID


async def ranking(session: AsyncSession, caller: Principal, plan_id: int, category_id: int) -> s.RankingRead:
    plan, category = await load_category(session, caller, plan_id, category_id, write=False)
    min_valid = await min_valid_of(session, category)
    rows = await repo.category_applications(session, category.id, REVIEWED_STATES)
    facts = await repo.category_reviews(session, category.id, REVIEWED_STATES)
    counts = tallies(facts, rules.aggregation_settings(min_valid))
    return build_read(plan, category, [app_view(r) for r in rows], counts, min_valid)


# --- ranking ----------------------------------------------------------------------------------------


async def rank(
    session: AsyncSession, caller: Principal, plan_id: int, category_id: int, env: Environment
) -> s.RankingRead:
    """NSF-4: rank the category's reviewed (and already ranked) applications; see the module docstring."""
    plan, category = await load_category(session, caller, plan_id, category_id, write=True)
    if FROZEN.intersection(await repo.category_statuses(session, category.id)):
        raise RankingFrozen(
            "该类别已有申请进入审批，排序已锁定。", "Applications of the category are already being approved."
        )
    min_valid = await min_valid_of(session, category)
    settings = rules.aggregation_settings(min_valid)
    rows = await repo.category_applications(session, category.id, REVIEWED_STATES, for_update=True)
    apps = [app_view(r) for r in rows]
    versions = {r.id: r.version for r in rows}
    candidates = [a for a in apps if a.status in RANKABLE]
    if not any(a.status == "reviewed" for a in candidates):
        raise NothingToRank(
            "该类别没有已完成评审、待排序的申请。", "No reviewed application of the category awaits ranking."
        )
    facts = await repo.category_reviews(session, category.id, REVIEWED_STATES)
    by_app: dict[int, list[agg.Review]] = defaultdict(list)
    for app_id, review in map(to_review, facts):
        by_app[app_id].append(review)
    ranked = rules.rank_category(
        [rules.Candidate(a.id, a.submitted_at, by_app.get(a.id, [])) for a in candidates], settings
    )
    short = [r for r in ranked if r.rank is None]
    if short:
        raise RankingLacksReviews(
            f"以下申请的有效评审少于 {min_valid} 份，不能排序：{'、'.join(str(r.application_id) for r in short)}。",
            f"These applications have fewer than {min_valid} valid reviews and cannot be ranked: "
            f"{', '.join(str(r.application_id) for r in short)}.",
            extra={
                "applications": [
                    {"application_id": r.application_id, "valid_reviews": r.valid_reviews, "needed": min_valid}
                    for r in short
                ]
            },
        )
    who = access.plan_roles(plan, caller)
    status_of = {a.id: a.status for a in candidates}
    moving = [r.application_id for r in ranked if status_of[r.application_id] == "reviewed"]
    step = APPLICATION_WORKFLOW.decide("reviewed", "rank", who) if moving else None
    now = env.now
    scores = [r.score for r in ranked]
    updates = [
        {
            "b_id": r.application_id,
            "b_version": versions[r.application_id],
            "b_new_version": versions[r.application_id] + 1,
            "b_status": "ranked",
            "b_score": score,
            "b_valid": r.valid_reviews,
            "b_rank": r.rank,
        }
        for r, score in zip(ranked, scores, strict=True)
    ]
    changed = await repo.write_ranks(session, updates, now)
    if changed not in (-1, len(updates)):
        raise PreconditionFailed("申请已被他人修改，请重新排序。", "An application changed meanwhile; rank again.")
    if step is not None:
        await APPLICATION_WORKFLOW.record_moves(session, common, moving, step, "reviewed", who, at=now)
        if LEDGER_ENTRY.get("reviewed") != LEDGER_ENTRY.get(step.target):
            # the ledger's entry changes with this move: report each application's new state
            for application in await repo.applications_afresh(session, moving):
                await applications.sync_ledger(application, env)
    order = [r.application_id for r in ranked]
    await audit.append(
        session,
        common,
        caller,
        "rank",
        CATEGORY_KIND,
        category.id,
        {"plan_id": plan.id, "order": order, "moved": len(moving), "min_valid": min_valid},
    )
    result = {r.application_id: (r, score) for r, score in zip(ranked, scores, strict=True)}
    after = [
        a
        if a.id not in result
        else AppView(
            a.id,
            a.title,
            "ranked",
            a.discipline_code,
            a.applicant_name,
            a.institution_name,
            a.requested_total,
            a.submitted_at,
            result[a.id][1],
            result[a.id][0].valid_reviews,
            result[a.id][0].rank,
        )
        for a in apps
    ]
    counts = tallies([f for f in facts if f.application_id not in result], settings)
    counts.update({r.application_id: Tally(r.valid_reviews, r.priority_count) for r in ranked})
    return build_read(plan, category, after, counts, min_valid)
