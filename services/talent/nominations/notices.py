"""The awards' two kinds of public notice (AW-3), plugged into the talent notices (``notices.subjects``):

* ``award_acceptance``: the cycle's nominations accepted at formal review, for the cycle's
  ``acceptance_days`` natural days (30); concluded, they go on to the panel (``in_review``);
* ``award_winners``: the nominations the committee proposed, with their grade, for ``winners_days`` natural
  days (15); concluded, the proposed grades are final (``confirmed``) and the results may be published.

Opening a notice moves its nominations onto it in the same unit of work; a cycle runs one notice of a kind at a
time (``award_notice_running``), so concluding it moves exactly the nominations it lists, and the next one lists
only those accepted or proposed since; an upheld objection disqualifies the nomination with the reason
recorded. A notice publishes only the public facts: the title, the first
completer, the first unit, the category and the grade; never an ID number or a contact."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.award_cycles import service as cycles
from services.talent.db import common
from services.talent.errors import AwardNoticeRunning, NoNominationsToPublish
from services.talent.nominations import repository as repo
from services.talent.nominations import service as nominations
from services.talent.notices.subjects import AWARD_ACCEPTANCE, AWARD_WINNERS, NoticeSubjects, register
from services.talent.rules.award_flows import NOMINATION_WORKFLOW
from shared import audit
from shared.errors import NotFound
from shared.notices.models import EntryColumns, NoticeColumns, ObjectionColumns
from shared.notices.rules import notice_start
from shared.notices.scope import EntryDraft, NoticeDraft
from shared.principal import Principal


class _AwardNotice(NoticeSubjects):
    listed: ClassVar[str]  # the state of the nominations a new notice lists
    on_notice: ClassVar[str]  # their state while on it
    publish: ClassVar[str]  # the move onto the notice
    conclude: ClassVar[str]  # the move off it when the notice is concluded
    title_zh: ClassVar[str]

    def days(self, cycle: Any) -> int:
        raise NotImplementedError

    async def prepare(
        self, session: AsyncSession, principal: Principal, body: Any, now: datetime, env: Any
    ) -> NoticeDraft:
        found = await cycles.repo.get_visible(session, principal, body.cycle_id)
        if found is None:
            raise NotFound("评审周期不存在。", "No such award cycle.")
        cycle = await cycles.locked(session, found.id)
        if await repo.in_states(session, cycle.id, [self.on_notice]):
            raise AwardNoticeRunning(
                "本周期已有同类公示正在进行，结束后再开新的公示（AW-3）。",
                "A notice of this kind is running for the cycle; open another once it is concluded (AW-3).",
                extra={"cycle_id": cycle.id, "kind": self.kind},
            )
        listed = await repo.in_states(session, cycle.id, [self.listed])
        if not listed:
            raise NoNominationsToPublish(
                "本周期没有可列入该公示的提名。",
                "The cycle has no nomination to list on such a notice.",
                extra={"cycle_id": cycle.id, "kind": self.kind},
            )
        people = await repo.people(session, [n.id for n in listed])
        category = cycles.category_of(cycle)
        entries = []
        for nomination in listed:
            first = people[nomination.id][0] if people[nomination.id] else None
            entries.append(
                EntryDraft(
                    subject_id=nomination.id,
                    title=nomination.title,
                    person_name=first.name if first else "",
                    organisation_name=nomination.units[0]["name"] if nomination.units else "",
                    details={
                        "category": cycle.category,
                        "category_name": category.name_zh,
                        "grade": nomination.grade if self.kind == AWARD_WINNERS else None,
                    },
                )
            )
            await NOMINATION_WORKFLOW.apply(session, common, nomination, self.publish, principal)
        await session.flush()
        return NoticeDraft(
            values={"kind": self.kind, "call_id": None, "cycle_id": cycle.id, "year": cycle.year},
            title=body.title or f"{cycle.year}年度{category.name_zh}{self.title_zh}",
            starts_at=notice_start(body.starts_on, now),
            days=self.days(cycle),
            day_count="natural",
            entries=entries,
            audit={"cycle_id": cycle.id, "nominations": len(entries)},
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
        nomination = await repo.get(session, entry.subject_id)
        if nomination is None or nomination.status != self.on_notice:
            return
        await NOMINATION_WORKFLOW.apply(session, common, nomination, "disqualify", principal, comment=comment)
        await session.flush()
        facts = {"notice_id": notice.id, "objection_id": objection.id}
        await audit.append(session, common, principal, "disqualify", nominations.KIND, nomination.id, facts)

    async def concluded(
        self, session: AsyncSession, principal: Principal, notice: NoticeColumns, comment: str | None, env: Any
    ) -> dict[str, Any]:
        cycle_id: int = getattr(notice, "cycle_id")  # noqa: B009 - the talent notice's scope column
        await cycles.locked(session, cycle_id)
        moved = []
        for nomination in await repo.in_states(session, cycle_id, [self.on_notice]):
            await NOMINATION_WORKFLOW.apply(session, common, nomination, self.conclude, principal, comment=comment)
            moved.append(nomination.id)
        await session.flush()
        return {"cycle_id": cycle_id, "nominations": moved}


class AcceptanceNotice(_AwardNotice):
    kind = AWARD_ACCEPTANCE
    listed, on_notice = "accepted", "on_acceptance_notice"
    publish, conclude = "publish_acceptance", "conclude_acceptance"
    title_zh = "提名受理公示"

    def days(self, cycle: Any) -> int:
        return int(cycle.acceptance_days)


class WinnersNotice(_AwardNotice):
    kind = AWARD_WINNERS
    listed, on_notice = "proposed", "on_winners_notice"
    publish, conclude = "publish_winners", "conclude_winners"
    title_zh = "拟授奖公示"

    def days(self, cycle: Any) -> int:
        return int(cycle.winners_days)


register(AcceptanceNotice())
register(WinnersNotice())
