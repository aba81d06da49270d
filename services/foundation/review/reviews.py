"""Use cases of reviews (NSF-4) and of closing a round. Never commits: the request's unit of work does.

* A reviewer (role ``reviewer``) reaches only the assignments stored with their account
  (``reviewer_user_id == Principal.subject``); anyone else's assignment is a 404, and a reviewer never
  sees another reviewer's review. Staff of the plan (officials, the plan's agencies) and auditors
  read every review of the plan's rounds; an agency not on the plan gets a 404.
* The draft is written whole (PUT), with ``If-Match`` once it exists; it is submitted when complete
  (``rules.reviews.missing_to_submit``) and never changes afterwards (409). Only an assignment still
  ``assigned`` in a ``drawn`` round takes a review: a released or replaced slot, or a closed round, is
  a 409.
* Closing a round (NSF-4): an application's valid reviews are the submitted, complete reviews on
  assignments still holding their slot; with at least ``round.min_valid`` of them it moves
  in_review → reviewed (``applications.service.move``: history, ledger, audit); the others stay
  in_review and are listed with their valid count and the slots still open, so the agency knows which
  lack reviews. ``lacking`` lists them at any time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation import access
from services.foundation.applications import repository as applications_repo
from services.foundation.applications import service as applications
from services.foundation.db import common
from services.foundation.deps import Environment
from services.foundation.plans.models import FundingPlan
from services.foundation.review import review_schemas as s
from services.foundation.review import reviews_repository as repo
from services.foundation.review.models import Review, ReviewAssignment, ReviewRound
from services.foundation.rules.reviews import missing_to_submit, unknown_criteria
from services.foundation.rules.workflows import STAFF
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.principal import Principal
from shared.workflow import Workflow, transition

ETAG_KIND = "review"
ROUND_ETAG_KIND = "foundation_review_round"  # as the rounds module shows it
REVIEW_KIND = "foundation_review"
ROUND_KIND = "foundation_review_round"

# The round's close, as a transition (the draw is F2's: draft → drawn).
ROUND_CLOSE = Workflow(
    ROUND_KIND,
    "draft",
    [
        transition("draw", "draft", "drawn", STAFF),
        transition("close", "drawn", "closed", STAFF),
    ],
)


class ReviewAlreadySubmitted(Conflict):
    code = "review_already_submitted"
    title_zh = "评审意见已提交，不能再修改"
    title_en = "The review was submitted and cannot be changed"


class AssignmentNotOpen(Conflict):
    code = "assignment_not_open"
    title_zh = "该评审任务已释放或被替换，不能再评审"
    title_en = "The assignment was released or replaced and takes no review"


class ReviewRoundClosed(Conflict):
    code = "review_round_closed"
    title_zh = "评审轮次已结束"
    title_en = "The review round is closed"


class ReviewRoundNotDrawn(Conflict):
    code = "review_round_not_drawn"
    title_zh = "评审轮次尚未抽取专家"
    title_en = "The review round has not been drawn yet"


def assignment_not_found() -> NotFound:
    return NotFound("评审任务不存在。", "No such review assignment.")


def round_not_found() -> NotFound:
    return NotFound("评审轮次不存在。", "No such review round.")


def is_reader(plan: FundingPlan, caller: Principal) -> bool:
    return access.is_staff(plan, caller) or caller.has_role("auditor")


# --- loading ----------------------------------------------------------------------------------------


async def load_own(
    session: AsyncSession, caller: Principal, assignment_id: int, *, for_update: bool = False
) -> tuple[ReviewAssignment, ReviewRound]:
    """The caller's own assignment (as reviewer) and its round; anyone else's is a 404."""
    assignment = await repo.assignment(session, assignment_id, for_update=for_update)
    if (
        assignment is None
        or caller.kind != "user"
        or not caller.has_role("reviewer")
        or assignment.reviewer_user_id is None
        or assignment.reviewer_user_id != caller.subject
    ):
        raise assignment_not_found()
    rnd = await repo.round_(session, assignment.round_id, for_update=for_update)
    assert rnd is not None  # foreign key
    return assignment, rnd


async def load_readable(session: AsyncSession, caller: Principal, assignment_id: int) -> ReviewAssignment:
    """The reviewer's own assignment, or any assignment of a plan the caller runs or audits."""
    assignment = await repo.assignment(session, assignment_id)
    if assignment is None:
        raise assignment_not_found()
    if caller.has_role("reviewer") and assignment.reviewer_user_id == caller.subject:
        return assignment
    rnd = await repo.round_(session, assignment.round_id)
    plan = await repo.plan(session, rnd.plan_id) if rnd is not None else None
    if plan is None or not is_reader(plan, caller):
        raise assignment_not_found()
    return assignment


