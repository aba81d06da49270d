"""The kinds of public notice (公示) the talent service runs, each the records of one part of the service:

* ``selection``: a programme call's proposed list (TAL-5: working days, the programme's figure);
* ``award_acceptance``: an award cycle's nominations accepted at formal review (AW-3: 30 natural days);
* ``award_winners``: an award cycle's proposed winners (AW-3: 15 natural days).

A part of the service declares its kind by subclassing ``NoticeSubjects`` and calling ``register`` once
(at import). The notices' scope (``notices.service``) hands each step to the kind of the notice at hand:
which records a new notice lists, what an upheld objection and the conclusion do to them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from shared.notices.models import EntryColumns, NoticeColumns, ObjectionColumns
from shared.notices.scope import NoticeDraft
from shared.principal import Principal

SELECTION, AWARD_ACCEPTANCE, AWARD_WINNERS = "selection", "award_acceptance", "award_winners"
# the kinds the API takes, with what they publish, and the clause their objections are taken under
KINDS: dict[str, tuple[str, str, str]] = {
    SELECTION: ("人才计划拟入选名单公示", "a programme call's proposed list", "TAL-5"),
    AWARD_ACCEPTANCE: ("科学技术奖提名受理公示", "an award cycle's accepted nominations", "AW-3"),
    AWARD_WINNERS: ("科学技术奖拟授奖公示", "an award cycle's proposed winners", "AW-3"),
}


class NoticeSubjects:
    """One kind of notice. ``body`` is ``notices.schemas.NoticeCreate``; ``env`` the service's
    ``deps.Environment``; ``notice`` a ``notices.models.TalentNotice``."""

    kind: ClassVar[str]

    async def prepare(
        self, session: AsyncSession, principal: Principal, body: Any, now: datetime, env: Any
    ) -> NoticeDraft:
        """Lock the call or cycle, and say what the notice lists (nothing to list: a 409) and for how long."""
        raise NotImplementedError

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
        """An objection upheld: take the record back (it is then ``withdrawn`` on the notice)."""
        raise NotImplementedError

    async def concluded(
        self, session: AsyncSession, principal: Principal, notice: NoticeColumns, comment: str | None, env: Any
    ) -> dict[str, Any]:
        """The notice concluded: move the records still listed on; return what the audit entry records."""
        raise NotImplementedError


SUBJECTS: dict[str, NoticeSubjects] = {}


def register(subjects: NoticeSubjects) -> NoticeSubjects:
    if subjects.kind not in KINDS:
        raise ValueError(f"unknown kind of notice {subjects.kind!r}")
    SUBJECTS[subjects.kind] = subjects
    return subjects
