"""What a service plugs into the shared public notices: which records a notice lists and who opens
it (``prepare``), who sees notices and objections, and what an upheld objection and the conclusion do
to the records (taking an approval back, funding, selecting)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, true
from sqlalchemy.ext.asyncio import AsyncSession

from shared.notices.models import WORKING, EntryColumns, NoticeColumns, ObjectionColumns
from shared.pii import FieldCipher
from shared.principal import Principal


@dataclass(frozen=True)
class EntryDraft:
    """A record as the notice will publish it."""

    subject_id: int
    title: str
    person_name: str
    organisation_name: str
    rank: int | None = None
    amount: Decimal | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NoticeDraft:
    """What ``prepare`` decides: the notice's scope columns, its title, start and period (``days``
    counted as ``day_count`` says: ``working`` days, CAL-1, or ``natural`` days, CAL-2), its entries."""

    values: dict[str, Any]
    title: str
    starts_at: datetime
    days: int
    entries: list[EntryDraft]
    day_count: str = WORKING
    audit: dict[str, Any] = field(default_factory=dict)


class NoticeScope:
    """A service's side of its public notices. Override what the docstrings ask for."""

    # who opens and concludes a notice and resolves objections (the workflows' roles)
    officials: tuple[str, ...] = ("official",)
    # who may read a notice's objections and history (narrowed per notice by ``staff_of``)
    staff: tuple[str, ...] = ("official", "agency", "auditor")
    # AW-3: an objection without evidence is not taken (``objection_incomplete``)
    evidence_required: bool = False
    # the clause an objection's refusals name (e.g. "AW-3"); None: none named
    objection_clause: str | None = None

    def clause(self, notice: NoticeColumns) -> str | None:
        """The clause an objection to ``notice`` is refused under (``objection_clause`` unless the kind of
        notice says otherwise)."""
        return self.objection_clause

    def contact_cipher(self, env: Any) -> FieldCipher | None:
        """The cipher that seals an objector's contact at rest (``shared.pii``); None: stored as given."""
        return None

    async def prepare(
        self, session: AsyncSession, principal: Principal, body: Any, now: datetime, env: Any
    ) -> NoticeDraft:
        """Check the service's open body and say what the notice publishes; nothing to publish is a 409."""
        raise NotImplementedError

    def visible(self, principal: Principal) -> ColumnElement[bool]:
        """A WHERE clause on the notice model: the notices the caller sees (default: every one, for anyone)."""
        return true()

    async def staff_of(self, session: AsyncSession, principal: Principal, notice: NoticeColumns) -> bool:
        """May the caller read this notice's objections and history (and anyone's objection to it)?"""
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
        """An objection upheld: take the record's approval (or selection) back. The entry is then
        ``withdrawn`` by the machinery."""
        raise NotImplementedError

    async def concluded(
        self, session: AsyncSession, principal: Principal, notice: NoticeColumns, comment: str | None, env: Any
    ) -> dict[str, Any]:
        """The notice concluded: what happens to the records still listed (fund, select, nothing); returns
        what the audit entry records."""
        return {"listed": [e.subject_id for e in notice.entries if e.status == "listed"]}
