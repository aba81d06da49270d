"""Use cases of the limits ledger (限项台账, PRJ-1, NSF-5); never commits.

In process, the projects service's own applications keep their ledger entries current with
``record`` / ``remove`` and guard submission with ``check`` / ``ensure_allowed``. Other services do
the same over HTTP (``PUT/DELETE /internal/ledger/items/{service}/{item_id}``,
``POST /internal/ledger/check``) through ``shared.clients.LedgerClient``.

Reporting: send the item's whole current state with a ``revision`` that grows with every change
(an application's ``version`` does). A report whose revision is below the stored one arrived late
and is ignored; the same revision with the same content changes nothing; the same revision with
other content is a 409 (the caller broke monotonicity). A withdrawn or deleted item is removed;
an application that was not funded, or a finished project, is ``closed``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.errors import RevisionConflict
from services.projects.ledger import repository
from services.projects.ledger.models import LedgerItem, LedgerLimit
from services.projects.ledger.schemas import LedgerItemRead
from services.projects.rules.limits import (
    ITEM_KINDS,
    ITEM_ROLES,
    ITEM_STATUSES,
    LEDGER_SERVICES,
    RULE_CODES,
    RULES,
    Candidate,
    Entry,
    LimitDecision,
    evaluate,
)
from shared import audit
from shared.clients.ledger import ITEM_ID_PATTERN
from shared.db.models import CommonTables, utcnow
from shared.errors import LimitExceeded, ValidationFailed, field_error
from shared.pagination import Page
from shared.principal import Principal
from shared.subject_keys import is_subject_key

SORTS = repository.SORTS  # the orders its list takes, as the router documents them

Outcome = Literal["created", "updated", "unchanged", "stale"]
_CONTENT = ("person_key", "role", "kind", "programme", "year", "status")


@dataclass(frozen=True)
class ItemReport:
    """One item's current state as its service reports it."""

    service: str
    item_id: str
    person_key: str
    role: str
    kind: str
    programme: str
    year: int
    status: str
    revision: int

    def validate(self) -> None:
        errors: list[dict[str, str]] = []
        for name, value, allowed in (
            ("service", self.service, LEDGER_SERVICES),
            ("role", self.role, ITEM_ROLES),
            ("kind", self.kind, ITEM_KINDS),
            ("status", self.status, ITEM_STATUSES),
        ):
            if value not in allowed:
                errors.append(
                    field_error(
                        name, "invalid_choice", f"应为以下之一：{'、'.join(allowed)}", f"one of {', '.join(allowed)}"
                    )
                )
        if not is_subject_key(self.person_key):
            errors.append(
                field_error(
                    "person_key",
                    "invalid_subject_key",
                    "应为 64 位小写十六进制字符（shared.subject_keys.person_key）",
                    "64 lower-case hex characters (shared.subject_keys.person_key)",
                )
            )
        if not re.fullmatch(ITEM_ID_PATTERN, self.item_id):
            errors.append(
                field_error(
                    "item_id", "invalid_item_id", f"格式应符合 {ITEM_ID_PATTERN}", f"must match {ITEM_ID_PATTERN}"
                )
            )
        if not 1 <= len(self.programme) <= 64:
            errors.append(field_error("programme", "invalid_length", "应为 1 至 64 个字符", "1 to 64 characters"))
        if not 0 <= self.revision < 2**63 or not 1900 <= self.year <= 2200:
            errors.append(
                field_error("revision", "out_of_range", "修订号或年度超出范围", "revision or year out of range")
            )
        if errors:
            raise ValidationFailed(errors)


@dataclass(frozen=True)
class RecordResult:
    outcome: Outcome
    item: LedgerItem

    @property
    def stale(self) -> bool:
        return self.outcome == "stale"


def _values(item: ItemReport) -> dict[str, object]:
    return {name: getattr(item, name) for name in (*_CONTENT, "service", "item_id", "revision")}


def _bring_up_to_date(existing: LedgerItem, item: ItemReport, values: dict[str, object]) -> Outcome:
    """The revision rule on a stored row (see the module docstring); changes it in place when newer."""
    if item.revision < existing.revision:
        return "stale"
    same = not existing.removed and all(getattr(existing, n) == values[n] for n in _CONTENT)
    if item.revision == existing.revision:
        if same:
            return "unchanged"
        if existing.removed:
            return "stale"  # removed at this revision: the removal wins
        raise RevisionConflict(
            "该条目以同一修订号报送了不同内容；每次变化须递增修订号。",
            "The item was reported with other content under the same revision; increase the revision "
            "with every change.",
            extra={"revision": existing.revision, "item_id": existing.item_id},
        )
    for name in _CONTENT:
        setattr(existing, name, values[name])
    existing.revision = item.revision
    existing.removed = False
    existing.updated_at = utcnow()
    return "updated"


