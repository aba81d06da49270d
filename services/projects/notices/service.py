"""The public notice (公示) of an approved list, on the shared machinery (``shared.notices``): an
official opens it for an approved list (its approved applications, with their ranks and amounts);
anyone reads it while it is open, the staff of its programme (officials, auditors, the entrusted
agency) also once concluded; an upheld objection takes the approval back and releases its amount."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import access
from services.projects.approvals import repository as approvals_repo
from services.projects.approvals import service as approvals
from services.projects.db import common
from services.projects.notices import repository as repo
from services.projects.notices.models import TABLES
from services.projects.notices.schemas import NoticeCreate, NoticeRead, NoticeSummary
from services.projects.programmes import service as programmes
from shared import audit
from shared.errors import Conflict, Duplicate, NotFound, ValidationFailed, field_error
from shared.notices.scope import EntryDraft, NoticeDraft, NoticeScope
from shared.notices.service import PublicNotices
from shared.principal import Principal


class ProjectsNotices(NoticeScope):
    async def prepare(
        self, session: AsyncSession, principal: Principal, body: Any, now: datetime, env: Any
    ) -> NoticeDraft:
        assert isinstance(body, NoticeCreate)
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
                    field_error(
                        "starts_at",
                        "timezone_required",
                        "时间须带时区偏移，如 +08:00",
                        "give the time with its offset, e.g. +08:00",
                    )
                ]
            )
        approved = [i for i in approval_list.items if i.status == "approved"]
        by_id = {a.id: a for a in await approvals_repo.applications(session, [i.application_id for i in approved])}
        return NoticeDraft(
            values={
                "list_id": approval_list.id,
                "programme_id": approval_list.programme_id,
                "call_id": approval_list.call_id,
            },
            title=body.title or f"拟立项公示（清单 {approval_list.id}）",
            starts_at=starts_at,
            days=body.working_days,
            entries=[
                EntryDraft(
                    subject_id=i.application_id,
                    title=by_id[i.application_id].title,
                    person_name=by_id[i.application_id].leader_name,
                    organisation_name=by_id[i.application_id].applicant_org_name,
                    rank=i.rank,
                    amount=i.amount,
                )
                for i in approved
            ],
            audit={"list_id": approval_list.id},
        )

    def visible(self, principal: Principal) -> ColumnElement[bool]:
        return access.visible_notices(principal)

    async def staff_of(self, session: AsyncSession, principal: Principal, notice: Any) -> bool:
        """Officials and auditors, or the agency entrusted with the programme (PRJ-2)."""
        if principal.has_role(*access.SEE_ALL):
            return True
        return await programmes.entrusted(session, principal, notice.programme_id)

    async def upheld(
        self,
        session: AsyncSession,
        principal: Principal,
        notice: Any,
        entry: Any,
        objection: Any,
        comment: str,
        env: Any,
    ) -> None:
        (application,) = await approvals_repo.applications(session, [objection.subject_id], for_update=True)
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


NOTICES = PublicNotices(TABLES, ProjectsNotices(), common, NoticeRead, NoticeSummary)


async def concluded_for(session: AsyncSession, application_id: int) -> bool:
    """For contracts: the application is listed on a concluded notice."""
    return await NOTICES.concluded_for(session, application_id)
