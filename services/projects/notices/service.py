"""Use cases of the public notice (公示) of an approved list: an official opens it for a period in
working days; anyone reads it while it is open; authenticated people object in writing, under their
real name, within the period; an official resolves each objection (an upheld one takes the approval
back and releases its amount) and concludes the notice once the period is over and nothing is
pending. Never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.applications.service import Environment
from services.projects.approvals import repository as approvals_repo
from services.projects.approvals import service as approvals
from services.projects.db import common
from services.projects.notices import repository as repo
from services.projects.notices import rules
from services.projects.notices.models import NoticeEntry, NoticeObjection, PublicNotice
from services.projects.notices.schemas import NoticeCreate, NoticeRead, ObjectionCreate
from services.projects.programmes import repository as programmes_repo
from services.projects.rules.workflows import NOTICE_WORKFLOW, OBJECTION_WORKFLOW
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import Conflict, Duplicate, NotFound, ValidationFailed
from shared.notices import NoticeClosed, NoticeNotStarted, NoticePeriodRunning, ObjectionsUnresolved
from shared.principal import Principal
from shared.workdays import calendar_from_db, to_shanghai
from shared.workflow import HistoryRead, load_history

KIND = "public_notice"
OBJECTION = "notice_objection"


def _sh(moment: datetime) -> str:
    return to_shanghai(moment).isoformat()


def _not_found() -> NotFound:
    return NotFound("公示不存在。", "No such notice.")


async def load(
    session: AsyncSession, principal: Principal, notice_id: int, *, for_update: bool = False
) -> PublicNotice:
    notice = await repo.get_visible(session, principal, notice_id, for_update=for_update)
    if notice is None:
        raise _not_found()
    return notice


async def _staff_of(session: AsyncSession, principal: Principal, programme_id: int) -> bool:
    """Officials and auditors, or the agency entrusted with the programme (PRJ-2)."""
    if principal.has_role("official", "auditor"):
        return True
    return principal.has_role("agency") and await programmes_repo.is_entrusted(session, programme_id, principal.org_id)


async def open_notice(session: AsyncSession, principal: Principal, body: NoticeCreate, now: datetime) -> PublicNotice:
    approval_list = await approvals_repo.get(session, body.approval_list_id)
    if approval_list is None:
        raise NotFound("立项清单不存在。", "No such approval list.")
    if approval_list.status != "approved":
        raise Conflict(
            "只有已批准的立项清单可以公示。",
            "Only an approved list goes on notice.",
            extra={"list_status": approval_list.status},
        )
    if await repo.of_list(session, approval_list.id) is not None:
        raise Duplicate("该立项清单已公示。", "This list is already on notice.")
    starts_at = body.starts_at or now
    if starts_at.tzinfo is None:
        raise ValidationFailed(
            [
                {
                    "field": "starts_at",
                    "code": "timezone_required",
                    "message": "give the time with its offset, e.g. +08:00",
                }
            ]
        )
    period = rules.notice_period(await calendar_from_db(session, common), starts_at, body.working_days)
    by_id = {
        a.id: a
        for a in await approvals_repo.applications(
            session, [i.application_id for i in approval_list.items if i.status == "approved"]
        )
    }
    entries = [
        NoticeEntry(
            application_id=i.application_id,
            rank=i.rank,
            title=by_id[i.application_id].title,
            applicant_org_name=by_id[i.application_id].applicant_org_name,
            leader_name=by_id[i.application_id].leader_name,
            amount=i.amount,
            status="listed",
        )
        for i in approval_list.items
        if i.status == "approved"
    ]
    notice = PublicNotice(
        list_id=approval_list.id,
        programme_id=approval_list.programme_id,
        call_id=approval_list.call_id,
        title=body.title or f"拟立项公示（清单 {approval_list.id}）",
        starts_at=period.starts_at,
        closes_at=period.closes_at,
        working_days=body.working_days,
        calendar_confirmed=period.calendar_confirmed,
        status=NOTICE_WORKFLOW.initial,
        opened_by=principal.actor_id,
        version=1,
        entries=entries,
    )
    await repo.add(session, notice)
    await NOTICE_WORKFLOW.record_creation(session, common, notice, principal)
    await audit.append(
        session,
        common,
        principal,
        "open",
        KIND,
        notice.id,
        {
            "list_id": approval_list.id,
            "starts_at": _sh(notice.starts_at),
            "closes_at": _sh(notice.closes_at),
            "working_days": body.working_days,
        },
    )
    return notice


async def object_to(
    session: AsyncSession, principal: Principal, notice_id: int, body: ObjectionCreate, now: datetime
) -> NoticeObjection:
    notice = await load(session, principal, notice_id)
    if notice.status != "open":
        raise NoticeClosed("公示已结束，不再受理异议。", "The notice is concluded; objections are no longer taken.")
    window = rules.objection_window(now, notice.starts_at, notice.closes_at)
    if window == "not_started":
        raise NoticeNotStarted(
            f"公示自 {_sh(notice.starts_at)} 开始。", f"The notice starts at {_sh(notice.starts_at)}."
        )
    if window == "closed":
        raise NoticeClosed(
            f"公示期已于 {_sh(notice.closes_at)} 结束，逾期异议不予受理。",
            f"The period ended at {_sh(notice.closes_at)}; late objections are not accepted.",
            extra={"closes_at": _sh(notice.closes_at)},
        )
    if body.application_id not in {e.application_id for e in notice.entries}:
        raise ValidationFailed(
            [{"field": "application_id", "code": "not_on_notice", "message": "the application is not on this notice"}]
        )
    objection = NoticeObjection(
        notice_id=notice.id,
        application_id=body.application_id,
        objector_actor=principal.actor_id,
        objector_name=body.objector_name,
        objector_contact=body.objector_contact,
        grounds=body.grounds,
        evidence=[e.model_dump(mode="json") for e in body.evidence],
        status=OBJECTION_WORKFLOW.initial,
        version=1,
        submitted_at=now,
    )
    await repo.add(session, objection)
    await OBJECTION_WORKFLOW.record_creation(session, common, objection, principal)
    await audit.append(
        session,
        common,
        principal,
        "object",
        OBJECTION,
        objection.id,
        {"notice_id": notice.id, "application_id": body.application_id},
    )
    return objection


async def load_objection(
    session: AsyncSession, principal: Principal, objection_id: int, *, for_update: bool = False
) -> tuple[NoticeObjection, PublicNotice]:
    """Staff of the programme see every objection; an objector their own; anybody else a 404."""
    objection = await repo.objection(session, objection_id, for_update=for_update)
    notice = await repo.get(session, objection.notice_id) if objection is not None else None
    if (
        objection is None
        or notice is None
        or not (
            objection.objector_actor == principal.actor_id or await _staff_of(session, principal, notice.programme_id)
        )
    ):
        raise NotFound("异议不存在。", "No such objection.")
    return objection, notice


async def objections(
    session: AsyncSession,
    principal: Principal,
    notice_id: int,
    *,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[NoticeObjection], str | None]:
    notice = await load(session, principal, notice_id)
    if not await _staff_of(session, principal, notice.programme_id):
        raise _not_found()
    return await repo.objections_page(session, notice.id, status=status, limit=limit, cursor=cursor, sort=sort)


async def resolve(
    session: AsyncSession,
    principal: Principal,
    objection_id: int,
    action: str,
    comment: str,
    if_match: str | None,
    env: Environment,
) -> NoticeObjection:
    objection, notice = await load_objection(session, principal, objection_id, for_update=True)
    check_if_match(if_match, OBJECTION, objection.id, objection.version, required=False)
    await OBJECTION_WORKFLOW.apply(session, common, objection, action, principal, comment=comment)
    objection.resolution, objection.resolved_by, objection.resolved_at = comment, principal.actor_id, env.clock()
    if action == "uphold":
        entry = next(e for e in notice.entries if e.application_id == objection.application_id)
        (application,) = await approvals_repo.applications(session, [objection.application_id], for_update=True)
        if application.status == "approved":
            reason = f"公示异议成立（异议 {objection.id}）：{comment}"
            item = await approvals.release(session, principal, application, reason, env)
            await audit.append(
                session,
                common,
                principal,
                "release_budget",
                "approval_item",
                item.id,
                {
                    "application_id": application.id,
                    "released_amount": f"{item.amount:.2f}",
                    "programme_id": item.programme_id,
                    "objection_id": objection.id,
                },
            )
        entry.status = "withdrawn"
    await flush_versioned(session, "异议")
    await audit.append(
        session,
        common,
        principal,
        action,
        OBJECTION,
        objection.id,
        {"notice_id": notice.id, "application_id": objection.application_id, "comment": comment},
    )
    return objection


async def conclude(
    session: AsyncSession,
    principal: Principal,
    notice_id: int,
    comment: str | None,
    if_match: str | None,
    now: datetime,
) -> PublicNotice:
    notice = await load(session, principal, notice_id, for_update=True)
    check_if_match(if_match, KIND, notice.id, notice.version, required=False)
    NOTICE_WORKFLOW.decide(notice.status, "conclude", principal)
    pending = await repo.unresolved(session, notice.id)
    blockers = rules.conclusion_blockers(now, notice.closes_at, pending)
    if "period_running" in blockers:
        raise NoticePeriodRunning(
            f"公示期至 {_sh(notice.closes_at)} 结束。",
            f"The period runs until {_sh(notice.closes_at)}.",
            extra={"closes_at": _sh(notice.closes_at)},
        )
    if pending:
        raise ObjectionsUnresolved(
            f"尚有 {len(pending)} 件异议未处理。",
            f"{len(pending)} objection(s) unresolved.",
            extra={"objection_ids": pending},
        )
    await NOTICE_WORKFLOW.apply(session, common, notice, "conclude", principal, comment=comment)
    notice.concluded_by, notice.concluded_at = principal.actor_id, now
    await flush_versioned(session, "公示")
    await audit.append(
        session,
        common,
        principal,
        "conclude",
        KIND,
        notice.id,
        {"listed": [e.application_id for e in notice.entries if e.status == "listed"]},
    )
    return notice


async def concluded_for(session: AsyncSession, application_id: int) -> bool:
    """For contracts: the application is listed on a concluded notice."""
    found = await repo.entry_of(session, application_id)
    return found is not None and found[0].status == "listed" and found[1].status == "concluded"


async def history(session: AsyncSession, principal: Principal, notice_id: int) -> list[HistoryRead]:
    notice = await load(session, principal, notice_id)
    return await load_history(session, common, KIND, notice.id)


async def objection_history(session: AsyncSession, principal: Principal, objection_id: int) -> list[HistoryRead]:
    objection, _ = await load_objection(session, principal, objection_id)
    return await load_history(session, common, OBJECTION, objection.id)


def to_read(notice: PublicNotice, now: datetime) -> NoticeRead:
    read = NoticeRead.model_validate(notice)
    accepting = notice.status == "open" and rules.objection_window(now, notice.starts_at, notice.closes_at) is None
    return read.model_copy(update={"accepting_objections": accepting})
