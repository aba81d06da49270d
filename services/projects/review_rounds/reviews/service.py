"""The reviewer's side of a round: their assignments (and only theirs), declining a slot, the review
draft (If-Match) and its submission (NSF-4; a submitted review never changes). Never commits.

A reviewer principal finds its pool entry through the gateway user id stored on the reviewer row;
an assignment of anyone else, or one the reviewer no longer holds, is a 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.applications.models import Application
from services.projects.db import common
from services.projects.review_rounds import repository as repo
from services.projects.review_rounds import schemas as s
from services.projects.review_rounds import service as rounds
from services.projects.review_rounds.models import Review, ReviewAssignment, ReviewRound
from services.projects.reviewers import service as reviewers
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned, utcnow
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shared.principal import Principal

ETAG_KIND = "review"


class ReviewRoundClosed(Conflict):
    code = "review_round_closed"
    title_zh = "评审轮次已结束"
    title_en = "The review round is closed"


class ReviewAlreadySubmitted(Conflict):
    code = "review_already_submitted"
    title_zh = "评审意见已提交，不能再修改"
    title_en = "The review was submitted and cannot be changed"


class AssignmentNotOpen(Conflict):
    code = "assignment_not_open"
    title_zh = "该评审任务已不能谢绝"
    title_en = "The assignment can no longer be declined"


def _not_found() -> NotFound:
    return NotFound("评审任务不存在。", "No such assignment.")


def require_reviewer(caller: Principal) -> None:
    if caller.kind != "user" or not caller.has_role("reviewer"):
        raise Forbidden("只有评审专家本人可以使用此接口。", "Only a reviewer may use this.")


async def own_reviewer_id(session: AsyncSession, caller: Principal) -> int | None:
    require_reviewer(caller)
    return await reviewers.reviewer_id_for(session, caller)


async def load_own(
    session: AsyncSession, caller: Principal, assignment_id: int, *, for_update: bool = False
) -> tuple[ReviewAssignment, ReviewRound]:
    reviewer_id = await own_reviewer_id(session, caller)
    assignment = None
    if reviewer_id is not None:
        assignment = await repo.own_assignment(session, reviewer_id, assignment_id, for_update=for_update)
    if assignment is None:
        raise _not_found()
    rnd = await repo.get_round(session, assignment.round_id, for_update=for_update)
    assert rnd is not None  # foreign key
    return assignment, rnd


def _open(rnd: ReviewRound) -> None:
    if rnd.status != "in_review":
        raise ReviewRoundClosed("评审轮次已结束，不能再修改。", "The round is closed; nothing can change now.")


# --- reading --------------------------------------------------------------------------------------


def review_read(review: Review) -> s.ReviewRead:
    return s.ReviewRead(
        assignment_id=review.assignment_id,
        scores={k: Decimal(v) for k, v in review.scores.items()},
        grade=review.grade,
        opinion=review.opinion,
        comments=review.comments,
        status=review.status,
        submitted_at=review.submitted_at,
        version=review.version,
        updated_at=review.updated_at,
    )


def application_view(app: Application) -> s.ApplicationReviewView:
    """Title, abstract, keywords and budget; the leader's and team's ID numbers never leave."""
    return s.ApplicationReviewView(
        id=app.id,
        call_id=app.call_id,
        topic_id=app.topic_id,
        title=app.title,
        abstract=app.abstract,
        keywords=list(app.keywords),
        applicant_org_name=app.applicant_org_name,
        requested_total=app.requested_total,
        self_raised_total=app.self_raised_total,
        budget=app.budget_lines,
        duration_months=app.duration_months,
    )


def assignment_read(
    assignment: ReviewAssignment, rnd: ReviewRound, app: Application, review: Review | None
) -> s.AssignmentRead:
    return s.AssignmentRead(
        id=assignment.id,
        round_id=rnd.id,
        round_title=rnd.title,
        round_status=rnd.status,
        status=assignment.status,
        criteria=[s.CriterionRead.model_validate(c) for c in rnd.criteria],
        application=application_view(app),
        review=review_read(review) if review is not None else None,
    )


async def read_many(session: AsyncSession, rows: Sequence[ReviewAssignment]) -> list[s.AssignmentRead]:
    rounds_ = await repo.rounds_by_id(session, [r.round_id for r in rows])
    apps = await repo.applications_by_id(session, [r.application_id for r in rows])
    reviews = await repo.reviews_of(session, [r.id for r in rows])
    return [assignment_read(r, rounds_[r.round_id], apps[r.application_id], reviews.get(r.id)) for r in rows]


async def list_own(
    session: AsyncSession,
    caller: Principal,
    *,
    round_id: int | None,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[s.AssignmentRead], str | None]:
    reviewer_id = await own_reviewer_id(session, caller)
    if reviewer_id is None:
        return [], None
    rows, next_cursor = await repo.page_own(
        session, reviewer_id, round_id=round_id, status=status, limit=limit, cursor=cursor
    )
    return await read_many(session, rows), next_cursor


async def get_own(session: AsyncSession, caller: Principal, assignment_id: int) -> s.AssignmentRead:
    assignment, _ = await load_own(session, caller, assignment_id)
    return (await read_many(session, [assignment]))[0]


async def get_review(session: AsyncSession, caller: Principal, assignment_id: int) -> Review:
    assignment, _ = await load_own(session, caller, assignment_id)
    review = await repo.review_of(session, assignment.id)
    if review is None:
        raise NotFound("尚未填写评审意见。", "No review has been written yet.")
    return review


# --- declining ------------------------------------------------------------------------------------


async def decline(session: AsyncSession, caller: Principal, assignment_id: int, reason: str) -> ReviewAssignment:
    """NSF-2: the reviewer gives up the slot; that slot alone is drawn again."""
    assignment, rnd = await load_own(session, caller, assignment_id, for_update=True)
    _open(rnd)
    if assignment.status != "assigned":
        raise AssignmentNotOpen("评审意见已提交，不能谢绝。", "The review was submitted; the slot cannot be declined.")
    await repo.delete_review(session, assignment.id)  # a draft goes with the slot
    assignment.decline_reason = reason
    assignment.declined_at = utcnow()
    replacement = await rounds.replace_declined(session, rnd, assignment)
    await audit.append(
        session,
        common,
        caller,
        "decline",
        "review_assignment",
        assignment.id,
        {
            "round_id": rnd.id,
            "application_id": assignment.application_id,
            "replacement_id": replacement.id if replacement is not None else None,
        },
    )
    return assignment


# --- the review -----------------------------------------------------------------------------------


def _check_content(rnd: ReviewRound, body: s.ReviewIn) -> None:
    criteria = {c["code"]: Decimal(str(c["max_score"])) for c in rnd.criteria}
    errors = []
    for code, score in body.scores.items():
        if code not in criteria:
            errors.append(
                {
                    "field": f"scores.{code}",
                    "code": "unknown_criterion",
                    "message": "not a criterion of this round: " + ", ".join(criteria),
                }
            )
        elif score > criteria[code]:
            errors.append(
                {"field": f"scores.{code}", "code": "score_out_of_range", "message": f"between 0 and {criteria[code]}"}
            )
    for code in body.comments:
        if code not in criteria and code != s.COMMENT_OVERALL:
            errors.append(
                {
                    "field": f"comments.{code}",
                    "code": "unknown_criterion",
                    "message": "a criterion code of this round, or overall",
                }
            )
    if errors:
        raise ValidationFailed(errors)


async def put_review(
    session: AsyncSession, caller: Principal, assignment_id: int, body: s.ReviewIn, if_match: str | None
) -> Review:
    """Write the draft: the whole review each time. The first PUT creates it; later ones need the
    ETag of the draft they change (If-Match)."""
    assignment, rnd = await load_own(session, caller, assignment_id, for_update=True)
    _open(rnd)
    review = await repo.review_of(session, assignment.id, for_update=True)
    if review is not None and review.status == "submitted":
        raise ReviewAlreadySubmitted()
    _check_content(rnd, body)
    if review is not None:
        check_if_match(if_match, ETAG_KIND, assignment.id, review.version)
    else:
        review = Review(assignment_id=assignment.id, status="draft", version=0)
        session.add(review)
    review.scores = {k: str(v) for k, v in body.scores.items()}
    review.grade = body.grade
    review.opinion = body.opinion
    review.comments = dict(body.comments)
    review.version += 1
    await flush_versioned(session, "评审意见")
    return review


async def submit(session: AsyncSession, caller: Principal, assignment_id: int, if_match: str | None) -> Review:
    """NSF-4: a review counts only when complete, so only a complete one is accepted; then it is final."""
    assignment, rnd = await load_own(session, caller, assignment_id, for_update=True)
    _open(rnd)
    review = await repo.review_of(session, assignment.id, for_update=True)
    if review is not None and review.status == "submitted":
        raise ReviewAlreadySubmitted()
    missing = [] if review is not None else ["grade", "opinion"]
    if review is not None:
        missing = [f for f in ("grade", "opinion") if getattr(review, f) is None]
        missing += [f"scores.{c['code']}" for c in rnd.criteria if c["code"] not in review.scores]
    if missing:
        raise ValidationFailed(
            [{"field": f, "code": "required", "message": "a complete review is needed to submit"} for f in missing],
            "评审意见不完整，不能提交。",
            "The review is incomplete.",
        )
    assert review is not None
    check_if_match(if_match, ETAG_KIND, assignment.id, review.version, required=False)
    review.status = "submitted"
    review.submitted_at = utcnow()
    review.version += 1
    assignment.status = "submitted"
    assignment.version += 1
    await flush_versioned(session, "评审意见")
    await rounds.report_loads(session, rnd, [assignment.reviewer_id])
    await audit.append(session, common, caller, "submit", "review", review.id, {"assignment_id": assignment.id})
    return review