async def load_round(
    session: AsyncSession, caller: Principal, round_id: int, *, write: bool, for_update: bool = False
) -> tuple[ReviewRound, FundingPlan]:
    """The round if the caller runs its plan (``write``) or may read it; otherwise a 404."""
    rnd = await repo.round_(session, round_id, for_update=for_update)
    plan = await repo.plan(session, rnd.plan_id) if rnd is not None else None
    if rnd is None or plan is None:
        raise round_not_found()
    if not (access.is_staff(plan, caller) if write else is_reader(plan, caller)):
        raise round_not_found()
    return rnd, plan


# --- reading ----------------------------------------------------------------------------------------


def review_read(review: Review, assignment: ReviewAssignment) -> s.ReviewRead:
    return s.ReviewRead(
        assignment_id=assignment.id,
        round_id=assignment.round_id,
        application_id=assignment.application_id,
        grade=review.grade,
        opinion=review.opinion,
        comments=dict(review.comments),
        status=review.status,
        submitted_at=review.submitted_at,
        version=review.version,
        updated_at=review.updated_at,
    )


async def get_review(session: AsyncSession, caller: Principal, assignment_id: int) -> tuple[Review, ReviewAssignment]:
    assignment = await load_readable(session, caller, assignment_id)
    review = await repo.review_of(session, assignment.id)
    if review is None:
        raise NotFound("尚未填写评审意见。", "No review has been written yet.")
    return review, assignment


# --- writing ----------------------------------------------------------------------------------------


def _writable(assignment: ReviewAssignment, rnd: ReviewRound, review: Review | None) -> None:
    if rnd.status == "closed":
        raise ReviewRoundClosed(
            "评审轮次已结束，评审意见不能再修改。", "The round is closed; reviews cannot change now."
        )
    if rnd.status != "drawn":
        raise ReviewRoundNotDrawn()
    if (review is not None and review.status == "submitted") or assignment.status == "submitted":
        raise ReviewAlreadySubmitted("评审意见已提交，不能再修改。", "The review was submitted; it cannot change.")
    if assignment.status != "assigned":
        raise AssignmentNotOpen(
            f"该评审任务的状态为“{assignment.status}”，不能再评审。",
            f"The assignment is '{assignment.status}'; it takes no review.",
        )


async def put_review(
    session: AsyncSession, caller: Principal, assignment_id: int, body: s.ReviewIn, if_match: str | None
) -> tuple[Review, ReviewAssignment]:
    """Write the whole draft. The first PUT creates it; later ones need its ETag (If-Match, 428/412)."""
    assignment, rnd = await load_own(session, caller, assignment_id, for_update=True)
    review = await repo.review_of(session, assignment.id, for_update=True)
    _writable(assignment, rnd, review)
    unknown = unknown_criteria(body.comments)
    if unknown:
        raise ValidationFailed(
            [
                {
                    "field": f"comments.{code}",
                    "code": "unknown_criterion",
                    "message": "a criterion code of GET /review-criteria",
                }
                for code in unknown
            ]
        )
    if review is not None:
        check_if_match(if_match, ETAG_KIND, assignment.id, review.version)
    else:
        review = Review(assignment_id=assignment.id, status="draft", version=0)
        session.add(review)
    review.grade = body.grade
    review.opinion = body.opinion
    review.comments = {k: v for k, v in body.comments.items() if v}
    review.version += 1
    await flush_versioned(session, "评审意见")
    return review, assignment


