"""What an applicant declares for the NSF-3 conflict rules, as every service's API takes it.

* ``exclusions``: at most ``MAX_APPLICANT_EXCLUSIONS`` (3) people the applicant asks not to be
  reviewed by (申请回避的专家);
* ``relations``: relatives, co-authors and collaborators the applicant declares (申报人声明的利益关系).

Both name the person by their resident ID number, which the service turns into a subject key
(``shared.subject_keys.person_key``) for the draw; in reads the number is masked unless the caller
may see it in full. ``exclusion_keys``/``relation_keys`` build the key tuples the draw takes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import Field, field_validator

from shared.i18n import custom_error
from shared.review.model import MAX_APPLICANT_EXCLUSIONS
from shared.schemas import InputSchema, OutputSchema
from shared.subject_keys import person_key
from shared.validators import ResidentID, mask_id

RelationKind = Literal["relative", "co_author", "collaborator", "supervisor", "other"]


class ExcludedPersonIn(InputSchema):
    name: str = Field(min_length=1, max_length=100, examples=["李四"])
    id_number: ResidentID
    organisation: str | None = Field(default=None, max_length=200, examples=["某大学"])
    reason: str | None = Field(default=None, max_length=500, examples=["学术观点存在分歧"])


class DeclaredRelationIn(InputSchema):
    name: str = Field(min_length=1, max_length=100, examples=["赵六"])
    id_number: ResidentID
    relation: RelationKind = Field(description="relative, co_author, collaborator, supervisor or other")
    note: str | None = Field(default=None, max_length=500)


def _no_repeats(items: list[Any] | None, what: str, what_zh: str) -> list[Any] | None:
    if items:
        seen: set[str] = set()
        for item in items:
            if item.id_number in seen:
                raise custom_error(
                    "duplicate_person", f"{what_zh}中同一人出现了两次", f"{what} names the same person twice"
                )
            seen.add(item.id_number)
    return items


class ConflictDeclarations(InputSchema):
    """Mix into an application's create/update body (NSF-3)."""

    exclusions: list[ExcludedPersonIn] | None = Field(
        default=None,
        max_length=MAX_APPLICANT_EXCLUSIONS,
        description=f"NSF-3: at most {MAX_APPLICANT_EXCLUSIONS} people the applicant asks to exclude from review",
    )
    relations: list[DeclaredRelationIn] | None = Field(
        default=None,
        max_length=50,
        description="NSF-3: relatives, co-authors and collaborators; none of them reviews the application",
    )

    @field_validator("exclusions")
    @classmethod
    def _unique_exclusions(cls, value: list[ExcludedPersonIn] | None) -> list[ExcludedPersonIn] | None:
        return _no_repeats(value, "exclusions", "申请回避的专家")

    @field_validator("relations")
    @classmethod
    def _unique_relations(cls, value: list[DeclaredRelationIn] | None) -> list[DeclaredRelationIn] | None:
        return _no_repeats(value, "relations", "申报的关系人")


class ExcludedPersonRead(OutputSchema):
    name: str
    id_number: str = Field(description="masked unless the caller may see it in full")
    organisation: str | None = None
    reason: str | None = None


class DeclaredRelationRead(OutputSchema):
    name: str
    id_number: str = Field(description="masked unless the caller may see it in full")
    relation: str
    note: str | None = None


def dump_declarations(items: Iterable[InputSchema] | None) -> list[dict[str, Any]]:
    """What to store (JSON) for a list of declarations; ``None`` stores an empty list."""
    return [i.model_dump(mode="json") for i in items or ()]


def read_declarations(stored: Iterable[Mapping[str, Any]] | None, *, full: bool) -> list[dict[str, Any]]:
    """Stored declarations for output: ID numbers masked unless ``full``."""
    return [{**d, "id_number": d["id_number"] if full else mask_id(d["id_number"])} for d in stored or ()]


def declaration_keys(stored: Iterable[Mapping[str, Any]] | None, secret: str) -> tuple[str, ...]:
    """The person keys of stored declarations, for ``shared.review.model.Application``."""
    return tuple(person_key(d["id_number"], secret) for d in stored or ())
