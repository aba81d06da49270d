"""Cursor (keyset) pagination: ``?limit=`` (default 20, max 100), ``?cursor=`` and ``?sort=``.

The cursor is an opaque, URL-safe encoding of the last row's sort key and id, so pages stay stable
while rows are added, and a page costs one indexed query however deep it is. A list documents the
values its ``sort`` takes as an enum (``SortSpec.choices``), so a client never learns them from a 422.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field, WithJsonSchema
from sqlalchemy import Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from shared.errors import ValidationFailed, field_error

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


CURSOR_FORMAT = (
    "Opaque and URL-safe (base64url without padding: letters, digits, `-` and `_`): send the previous page's "
    "`next_cursor` as it is, with the same filters and `sort`; never build or change one (a cursor that is not "
    "one of ours is a 422 `invalid_cursor`)."
)


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="The `cursor` of the next page; null on the last one. " + CURSOR_FORMAT
    )


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (1-100).")]
Cursor = Annotated[str | None, Query(max_length=500, description="The next page: a `next_cursor`. " + CURSOR_FORMAT)]
Sort = Annotated[
    str | None,
    Query(
        max_length=64,
        description="The order: a field, or `-` and a field for descending; ties are broken by id. "
        "Without it, the list's default order (the first value).",
    ),
]


def _bad_cursor() -> ValidationFailed:
    return ValidationFailed([field_error("cursor", "invalid_cursor", "游标无效", "invalid cursor")])


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"dec": str(value)}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if "dt" in value:
            return datetime.fromisoformat(value["dt"])
        if "d" in value:
            return date.fromisoformat(value["d"])
        if "dec" in value:
            return Decimal(value["dec"])
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != size:
            raise ValueError
        return [_decode_value(v) for v in values]
    except (ValueError, TypeError, KeyError) as exc:
        raise _bad_cursor() from exc


def _expect(column: InstrumentedAttribute[Any], value: Any) -> Any:
    """A crafted cursor must not smuggle a value of another type into the query."""
    try:
        expected = column.type.python_type
    except NotImplementedError:  # pragma: no cover - every sortable column type has one
        return value
    if isinstance(value, bool) or not isinstance(value, expected):
        raise _bad_cursor()
    if expected is int and not -(2**63) <= value < 2**63:
        raise _bad_cursor()
    if isinstance(value, datetime) and value.tzinfo is None:
        raise _bad_cursor()
    return value


@dataclass(frozen=True)
class SortSpec:
    """The sort fields a list allows, by public name; the id breaks ties. Sort fields must be NOT NULL
    (keyset comparisons skip NULLs)."""

    fields: dict[str, InstrumentedAttribute[Any]]
    id_column: InstrumentedAttribute[Any]
    default: str = "-id"

    def resolve(self, sort: str | None) -> tuple[InstrumentedAttribute[Any], bool]:
        name = sort or self.default
        descending = name.startswith("-")
        field = name.lstrip("-")
        if field == "id":
            return self.id_column, descending
        if field not in self.fields:
            raise ValidationFailed(
                [
                    field_error(
                        "sort",
                        "invalid_sort",
                        f"可排序的字段：{'、'.join(['id', *self.fields])}",
                        f"sort by one of: {', '.join(['id', *self.fields])}",
                    )
                ]
            )
        return self.fields[field], descending

    @property
    def values(self) -> list[str]:
        """Every value ``sort`` takes, the default first, then each field ascending and descending."""
        names = ["id", *self.fields]
        return [self.default, *(v for name in names for v in (name, f"-{name}") if v != self.default)]

    @property
    def choices(self) -> WithJsonSchema:
        """The list's ``sort`` parameter as its document shows it: ``Annotated[Sort, SORTS.choices]``."""
        return WithJsonSchema({"anyOf": [{"type": "string", "enum": self.values}, {"type": "null"}]})


def equal_to(stmt: Select[Any], model: type[Any], filters: Mapping[str, Any]) -> Select[Any]:
    """``stmt`` narrowed to the rows whose columns equal the given values (``None``: no filter): a list's
    plain query parameters, named as the model's columns."""
    for name, value in filters.items():
        if value is not None:
            stmt = stmt.where(getattr(model, name) == value)
    return stmt


async def paginate(
    session: AsyncSession,
    stmt: Select[Any],
    spec: SortSpec,
    *,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
    sort: str | None = None,
) -> tuple[list[Any], str | None]:
    """Run ``stmt`` (selecting one ORM entity) one page at a time; return rows and the next cursor."""
    column, descending = spec.resolve(sort)
    id_col = spec.id_column
    same = column is id_col
    if cursor:
        values = decode_cursor(cursor, 1 if same else 2)
        if same:
            last = _expect(id_col, values[0])
            stmt = stmt.where(id_col < last if descending else id_col > last)
        else:
            key, last_id = _expect(column, values[0]), _expect(id_col, values[1])
            if descending:
                stmt = stmt.where(or_(column < key, and_(column == key, id_col < last_id)))
            else:
                stmt = stmt.where(or_(column > key, and_(column == key, id_col > last_id)))
    order = [column.desc() if descending else column.asc()]
    if not same:
        order.append(id_col.desc() if descending else id_col.asc())
    rows = list((await session.execute(stmt.order_by(*order).limit(limit + 1))).scalars().all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        last_id = getattr(last, id_col.key)
        next_cursor = encode_cursor([last_id] if same else [getattr(last, column.key), last_id])
    return rows, next_cursor
