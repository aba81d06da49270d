"""Use cases of approval (批准立项): the entrusted agency proposes a list for a call, an official
approves or returns it. Approving moves the applications the list names (fund → approved with the
amount, not funded → not_approved) and nothing else; the programme's budget is checked under a row
lock so concurrent approvals can never over-approve it. A list proposed from a review round takes
its order and scores from the round's ranking (NSF-4, PRJ-2). Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import access
from services.projects.applications import service as applications
from services.projects.applications.models import Application
from services.projects.approvals import repository as repo
from services.projects.approvals import rules
from services.projects.approvals.models import ApprovalItem, ApprovalList
from services.projects.approvals.schemas import ApprovalListCreate, ApprovalListRead, ApprovalListSummary, BudgetRead
from services.projects.calls import repository as calls_repo
from services.projects.db import common
from services.projects.deps import Environment
from services.projects.errors import AlreadyProposed, ApplicationNotReviewed, BudgetExceeded
from services.projects.programmes import repository as programmes_repo
from services.projects.programmes.models import Programme
from services.projects.programmes.service import ProgrammeClosed
from services.projects.review_rounds.models import ReviewRound
from services.projects.review_rounds.service import ROUNDS
from services.projects.rules.workflows import APPROVAL_LIST_WORKFLOW
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned, utcnow
from shared.errors import ApplicationNotRanked, Conflict, NotFound, ValidationFailed, field_error
from shared.pagination import Page
from shared.principal import Principal
from shared.review_rounds.errors import RoundNotClosed
from shared.review_rounds.schemas import AggregateRead
from shared.workflow import HistoryRead, load_history

SORTS = repo.SORTS  # the orders its list takes, as the router documents them

KIND = "approval_list"


def _not_found() -> NotFound:
    return NotFound("立项清单不存在。", "No such approval list.")


async def load(session: AsyncSession, principal: Principal, list_id: int, *, for_update: bool = False) -> ApprovalList:
    found = await repo.get_visible(session, principal, list_id, for_update=for_update)
    if found is None:
        raise _not_found()
    return found


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    programme_id: int | None,
    call_id: int | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> Page[ApprovalListSummary]:
    """The lists the caller may see (``access.visible_approval_lists``)."""
    rows, next_cursor = await repo.page(
        session,
        principal,
        programme_id=programme_id,
        call_id=call_id,
        status=status,
        limit=limit,
        cursor=cursor,
        sort=sort,
    )
    return Page[ApprovalListSummary](
        items=[ApprovalListSummary.model_validate(r) for r in rows], next_cursor=next_cursor
    )


async def programme_of(session: AsyncSession, programme_id: int, *, for_update: bool = False) -> Programme:
    programme = await programmes_repo.get(session, programme_id, for_update=for_update)
    assert programme is not None  # foreign key
    return programme


def _named(body: ApprovalListCreate) -> list[tuple[str, list[int]]]:
    return [
        ("items", [i.application_id for i in body.items]),
        ("not_funded", [i.application_id for i in body.not_funded]),
    ]


def _invalid(field: str, code: str, zh: str, en: str) -> ValidationFailed:
    return ValidationFailed([field_error(field, code, zh, en)])


def _round_id(body: ApprovalListCreate) -> int | None:
    """The review round a list is ranked by: ``review_round_id``, or a numeric ``ranking_reference``."""
    if body.ranking_source != "review_round":
        if body.review_round_id is not None:
            raise _invalid(
                "review_round_id",
                "not_with_manual_ranking",
                "仅当 ranking_source 为 review_round 时才按评审轮次排序",
                "a review round orders the list only with ranking_source review_round",
            )
        return None
    reference = body.ranking_reference
    by_reference = int(reference) if reference and reference.isdecimal() and len(reference) < 19 else None
    if body.review_round_id is not None:
        if reference is not None and by_reference != body.review_round_id:
            raise _invalid(
                "ranking_reference",
                "round_mismatch",
                "与 review_round_id 指向的不是同一评审轮次",
                "names another round than review_round_id",
            )
        return body.review_round_id
    if by_reference is None or by_reference < 1:
        raise _invalid(
            "review_round_id",
            "required",
            "请指定据以排序的已结束评审轮次",
            "name the closed review round whose ranking orders the list",
        )
    return by_reference


async def _round_ranking(
    session: AsyncSession, principal: Principal, round_id: int, call_id: int
) -> list[AggregateRead]:
    """The round's results in ranking order (per call and topic, the unranked last): closed rounds
    of this call only."""
    rnd = await ROUNDS.repo(session).round(round_id, where=ROUNDS.scope.visible(principal))
    if not isinstance(rnd, ReviewRound):
        raise _invalid(
            "review_round_id",
            "unknown_review_round",
            f"评审轮次 {round_id} 不存在或您无权查看",
            f"no review round {round_id} is visible to you",
        )
    if rnd.call_id != call_id:
        raise _invalid(
            "review_round_id",
            "round_not_of_call",
            f"评审轮次 {round_id} 不属于本批次",
            f"review round {round_id} is not a round of this call",
        )
    if rnd.status != "closed":
        raise RoundNotClosed(
            "评审轮次结束后才能据其排名提出拟立项清单。",
            "A list follows a review round's ranking once the round is closed.",
            extra={"review_round_id": rnd.id, "round_status": rnd.status},
        )
    return (await ROUNDS.results(session, rnd)).rows


def _check_ranked(body: ApprovalListCreate, ranking: Sequence[AggregateRead]) -> None:
    """NSF-4: every application named is in the round, and ranked there (enough valid reviews)."""
    rows = {r.application_id: r for r in ranking}
    errors = [
        field_error(
            f"{field}.{n}.application_id",
            "not_in_round",
            f"申报书 {application_id} 不在该评审轮次中",
            f"application {application_id} is not in the review round",
        )
        for field, ids in _named(body)
        for n, application_id in enumerate(ids)
        if application_id not in rows
    ]
    if errors:
        raise ValidationFailed(errors)
    unranked = sorted(i for _, ids in _named(body) for i in ids if rows[i].rank is None)
    if unranked:
        raise ApplicationNotRanked(
            f"以下申报书在该评审轮次中没有排名（有效评审不足）：{unranked}。",
            f"These applications have no rank in the review round (too few valid reviews): {unranked}.",
            extra={"application_ids": unranked},
        )


async def _candidates(
    session: AsyncSession,
    body: ApprovalListCreate,
    call_id: int,
    programme: Programme,
    ranking: Sequence[AggregateRead] | None = None,
) -> dict[int, Application]:
    ids = [i.application_id for i in body.items] + [n.application_id for n in body.not_funded]
    errors = [
        field_error("items", "duplicate_application", f"申报书 {i} 被列出两次", f"application {i} is named twice")
        for i in rules.duplicates(ids)
    ]
    if errors:
        raise ValidationFailed(errors)
    found = {a.id: a for a in await repo.applications(session, ids)}
    for field, rows in _named(body):
        for n, application_id in enumerate(rows):
            app = found.get(application_id)
            if app is None or app.call_id != call_id or app.status == "draft":
                errors.append(
                    field_error(
                        f"{field}.{n}.application_id",
                        "not_in_call",
                        f"申报书 {application_id} 不是本批次的申报书",
                        f"application {application_id} is not an application of this call",
                    )
                )
    if errors:
        raise ValidationFailed(errors)
    if ranking is not None:
        _check_ranked(body, ranking)
    not_reviewed = sorted(i for i in ids if found[i].status != "reviewed")
    if not_reviewed:
        raise ApplicationNotReviewed(
            f"以下申报书未完成评审：{not_reviewed}。",
            f"These applications are not reviewed: {not_reviewed}.",
            extra={"application_ids": not_reviewed},
        )
    pending = sorted({i.application_id for i in await repo.pending_items(session, ids)})
    if pending:
        raise AlreadyProposed(
            f"以下申报书已在待批清单中：{pending}。",
            f"These applications are on a list awaiting approval: {pending}.",
            extra={"application_ids": pending},
        )
    return found


async def propose(session: AsyncSession, principal: Principal, body: ApprovalListCreate) -> ApprovalList:
    call = await calls_repo.get(session, body.call_id)
    programme = await programme_of(session, call.programme_id) if call is not None else None
    if (
        call is None
        or programme is None
        or not (
            principal.has_role("agency")
            and access.may_manage(principal, entrusted=access.entrusted_to(principal, programme))
        )
    ):
        raise NotFound("申报指南不存在。", "No such call.")
    if programme.status != "active":
        raise ProgrammeClosed("计划已关闭。", "The programme is closed.")
    round_id = _round_id(body)
    ranking = await _round_ranking(session, principal, round_id, call.id) if round_id is not None else None
    found = await _candidates(session, body, call.id, programme, ranking)
    topic_caps = {t.id: t.budget_cap for t in call.topics}
    errors: list[dict[str, str]] = []
    for n, item in enumerate(body.items):
        app = found[item.application_id]
        errors += rules.amount_problems(
            n,
            item.amount,
            rules.Candidate(
                app.id,
                app.requested_total,
                topic_caps.get(app.topic_id) if app.topic_id else None,
                programme.max_project_budget,
            ),
        )
    if errors:
        raise ValidationFailed(errors)
    items = [
        ApprovalItem(
            application_id=i.application_id,
            programme_id=programme.id,
            decision="fund",
            amount=i.amount,
            status="proposed",
        )
        for i in body.items
    ]
    items += [
        ApprovalItem(
            application_id=i.application_id,
            programme_id=programme.id,
            decision="not_fund",
            reason=i.reason,
            status="proposed",
        )
        for i in body.not_funded
    ]
    if ranking is not None:  # NSF-4: the round's order (funded items first), rank and score
        position = {r.application_id: n for n, r in enumerate(ranking)}
        by_id = {r.application_id: r for r in ranking}
        items.sort(key=lambda i: (i.decision != "fund", position[i.application_id]))
        for row in items:
            row.review_rank, row.review_score = by_id[row.application_id].rank, by_id[row.application_id].score
    for n, row in enumerate(items):
        row.rank = n + 1
    approval_list = ApprovalList(
        programme_id=programme.id,
        call_id=call.id,
        status=APPROVAL_LIST_WORKFLOW.initial,
        ranking_source=body.ranking_source,
        review_round_id=round_id,
        ranking_reference=body.ranking_reference or (str(round_id) if round_id is not None else None),
        note=body.note,
        total_amount=sum((i.amount for i in body.items), Decimal("0.00")),
        proposed_by=principal.actor_id,
        proposed_org_id=principal.org_id,
        version=1,
        items=items,
    )
    await repo.add(session, approval_list)
    await APPROVAL_LIST_WORKFLOW.record_creation(session, common, approval_list, principal)
    await audit.append(
        session,
        common,
        principal,
        "propose",
        KIND,
        approval_list.id,
        {
            "programme_id": programme.id,
            "call_id": call.id,
            "total_amount": str(approval_list.total_amount),
            "review_round_id": round_id,
            "items": [
                {
                    "application_id": i.application_id,
                    "amount": str(i.amount),
                    "review_rank": i.review_rank,
                    "review_score": str(i.review_score) if i.review_score is not None else None,
                }
                for i in items
                if i.amount
            ],
        },
    )
    return approval_list


async def approve(
    session: AsyncSession,
    principal: Principal,
    list_id: int,
    comment: str | None,
    if_match: str | None,
    env: Environment,
) -> ApprovalList:
    approval_list = await load(session, principal, list_id, for_update=True)
    check_if_match(if_match, KIND, approval_list.id, approval_list.version, required=False)
    # The row lock on the programme serialises approvals in it (SELECT ... FOR UPDATE on PostgreSQL;
    # SQLite's BEGIN IMMEDIATE already lets one writer in); the sum is read after taking it.
    programme = await programme_of(session, approval_list.programme_id, for_update=True)
    who = access.acting(principal, entrusted=access.entrusted_to(principal, programme))
    APPROVAL_LIST_WORKFLOW.decide(approval_list.status, "approve", who)
    if programme.status != "active":
        raise ProgrammeClosed("计划已关闭。", "The programme is closed.")
    approved = await repo.approved_total(session, programme.id)
    requested = sum((i.amount for i in approval_list.items if i.decision == "fund" and i.amount), Decimal("0.00"))
    if not rules.fits_budget(programme.budget, approved, requested):
        left = rules.remaining(programme.budget, approved)
        raise BudgetExceeded(
            f"本清单拟批准 {requested:.2f} 元，计划预算仅余 {left:.2f} 元。",
            f"The list asks for {requested:.2f} yuan; {left:.2f} yuan of the programme's budget remain.",
            extra={
                "budget": f"{programme.budget:.2f}",
                "approved_total": f"{approved:.2f}",
                "remaining": f"{left:.2f}",
                "requested": f"{requested:.2f}",
            },
        )
    by_id = {
        a.id: a
        for a in await repo.applications(session, [i.application_id for i in approval_list.items], for_update=True)
    }
    not_reviewed = sorted(i for i, a in by_id.items() if a.status != "reviewed")
    if not_reviewed:
        raise ApplicationNotReviewed(
            f"以下申报书已不处于评审完成状态：{not_reviewed}。",
            f"These applications are no longer reviewed: {not_reviewed}.",
            extra={"application_ids": not_reviewed},
        )
    for item in sorted(approval_list.items, key=lambda i: i.application_id):
        application = by_id[item.application_id]
        if item.decision == "fund":
            await applications.move(
                session,
                principal,
                application,
                "approve",
                comment,
                env,
                audit_data={"approval_list_id": approval_list.id, "approved_amount": f"{item.amount:.2f}"},
            )
            item.status = "approved"
        else:
            await applications.move(
                session,
                principal,
                application,
                "decline",
                item.reason,
                env,
                audit_data={"approval_list_id": approval_list.id},
            )
            item.status = "declined"
    await APPROVAL_LIST_WORKFLOW.apply(session, common, approval_list, "approve", who, comment=comment)
    approval_list.decided_by, approval_list.decided_at, approval_list.decision_comment = (
        principal.actor_id,
        utcnow(),
        comment,
    )
    await flush_versioned(session, "立项清单")
    await audit.append(
        session,
        common,
        principal,
        "approve",
        KIND,
        approval_list.id,
        {
            "programme_id": programme.id,
            "approved_amount": f"{requested:.2f}",
            "programme_approved_total": f"{approved + requested:.2f}",
            "budget": f"{programme.budget:.2f}",
        },
    )
    return approval_list


async def close_without_approval(
    session: AsyncSession, principal: Principal, list_id: int, action: str, comment: str | None, if_match: str | None
) -> ApprovalList:
    """Return (official) or withdraw (the agency): the list ends; its applications stay reviewed."""
    approval_list = await load(session, principal, list_id, for_update=True)
    check_if_match(if_match, KIND, approval_list.id, approval_list.version, required=False)
    programme = await programme_of(session, approval_list.programme_id)
    who = access.acting(principal, entrusted=access.entrusted_to(principal, programme))
    await APPROVAL_LIST_WORKFLOW.apply(session, common, approval_list, action, who, comment=comment)
    for item in approval_list.items:
        item.status = "returned"
    if action == "return":
        approval_list.decided_by, approval_list.decided_at, approval_list.decision_comment = (
            principal.actor_id,
            utcnow(),
            comment,
        )
    await flush_versioned(session, "立项清单")
    await audit.append(session, common, principal, action, KIND, approval_list.id, {"comment": comment})
    return approval_list


async def release(
    session: AsyncSession, principal: Principal, application: Application, reason: str, env: Environment
) -> ApprovalItem:
    """An upheld objection (公示异议成立) takes an approval back: the application becomes
    not_approved and its amount goes back to the programme's budget. The caller locked the
    application."""
    item = await repo.approved_item(session, application.id)
    if item is None:
        raise Conflict("该申报书没有有效的批准记录。", "The application has no standing approval.")
    await applications.move(
        session,
        principal,
        application,
        "withdraw_approval",
        reason,
        env,
        audit_data={"released_amount": f"{item.amount:.2f}", "approval_list_id": item.list_id},
    )
    item.status, item.released_at = "withdrawn", utcnow()
    await session.flush()
    return item


async def budget(session: AsyncSession, principal: Principal, programme_id: int) -> BudgetRead:
    programme = await programmes_repo.get_visible(session, principal, programme_id)
    if programme is None:
        raise NotFound("计划不存在。", "No such programme.")
    approved = await repo.approved_total(session, programme.id)
    return BudgetRead(
        programme_id=programme.id,
        budget=programme.budget,
        approved_total=approved,
        remaining=rules.remaining(programme.budget, approved),
        as_of=utcnow(),
    )


async def history(session: AsyncSession, principal: Principal, list_id: int) -> list[HistoryRead]:
    approval_list = await load(session, principal, list_id)
    return await load_history(session, common, KIND, approval_list.id)


async def to_read(session: AsyncSession, approval_list: ApprovalList, principal: Principal) -> ApprovalListRead:
    programme = await programme_of(session, approval_list.programme_id)
    who = access.acting(principal, entrusted=access.entrusted_to(principal, programme))
    read = ApprovalListRead.model_validate(approval_list)
    return read.model_copy(update={"allowed_actions": APPROVAL_LIST_WORKFLOW.actions_from(approval_list.status, who)})
