"""The public notice (公示) of a category's approved applications, on the shared machinery
(``shared.notices``): an official opens it for the plan's ``notice_working_days`` working days (CAL-1),
from now or from the start of ``starts_on``; every notice is public (open or concluded); the plan's
staff and auditors read its objections; an upheld objection takes the approval back and gives its
amount and place back to the category; the conclusion funds every application still listed.

Every application moves through ``applications.service.move`` (history, the limits ledger in the
projects service, the audit trail): when projects does not answer, the whole request is refused (503)
and nothing is written.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation.applications import service as applications
from services.foundation.approvals import repository as approvals_repo
from services.foundation.approvals import service as approvals
from services.foundation.db import common
from services.foundation.deps import Environment
from services.foundation.errors import NothingToPublish
from services.foundation.notices import repository as repo
from services.foundation.notices.models import TABLES
from services.foundation.notices.schemas import NoticeCreate, NoticeRead, NoticeSummary
from shared.notices.models import LISTED
from shared.notices.rules import notice_start
from shared.notices.scope import EntryDraft, NoticeDraft, NoticeScope
from shared.notices.service import PublicNotices
from shared.principal import Principal

FUNDED = "funded"


class FoundationNotices(NoticeScope):
    async def prepare(
        self, session: AsyncSession, principal: Principal, body: Any, now: datetime, env: Any
    ) -> NoticeDraft:
        assert isinstance(body, NoticeCreate)
        # the category's lock: two officials publishing at once cannot list an application twice
        plan, category = await approvals.plan_and_category(
            session, principal, body.plan_id, body.category_id, for_update=True
        )
        approved = await repo.to_publish(session, category.id)
        if not approved:
            raise NothingToPublish(
                "该类别没有尚未公示的已批准申请书。",
                "The category has no approved application that is not on a notice yet.",
            )
        return NoticeDraft(
            values={"plan_id": plan.id, "category_id": category.id, "year": plan.year},
            title=body.title or f"{plan.title}·{category.name}拟资助项目公示",
            starts_at=notice_start(body.starts_on, now),
            days=plan.notice_working_days,
            entries=[
                EntryDraft(
                    subject_id=a.id,
                    title=a.title,
                    person_name=a.applicant_name,
                    organisation_name=a.institution_name,
                    rank=a.rank,
                    amount=a.approved_amount or Decimal("0.00"),
                    details={"discipline_code": a.discipline_code},
                )
                for a in approved
            ],
            audit={"plan_id": plan.id, "category_id": category.id},
        )

    async def staff_of(self, session: AsyncSession, principal: Principal, notice: Any) -> bool:
        plan = await approvals_repo.plan(session, notice.plan_id)
        return plan is not None and approvals.sees_plan(plan, principal)

    async def upheld(
        self,
        session: AsyncSession,
        principal: Principal,
        notice: Any,
        entry: Any,
        objection: Any,
        comment: str,
        env: Environment,
    ) -> None:
        await approvals.withdraw_approval(
            session, principal, notice.plan_id, notice.category_id, objection.subject_id, objection.id, comment, env
        )

    async def concluded(
        self, session: AsyncSession, principal: Principal, notice: Any, comment: str | None, env: Environment
    ) -> dict[str, Any]:
        """Every application still listed and approved is funded (its entry says so)."""
        plan = await approvals_repo.plan(session, notice.plan_id)
        assert plan is not None  # foreign key
        listed = {e.subject_id: e for e in notice.entries if e.status == LISTED}
        funded: list[int] = []
        for application in await approvals_repo.applications(session, sorted(listed), for_update=True):
            if application.status == "approved":
                await applications.move(
                    session,
                    principal,
                    application,
                    "fund",
                    comment,
                    env,
                    plan=plan,
                    audit_data={"notice_id": notice.id, "approved_amount": f"{application.approved_amount:.2f}"},
                )
                listed[application.id].status = FUNDED
                funded.append(application.id)
        return {"funded": funded}


NOTICES = PublicNotices(TABLES, FoundationNotices(), common, NoticeRead, NoticeSummary)
