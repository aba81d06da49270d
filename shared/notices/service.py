"""Use cases of public notices (公示) with real-name objections, the same in every service: an official
opens a notice of the records the service's scope names, for a period in working days (CAL-1)
counted from its start in Asia/Shanghai (CAL-2); anyone the scope lets reads it; any logged-in person
objects in writing, under their real name, within the period (AW-3 style: an anonymous or late
objection is not taken); an official resolves each objection with reasons (an upheld one takes the
record back: the scope's ``upheld``) and concludes the notice once the period is over and nothing is
pending (the scope's ``concluded``). Never commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared import audit
from shared.concurrency import check_if_match
from shared.db import CommonTables, flush_versioned
from shared.db.models import new
from shared.errors import NotFound, ValidationFailed, field_error
from shared.notices import rules
from shared.notices import schemas as s
from shared.notices.errors import NoticeClosed, NoticePeriodRunning, ObjectionsUnresolved
from shared.notices.models import (
    CONCLUDED,
    LISTED,
    OPEN,
    PENDING,
    WITHDRAWN,
    NoticeColumns,
    NoticeTables,
    ObjectionColumns,
)
from shared.notices.repository import NoticeRepository, notice_sorts, objection_sorts
from shared.notices.scope import NoticeScope
from shared.principal import Principal
from shared.workdays import calendar_from_db, local_date, to_shanghai
from shared.workflow import HistoryRead, Workflow, load_history, transition

NOTICE = "public_notice"
OBJECTION = "notice_objection"


def _sh(moment: datetime) -> str:
    return to_shanghai(moment).isoformat()


def notice_not_found() -> NotFound:
    return NotFound("公示不存在。", "No such notice.")


class PublicNotices:
    """One service's public notices: its tables, its scope, its read models of a notice."""

    def __init__(
        self,
        tables: NoticeTables,
        scope: NoticeScope,
        common: CommonTables,
        notice_read: type[s.NoticeReadBase],
        summary_read: type[s.NoticeSummaryBase],
    ) -> None:
        self.t = tables
        self.scope = scope
        self.common = common
        self.notice_read = notice_read
        self.summary_read = summary_read
        # the orders the lists take, as the router documents them
        self.notice_sorts = notice_sorts(tables)
        self.objection_sorts = objection_sorts(tables)
        officials = scope.officials
        self.workflow = Workflow(NOTICE, OPEN, [transition("conclude", OPEN, CONCLUDED, officials)])
        # A real-name objection, resolved by an official with reasons.
        self.objection_workflow = Workflow(
            OBJECTION,
            PENDING,
            [
                transition("uphold", PENDING, "upheld", officials, comment_required=True),
                transition("dismiss", PENDING, "dismissed", officials, comment_required=True),
            ],
        )

    def repo(self, session: AsyncSession) -> NoticeRepository:
        return NoticeRepository(session, self.t)

    # --- reading ----------------------------------------------------------------------------------------

    async def load(
        self, session: AsyncSession, principal: Principal, notice_id: int, *, for_update: bool = False
    ) -> NoticeColumns:
        notice = await self.repo(session).notice(notice_id, where=self.scope.visible(principal), for_update=for_update)
        if notice is None:
            raise notice_not_found()
        return notice

    async def page(
        self,
        session: AsyncSession,
        principal: Principal,
        filters: dict[str, Any],
        *,
        status: str | None,
        limit: int,
        cursor: str | None,
        sort: str | None,
    ) -> tuple[list[NoticeColumns], str | None]:
        """The notices the caller sees, filtered by the scope's columns."""
        return await self.repo(session).page(
            self.scope.visible(principal), filters, status=status, limit=limit, cursor=cursor, sort=sort
        )

    def _common(self, notice: NoticeColumns) -> dict[str, Any]:
        return {
            "id": notice.id,
            "title": notice.title,
            "starts_at": notice.starts_at,
            "closes_at": notice.closes_at,
            "starts_on": local_date(notice.starts_at),
            "ends_on": local_date(notice.closes_at),
            "status": notice.status,
        }

    def to_read(self, notice: NoticeColumns, now: datetime) -> s.NoticeReadBase:
        accepting = notice.status == OPEN and rules.objection_window(now, notice.starts_at, notice.closes_at) is None
        values = {
            **self._common(notice),
            "days": notice.days,
            "day_count": notice.day_count,
            "calendar_confirmed": notice.calendar_confirmed,
            "accepting_objections": accepting,
            "entries": [s.NoticeEntryRead.model_validate(e) for e in notice.entries],
            "concluded_at": notice.concluded_at,
            "version": notice.version,
        }
        own = {n: getattr(notice, n) for n in self.notice_read.model_fields if n not in values}
        return self.notice_read.model_validate({**own, **values})

    def to_summary(self, notice: NoticeColumns) -> s.NoticeSummaryBase:
        values = self._common(notice)
        own = {n: getattr(notice, n) for n in self.summary_read.model_fields if n not in values}
        return self.summary_read.model_validate({**own, **values})

    async def history(self, session: AsyncSession, principal: Principal, notice_id: int) -> list[HistoryRead]:
        notice = await self.load(session, principal, notice_id)
        if not await self.scope.staff_of(session, principal, notice):
            raise notice_not_found()
        return await load_history(session, self.common, NOTICE, notice.id)

    # --- opening ----------------------------------------------------------------------------------------

    async def open(
        self, session: AsyncSession, principal: Principal, body: Any, now: datetime, env: Any
    ) -> NoticeColumns:
        draft = await self.scope.prepare(session, principal, body, now, env)
        calendar = await calendar_from_db(session, self.common)
        period = rules.notice_period(calendar, draft.starts_at, draft.days, draft.day_count)
        entries = [
            new(
                self.t.entry,
                subject_id=e.subject_id,
                position=n,
                rank=e.rank,
                title=e.title,
                person_name=e.person_name,
                organisation_name=e.organisation_name,
                amount=e.amount,
                details=dict(e.details),
                status=LISTED,
            )
            for n, e in enumerate(draft.entries, start=1)
        ]
        notice = new(
            self.t.notice,
            title=draft.title,
            starts_at=period.starts_at,
            closes_at=period.closes_at,
            days=draft.days,
            day_count=draft.day_count,
            calendar_confirmed=period.calendar_confirmed,
            status=self.workflow.initial,
            opened_by=principal.actor_id,
            version=1,
            entries=entries,
            **draft.values,
        )
        await self.repo(session).add(notice)
        await self.workflow.record_creation(session, self.common, notice, principal)
        await audit.append(
            session,
            self.common,
            principal,
            "open",
            NOTICE,
            notice.id,
            {
                **draft.audit,
                "starts_at": _sh(notice.starts_at),
                "closes_at": _sh(notice.closes_at),
                "days": notice.days,
                "day_count": notice.day_count,
                "calendar_confirmed": notice.calendar_confirmed,
                "listed": [e.subject_id for e in draft.entries],
            },
        )
        return notice

    # --- objections -------------------------------------------------------------------------------------

    async def object_to(
        self,
        session: AsyncSession,
        principal: Principal,
        notice_id: int,
        body: s.ObjectionCreate,
        now: datetime,
        env: Any,
    ) -> ObjectionColumns:
        notice = await self.load(session, principal, notice_id)
        if notice.status != OPEN:
            raise NoticeClosed("公示已结束，不再受理异议。", "The notice is concluded; objections are no longer taken.")
        facts = rules.Objection(body.objector_name, body.objector_contact, body.grounds, len(body.evidence), now)
        rules.check_objection(
            facts,
            notice.starts_at,
            notice.closes_at,
            evidence_required=self.scope.evidence_required,
            clause=self.scope.clause(notice),
        )
        if body.subject_id not in {e.subject_id for e in notice.entries if e.status == LISTED}:
            raise ValidationFailed(
                [field_error("subject_id", "not_on_notice", "不在本次公示名单中", "not listed on this notice")]
            )
        objection = new(
            self.t.objection,
            notice_id=notice.id,
            subject_id=body.subject_id,
            objector_actor=principal.actor_id,
            objector_name=body.objector_name.strip(),
            objector_contact=self._seal(body.objector_contact.strip(), env),
            grounds=body.grounds,
            evidence=[e.model_dump(mode="json") for e in body.evidence],
            status=self.objection_workflow.initial,
            version=1,
            submitted_at=now,
        )
        await self.repo(session).add(objection)
        await self.objection_workflow.record_creation(session, self.common, objection, principal)
        await audit.append(
            session,
            self.common,
            principal,
            "object",
            OBJECTION,
            objection.id,
            {"notice_id": notice.id, "subject_id": body.subject_id},
        )
        return objection

    def _seal(self, contact: str, env: Any) -> str:
        cipher = self.scope.contact_cipher(env)
        return cipher.encrypt(contact) if cipher is not None else contact

    def objection_read(self, objection: ObjectionColumns, env: Any) -> s.ObjectionRead:
        """An objection as its objector and the notice's staff read it: the contact unsealed."""
        read = s.ObjectionRead.model_validate(objection)
        cipher = self.scope.contact_cipher(env)
        if cipher is not None:
            read = read.model_copy(update={"objector_contact": cipher.decrypt(objection.objector_contact)})
        return read

    async def load_objection(
        self, session: AsyncSession, principal: Principal, objection_id: int, *, for_update: bool = False
    ) -> tuple[ObjectionColumns, NoticeColumns]:
        """The notice's staff see every objection; an objector their own; anybody else a 404."""
        repo = self.repo(session)
        objection = await repo.objection(objection_id, for_update=for_update)
        notice = await repo.notice(objection.notice_id) if objection is not None else None
        if (
            objection is None
            or notice is None
            or not (
                objection.objector_actor == principal.actor_id or await self.scope.staff_of(session, principal, notice)
            )
        ):
            raise NotFound("异议不存在。", "No such objection.")
        return objection, notice

    async def objections(
        self,
        session: AsyncSession,
        principal: Principal,
        notice_id: int,
        *,
        status: str | None,
        limit: int,
        cursor: str | None,
        sort: str | None,
    ) -> tuple[list[ObjectionColumns], str | None]:
        notice = await self.load(session, principal, notice_id)
        if not await self.scope.staff_of(session, principal, notice):
            raise notice_not_found()
        return await self.repo(session).objections_page(notice.id, status=status, limit=limit, cursor=cursor, sort=sort)

    async def objection_history(
        self, session: AsyncSession, principal: Principal, objection_id: int
    ) -> list[HistoryRead]:
        objection, _ = await self.load_objection(session, principal, objection_id)
        return await load_history(session, self.common, OBJECTION, objection.id)

    async def resolve(
        self,
        session: AsyncSession,
        principal: Principal,
        objection_id: int,
        action: str,
        comment: str,
        if_match: str | None,
        now: datetime,
        env: Any,
    ) -> ObjectionColumns:
        objection, notice = await self.load_objection(session, principal, objection_id, for_update=True)
        check_if_match(if_match, OBJECTION, objection.id, objection.version, required=False)
        await self.objection_workflow.apply(session, self.common, objection, action, principal, comment=comment)
        objection.resolution, objection.resolved_by, objection.resolved_at = comment, principal.actor_id, now
        if action == "uphold":
            entry = next(e for e in notice.entries if e.subject_id == objection.subject_id)
            await self.scope.upheld(session, principal, notice, entry, objection, comment, env)
            entry.status = WITHDRAWN
        await flush_versioned(session, "异议")
        await audit.append(
            session,
            self.common,
            principal,
            action,
            OBJECTION,
            objection.id,
            {"notice_id": notice.id, "subject_id": objection.subject_id, "comment": comment},
        )
        return objection

    # --- concluding -------------------------------------------------------------------------------------

    async def conclude(
        self,
        session: AsyncSession,
        principal: Principal,
        notice_id: int,
        comment: str | None,
        if_match: str | None,
        now: datetime,
        env: Any,
    ) -> NoticeColumns:
        notice = await self.load(session, principal, notice_id, for_update=True)
        check_if_match(if_match, NOTICE, notice.id, notice.version, required=False)
        self.workflow.decide(notice.status, "conclude", principal)
        pending = await self.repo(session).unresolved(notice.id)
        blockers = rules.conclusion_blockers(now, notice.closes_at, pending)
        if "period_running" in blockers:
            ends_on = local_date(notice.closes_at).isoformat()
            raise NoticePeriodRunning(
                f"公示期至 {ends_on} 结束。",
                f"The period runs until the end of {ends_on}.",
                extra={"ends_on": ends_on, "closes_at": _sh(notice.closes_at)},
            )
        if pending:
            raise ObjectionsUnresolved(
                f"尚有 {len(pending)} 件异议未处理。",
                f"{len(pending)} objection(s) unresolved.",
                extra={"objection_ids": pending},
            )
        outcome = await self.scope.concluded(session, principal, notice, comment, env)
        await self.workflow.apply(session, self.common, notice, "conclude", principal, comment=comment)
        notice.concluded_by, notice.concluded_at = principal.actor_id, now
        await flush_versioned(session, "公示")
        await audit.append(session, self.common, principal, "conclude", NOTICE, notice.id, outcome)
        return notice

    async def concluded_for(self, session: AsyncSession, subject_id: int) -> bool:
        """The record is listed on a concluded notice (for what may follow it: a contract, a grant)."""
        found = await self.repo(session).entry_of(subject_id)
        return found is not None and found[0].status == LISTED and found[1].status == CONCLUDED
