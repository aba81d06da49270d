"""Use cases of integrity records (PRJ-5, NSF-7); never commits.

Other code of the projects service calls ``check_debarment`` / ``ensure_not_debarred`` in process
(the applications' submit guard); other services ask ``GET /integrity/check`` through
``shared.clients.IntegrityClient``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.integrity import repository
from services.projects.integrity.models import IntegrityRecord
from services.projects.integrity.schemas import IntegrityRecordCreate, IntegrityRecordRead, IntegrityRecordUpdate
from services.projects.rules.integrity import DebarmentPeriod, check_period, is_debarred
from shared import audit
from shared.concurrency import check_if_match
from shared.db.models import CommonTables, utcnow
from shared.errors import Conflict, Debarred, NotFound, ValidationFailed, field_error
from shared.pagination import Page
from shared.principal import Principal
from shared.subject_keys import subject_key
from shared.validators import mask_id
from shared.workdays import today_shanghai
from shared.workflow import HistoryRead, Workflow, load_history, transition

SORTS = repository.SORTS  # the orders its list takes, as the router documents them

ENTITY = "integrity_record"
OFFICIALS = ("official", "admin")

WORKFLOW = Workflow(ENTITY, "active", [transition("revoke", "active", "revoked", OFFICIALS, comment_required=True)])


@dataclass(frozen=True)
class DebarmentCheck:
    debarred: bool
    on: date
    periods: list[DebarmentPeriod]


async def check_debarment(session: AsyncSession, subject_key: str, on: date | None = None) -> DebarmentCheck:
    """Is the subject (a key from ``shared.subject_keys``) debarred on ``on`` (default: today, Shanghai)?"""
    day = on or today_shanghai()
    records = await repository.active_for_subjects(session, [subject_key])
    debarred, periods = is_debarred(records, day)
    return DebarmentCheck(debarred, day, periods)


async def ensure_not_debarred(
    session: AsyncSession, subject_keys: Iterable[str], on: date | None = None, *, role: str | None = None
) -> None:
    """Raise ``Debarred`` (409, ``debarred``) when any of the subjects is debarred on ``on``:
    the submit guard of PRJ-5 (the leader's key and the organisation's key, say). ``role`` names
    who is debarred in the problem ("leader", "organisation")."""
    day = on or today_shanghai()
    records = await repository.active_for_subjects(session, list(dict.fromkeys(subject_keys)))
    debarred, periods = is_debarred(records, day)
    if debarred:
        last = max(p.end for p in periods)
        who_zh, who_en = (f"（{role}）", f" ({role})") if role else ("", "")
        raise Debarred(
            f"申报主体{who_zh}处于取消申报资格期内，至 {last} 止（PRJ-5）。",
            f"The subject{who_en} is debarred from applying until {last} (PRJ-5).",
            extra={
                "clause": "PRJ-5",
                "on": day.isoformat(),
                "periods": [
                    {"measure": p.measure, "start": p.start.isoformat(), "end": p.end.isoformat()} for p in periods
                ],
            },
        )


def _period_problem(measure: str, severity: str, start: date | None, end: date | None) -> None:
    problem = check_period(measure, severity, start, end)
    if problem is not None:
        raise ValidationFailed(
            [field_error(problem.field, problem.code, problem.message_zh, problem.message_en)],
            problem.message_zh,
            problem.message_en,
        )


def _snapshot(record: IntegrityRecord) -> dict[str, Any]:
    """What the audit trail keeps of a record: never the number, only its key and masked form."""
    return {
        "subject_kind": record.subject_kind,
        "subject_key": record.subject_key,
        "subject_display": record.subject_display,
        "measure": record.measure,
        "severity": record.severity,
        "period_start": record.period_start,
        "period_end": record.period_end,
        "decision_no": record.decision_no,
        "status": record.status,
        "conduct": record.conduct,
        "subject_name": record.subject_name,
    }


async def create_record(
    session: AsyncSession, common: CommonTables, caller: Principal, data: IntegrityRecordCreate, secret: str
) -> IntegrityRecord:
    _period_problem(data.measure, data.severity, data.period_start, data.period_end)
    number = data.id_number if data.subject_kind == "person" else data.uscc
    assert number is not None  # the schema requires the number of the kind
    record = IntegrityRecord(
        subject_kind=data.subject_kind,
        subject_key=subject_key(data.subject_kind, number, secret),
        subject_display=mask_id(number),
        subject_name=data.subject_name,
        conduct=data.conduct,
        measure=data.measure,
        severity=data.severity,
        period_start=data.period_start,
        period_end=data.period_end,
        decision_no=data.decision_no,
        status="active",
        version=1,
        created_by=caller.actor_id,
        updated_by=caller.actor_id,
    )
    await repository.add(session, record)
    await WORKFLOW.record_creation(session, common, record, caller)
    await audit.append(session, common, caller, "create", ENTITY, record.id, _snapshot(record))
    return record


async def get_record(session: AsyncSession, record_id: int, *, for_update: bool = False) -> IntegrityRecord:
    record = await repository.get(session, record_id, for_update=for_update)
    if record is None:
        raise NotFound()
    return record


async def page(
    session: AsyncSession,
    *,
    subject_key: str | None,
    status: str | None,
    measure: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> Page[IntegrityRecordRead]:
    """Records, of one subject or all (for officials, administrators and auditors: the router's gate)."""
    rows, next_cursor = await repository.page(
        session, subject_key=subject_key, status=status, measure=measure, limit=limit, cursor=cursor, sort=sort
    )
    return Page[IntegrityRecordRead](
        items=[IntegrityRecordRead.model_validate(r) for r in rows], next_cursor=next_cursor
    )


async def history(session: AsyncSession, common: CommonTables, record_id: int) -> list[HistoryRead]:
    record = await get_record(session, record_id)
    return await load_history(session, common, ENTITY, record.id)


async def correct_record(
    session: AsyncSession,
    common: CommonTables,
    caller: Principal,
    record_id: int,
    data: IntegrityRecordUpdate,
    if_match: str | None,
) -> IntegrityRecord:
    record = await get_record(session, record_id, for_update=True)
    check_if_match(if_match, ENTITY, record.id, record.version)
    if record.status != "active":
        raise Conflict("已撤销的记录不能更正。", "A revoked record cannot be corrected.")
    before = _snapshot(record)
    changes = data.model_dump(exclude_unset=True, exclude={"reason"})
    for required in ("conduct", "measure", "severity", "decision_no"):
        if required in changes and changes[required] is None:
            raise ValidationFailed(
                [field_error(required, "required", f"{required} 不能为 null", f"{required} may not be null")]
            )
    measure = changes.get("measure", record.measure)
    severity = changes.get("severity", record.severity)
    start = changes.get("period_start", record.period_start)
    end = changes.get("period_end", record.period_end)
    _period_problem(measure, severity, start, end)
    for name, value in changes.items():
        setattr(record, name, value)
    record.version += 1
    record.updated_by = caller.actor_id
    record.updated_at = utcnow()
    await session.flush()
    await audit.append(
        session,
        common,
        caller,
        "correct",
        ENTITY,
        record.id,
        {"reason": data.reason, "before": before, "after": _snapshot(record)},
    )
    return record


async def revoke_record(
    session: AsyncSession,
    common: CommonTables,
    caller: Principal,
    record_id: int,
    reason: str,
    if_match: str | None,
) -> IntegrityRecord:
    record = await get_record(session, record_id, for_update=True)
    check_if_match(if_match, ENTITY, record.id, record.version)
    await WORKFLOW.apply(session, common, record, "revoke", caller, comment=reason)
    record.updated_by = caller.actor_id
    record.updated_at = utcnow()
    await session.flush()
    await audit.append(session, common, caller, "revoke", ENTITY, record.id, {"reason": reason})
    return record
