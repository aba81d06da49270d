"""Reviewer pool in and out. ID numbers come in, are hashed at once, and never go out unmasked."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from shared.clients.reviewers import DISCIPLINE_CODE_RE
from shared.concurrency import Tagged
from shared.i18n import custom_error
from shared.schemas import InputSchema, OutputSchema
from shared.validators import USCC, ResidentID

MAX_DISCIPLINES = 10
MAX_KEYWORDS = 20
MAX_PERSON_CONFLICTS = 50
MAX_ORG_CONFLICTS = 20
MAX_KEYWORD_LENGTH = 64

Relation = Literal["relative", "co_author", "collaborator", "supervisor", "student", "colleague", "other"]
OrgRelation = Literal["employer", "former_employer", "part_time", "shareholder", "collaborator", "other"]


def _discipline(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).strip().upper()
    if not DISCIPLINE_CODE_RE.fullmatch(value):
        raise custom_error(
            "invalid_discipline_code",
            "学科代码应为一个大写字母加 2、4 或 6 位数字（如 F0203）",
            "a discipline code is a capital letter and 2, 4 or 6 digits (e.g. F0203)",
        )
    return value


def normalise_keyword(value: str) -> str:
    """Full-width folded, runs of spaces made one; matching also ignores case."""
    return " ".join(unicodedata.normalize("NFKC", value).split())


def _keyword(value: str) -> str:
    value = normalise_keyword(value)
    if not value:
        raise custom_error("empty_keyword", "关键词不能为空", "a keyword may not be empty")
    # Case folding can lengthen a word (ß -> ss); the folded form is what is stored and matched.
    if len(value.casefold()) > MAX_KEYWORD_LENGTH:
        raise custom_error("keyword_too_long", "关键词过长", "a keyword is too long")
    return value


DisciplineCode = Annotated[str, StringConstraints(max_length=16), AfterValidator(_discipline)]
Keyword = Annotated[str, StringConstraints(max_length=MAX_KEYWORD_LENGTH), AfterValidator(_keyword)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=100)]


_WHAT_ZH = {"person": "人员", "organisation": "单位", "discipline_codes": "学科代码", "keywords": "关键词"}


def _unique(values: list[str], code: str, what: str) -> None:
    seen: set[str] = set()
    for v in values:
        k = v.casefold()
        if k in seen:
            raise custom_error(code, f"{_WHAT_ZH[what]}重复：{{value}}", f"{what} repeated: {{value}}", value=v)
        seen.add(k)


class PersonConflictIn(InputSchema):
    id_number: ResidentID
    name: str | None = Field(default=None, max_length=100)
    relation: Relation
    note: str | None = Field(default=None, max_length=500)


class OrganisationConflictIn(InputSchema):
    uscc: USCC
    name: str | None = Field(default=None, max_length=200)
    relation: OrgRelation
    note: str | None = Field(default=None, max_length=500)


class DeclaredConflictsIn(InputSchema):
    """Replaces every declared conflict of the reviewer."""

    people: list[PersonConflictIn] = Field(default_factory=list, max_length=MAX_PERSON_CONFLICTS)
    organisations: list[OrganisationConflictIn] = Field(default_factory=list, max_length=MAX_ORG_CONFLICTS)
    notes: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _no_repeats(self) -> DeclaredConflictsIn:
        _unique([p.id_number for p in self.people], "duplicate_conflict", "person")
        _unique([o.uscc for o in self.organisations], "duplicate_conflict", "organisation")
        return self


class AvailabilityIn(InputSchema):
    """``available: true``, or ``available: false`` with an optional last unavailable day (inclusive)."""

    available: bool
    until: date | None = Field(default=None, description="Last day unavailable (inclusive); only when unavailable")

    @model_validator(mode="after")
    def _until_only_when_unavailable(self) -> AvailabilityIn:
        if self.available and self.until is not None:
            raise custom_error(
                "until_without_unavailable",
                "只有 available 为 false 时才能填写 until",
                "until is only for available: false",
            )
        return self


class _Lists(InputSchema):
    @model_validator(mode="after")
    def _no_repeated_items(self) -> _Lists:
        for name, code in (("discipline_codes", "duplicate_discipline"), ("keywords", "duplicate_keyword")):
            values = getattr(self, name, None)
            if values:
                _unique(values, code, name)
        return self


class ReviewerCreate(_Lists):
    name: Name
    id_number: ResidentID
    user_id: str | None = Field(default=None, min_length=1, max_length=64, description="Gateway account id")
    organisation_name: str = Field(min_length=1, max_length=200)
    organisation_uscc: USCC
    title: str = Field(min_length=1, max_length=100, description="Professional title (职称)")
    discipline_codes: list[DisciplineCode] = Field(min_length=1, max_length=MAX_DISCIPLINES)
    keywords: list[Keyword] = Field(default_factory=list, max_length=MAX_KEYWORDS)
    declared_conflicts: DeclaredConflictsIn = Field(default_factory=DeclaredConflictsIn)
    availability: AvailabilityIn = Field(default_factory=lambda: AvailabilityIn(available=True))
    active: bool = True


class ReviewerUpdate(_Lists):
    """An official's edit: any field; the ID number (the person) cannot change."""

    name: Name | None = None
    user_id: str | None = Field(default=None, min_length=1, max_length=64)
    organisation_name: str | None = Field(default=None, min_length=1, max_length=200)
    organisation_uscc: USCC | None = None
    title: str | None = Field(default=None, min_length=1, max_length=100)
    discipline_codes: list[DisciplineCode] | None = Field(default=None, min_length=1, max_length=MAX_DISCIPLINES)
    keywords: list[Keyword] | None = Field(default=None, max_length=MAX_KEYWORDS)
    declared_conflicts: DeclaredConflictsIn | None = None
    availability: AvailabilityIn | None = None
    active: bool | None = None


