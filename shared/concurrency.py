"""Optimistic concurrency and conditional reads (docs/api-conventions.md "Safety of writes" and "Caching").

Every mutable resource has a ``version``, shown as a strong ETag ``"<kind>-<id>-v<version>"``. ``PATCH``
and actions take ``If-Match``: a stale one is a 412, a missing one a 428 where required, so two officials
cannot silently overwrite each other. A GET answers 304 to an ``If-None-Match`` naming its current ETag
(``shared.middleware.ConditionalGetMiddleware``).

A tag sent without its double quotes (``If-Match: application-6-v2``) is read as if quoted: it can only
mean the one ETag, and a client that copied the value without its quotes has changed nothing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from fastapi import Header, Response
from pydantic import computed_field

from shared.errors import PreconditionFailed, PreconditionRequired
from shared.schemas import OutputSchema

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The ETag of the version being changed, from a GET or a list item\'s `etag` (`"application-6-v2"`; '
        "without its quotes it is read as if quoted); a stale one is a 412.",
    ),
]

# One member of an entity-tag list: an optional weak prefix, then a quoted tag or, leniently, a bare one.
_MEMBER = re.compile(r'\s*(?:W/)?("[^"]*"|[^",\s]+)\s*(?:,|$)')
_OURS = re.compile(r'^"(?P<kind>.+)-(?P<id>[^-]+)-v(?P<version>\d+)"$')


def etag(kind: str, entity_id: object, version: int) -> str:
    return f'"{kind}-{entity_id}-v{version}"'


def set_etag(response: Response, kind: str, entity_id: object, version: int) -> None:
    response.headers["ETag"] = etag(kind, entity_id, version)


def entity_tags(value: str) -> list[str]:
    """The tags of an ``If-Match`` / ``If-None-Match`` value, each quoted (a bare one gets its quotes),
    without the weak prefix; ``*`` stays ``*``."""
    tags: list[str] = []
    for match in _MEMBER.finditer(value):
        tag = match.group(1)
        tags.append(tag if tag == "*" or tag.startswith('"') else f'"{tag}"')
    return tags


def check_if_match(if_match: str | None, kind: str, entity_id: object, version: int, *, required: bool = True) -> None:
    """Raise 428 when the header is required and absent, 412 when it names no current version: saying the
    record changed only when the tag names this record at an earlier version, which is what happened."""
    if if_match is None or not if_match.strip():
        if required:
            raise PreconditionRequired(
                "修改前请先读取资源，并在 If-Match 头中带上其 ETag。",
                "Read the resource first and send its ETag in the If-Match header.",
            )
        return
    current = etag(kind, entity_id, version)
    candidates = entity_tags(if_match)
    if "*" in candidates or current in candidates:
        return
    extra = {"current_etag": current}
    earlier = [v for v in (_version_of(c, kind, entity_id) for c in candidates) if v is not None and v < version]
    if earlier:
        raise PreconditionFailed(
            f"资源在您读取（第 {max(earlier)} 版）之后已被修改，当前为第 {version} 版；请重新读取后再提交。",
            f"The resource was changed after you read it (version {max(earlier)}); it is now version {version}. "
            "Read it again and retry.",
            extra=extra,
        )
    raise PreconditionFailed(
        f"If-Match 中的 ETag 不是此资源的任何版本；其当前 ETag 为 {current}，请以 GET 所得的 ETag 原样提交。",
        f"The ETag in If-Match names no version of this resource; its current ETag is {current}. "
        "Send the ETag a GET gave, as it was given.",
        extra=extra,
    )


def _version_of(tag: str, kind: str, entity_id: object) -> int | None:
    """The version ``tag`` names of this record, or None when it names another record or is not ours."""
    match = _OURS.match(tag)
    if match is None or match["kind"] != kind or match["id"] != str(entity_id):
        return None
    return int(match["version"])


class Tagged(OutputSchema):
    """A record's read schema carrying its ETag as ``etag``: the same string as the ``ETag`` header of its
    GET, so a client can send ``If-Match`` from a list item without reading the record first.

    A subclass has a ``version`` field, names its ETag's kind (``etag_kind``, the one its router passes to
    ``set_etag``) and, when the ETag is not keyed by ``id``, the field that keys it (``etag_key``)."""

    etag_kind: ClassVar[str]
    etag_key: ClassVar[str] = "id"
    if TYPE_CHECKING:  # every subclass declares it where its fields put it
        version: int

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        missing = {"version", cls.etag_key} - set(cls.model_fields)
        if missing or not getattr(cls, "etag_kind", ""):
            raise TypeError(f"{cls.__name__} needs etag_kind and the fields {sorted(missing)} to carry its ETag")

    @computed_field(  # type: ignore[prop-decorator]
        description='The record\'s ETag (`"<kind>-<id>-v<version>"`), as the ETag header of its GET gives it: send '
        "it in If-Match to change the record, in If-None-Match to read it again only if it changed."
    )
    @property
    def etag(self) -> str:
        return etag(self.etag_kind, getattr(self, self.etag_key), self.version)
