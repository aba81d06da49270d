"""The cycle's panel (专业评审组) and the committee's vote on a grade (AW-1).

The panel is drawn once per cycle from the projects reviewer pool, for the nominations in review, with the
platform's reproducible draw and conflict rules (``shared.review.draw``, NSF-2/NSF-3: the completers and
their units excluded; seed, pool and nominations hashes recorded). Each member scores the nominations
assigned to them (0 to 100, with a comment). Once every member assigned to a nomination has scored it, the
committee votes on a grade: the cycle's vote rule of that grade decides (``rules.awards.decide_vote``), and a
passing vote takes a place of the grade's quota, counted under the cycle's row lock (SELECT ... FOR UPDATE)
so that parallel votes never exceed it."""

from __future__ import annotations

import secrets
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.award_cycles import service as cycles
from services.talent.db import common
from services.talent.errors import PanelAlreadyDrawn, PanelNotDrawn, PanelScoresIncomplete
from services.talent.nominations import repository as repo
from services.talent.nominations import service as nominations
from services.talent.nominations.deps import AwardEnvironment
from services.talent.nominations.models import AwardPanel, Nomination, PanelAssignment
from services.talent.nominations.schemas import PanelRead, ScoreIn, VoteIn
from services.talent.rules import awards as aw1
from services.talent.rules.award_flows import NOMINATION_WORKFLOW
from shared import audit
from shared.clients.reviewers import to_review_pool
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import Conflict, Forbidden, InvalidTransition
from shared.principal import Principal
from shared.review.draw import draw
from shared.review.model import Application, RoundSettings
from shared.subject_keys import organisation_key

KIND = "award_panel"


def to_read(panel: AwardPanel, rows: list[PanelAssignment]) -> PanelRead:
    record = panel.draw_record
    return PanelRead(
        cycle_id=panel.cycle_id,
        seed=panel.seed,
        algorithm_version=record["algorithm_version"],
        pool_hash=record["pool_hash"],
        applications_hash=record["applications_hash"],
        assignments=[
            {"reviewer_id": r.reviewer_id, "nomination_id": r.nomination_id, "scored": r.score is not None}
            for r in rows
        ],
        shortfalls=panel.shortfalls,
        created_at=panel.created_at,
    )


async def read(session: AsyncSession, principal: Principal, cycle_id: int) -> PanelRead:
    await cycles.load(session, principal, cycle_id)
    panel = await repo.panel_of(session, cycle_id)
    if panel is None:
        raise PanelNotDrawn("本周期尚未抽取专业评审组。", "The cycle's panel is not drawn yet.")
    return to_read(panel, await repo.panel_assignments(session, panel.id))


def draw_application(nomination: Nomination, keys: list[str], secret: str) -> Application:
    """A nomination as the conflict and assignment rules see it: the first completer as the applicant, the
    others as the team, the units as the institutions (NSF-3)."""
    units = [organisation_key(u["uscc"], secret) for u in nomination.units]
    return Application(
        id=str(nomination.id),
        applicant_key=keys[0],
        institution_key=units[0],
        team_keys=tuple(keys[1:]),
        team_institution_keys=tuple(units[1:]),
        disciplines=tuple(nomination.disciplines),
        keywords=frozenset(k.casefold() for k in nomination.keywords),
    )


async def draw_panel(
    session: AsyncSession, principal: Principal, cycle_id: int, seed: int | None, env: AwardEnvironment
) -> PanelRead:
    await cycles.load(session, principal, cycle_id)
    cycle = await cycles.locked(session, cycle_id)
    if await repo.panel_of(session, cycle.id) is not None:
        raise PanelAlreadyDrawn("本周期的专业评审组已抽取。", "The cycle's panel is already drawn.")
    in_review = await repo.in_states(session, cycle.id, ["in_review"])
    if not in_review:
        raise Conflict(
            "没有处于专业评审阶段的提名（受理公示结束后才能抽取）。",
            "No nomination is in review yet (the panel is drawn once the acceptance notice is concluded).",
        )
    people = await repo.people(session, [n.id for n in in_review])
    apps = [draw_application(n, [p.person_key for p in people[n.id]], env.subject_key_secret) for n in in_review]
    candidates = await env.pool.candidates(cycle.panel_disciplines)
    by_id = {str(c.id): c for c in candidates}
    chosen_seed = seed if seed is not None else secrets.randbits(63)
    settings = RoundSettings(reviewers_per_application=cycle.panel_size, load_cap=max(20, len(apps)))
    result = draw(to_review_pool(candidates), apps, settings, chosen_seed)
    panel = AwardPanel(
        cycle_id=cycle.id,
        seed=chosen_seed,
        draw_record=result.record.as_dict(),
        shortfalls=[
            {"nomination_id": int(s.application_id), "needed": s.needed, "assigned": s.assigned, "reason": s.reason}
            for s in result.shortfalls
        ],
        created_by=principal.actor_id,
    )
    session.add(panel)
    await session.flush()
    for app_id, reviewer_ids in result.assignments.items():
        for rid in reviewer_ids:
            session.add(
                PanelAssignment(
                    panel_id=panel.id,
                    nomination_id=int(app_id),
                    reviewer_id=int(rid),
                    reviewer_user_id=by_id[rid].user_id,
                )
            )
    await session.flush()
    facts = {"seed": chosen_seed, "pool_hash": result.record.pool_hash, "nominations": len(apps)}
    await audit.append(session, common, principal, "draw_panel", "award_cycle", cycle.id, facts)
    return to_read(panel, await repo.panel_assignments(session, panel.id))


