"""Optimistic concurrency: every mutable resource has a ``version``, shown as a weak-free ETag.

``PATCH`` and actions take ``If-Match``; a stale one is a 412, a missing one a 428 where required,
so two officials cannot silently overwrite each other.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Response

from shared.errors import PreconditionFailed, PreconditionRequired

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The ETag of the version being changed (from a GET); a stale one is a 412.",
    ),
]


def etag(kind: str, entity_id: object, version: int) -> str:
    return f'"{kind}-{entity_id}-v{version}"'


def set_etag(response: Response, kind: str, entity_id: object, version: int) -> None:
    response.headers["ETag"] = etag(kind, entity_id, version)


def check_if_match(if_match: str | None, kind: str, entity_id: object, version: int, *, required: bool = True) -> None:
    """Raise 428 when the header is required and absent, 412 when it names another version."""
    if if_match is None or not if_match.strip():
        if required:
            raise PreconditionRequired(
                "修改前请先读取资源，并在 If-Match 头中带上其 ETag。",
                "Read the resource first and send its ETag in the If-Match header.",
            )
        return
    current = etag(kind, entity_id, version)
    candidates = [c.strip().removeprefix("W/") for c in if_match.split(",")]
    if "*" in candidates or current in candidates:
        return
    raise PreconditionFailed(
        "资源已被他人修改，请重新读取后再提交。",
        "The resource was changed by someone else; read it again and retry.",
        extra={"current_etag": current},
    )