async def record(session: AsyncSession, item: ItemReport) -> RecordResult:
    """Create or bring up to date the entry of ``(item.service, item.item_id)``: idempotent, last
    revision wins (see the module docstring)."""
    item.validate()
    values = _values(item)
    existing = await repository.get(session, item.service, item.item_id, for_update=True)
    if existing is None:
        if await repository.insert_if_absent(session, {**values, "removed": False, "updated_at": utcnow()}):
            created = await repository.get(session, item.service, item.item_id)
            assert created is not None
            return RecordResult("created", created)
        existing = await repository.get(session, item.service, item.item_id, for_update=True)
        assert existing is not None  # the concurrent insert that beat ours
    outcome = _bring_up_to_date(existing, item, values)
    if outcome == "updated":
        await session.flush()
    return RecordResult(outcome, existing)


async def record_many(session: AsyncSession, service: str, items: Sequence[ItemReport]) -> dict[str, int]:
    """``record`` for many items of one service in one transaction and a few statements (a draw moves
    thousands of applications at once): the stored rows are read and locked in chunks, new ones inserted
    as ``record`` does. Any invalid item refuses the whole batch (422), nothing written."""
    errors: list[dict[str, str]] = []
    for index, item in enumerate(items):
        try:
            item.validate()
        except ValidationFailed as exc:
            errors += [{**e, "field": f"items[{index}].{e['field']}"} for e in exc.extra["errors"]]
        if item.service != service:
            errors.append(
                field_error(
                    f"items[{index}].service",
                    "other_service",
                    "一批只能包含同一服务的事项",
                    "a batch holds one service's items",
                )
            )
    if len({i.item_id for i in items}) != len(items):
        errors.append(field_error("items", "duplicate_item", "每个事项只能出现一次", "each item may appear once"))
    if errors:
        raise ValidationFailed(errors[:50])
    stored = await repository.get_many(session, service, [i.item_id for i in items], for_update=True)
    outcomes: dict[str, int] = {"created": 0, "updated": 0, "unchanged": 0, "stale": 0}
    now = utcnow()
    new = [{**_values(i), "removed": False, "updated_at": now} for i in items if i.item_id not in stored]
    created = await repository.insert_many_if_absent(session, new) if new else set()
    outcomes["created"] = len(created)
    raced = [str(row["item_id"]) for row in new if row["item_id"] not in created]
    if raced:  # inserted meanwhile by another transaction: brought up to date like the others
        stored.update(await repository.get_many(session, service, raced, for_update=True))
    for item in items:
        if item.item_id in created:
            continue
        outcomes[_bring_up_to_date(stored[item.item_id], item, _values(item))] += 1
    await session.flush()
    return outcomes


async def remove(session: AsyncSession, service: str, item_id: str, revision: int | None = None) -> bool:
    """Take an item out of the counts (withdrawn, deleted). A removal older than the stored revision
    is ignored (False). The row stays as a tombstone so a late report cannot bring it back."""
    existing = await repository.get(session, service, item_id, for_update=True)
    if existing is None:
        return False
    if revision is not None and revision < existing.revision:
        return False
    if not existing.removed:
        existing.removed = True
        if revision is not None:
            existing.revision = revision
        existing.updated_at = utcnow()
        await session.flush()
    return True


def _entry(row: LedgerItem) -> Entry:
    return Entry(
        service=row.service,
        item_id=row.item_id,
        role=row.role,
        kind=row.kind,
        programme=row.programme,
        year=row.year,
        status=row.status,
    )


async def held_entries(
    session: AsyncSession,
    person_key: str,
    *,
    year: int | None = None,
    kinds: tuple[str, ...] | None = None,
    statuses: tuple[str, ...] | None = None,
    services: tuple[str, ...] | None = None,
) -> list[Entry]:
    """The person's entries (removed ones left out), filtered: what ``count`` counts."""
    rows = await repository.held_by(session, person_key, services=services, kinds=kinds, statuses=statuses, year=year)
    return [_entry(r) for r in rows]


