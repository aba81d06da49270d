"""An append-only audit trail, hash-chained with SM3 (GB/T 32905).

Each row's hash covers its content and the previous row's hash, so changing, removing or inserting
a row breaks every later link; ``verify`` walks the chain and names the first broken row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models import CommonTables, utcnow
from shared.principal import Principal

GENESIS = "0" * 64
# A transaction-level advisory lock per schema: appends to one service's chain queue behind each
# other, while services sharing a PostgreSQL database never wait on each other's chains.
_AUDIT_LOCK_SQL = text("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.audit_log'))")


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def _canonical_time(at: datetime) -> str:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    prev_hash: str, at: datetime, actor_id: str, action: str, entity_type: str, entity_id: str, data: dict[str, Any]
) -> str:
    payload = json.dumps(
        [prev_hash, _canonical_time(at), actor_id, action, entity_type, entity_id, data],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return sm3_hex(payload.encode())


async def append(
    session: AsyncSession,
    common: CommonTables,
    principal: Principal | str,
    action: str,
    entity_type: str,
    entity_id: object,
    data: dict[str, Any] | None = None,
) -> Any:
    """Add one entry to the chain inside the caller's unit of work."""
    model = common.audit
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        # Serialise appends so two transactions cannot both link to the same previous row.
        await session.execute(_AUDIT_LOCK_SQL)
    prev = (await session.execute(select(model.hash).order_by(model.id.desc()).limit(1))).scalar()
    prev_hash = prev or GENESIS
    actor = principal.actor_id if isinstance(principal, Principal) else principal
    payload = json.loads(json.dumps(data or {}, ensure_ascii=False, default=str))
    at = utcnow()
    row = model(
        at=at,
        actor_id=actor,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        data=payload,
        prev_hash=prev_hash,
        hash=entry_hash(prev_hash, at, actor, action, entity_type, str(entity_id), payload),
    )
    session.add(row)
    await session.flush()
    return row


@dataclass(frozen=True)
class ChainReport:
    valid: bool
    entries: int
    first_broken_id: int | None = None
    reason: str | None = None


async def verify(session: AsyncSession, common: CommonTables, batch: int = 1000) -> ChainReport:
    """Re-compute every link in id order; report the first row whose hash or link does not hold."""
    model = common.audit
    prev_hash = GENESIS
    count = 0
    last_id = 0
    while True:
        rows = (
            (await session.execute(select(model).where(model.id > last_id).order_by(model.id).limit(batch)))
            .scalars()
            .all()
        )
        if not rows:
            return ChainReport(valid=True, entries=count)
        for row in rows:
            if row.prev_hash != prev_hash:
                return ChainReport(False, count, row.id, "link to the previous entry does not match")
            expected = entry_hash(
                row.prev_hash, row.at, row.actor_id, row.action, row.entity_type, row.entity_id, row.data
            )
            if expected != row.hash:
                return ChainReport(False, count, row.id, "content does not match its hash")
            prev_hash = row.hash
            count += 1
            last_id = row.id
