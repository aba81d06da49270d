"""The reviewer's side of a round: their own assignments (and only theirs), the application as a
reviewer reads it, declining a slot; and the staff's release of a late reviewer. Never commits.

A reviewer is known by their platform account: ``ReviewAssignment.reviewer_user_id`` is the
account linked to the pool's reviewer when the round was drawn. Anyone else's assignment is a 404.
A reviewer never sees another reviewer's identity or review.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation import access
from services.foundation.applications.models import FoundationApplication
from services.foundation.deps import Environment
from services.foundation.review import repository as repo
from services.foundation.review import rounds
from services.foundation.review import schemas as s
from services.foundation.review.models import ReviewAssignment, ReviewRound
from services.foundation.review.policy import ASSIGNED, DECLINED, HOLDING, LATE
from shared.concurrency import check_if_match
from shared.errors import Conflict, Forbidden, NotFound
from shared.principal import Principal

ETAG_KIND = "foundation_review_assignment"


class AssignmentNotOpen(Conflict):
    code = "assignment_not_open"
    title_zh = "该评审任务已不能释放"
    title_en = "The assignment can no longer be released"


class AssignmentReleased(Conflict):
    code = "assignment_released"
    title_zh = "该评审任务已谢绝或已被收回"
    title_en = "The assignment was declined or released"


class ReviewNotOverdue(Conflict):
    code = "review_not_overdue"
    title_zh = "评审尚未逾期"
    title_en = "The review is not overdue"


def not_found() -> NotFound:
    return NotFound("评审任务不存在。", "No such review assignment.")


def require_reviewer(caller: Principal) -> None:
    if caller.kind != "user" or not caller.has_role("reviewer"):
        raise Forbidden("只有评审专家本人可以使用此接口。", "Only a reviewer may use this.")


async def load_own(
    session: AsyncSession, caller: Principal, assignment_id: int, *, for_update: bool = False
) -> tuple[ReviewAssignment, ReviewRound]:
    """The caller's own assignment and its round (locked with ``for_update``); anyone else's is a 404."""
    require_reviewer(caller)
    if for_update:  # the round first, as every writer of a round's assignments locks it
        peek = await repo.own_assignment(session, caller.subject, assignment_id)
        if peek is None:
            raise not_found()
        await repo.get_round(session, peek.round_id, for_update=True)
    assignment = await repo.own_assignment(session, caller.subject, assignment_id, for_update=for_update)
    if assignment is None:
        raise not_found()
    rnd = await repo.get_round(session, assignment.round_id)
    assert rnd is not None  # foreign key
    return assignment, rnd


# --- reading --------------------------------------------------------------------------------------


def to_read(assignment: ReviewAssignment, rnd: ReviewRound, app: FoundationApplication) -> s.AssignmentRead:
    return s.AssignmentRead(
        id=assignment.id,
        round_id=rnd.id,
        round_title=rnd.title,
        round_status=rnd.status,
        application_id=app.id,
        application_title=app.title,
        status=assignment.status,
        review_due_at=rnd.review_due_at,
        released_at=assignment.released_at,
        created_at=assignment.created_at,
        version=assignment.version,
    )


async def read_many(session: AsyncSession, rows: Sequence[ReviewAssignment]) -> list[s.AssignmentRead]:
    rounds_ = await repo.rounds_by_id(session, [r.round_id for r in rows])
    apps = await repo.applications_by_id(session, [r.application_id for r in rows])
    return [to_read(r, rounds_[r.round_id], apps[r.application_id]) for r in rows]


async def list_own(
    session: AsyncSession,
    caller: Principal,
    *,
    round_id: int | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[s.AssignmentRead], str | None]:
    require_reviewer(caller)
    rows, next_cursor = await repo.page_own(
        session, caller.subject, round_id=round_id, status=status, limit=limit, cursor=cursor, sort=sort
    )
    return await read_many(session, rows), next_cursor


async def get_own(session: AsyncSession, caller: Principal, assignment_id: int) -> tuple[s.AssignmentRead, int]:
    assignment, rnd = await load_own(session, caller, assignment_id)
    apps = await repo.applications_by_id(session, [assignment.application_id])
    return to_read(assignment, rnd, apps[assignment.application_id]), assignment.version


async def application_view(session: AsyncSession, caller: Principal, assignment_id: int) -> s.ApplicationReviewView:
    """The application as its reviewer reads it, while they hold the slot (see ``ApplicationReviewView``)."""
    assignment, _ = await load_own(session, caller, assignment_id)
    if assignment.status not in HOLDING:
        raise AssignmentReleased("您已不再评审该申请书。", "You no longer review this application.")
    app = (await repo.applications_by_id(session, [assignment.application_id]))[assignment.application_id]
    category = await repo.category(session, app.category_id)
    assert category is not None  # foreign key
    return s.ApplicationReviewView(
        id=app.id,
        plan_id=app.plan_id,
        year=app.year,
        category_code=category.code,
        category_kind=category.kind,
        category_name=category.name,
        discipline_code=app.discipline_code,
        title=app.title,
        abstract=app.abstract,
        keywords=list(app.keywords or []),
        applicant_name=app.applicant_name,
        applicant_title=app.applicant_title,
        degree=app.degree,
        institution_name=app.institution_name,
        team=[s.TeamMemberView(name=m.get("name") or "", role=m.get("role")) for m in app.team or []],
        budget_lines=dict(app.budget_lines or {}),
        requested_total=app.requested_total,
        duration_months=app.duration_months,
    )


# --- releasing a slot -----------------------------------------------------------------------------


def release_read(assignment: ReviewAssignment, replacement: ReviewAssignment | None) -> s.ReleaseRead:
    return s.ReleaseRead(
        id=assignment.id,
        status=assignment.status,
        release_reason=assignment.release_reason,
        released_at=assignment.released_at,
        replaced=replacement is not None,
    )


async def decline(
    session: AsyncSession, caller: Principal, assignment_id: int, reason: str, if_match: str | None, env: Environment
) -> s.ReleaseRead:
    """The reviewer declines (谢绝评审): that slot alone is drawn again (NSF-2)."""
    assignment, rnd = await load_own(session, caller, assignment_id, for_update=True)
    check_if_match(if_match, ETAG_KIND, assignment.id, assignment.version, required=False)
    if assignment.status != ASSIGNED:
        raise AssignmentNotOpen(
            "只有尚未提交评审意见的任务可以谢绝。", "Only an assignment whose review is not submitted can be declined."
        )
    replacement = await rounds.release(
        session, caller, rnd, assignment, status=DECLINED, reason=reason, now=env.now, env=env
    )
    return release_read(assignment, replacement)


async def release_late(
    session: AsyncSession,
    caller: Principal,
    assignment_id: int,
    reason: str | None,
    if_match: str | None,
    env: Environment,
) -> s.ReleaseRead:
    """The staff release a reviewer who has not submitted by ``review_due_at``: the same replacement."""
    found = await repo.get_assignment(session, assignment_id)
    if found is None:
        raise not_found()
    try:
        rnd = await rounds.load(session, caller, found.round_id, for_update=True)
    except NotFound:
        raise not_found() from None
    if not access.is_staff(await rounds.plan_of(session, rnd), caller):
        raise Forbidden(
            "只有基金管理人员可以收回逾期的评审任务。", "Only the foundation's staff release late reviewers."
        )
    assignment = await repo.get_assignment(session, assignment_id, for_update=True)
    assert assignment is not None
    check_if_match(if_match, ETAG_KIND, assignment.id, assignment.version, required=False)
    if assignment.status != ASSIGNED or await repo.submitted_review(session, assignment.id):
        raise AssignmentNotOpen(
            "该专家已提交评审意见或已不再持有该任务。", "The reviewer has submitted, or no longer holds the assignment."
        )
    if rnd.review_due_at is None or env.now <= rnd.review_due_at:
        raise ReviewNotOverdue(
            "评审截止时间未到（或未设定），不能按逾期收回。",
            "The review is not past the round's due time (or none was set).",
            extra={"review_due_at": rnd.review_due_at.isoformat() if rnd.review_due_at else None},
        )
    replacement = await rounds.release(
        session,
        caller,
        rnd,
        assignment,
        status=LATE,
        reason=reason or "逾期未提交评审意见 / not submitted by the due time",
        now=env.now,
        env=env,
    )
    return release_read(assignment, replacement)