async def check(
    session: AsyncSession,
    person_key: str,
    kind: str,
    year: int,
    *,
    service: str = "projects",
    role: str = "leader",
    senior: bool = False,
    exclude_item_id: str | None = None,
) -> LimitDecision:
    """May the person take one more item of ``kind`` (in ``service``, as ``role``) in ``year``?

    ``exclude_item_id`` leaves out the candidate's own entry (``service``, that id) when it is
    already in the ledger, so re-checking a resubmitted application does not count it twice.
    ``senior`` says whether the person holds a senior title (NSF-5's total applies to them only).
    """
    rows = await repository.held_by(session, person_key)
    entries = [_entry(r) for r in rows if not (r.service == service and r.item_id == exclude_item_id)]
    limits = await repository.limit_overrides(session, year)
    return evaluate(entries, Candidate(service=service, kind=kind, role=role, year=year, senior=senior), limits=limits)


async def ensure_allowed(
    session: AsyncSession,
    person_key: str,
    kind: str,
    year: int,
    *,
    service: str = "projects",
    role: str = "leader",
    senior: bool = False,
    exclude_item_id: str | None = None,
) -> LimitDecision:
    """``check``, raising ``LimitExceeded`` (409, ``limit_exceeded``, with the clause, counts and the
    items that count) when the person may not: the submit guard of PRJ-1."""
    decision = await check(
        session, person_key, kind, year, service=service, role=role, senior=senior, exclude_item_id=exclude_item_id
    )
    if not decision.allowed:
        first = decision.violations[0]
        raise LimitExceeded(
            f"已达限项上限：{first.name_zh}为 {first.limit} 项，现有 {first.count} 项（{first.clause}）。",
            f"Limit reached: {first.name_en} is {first.limit}, held {first.count} ({first.clause}).",
            extra={
                "clause": first.clause,
                "violations": [
                    {
                        "clause": v.clause,
                        "rule": v.code,
                        "limit": v.limit,
                        "count": v.count,
                        "items": [
                            {
                                "service": e.service,
                                "item_id": e.item_id,
                                "kind": e.kind,
                                "year": e.year,
                                "status": e.status,
                            }
                            for e in v.items
                        ],
                    }
                    for v in decision.violations
                ],
            },
        )
    return decision


@dataclass(frozen=True)
class LimitFigure:
    clause: str
    rule_code: str
    name_zh: str
    name_en: str
    default: int
    overrides: dict[int, int]


async def page(
    session: AsyncSession,
    person_key: str,
    *,
    status: str | None,
    year: int | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> Page[LedgerItemRead]:
    """A person's entries, for supervision."""
    rows, next_cursor = await repository.page(
        session, person_key, status=status, year=year, limit=limit, cursor=cursor, sort=sort
    )
    return Page[LedgerItemRead](items=[LedgerItemRead.model_validate(r) for r in rows], next_cursor=next_cursor)


async def limit_figures(session: AsyncSession) -> list[LimitFigure]:
    rows = await repository.all_limits(session)
    return [
        LimitFigure(
            r.clause,
            r.code,
            r.name_zh,
            r.name_en,
            r.limit,
            {row.year: row.max_items for row in rows if row.rule_code == r.code},
        )
        for r in RULES
    ]


async def set_limit(
    session: AsyncSession, common: CommonTables, caller: Principal, rule_code: str, year: int, limit: int
) -> LimitFigure:
    """An official sets a rule's figure for one year, or for every year (``year`` 0)."""
    if rule_code not in RULE_CODES:
        raise ValidationFailed(
            [
                field_error(
                    "rule_code",
                    "unknown_rule",
                    f"应为以下之一：{'、'.join(RULE_CODES)}",
                    f"one of {', '.join(RULE_CODES)}",
                )
            ]
        )
    row = await repository.get_limit(session, rule_code, year)
    before = row.max_items if row is not None else None
    if row is None:
        await repository.add(
            session,
            LedgerLimit(
                rule_code=rule_code,
                year=year,
                max_items=limit,
                version=1,
                updated_by=caller.actor_id,
                updated_at=utcnow(),
            ),
        )
    elif row.max_items != limit:
        row.max_items, row.version = limit, row.version + 1
        row.updated_by, row.updated_at = caller.actor_id, utcnow()
        await session.flush()
    await audit.append(
        session, common, caller, "set_limit", "ledger_limit", f"{rule_code}/{year}", {"before": before, "after": limit}
    )
    return next(f for f in await limit_figures(session) if f.rule_code == rule_code)