# Fields that may be cleared with an explicit null; any other null is refused.
NULLABLE_UPDATE_FIELDS = frozenset({"user_id"})


class ReviewerSelfUpdate(_Lists):
    """What reviewers may change on their own entry."""

    keywords: list[Keyword] | None = Field(default=None, max_length=MAX_KEYWORDS)
    declared_conflicts: DeclaredConflictsIn | None = None
    availability: AvailabilityIn | None = None


class PersonConflictRead(OutputSchema):
    key: str
    id_number_masked: str
    name: str | None
    relation: str
    note: str | None


class OrganisationConflictRead(OutputSchema):
    key: str
    uscc_masked: str
    name: str | None
    relation: str
    note: str | None


class DeclaredConflictsRead(OutputSchema):
    people: list[PersonConflictRead]
    organisations: list[OrganisationConflictRead]
    notes: str | None


class AvailabilityRead(OutputSchema):
    available: bool = Field(description="Available today (Asia/Shanghai)")
    unavailable_until: date | None = Field(description="Last unavailable day, when one was given")
    declared_unavailable: bool = Field(description="The reviewer declared themselves unavailable")


class ReviewerRead(Tagged):
    etag_kind = "reviewer"
    id: int
    name: str
    id_number_masked: str
    user_id: str | None
    organisation_name: str
    organisation_uscc: str
    title: str
    discipline_codes: list[str]
    keywords: list[str]
    declared_conflicts: DeclaredConflictsRead
    availability: AvailabilityRead
    current_load: int
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class ReviewerSummary(Tagged):
    """A list row: no conflicts, the ID number masked."""

    etag_kind = "reviewer"

    id: int
    name: str
    id_number_masked: str
    organisation_name: str
    title: str
    discipline_codes: list[str]
    keywords: list[str]
    available: bool
    active: bool
    version: int


class LoadRead(OutputSchema):
    reviewer_id: int
    source: str
    open_assignments: int
    current_load: int


@dataclass(frozen=True)
class ReviewerFilters:
    """The filters of a pool list, parsed from its query."""

    discipline: Sequence[str] = ()
    keyword: str | None = None
    active: bool | None = None
    available: bool | None = None
    organisation: str | None = None
    organisation_uscc: str | None = None
