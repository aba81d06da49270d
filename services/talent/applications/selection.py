"""Selection through the public notice (公示, TAL-5): the ``selection`` kind of the talent service's notices
(``services.talent.notices``), for one programme call's proposed list.

* ``prepare``: the call locked, its applications the committee proposed and no notice has listed yet (none:
  ``no_proposed_applications``), each marked as noticed; published for the programme's
  ``notice_working_days`` working days (CAL-1), in the order of the ranked list, with public facts only:
  the name, the organisation, the research direction, the programme, its level and kind, the discipline.
  Never an ID number or a contact.
* ``upheld``: an objection upheld takes the application off (``proposed → not_selected``), the official's
  reason in its history.
* ``concluded``: every application still listed is selected (``proposed → selected``) and its tenure
  starts that day (TAL-3: the tranches stored, ``tenure.service.start``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.applications import repository as repo
from services.talent.calls import repository as calls
from services.talent.db import common
from services.talent.errors import NoProposedApplications
from services.talent.labels import kind_label, level_label
from services.talent.notices.subjects import SELECTION, NoticeSubjects, register
from services.talent.programmes import service as programmes
from services.talent.review_rounds.service import call_ranking, ranked_at
from services.talent.rules.workflows import APPLICATION_WORKFLOW
from services.talent.tenure import service as tenure
from shared import audit
from shared.errors import Forbidden, NotFound
from shared.notices.models import LISTED, WORKING, EntryColumns, NoticeColumns, ObjectionColumns
from shared.notices.rules import notice_start
from shared.notices.scope import EntryDraft, NoticeDraft
from shared.principal import Principal
from shared.workdays import today_shanghai

KIND = "talent_application"


class SelectionNotice(NoticeSubjects):
    kind: ClassVar[str] = SELECTION

    async def prepare(
        self, session: AsyncSession, principal: Principal, body: Any, now: datetime, env: Any
    ) -> NoticeDraft:
        if not principal.has_role("official"):
            raise Forbidden("只有科技厅工作人员可以发布公示。", "Only officials publish notices.", extra={})
        call = await calls.locked(session, body.call_id)  # two officials at once cannot list one twice
        if call is None:
            raise NotFound("年度申报不存在。", "No such call.")
        found = await repo.to_notice(session, call.id)
        if not found:
            raise NoProposedApplications(
                "该年度申报没有评审委员会建议入选、尚未公示的申报书。",
                "The call has no application the committee proposed that is not on a notice yet.",
                extra={"call_id": call.id},
            )
        programme = await programmes.load(session, call.programme_id)
        ranks = ranked_at(await call_ranking(session, call.id))
        for application in found:
            application.noticed_at = now
        found.sort(key=lambda a: (ranks[a.id].rank if a.id in ranks else 10**9, a.id))
        level, kind = level_label(programme.level), kind_label(programme.kind)
        details = {
            "programme": programme.name,
            "programme_code": programme.code,
            "level": programme.level,
            "level_label": level.model_dump(),
            "kind": programme.kind,
            "kind_label": kind.model_dump(),
        }
        return NoticeDraft(
            values={"kind": SELECTION, "call_id": call.id, "cycle_id": None, "year": call.year},
            title=body.title or f"{call.title}拟入选名单公示",
            starts_at=notice_start(body.starts_on, now),
            days=programme.notice_working_days,
            day_count=WORKING,
            entries=[
                EntryDraft(
                    subject_id=a.id,
                    title=a.title,
                    person_name=a.applicant_name,
                    organisation_name=a.org_name,
                    rank=ranks[a.id].rank if a.id in ranks else None,
                    details={**details, "discipline_code": a.discipline_code},
                )
                for a in found
            ],
            audit={"call_id": call.id, "applications": [a.id for a in found]},
        )

    async def upheld(
        self,
        session: AsyncSession,
        principal: Principal,
        notice: NoticeColumns,
        entry: EntryColumns,
        objection: ObjectionColumns,
        comment: str,
        env: Any,
    ) -> None:
        (application,) = await repo.locked(session, [entry.subject_id])
        reason = f"公示异议成立 / objection upheld (TAL-5, objection {objection.id}): {comment}"
        await APPLICATION_WORKFLOW.apply(session, common, application, "not_select", principal, comment=reason)
        await audit.append(
            session,
            common,
            principal,
            "not_select",
            KIND,
            application.id,
            {"notice_id": notice.id, "objection_id": objection.id},
        )

    async def concluded(
        self, session: AsyncSession, principal: Principal, notice: NoticeColumns, comment: str | None, env: Any
    ) -> dict[str, Any]:
        listed = [e.subject_id for e in notice.entries if e.status == LISTED]
        today = today_shanghai(env.now)
        selected: list[int] = []
        for application in await repo.locked(session, listed):
            if application.status != "proposed":
                continue
            programme = await programmes.load(session, application.programme_id)
            await APPLICATION_WORKFLOW.apply(
                session, common, application, "select", principal, comment=comment or "公示期满 / notice concluded"
            )
            await tenure.start(session, principal, application, programme, today)
            await audit.append(session, common, principal, "select", KIND, application.id, {"notice_id": notice.id})
            selected.append(application.id)
        return {"selected": selected, "tenure_starts_on": today.isoformat()}


register(SelectionNotice())