async def submit(
    session: AsyncSession, caller: Principal, assignment_id: int, if_match: str | None, now: datetime
) -> tuple[Review, ReviewAssignment]:
    """NSF-4: only a complete review counts, so only a complete one is accepted; then it is final and
    the assignment is ``submitted``."""
    assignment, rnd = await load_own(session, caller, assignment_id, for_update=True)
    review = await repo.review_of(session, assignment.id, for_update=True)
    _writable(assignment, rnd, review)
    missing = (
        missing_to_submit(review.grade, review.opinion, review.comments)
        if review is not None
        else missing_to_submit(None, None, {})
    )
    if missing:
        raise ValidationFailed(
            [{"field": f, "code": "required", "message": "a complete review is needed to submit"} for f in missing],
            "评审意见不完整，不能提交。",
            "The review is incomplete.",
        )
    assert review is not None
    check_if_match(if_match, ETAG_KIND, assignment.id, review.version, required=False)
    review.status = "submitted"
    review.submitted_at = now
    review.version += 1
    assignment.status = "submitted"
    assignment.version += 1
    await flush_versioned(session, "评审意见")
    await audit.append(
        session,
        common,
        caller,
        "submit",
        REVIEW_KIND,
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


# --- closing a round (NSF-4) --------------------------------------------------------------------------


def _is_valid(slot: repo.Slot) -> bool:
    """NSF-4: a submitted, complete review on an assignment still holding its slot."""
    return (
        slot.status in repo.HOLDING
        and slot.review_status == "submitted"
        and slot.grade is not None
        and slot.opinion is not None
    )


def lacking_rows(slots: Sequence[repo.Slot], apps: dict[int, repo.AppSummary], min_valid: int) -> list[s.LackingRead]:
    """Applications in review with fewer than ``min_valid`` valid reviews, with the slots still open."""
    by_app: dict[int, list[repo.Slot]] = defaultdict(list)
    for slot in slots:
        by_app[slot.application_id].append(slot)
    out: list[s.LackingRead] = []
    for app_id in sorted(by_app):
        app = apps.get(app_id)
        valid = sum(_is_valid(x) for x in by_app[app_id])
        if app is None or app.status != "in_review" or valid >= min_valid:
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
            if x.status == "assigned"
        ]
        out.append(
            s.LackingRead(
                application_id=app_id,
                title=app.title,
                status=app.status,
                valid_reviews=valid,
                needed=min_valid,
                open_assignments=open_slots,
            )
        )
    return out


async def lacking(session: AsyncSession, caller: Principal, round_id: int) -> s.LackingList:
    rnd, _ = await load_round(session, caller, round_id, write=False)
    slots = await repo.round_slots(session, rnd.id)
    apps = await repo.application_summaries(session, {x.application_id for x in slots})
    return s.LackingList(
        round_id=rnd.id,
        round_status=rnd.status,
        min_valid=rnd.min_valid,
        items=lacking_rows(slots, apps, rnd.min_valid),
    )


async def close(
    session: AsyncSession, caller: Principal, round_id: int, if_match: str | None, env: Environment
) -> s.RoundCloseRead:
    """NSF-4: move every application of the round with enough valid reviews to ``reviewed``; list the
    rest. A 503 from the projects ledger while moving rolls the whole close back."""
    rnd, plan = await load_round(session, caller, round_id, write=True, for_update=True)
    check_if_match(if_match, ROUND_ETAG_KIND, rnd.id, rnd.version, required=False)
    if rnd.status == "closed":
        raise ReviewRoundClosed("评审轮次已经结束。", "The round is already closed.")
    if rnd.status != "drawn":
        raise ReviewRoundNotDrawn("评审轮次尚未抽取专家，不能结束。", "The round has not been drawn; it cannot close.")
    slots = await repo.round_slots(session, rnd.id)
    apps = await repo.application_summaries(session, {x.application_id for x in slots}, for_update=True)
    valid: dict[int, int] = defaultdict(int)
    for slot in slots:
        valid[slot.application_id] += _is_valid(slot)
    moved: list[int] = []
    for app_id in sorted(apps):
        if apps[app_id].status == "in_review" and valid[app_id] >= rnd.min_valid:
            application = await applications_repo.get(session, app_id, for_update=True)
            assert application is not None
            await applications.move(
                session,
                caller,
                application,
                "complete_review",
                None,
                env,
                plan=plan,
                audit_data={"round_id": rnd.id, "valid_reviews": valid[app_id]},
            )
            moved.append(app_id)
    left = lacking_rows(slots, apps, rnd.min_valid)
    await ROUND_CLOSE.apply(session, common, rnd, "close", access.plan_roles(plan, caller))
    rnd.closed_at = env.now
    await flush_versioned(session, "评审轮次")
    await audit.append(
        session,
        common,
        caller,
        "close",
        ROUND_KIND,
        rnd.id,
        {"reviewed": moved, "lacking": [x.application_id for x in left], "min_valid": rnd.min_valid},
    )
    return s.RoundCloseRead(
        round_id=rnd.id,
        status=rnd.status,
        closed_at=rnd.closed_at,
        version=rnd.version,
        min_valid=rnd.min_valid,
        reviewed=moved,
        lacking=left,
    )
