"""Use cases of review rounds, the same in every service: create, the reproducible draw from the
reviewer pool (NSF-2, NSF-3), verify, a declined or late slot drawn again, the reviewer's assignments
and reviews (NSF-4), the lacking list, close and the ranking. Never commits: the request's unit of
work does.

The service's ``RoundScope`` says whose rounds they are: who sees and runs one (another scope's round
is a 404), which applications a round draws and how they move. The pool is read before anything is
written, so a 503 there leaves nothing behind; the load reports to the pool come after the database
work, and a failure there is a 503 that rolls the whole request back.

Locks: a writer of a round's assignments locks the round first (``for_update``), then the rows.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared import audit
from shared.concurrency import check_if_match
from shared.db import CommonTables, flush_versioned
from shared.db.models import new
from shared.errors import Forbidden, NotFound, ValidationFailed, field_error
from shared.principal import Principal
from shared.review import aggregate as agg
from shared.review.draw import DrawResult, application_snapshot, draw, replace_slot, reviewer_snapshot, verify
from shared.review.form import ReviewForm
from shared.review.model import Application as DrawApplication
from shared.review.model import Reviewer as DrawReviewer
from shared.review.model import RoundSettings
from shared.review.stored import application_from_snapshot, record_from_rows, reviewer_from_snapshot, stored_result
from shared.review_rounds import schemas as s
from shared.review_rounds.errors import (
    AssignmentNotOpen,
    AssignmentReleased,
    NoApplicationsToDraw,
    ReviewAlreadySubmitted,
    ReviewNotOverdue,
    RoundClosed,
    RoundNotClosed,
    RoundNotDrawn,
)
from shared.review_rounds.models import (
    ASSIGNED,
    CLOSED,
    DECLINED,
    DRAFT,
    DRAWN,
    HOLDING,
    LATE,
    SUBMITTED,
    AssignmentColumns,
    ReviewColumns,
    ReviewTables,
    RoundColumns,
)
from shared.review_rounds.repository import RoundRepository, Slot, assignment_sorts, holding, round_sorts
from shared.review_rounds.scope import ApplicationFacts, RoundScope
from shared.workflow import Workflow, transition

ROUND = "review_round"
ASSIGNMENT = "review_assignment"
REVIEW = "review"
TIE_BREAK = (
    "score (desc)",
    "priority opinions (desc)",
    "valid reviews (desc)",
    "application submitted_at (asc)",
    "application id (asc)",
)


def round_not_found() -> NotFound:
    return NotFound("评审轮次不存在。", "No such review round.")


def assignment_not_found() -> NotFound:
    return NotFound("评审任务不存在。", "No such review assignment.")


def rank_key(application_id: int) -> str:
    """Ids as ``shared.review.aggregate.rank`` compares them (strings): zero-padded so 9 comes before 10."""
    return f"{application_id:020d}"


def form_of(rnd: RoundColumns) -> ReviewForm:
    return ReviewForm.from_json(rnd.criteria, graded=rnd.graded)


@dataclass(frozen=True)
class DrawOutcome:
    round: RoundColumns
    applications: int
    objective: dict[str, Any]
    subject_groups: int


@dataclass(frozen=True)
class Results:
    rows: list[s.AggregateRead]
    groups: list[s.RankingGroup]
    valid: dict[int, int]  # application id -> valid reviews
    slots: list[Slot]
    facts: dict[int, ApplicationFacts]


class ReviewRounds:
    """One service's review rounds: its tables, its scope, its read model of a round."""

    def __init__(
        self, tables: ReviewTables, scope: RoundScope, common: CommonTables, round_read: type[s.RoundReadBase]
    ) -> None:
        self.t = tables
        self.scope = scope
        self.common = common
        self.round_read = round_read
        # the orders the lists take, as the router documents them
        self.round_sorts = round_sorts(tables)
        self.assignment_sorts = assignment_sorts(tables)
        runners = scope.runners
        self.workflow = Workflow(
            ROUND, DRAFT, [transition("draw", DRAFT, DRAWN, runners), transition("close", DRAWN, CLOSED, runners)]
        )

    def repo(self, session: AsyncSession) -> RoundRepository:
        return RoundRepository(session, self.t)

    # --- rounds: loading and reading --------------------------------------------------------------------

    def require_reader(self, caller: Principal) -> None:
        if not caller.has_role(*self.scope.readers):
            raise Forbidden(
                "只有管理人员和审计人员可以查看评审轮次。", "Only the staff and auditors read review rounds."
            )

    async def load(
        self, session: AsyncSession, caller: Principal, round_id: int, *, for_update: bool = False
    ) -> RoundColumns:
        """The round if the caller may see it; otherwise a 404."""
        self.require_reader(caller)
        rnd = await self.repo(session).round(round_id, where=self.scope.visible(caller), for_update=for_update)
        if rnd is None:
            raise round_not_found()
        return rnd

    def settings_read(self, rnd: RoundColumns) -> s.RoundSettingsRead:
        form = form_of(rnd)
        return s.RoundSettingsRead(
            reviewers_per_application=rnd.reviewers_per_application,
            reviewers_per_category=dict(rnd.reviewers_per_category or {}),
            load_cap=rnd.load_cap,
            exclude_same_institution=rnd.exclude_same_institution,
            criteria=[s.CriterionRead.model_validate(c) for c in form.criteria],
            graded=rnd.graded,
            trim_from=rnd.trim_from,
            min_valid=rnd.min_valid,
        )

    def to_read(self, rnd: RoundColumns, who: Principal | None = None) -> s.RoundReadBase:
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
        common = {
            "id": rnd.id,
            "title": rnd.title,
            "settings": self.settings_read(rnd),
            "review_due_at": rnd.review_due_at,
            "status": rnd.status,
            "draw": info,
            "shortfalls": [s.ShortfallRead.model_validate(x) for x in rnd.shortfalls or []],
            "closed_at": rnd.closed_at,
            "version": rnd.version,
            "created_at": rnd.created_at,
            "allowed_actions": self.workflow.actions_from(rnd.status, who) if who is not None else [],
        }
        own = {n: getattr(rnd, n) for n in self.round_read.model_fields if n not in common}
        return self.round_read.model_validate({**own, **common})

    async def read(self, session: AsyncSession, caller: Principal, rnd: RoundColumns) -> s.RoundReadBase:
        return self.to_read(rnd, await self.scope.acting(session, caller, rnd))

    async def page(
        self,
        session: AsyncSession,
        caller: Principal,
        filters: dict[str, Any],
        *,
        status: str | None,
        limit: int,
        cursor: str | None,
        sort: str | None,
    ) -> tuple[list[RoundColumns], str | None]:
        """The rounds the caller sees, filtered by the scope's columns."""
        self.require_reader(caller)
        return await self.repo(session).page_rounds(
            self.scope.visible(caller), filters, status=status, limit=limit, cursor=cursor, sort=sort
        )

    async def page_assignments(
        self,
        session: AsyncSession,
        caller: Principal,
        round_id: int,
        *,
        application_id: int | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[AssignmentColumns], str | None]:
        rnd = await self.load(session, caller, round_id)
        return await self.repo(session).page_round_assignments(
            rnd.id, application_id=application_id, limit=limit, cursor=cursor
        )

    async def page_exclusions(
        self,
        session: AsyncSession,
        caller: Principal,
        round_id: int,
        *,
        application_id: int | None,
        reviewer_id: int | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Any], str | None]:
        rnd = await self.load(session, caller, round_id)
        return await self.repo(session).page_exclusions(
            rnd.id, application_id=application_id, reviewer_id=reviewer_id, limit=limit, cursor=cursor
        )

    # --- creating ---------------------------------------------------------------------------------------

    async def create(self, session: AsyncSession, caller: Principal, body: s.RoundCreateBase, env: Any) -> RoundColumns:
        if not caller.has_role(*self.scope.creators):
            raise Forbidden("只有管理人员可以设立评审轮次。", "Only the staff set up review rounds.")
        d = self.scope.defaults
        values: dict[str, Any] = {
            "reviewers_per_application": d.reviewers_per_application,
            "reviewers_per_category": dict(d.reviewers_per_category),
            "load_cap": body.load_cap or d.load_cap,
            "exclude_same_institution": (
                d.exclude_same_institution if body.exclude_same_institution is None else body.exclude_same_institution
            ),
            "criteria": d.form.as_json(),
            "graded": d.form.graded,
            "trim_from": d.trim_from,
            "min_valid": body.min_valid or d.min_valid,
        }
        values.update(await self.scope.prepare(session, caller, body, env))
        fewest = min([values["reviewers_per_application"], *values["reviewers_per_category"].values()])
        if values["min_valid"] > fewest:
            raise ValidationFailed(
                [
                    field_error(
                        "min_valid",
                        "above_reviewers_per_application",
                        f"不能超过每项申请的评审专家人数 {fewest}",
                        f"at most the {fewest} reviewers per application",
                    )
                ]
            )
        ReviewForm.from_json(values["criteria"], graded=values["graded"])  # refuses a form it cannot aggregate
        rnd = new(
            self.t.round,
            title=body.title,
            review_due_at=body.review_due_at,
            status=self.workflow.initial,
            version=1,
            created_by=caller.actor_id,
            shortfalls=[],
            **values,
        )
        await self.repo(session).add([rnd])
        await self.workflow.record_creation(session, self.common, rnd, caller)
        await audit.append(session, self.common, caller, "create", ROUND, rnd.id, {"title": rnd.title})
        return rnd

    # --- the draw (NSF-2, NSF-3) ------------------------------------------------------------------------

    def draw_settings(self, rnd: RoundColumns) -> RoundSettings:
        """The draw's settings; the cost figures keep ``shared.review``'s documented defaults."""
        return RoundSettings(
            reviewers_per_application=rnd.reviewers_per_application,
            reviewers_per_category=dict(rnd.reviewers_per_category or {}),
            load_cap=rnd.load_cap,
            exclude_same_institution=rnd.exclude_same_institution,
        )

    async def report_loads(self, session: AsyncSession, env: Any, reviewer_ids: Iterable[int]) -> None:
        """Tell the pool each reviewer's open assignments in this service (all its rounds: the pool
        keeps one figure per reporting service). Any failure is a 503."""
        counts = await self.repo(session).open_counts(reviewer_ids)
        if counts:
            await self.scope.pool(session, env).report_loads(dict(counts))

    async def draw(
        self,
        session: AsyncSession,
        caller: Principal,
        round_id: int,
        body: s.DrawIn,
        if_match: str | None,
        env: Any,
        now: datetime,
    ) -> DrawOutcome:
        """NSF-2: draw reviewers for every application of the round from the pool, and send them to
        review."""
        repo = self.repo(session)
        rnd = await self.load(session, caller, round_id, for_update=True)
        check_if_match(if_match, ROUND, rnd.id, rnd.version, required=False)
        who = await self.scope.acting(session, caller, rnd)
        self.workflow.decide(rnd.status, "draw", who)  # 409 / 403 before any work
        found = list(await self.scope.drawable(session, rnd, env))
        if not found:
            raise NoApplicationsToDraw("没有通过形式审查、待送评审的申请。", "No application is accepted for review.")
        prefixes, draw_apps = await self.scope.draw_inputs(session, rnd, found, env)
        # The pool, before anything is written: a 503 here leaves the round as it was.
        candidates = await self.scope.pool(session, env).candidates(prefixes)
        pool = [c.to_review() for c in candidates]
        accounts = {str(c.id): c.user_id for c in candidates}
        seed = body.seed if body.seed is not None else secrets.randbits(63)
        # The min-cost flow is CPU work: off the event loop.
        result = await asyncio.to_thread(draw, pool, draw_apps, self.draw_settings(rnd), seed)

        await repo.add(
            [
                new(
                    self.t.inputs,
                    round_id=rnd.id,
                    pool=sorted((reviewer_snapshot(r) for r in pool), key=lambda d: d["id"]),
                    applications=[application_snapshot(a) for a in draw_apps],
                    accounts=accounts,
                )
            ]
        )
        await repo.insert_many(
            self.t.assignment,
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
        await repo.insert_many(self.t.exclusion, self._exclusion_rows(rnd, result.exclusions))
        rnd.seed, rnd.seed_generated = seed, body.seed is None
        rnd.draw_record = result.record.as_dict()
        rnd.shortfalls = _shortfalls(result)
        rnd.drawn_at = now
        await self.workflow.apply(session, self.common, rnd, "draw", who)
        await flush_versioned(session, "评审轮次")
        moved = await self.scope.sent_to_review(session, caller, rnd, found, env)
        await self.report_loads(session, env, {int(r) for chosen in result.assignments.values() for r in chosen})
        await audit.append(
            session,
            self.common,
            caller,
            "draw",
            ROUND,
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
            subject_groups=len(set(result.groups.values())),
        )

    @staticmethod
    def _exclusion_rows(
        rnd: RoundColumns,
        exclusions: Mapping[str, Mapping[str, Sequence[str]]],
        known: set[tuple[int, int]] | None = None,
    ) -> list[dict[str, Any]]:
        rows = []
        for app_id, by_reviewer in sorted(exclusions.items()):
            for reviewer_id, rules in sorted(by_reviewer.items()):
                pair = (int(app_id), int(reviewer_id))
                if known is None or pair not in known:
                    rows.append(
                        {
                            "round_id": rnd.id,
                            "application_id": pair[0],
                            "reviewer_id": pair[1],
                            "rules": [str(r) for r in rules],
                        }
                    )
        return rows

    async def assignment_groups(self, session: AsyncSession, rnd: RoundColumns) -> list[s.ApplicationAssignmentsRead]:
        return group_slots(await self.repo(session).assignments(rnd.id))

    # --- verify -----------------------------------------------------------------------------------------

    async def stored_inputs(
        self, session: AsyncSession, rnd: RoundColumns
    ) -> tuple[list[DrawReviewer], list[DrawApplication], dict[str, str | None]]:
        inputs = await self.repo(session).inputs(rnd.id)
        if inputs is None or rnd.draw_record is None:
            raise RoundNotDrawn("评审轮次尚未抽取专家。", "The round has not been drawn yet.")
        return (
            [reviewer_from_snapshot(d) for d in inputs.pool],
            [application_from_snapshot(d) for d in inputs.applications],
            dict(inputs.accounts or {}),
        )

    async def verify(self, session: AsyncSession, caller: Principal, round_id: int) -> s.VerifyRead:
        """Re-run the draw (and every replacement since) from the frozen inputs and compare it with the
        assignment rows as they are now: a row changed behind the service's back is named."""
        rnd = await self.load(session, caller, round_id)
        pool, draw_apps, _ = await self.stored_inputs(session, rnd)
        assert rnd.draw_record is not None
        rows = await self.repo(session).assignments(rnd.id)
        record = record_from_rows(
            rnd.draw_record,
            [a.id for a in draw_apps],
            ((r.application_id, r.slot, r.reviewer_id) for r in rows if r.status in HOLDING),
        )
        report = await asyncio.to_thread(verify, record, pool, draw_apps)
        await audit.append(session, self.common, caller, "verify", ROUND, rnd.id, {"ok": report.ok})
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

    # --- a released slot drawn again (decline, late) ----------------------------------------------------

    async def release(
        self,
        session: AsyncSession,
        caller: Principal,
        rnd: RoundColumns,
        assignment: AssignmentColumns,
        *,
        status: str,
        reason: str | None,
        now: datetime,
        env: Any,
    ) -> AssignmentColumns | None:
        """NSF-2: the slot ``assignment`` holds alone is drawn again from the round's frozen pool (never
        the same reviewer nor one who released it before); every other slot stays. The row becomes
        ``status`` (declined or late); the replacement, if anyone fits, is a new row that
        ``replaces_id`` it, else the application is reported as a shortfall. The caller holds the
        round's lock and the row's."""
        if rnd.status != DRAWN:
            raise RoundClosed(
                "评审轮次已结束，不能再调整专家。", "The round is closed; its reviewers no longer change."
            )
        repo = self.repo(session)
        pool, draw_apps, accounts = await self.stored_inputs(session, rnd)
        assert rnd.draw_record is not None
        stored = await repo.exclusions(rnd.id, assignment.application_id)
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
        await repo.delete_review(assignment.id)  # a draft goes with the slot
        assignment.status = status
        assignment.release_reason = reason
        assignment.released_at = now
        assignment.version += 1
        replacement = None
        if new_id is not None:
            replacement = new(
                self.t.assignment,
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
        app_key = str(assignment.application_id)
        new_exclusions = self._exclusion_rows(rnd, {app_key: result.exclusions.get(app_key, {})}, known)
        rnd.draw_record = result.record.as_dict()
        kept = [x for x in rnd.shortfalls or [] if x["application_id"] != assignment.application_id]
        rnd.shortfalls = kept + [x for x in _shortfalls(result) if x["application_id"] == assignment.application_id]
        rnd.version += 1
        await flush_versioned(session, "评审任务")
        await repo.add([*([replacement] if replacement else []), *(new(self.t.exclusion, **e) for e in new_exclusions)])
        await self.report_loads(session, env, [assignment.reviewer_id, *([int(new_id)] if new_id else [])])
        await audit.append(
            session,
            self.common,
            caller,
            status,
            ASSIGNMENT,
            assignment.id,
            {
                "round_id": rnd.id,
                "application_id": assignment.application_id,
                "replacement_id": replacement.id if replacement else None,
            },
        )
        return replacement

    # --- the reviewer's side ----------------------------------------------------------------------------

    @staticmethod
    def require_reviewer(caller: Principal) -> None:
        if caller.kind != "user" or not caller.has_role("reviewer"):
            raise Forbidden("只有评审专家本人可以使用此接口。", "Only a reviewer may use this.")

    async def load_own(
        self, session: AsyncSession, caller: Principal, assignment_id: int, *, for_update: bool = False
    ) -> tuple[AssignmentColumns, RoundColumns]:
        """The caller's own assignment (as reviewer) and its round, both locked with ``for_update``
        (the round first); anyone else's is a 404."""
        self.require_reviewer(caller)
        repo = self.repo(session)
        assignment = await repo.own_assignment(caller.subject, assignment_id)
        if assignment is None:
            raise assignment_not_found()
        rnd = await repo.round(assignment.round_id, for_update=for_update)
        assert rnd is not None  # foreign key
        if for_update:
            locked = await repo.assignment(assignment.id, for_update=True)
            assert locked is not None
            assignment = locked
        return assignment, rnd

    def assignment_read(
        self, assignment: AssignmentColumns, rnd: RoundColumns, facts: ApplicationFacts
    ) -> s.AssignmentRead:
        form = form_of(rnd)
        return s.AssignmentRead(
            id=assignment.id,
            round_id=rnd.id,
            round_title=rnd.title,
            round_status=rnd.status,
            application_id=assignment.application_id,
            application_title=facts.title,
            status=assignment.status,
            criteria=[s.CriterionRead.model_validate(c) for c in form.criteria],
            graded=rnd.graded,
            review_due_at=rnd.review_due_at,
            released_at=assignment.released_at,
            created_at=assignment.created_at,
            version=assignment.version,
        )

    async def read_assignments(
        self, session: AsyncSession, rows: Sequence[AssignmentColumns]
    ) -> list[s.AssignmentRead]:
        rounds = await self.repo(session).rounds_by_id(r.round_id for r in rows)
        facts = await self.scope.facts(session, sorted({r.application_id for r in rows}))
        return [self.assignment_read(r, rounds[r.round_id], facts[r.application_id]) for r in rows]

    async def list_own(
        self,
        session: AsyncSession,
        caller: Principal,
        *,
        round_id: int | None,
        status: str | None,
        limit: int,
        cursor: str | None,
        sort: str | None,
    ) -> tuple[list[s.AssignmentRead], str | None]:
        self.require_reviewer(caller)
        rows, next_cursor = await self.repo(session).page_own(
            caller.subject, round_id=round_id, status=status, limit=limit, cursor=cursor, sort=sort
        )
        return await self.read_assignments(session, rows), next_cursor

    async def get_own(self, session: AsyncSession, caller: Principal, assignment_id: int) -> s.AssignmentRead:
        assignment, _ = await self.load_own(session, caller, assignment_id)
        return (await self.read_assignments(session, [assignment]))[0]

    async def application_view(self, session: AsyncSession, caller: Principal, assignment_id: int) -> Any:
        """The application as its reviewer reads it, while they hold the slot."""
        assignment, _ = await self.load_own(session, caller, assignment_id)
        if assignment.status not in HOLDING:
            raise AssignmentReleased("您已不再评审该申请。", "You no longer review this application.")
        return await self.scope.review_view(session, assignment.application_id)

    async def decline(
        self,
        session: AsyncSession,
        caller: Principal,
        assignment_id: int,
        reason: str,
        if_match: str | None,
        env: Any,
        now: datetime,
    ) -> s.ReleaseRead:
        """The reviewer declines (谢绝评审): that slot alone is drawn again (NSF-2)."""
        assignment, rnd = await self.load_own(session, caller, assignment_id, for_update=True)
        check_if_match(if_match, ASSIGNMENT, assignment.id, assignment.version, required=False)
        if assignment.status != ASSIGNED:
            raise AssignmentNotOpen(
                "只有尚未提交评审意见的任务可以谢绝。",
                "Only an assignment whose review is not submitted can be declined.",
            )
        replacement = await self.release(
            session, caller, rnd, assignment, status=DECLINED, reason=reason, now=now, env=env
        )
        return release_read(assignment, replacement)

    async def release_late(
        self,
        session: AsyncSession,
        caller: Principal,
        assignment_id: int,
        reason: str | None,
        if_match: str | None,
        env: Any,
        now: datetime,
    ) -> s.ReleaseRead:
        """The staff release a reviewer who has not submitted by ``review_due_at``: the same replacement."""
        repo = self.repo(session)
        found = await repo.assignment(assignment_id)
        if found is None:
            raise assignment_not_found()
        try:
            rnd = await self.load(session, caller, found.round_id, for_update=True)
        except NotFound:
            raise assignment_not_found() from None
        if not (await self.scope.acting(session, caller, rnd)).has_role(*self.scope.runners):
            raise Forbidden("只有管理人员可以收回逾期的评审任务。", "Only the staff release late reviewers.")
        assignment = await repo.assignment(assignment_id, for_update=True)
        assert assignment is not None
        check_if_match(if_match, ASSIGNMENT, assignment.id, assignment.version, required=False)
        review = await repo.review_of(assignment.id)
        if assignment.status != ASSIGNED or (review is not None and review.status == SUBMITTED):
            raise AssignmentNotOpen(
                "该专家已提交评审意见或已不再持有该任务。",
                "The reviewer has submitted, or no longer holds the assignment.",
            )
        if rnd.review_due_at is None or now <= rnd.review_due_at:
            raise ReviewNotOverdue(
                "评审截止时间未到（或未设定），不能按逾期收回。",
                "The review is not past the round's due time (or none was set).",
                extra={"review_due_at": rnd.review_due_at.isoformat() if rnd.review_due_at else None},
            )
        replacement = await self.release(
            session,
            caller,
            rnd,
            assignment,
            status=LATE,
            reason=reason or "逾期未提交评审意见 / not submitted by the due time",
            now=now,
            env=env,
        )
        return release_read(assignment, replacement)

    # --- reviews (NSF-4) --------------------------------------------------------------------------------

    async def readable_assignment(
        self, session: AsyncSession, caller: Principal, assignment_id: int
    ) -> AssignmentColumns:
        """The reviewer's own assignment, or any assignment of a round the caller may read."""
        repo = self.repo(session)
        assignment = await repo.assignment(assignment_id)
        if assignment is None:
            raise assignment_not_found()
        if caller.kind == "user" and caller.has_role("reviewer") and assignment.reviewer_user_id == caller.subject:
            return assignment
        if caller.has_role(*self.scope.readers):
            rnd = await repo.round(assignment.round_id, where=self.scope.visible(caller))
            if rnd is not None:
                return assignment
        raise assignment_not_found()

    async def get_review(
        self, session: AsyncSession, caller: Principal, assignment_id: int
    ) -> tuple[ReviewColumns, AssignmentColumns]:
        assignment = await self.readable_assignment(session, caller, assignment_id)
        review = await self.repo(session).review_of(assignment.id)
        if review is None:
            raise NotFound("尚未填写评审意见。", "No review has been written yet.")
        return review, assignment

    @staticmethod
    def _writable(assignment: AssignmentColumns, rnd: RoundColumns, review: ReviewColumns | None) -> None:
        if rnd.status == CLOSED:
            raise RoundClosed("评审轮次已结束，评审意见不能再修改。", "The round is closed; reviews cannot change now.")
        if rnd.status != DRAWN:
            raise RoundNotDrawn()
        if (review is not None and review.status == SUBMITTED) or assignment.status == SUBMITTED:
            raise ReviewAlreadySubmitted("评审意见已提交，不能再修改。", "The review was submitted; it cannot change.")
        if assignment.status != ASSIGNED:
            raise AssignmentNotOpen(
                f"该评审任务的状态为“{assignment.status}”，不能再评审。",
                f"The assignment is '{assignment.status}'; it takes no review.",
            )

    async def put_review(
        self, session: AsyncSession, caller: Principal, assignment_id: int, body: s.ReviewIn, if_match: str | None
    ) -> tuple[ReviewColumns, AssignmentColumns]:
        """Write the whole draft. The first PUT creates it; later ones need its ETag (If-Match, 428/412)."""
        assignment, rnd = await self.load_own(session, caller, assignment_id, for_update=True)
        repo = self.repo(session)
        review = await repo.review_of(assignment.id, for_update=True)
        self._writable(assignment, rnd, review)
        errors = form_of(rnd).content_problems(body.scores, body.comments, body.grade, body.opinion)
        if errors:
            raise ValidationFailed(errors)
        if review is not None:
            check_if_match(if_match, REVIEW, assignment.id, review.version)
        else:
            review = new(self.t.review, assignment_id=assignment.id, status="draft", version=0)
            session.add(review)
        review.scores = {k: str(v) for k, v in body.scores.items()}
        review.grade = body.grade
        review.opinion = body.opinion
        review.comments = {k: v for k, v in body.comments.items() if v}
        review.version += 1
        await flush_versioned(session, "评审意见")
        return review, assignment

    async def submit_review(
        self, session: AsyncSession, caller: Principal, assignment_id: int, if_match: str | None, now: datetime
    ) -> tuple[ReviewColumns, AssignmentColumns]:
        """NSF-4: only a complete review counts, so only a complete one is accepted; then it is final
        and the assignment is ``submitted``."""
        assignment, rnd = await self.load_own(session, caller, assignment_id, for_update=True)
        review = await self.repo(session).review_of(assignment.id, for_update=True)
        self._writable(assignment, rnd, review)
        form = form_of(rnd)
        missing = (
            form.missing_to_submit(review.scores, review.comments, review.grade, review.opinion)
            if review is not None
            else form.missing_to_submit({}, {}, None, None)
        )
        if missing:
            raise ValidationFailed(
                [
                    field_error(f, "required", "提交前须完成评审意见", "a complete review is needed to submit")
                    for f in missing
                ],
                "评审意见不完整，不能提交。",
                "The review is incomplete.",
            )
        assert review is not None
        check_if_match(if_match, REVIEW, assignment.id, review.version, required=False)
        review.status = SUBMITTED
        review.submitted_at = now
        review.version += 1
        assignment.status = SUBMITTED
        assignment.version += 1
        await flush_versioned(session, "评审意见")
        await audit.append(
            session,
            self.common,
            caller,
            "submit",
            REVIEW,
            review.id,
            {
                "assignment_id": assignment.id,
                "round_id": assignment.round_id,
                "application_id": assignment.application_id,
                "grade": review.grade,
                "opinion": review.opinion,
            },
        )
        return review, assignment

    # --- results, the lacking list, close and the ranking (NSF-4) ---------------------------------------

    async def results(self, session: AsyncSession, rnd: RoundColumns, *, for_update: bool = False) -> Results:
        """The aggregate of every application of the round over its valid reviews (submitted, complete,
        on a slot still held), ranked per the scope's group (``shared.review.aggregate.rank``)."""
        repo = self.repo(session)
        settings = form_of(rnd).aggregation(min_valid=rnd.min_valid, trim_from=rnd.trim_from)
        slots = await repo.slots(rnd.id)
        inputs = await repo.inputs(rnd.id)
        ids = {x.application_id for x in slots} | {int(a["id"]) for a in (inputs.applications if inputs else ())}
        facts = await self.scope.facts(session, sorted(ids), for_update=for_update)
        by_app: dict[int, list[agg.Review]] = {i: [] for i in ids}
        for x in slots:
            if holding(x) and x.review_status is not None:
                by_app[x.application_id].append(_review_of(x))
        entries = [
            agg.RankInput(
                application_id=rank_key(i),
                group=facts[i].group,
                submitted_at=facts[i].submitted_at,
                reviews=by_app[i],
            )
            for i in sorted(ids)
        ]
        rows: list[s.AggregateRead] = []
        groups: list[s.RankingGroup] = []
        valid: dict[int, int] = {}
        for items in agg.rank(entries, settings).values():
            out = []
            for item in items:
                app = facts[int(item.application_id)]
                values = [agg.review_value(r, settings) for r in by_app[app.id] if agg.is_complete(r, settings)]
                mean = sum(values, Fraction(0)) / len(values) if values else None
                valid[app.id] = item.aggregate.valid_reviews
                row = s.AggregateRead(
                    application_id=app.id,
                    title=app.title,
                    valid_reviews=item.aggregate.valid_reviews,
                    ignored_reviews=item.aggregate.ignored_reviews,
                    mean=agg.show(mean),
                    score=item.aggregate.score,
                    trimmed=item.aggregate.trimmed,
                    priority_count=item.aggregate.priority_count,
                    status=item.aggregate.status,
                    submitted_at=app.submitted_at,
                    rank=item.rank,
                    tied_on_score=item.tied_on_score,
                )
                out.append(row)
                rows.append(row)
            groups.append(s.RankingGroup(group=dict(facts[int(items[0].application_id)].group_read), entries=out))
        return Results(rows=rows, groups=groups, valid=valid, slots=slots, facts=facts)

    def lacking_rows(
        self, rnd: RoundColumns, slots: Sequence[Slot], facts: Mapping[int, ApplicationFacts], valid: Mapping[int, int]
    ) -> list[s.LackingRead]:
        """Applications in review with fewer than ``min_valid`` valid reviews, with the slots still open."""
        by_app: dict[int, list[Slot]] = defaultdict(list)
        for x in slots:
            by_app[x.application_id].append(x)
        out: list[s.LackingRead] = []
        for app_id in sorted(by_app):
            app = facts.get(app_id)
            count = valid.get(app_id, 0)
            if app is None or app.status != self.scope.in_review_state or count >= rnd.min_valid:
                continue
            open_slots = [
                s.OpenAssignmentRead(
                    assignment_id=x.assignment_id,
                    reviewer_id=x.reviewer_id,
                    slot=x.slot,
                    status=x.status,
                    review_status="draft" if x.review_status == "draft" else "none",
                )
                for x in by_app[app_id]
                if x.status == ASSIGNED
            ]
            out.append(
                s.LackingRead(
                    application_id=app_id,
                    title=app.title,
                    status=app.status,
                    valid_reviews=count,
                    needed=rnd.min_valid,
                    open_assignments=open_slots,
                )
            )
        return out

    async def lacking(self, session: AsyncSession, caller: Principal, round_id: int) -> s.LackingList:
        rnd = await self.load(session, caller, round_id)
        outcome = await self.results(session, rnd)
        return s.LackingList(
            round_id=rnd.id,
            round_status=rnd.status,
            min_valid=rnd.min_valid,
            items=self.lacking_rows(rnd, outcome.slots, outcome.facts, outcome.valid),
        )

    async def close(
        self, session: AsyncSession, caller: Principal, round_id: int, if_match: str | None, env: Any, now: datetime
    ) -> tuple[RoundColumns, Results, list[int], list[s.LackingRead]]:
        """NSF-4: move every application of the round with enough valid reviews on (the scope's
        ``reviewed``); list the rest with the slots still open. A 503 from a dependency while moving
        rolls the whole close back."""
        rnd = await self.load(session, caller, round_id, for_update=True)
        check_if_match(if_match, ROUND, rnd.id, rnd.version, required=False)
        who = await self.scope.acting(session, caller, rnd)
        if rnd.status == CLOSED:
            raise RoundClosed("评审轮次已经结束。", "The round is already closed.")
        if rnd.status != DRAWN:
            raise RoundNotDrawn("评审轮次尚未抽取专家，不能结束。", "The round has not been drawn; it cannot close.")
        self.workflow.decide(rnd.status, "close", who)
        outcome = await self.results(session, rnd, for_update=True)
        facts = outcome.facts
        ready = [
            r.application_id
            for r in outcome.rows
            if r.status == agg.STATUS_RANKED and facts[r.application_id].status == self.scope.in_review_state
        ]
        moved = await self.scope.reviewed(session, caller, rnd, ready, env)
        left = self.lacking_rows(rnd, outcome.slots, facts, outcome.valid)
        await self.workflow.apply(session, self.common, rnd, "close", who)
        rnd.closed_at = now
        await flush_versioned(session, "评审轮次")
        await self.report_loads(session, env, {x.reviewer_id for x in outcome.slots})
        await audit.append(
            session,
            self.common,
            caller,
            "close",
            ROUND,
            rnd.id,
            {"reviewed": moved, "lacking": [x.application_id for x in left], "min_valid": rnd.min_valid},
        )
        return rnd, outcome, moved, left

    async def ranking(self, session: AsyncSession, caller: Principal, round_id: int) -> s.RankingRead:
        rnd = await self.load(session, caller, round_id)
        if rnd.status != CLOSED:
            raise RoundNotClosed("评审结束后才能查看排序。", "The ranking is shown once the round is closed.")
        outcome = await self.results(session, rnd)
        return s.RankingRead(round_id=rnd.id, status=rnd.status, tie_break=list(TIE_BREAK), groups=outcome.groups)


# --- small pure helpers -----------------------------------------------------------------------------------


def _shortfalls(result: DrawResult) -> list[dict[str, Any]]:
    return [
        {"application_id": int(x.application_id), "needed": x.needed, "assigned": x.assigned, "reason": x.reason}
        for x in result.shortfalls
    ]


def _ids(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [int(v) if isinstance(v, str) and v.isdigit() else v for v in value]
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


GRADES = {g.value: g for g in agg.Grade}
OPINIONS = {o.value: o for o in agg.Opinion}


def stored_review(
    reviewer_id: int, grade: str | None, opinion: str | None, scores: Mapping[str, str] | None, submitted: bool
) -> agg.Review:
    """A stored review as ``shared.review.aggregate`` reads it (an unknown code counts as missing)."""
    return agg.Review(
        reviewer_id=str(reviewer_id),
        grade=GRADES.get(grade or ""),
        opinion=OPINIONS.get(opinion or ""),
        criteria={k: Decimal(v) for k, v in (scores or {}).items()},
        submitted=submitted,
    )


def _review_of(slot: Slot) -> agg.Review:
    return stored_review(slot.reviewer_id, slot.grade, slot.opinion, slot.scores, slot.review_status == SUBMITTED)


def group_slots(rows: Sequence[AssignmentColumns]) -> list[s.ApplicationAssignmentsRead]:
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


def release_read(assignment: AssignmentColumns, replacement: AssignmentColumns | None) -> s.ReleaseRead:
    return s.ReleaseRead(
        id=assignment.id,
        status=assignment.status,
        release_reason=assignment.release_reason,
        released_at=assignment.released_at,
        replaced=replacement is not None,
    )
