"""``Idempotency-Key`` on POST: the same key and body within 24 h replays the first response and
creates nothing new; the same key with another body is a 409.

A pure ASGI middleware inside the internal-auth middleware, so keys are scoped to the caller. The
key is reserved in its own short transaction before the handler runs, so two concurrent requests
with one key cannot both go through; the response is stored after the handler has committed.

A stored response holds what the handler answered, personal information included (a passport number
shown in full to the employer's clerk). A service that keeps such information encrypted at rest puts a
``Sealer`` (``shared.pii.FieldCipher``) on ``app.state.idempotency_sealer``: the stored body is then
sealed, and opened only to replay it. A body that can no longer be opened (the key was changed) is
treated as expired.
"""

from __future__ import annotations

import hashlib
import logging
import random
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.db.models import CommonTables, utcnow
from shared.errors import BadRequest, IdempotencyInProgress, IdempotencyKeyReused
from shared.middleware import header, send_problem

log = logging.getLogger("kjt.idempotency")

HEADER = b"idempotency-key"
RETENTION = timedelta(hours=24)
KEY_RE = re.compile(r"^[\x21-\x7e]{1,200}$")
# Answers that say "try again later" are not kept, so a retry with the same key can succeed.
NOT_STORED = frozenset({401, 408, 425, 429})
REPLAYED_HEADERS = (b"content-type", b"etag", b"location")
SEALED = b"sealed:"


class Sealer(Protocol):
    def encrypt_bytes(self, value: bytes) -> str: ...

    def decrypt_bytes(self, token: str) -> bytes: ...


def seal_body(sealer: Sealer | None, body: bytes) -> bytes:
    return body if sealer is None else SEALED + sealer.encrypt_bytes(body).encode()


def open_body(sealer: Sealer | None, stored: bytes) -> bytes | None:
    """The stored body as answered; ``None`` when it is sealed and cannot be opened (no or another key)."""
    if not stored.startswith(SEALED):
        return stored
    if sealer is None:
        return None
    try:
        return sealer.decrypt_bytes(stored[len(SEALED) :].decode())
    except ValueError:  # shared.pii.PiiDecryptError
        return None


def request_fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True)
class _Stored:
    request_hash: str
    completed: bool
    status_code: int | None
    headers: dict[str, str]
    body: bytes


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, common: CommonTables) -> None:
        self.app = app
        self.model = common.idempotency

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = header(scope, HEADER) if scope["type"] == "http" and scope["method"] == "POST" else None
        if key is None:
            await self.app(scope, receive, send)
            return
        if not KEY_RE.match(key):
            await send_problem(
                scope,
                receive,
                send,
                BadRequest(
                    "Idempotency-Key 须为 1 至 200 个可见 ASCII 字符。",
                    "Idempotency-Key must be 1 to 200 visible ASCII characters.",
                ),
            )
            return
        body = await _read_body(receive)
        principal = scope.get("state", {}).get("principal")
        owner = principal.actor_id if principal is not None else "anonymous"
        fingerprint = request_fingerprint(scope["method"], scope["path"], scope.get("query_string", b""), body)
        state = scope["app"].state
        sessionmaker = state.db.sessionmaker
        sealer: Sealer | None = getattr(state, "idempotency_sealer", None)

        async with sessionmaker() as session:
            record = (
                await session.execute(select(self.model).where(self.model.scope == owner, self.model.key == key))
            ).scalar_one_or_none()
            opened = None if record is None else open_body(sealer, bytes(record.response_body or b""))
            if record is not None and (record.created_at < utcnow() - RETENTION or opened is None):
                if opened is None:
                    log.warning("a stored idempotent response could not be opened; the key starts afresh")
                await session.delete(record)
                await session.flush()
                record = None
            if record is not None:
                assert opened is not None
                stored = _Stored(
                    record.request_hash,
                    record.completed_at is not None,
                    record.status_code,
                    dict(record.response_headers or {}),
                    opened,
                )
                await session.rollback()
                await self._answer_existing(scope, receive, send, stored, fingerprint)
                return
            session.add(self.model(scope=owner, key=key, request_hash=fingerprint))
            if random.random() < 0.005:  # occasional purge of expired keys
                await session.execute(delete(self.model).where(self.model.created_at < utcnow() - RETENTION))
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
                await send_problem(scope, receive, send, _in_progress())
                return

        captured: dict[str, Any] = {"status": None, "headers": [], "body": bytearray()}

        async def replay_receive() -> Message:
            nonlocal body
            chunk, body = body, b""
            return {"type": "http.request", "body": chunk, "more_body": False}

        async def capture_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                captured["body"].extend(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_receive, capture_send)
        finally:
            await self._finish(sessionmaker, owner, key, captured, sealer)

    async def _finish(
        self, sessionmaker: Any, owner: str, key: str, captured: dict[str, Any], sealer: Sealer | None
    ) -> None:
        status = captured["status"]
        async with sessionmaker() as session:
            record = (
                await session.execute(select(self.model).where(self.model.scope == owner, self.model.key == key))
            ).scalar_one_or_none()
            if record is None:
                return
            if status is None or status >= 500 or status in NOT_STORED:
                await session.delete(record)
            else:
                record.status_code = status
                record.response_headers = {
                    k.decode("latin-1"): v.decode("latin-1")
                    for k, v in captured["headers"]
                    if k.lower() in REPLAYED_HEADERS
                }
                record.response_body = seal_body(sealer, bytes(captured["body"]))
                record.completed_at = utcnow()
            await session.commit()

    async def _answer_existing(
        self, scope: Scope, receive: Receive, send: Send, record: _Stored, fingerprint: str
    ) -> None:
        if record.request_hash != fingerprint:
            await send_problem(
                scope,
                receive,
                send,
                IdempotencyKeyReused(
                    "该幂等键已用于内容不同的请求；请换一个新键。",
                    "This Idempotency-Key was used with a different request; use a new key.",
                ),
            )
            return
        if not record.completed:
            await send_problem(scope, receive, send, _in_progress())
            return
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in record.headers.items()]
        headers.append((b"idempotent-replayed", b"true"))
        headers.append((b"content-length", str(len(record.body)).encode()))
        await send({"type": "http.response.start", "status": record.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": record.body})


def _in_progress() -> IdempotencyInProgress:
    return IdempotencyInProgress(
        "使用相同幂等键的请求仍在处理中，请稍后重试。",
        "A request with this Idempotency-Key is still being processed; retry shortly.",
        headers={"Retry-After": "1"},
    )


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)