async def score(
    session: AsyncSession, principal: Principal, nomination_id: int, body: ScoreIn, env: AwardEnvironment
) -> Nomination:
    """A panel member's score of a nomination assigned to them, while it is in review."""
    nomination = await nominations.load(session, principal, nomination_id)
    assignment = await repo.assignment_of(session, nomination.id, principal.subject, for_update=True)
    if assignment is None or not principal.has_role("reviewer"):
        raise Forbidden("只有分配到该提名的评审专家可以评分。", "Only a panel member assigned to it scores it.")
    if nomination.status != "in_review":
        raise InvalidTransition("score", nomination.status, [])
    assignment.score = body.score
    assignment.comment = body.comment
    assignment.scored_at = env.now
    await session.flush()
    await audit.append(session, common, principal, "score", nominations.KIND, nomination.id, {})
    return nomination


async def vote(
    session: AsyncSession,
    principal: Principal,
    nomination_id: int,
    body: VoteIn,
    if_match: str | None,
    env: AwardEnvironment,
) -> Nomination:
    """AW-1: the committee's vote on a grade. A passing vote proposes the nomination at that grade within the
    grade's quota (counted under the cycle's lock); one that does not pass is recorded and changes nothing else."""
    nomination = await nominations.load(session, principal, nomination_id)
    check_if_match(if_match, nominations.KIND, nomination.id, nomination.version, required=False)
    who = nominations.acting(principal, nomination)
    NOMINATION_WORKFLOW.decide(nomination.status, "propose", who)
    rows = await repo.assignments(session, nomination.id)
    if not rows:
        raise PanelNotDrawn("该提名尚无评审专家。", "No panel member is assigned to the nomination.")
    missing = [r.reviewer_id for r in rows if r.score is None]
    if missing:
        raise PanelScoresIncomplete(
            f"尚有 {len(missing)} 位评审专家未评分。",
            f"{len(missing)} panel member(s) have not scored yet.",
            extra={"missing": missing},
        )
    cycle = await cycles.locked(session, nomination.cycle_id)  # the quota is counted one vote at a time
    category = cycles.category_of(cycle)
    rule = category.rule(body.grade)  # AW-1: the category's grades only
    outcome = aw1.decide_vote(rule.vote, len(cycle.committee), body.present, body.in_favour)
    scores = [r.score for r in rows if r.score is not None]
    nomination.score = (sum(scores, Decimal(0)) / len(scores)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    nomination.vote = {
        "grade": body.grade,
        "members": len(cycle.committee),
        "present": body.present,
        "in_favour": body.in_favour,
        "passed": outcome.passed,
        "reason": outcome.reason,
        "votes_needed": outcome.votes_needed,
        "present_needed": outcome.present_needed,
        "rule": cycles.vote_json(rule.vote),
        "at": env.now.isoformat(),
    }
    facts: dict[str, Any] = {"grade": body.grade, "passed": outcome.passed}
    if outcome.passed:
        taken = await repo.quota_taken(session, cycle.id)
        aw1.check_quota(category, body.grade, taken.get(body.grade, 0))
        nomination.grade = body.grade
        await NOMINATION_WORKFLOW.apply(session, common, nomination, "propose", who, comment=body.comment)
    else:
        nomination.version += 1
    await flush_versioned(session, "提名书")
    await audit.append(session, common, principal, "committee_vote", nominations.KIND, nomination.id, facts)
    return nomination
