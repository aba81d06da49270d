"""The unit of work: one session per request, committed once when the handler returns."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Commit when the handler returns without error, roll back otherwise.

    Used with ``scope="function"`` so the commit happens before the response is sent: a client
    never sees a success whose commit then failed.
    """
    db = request.app.state.db
    # GET and HEAD only read: on SQLite they take no write lock (see Database.read_sessionmaker).
    maker = db.read_sessionmaker if request.method in ("GET", "HEAD") else db.sessionmaker
    async with maker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def flush_versioned(session: AsyncSession, kind: str) -> None:
    """Flush; a row changed by someone else since it was read is a 412, a unique clash a 409.
    ``kind`` names the record in the Chinese detail (e.g. "申报书")."""
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    from shared.errors import Duplicate, PreconditionFailed

    try:
        await session.flush()
    except StaleDataError as exc:
        raise PreconditionFailed(
            "资源已被他人修改，请重新读取后再提交。",
            "The resource was changed by someone else; read it again.",
        ) from exc
    except IntegrityError as exc:
        raise Duplicate(f"{kind}已存在。", f"The {kind} already exists.") from exc
