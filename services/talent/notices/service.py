"""The talent service's public notices (公示), on the shared machinery (``shared.notices``): an official
opens one of a kind (``subjects.KINDS``) for a programme call or an award cycle; the kind's part of the
service says what it lists and for how long (TAL-5 in working days, AW-3 in natural days), what an upheld
objection takes back and what the conclusion does. Every notice is public and shows only what the rules
publish: names, organisations, titles, the category and grade, never an ID number or a contact.

Objections (AW-3, TAL-5 by reference) are written, real-name and evidenced, within the period up to
23:59:59 Asia/Shanghai of its last day; the objector's contact is sealed at rest (``shared.pii``, the
service's cipher). Officials and auditors read them; officials resolve them with reasons.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.models import common
from services.talent.notices.models import TABLES, TalentNotice
from services.talent.notices.schemas import NoticeCreate, NoticeRead, NoticeSummary
from services.talent.notices.subjects import KINDS, SUBJECTS, NoticeSubjects
from shared.errors import ValidationFailed, field_error
from shared.notices.models import EntryColumns, NoticeColumns, ObjectionColumns
from shared.notices.scope import NoticeDraft, NoticeScope
from shared.notices.service import PublicNotices
from shared.pii import FieldCipher
from shared.principal import Principal

STAFF = ("official", "auditor")


def subjects_of(kind: str) -> NoticeSubjects:
    found = SUBJECTS.get(kind)
    if found is None:  # a kind whose part of the service is not mounted
        raise ValidationFailed(
            [field_error("kind", "unknown_kind", "本服务不办理该类公示", "this service runs no such notice")]
        )
    return found


class TalentNotices(NoticeScope):
    officials = ("official",)
    staff = STAFF
    evidence_required = True  # AW-3: with evidence

    def __problem_sources__(self, method: str, consts: Mapping[str, str]) -> list[Any]:
        """What a step reaches through the registry (for the API contract): the same step of every kind."""
        if method in ("prepare", "upheld", "concluded"):
            return [getattr(subjects, method) for subjects in SUBJECTS.values()]
        return []

    async def prepare(
        self, session: AsyncSession, principal: Principal, body: Any, now: datetime, env: Any
    ) -> NoticeDraft:
        assert isinstance(body, NoticeCreate)
        return await subjects_of(body.kind).prepare(session, principal, body, now, env)

    async def staff_of(self, session: AsyncSession, principal: Principal, notice: NoticeColumns) -> bool:
        return principal.has_role(*STAFF)

    def clause(self, notice: NoticeColumns) -> str | None:
        assert isinstance(notice, TalentNotice)
        return KINDS[notice.kind][2]

    def contact_cipher(self, env: Any) -> FieldCipher:
        cipher: FieldCipher = env.cipher
        return cipher

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
        assert isinstance(notice, TalentNotice)
        await subjects_of(notice.kind).upheld(session, principal, notice, entry, objection, comment, env)

    async def concluded(
        self, session: AsyncSession, principal: Principal, notice: NoticeColumns, comment: str | None, env: Any
    ) -> dict[str, Any]:
        assert isinstance(notice, TalentNotice)
        return await subjects_of(notice.kind).concluded(session, principal, notice, comment, env)


NOTICES = PublicNotices(TABLES, TalentNotices(), common, NoticeRead, NoticeSummary)
