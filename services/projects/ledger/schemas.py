"""The limits ledger in and out. People are named by their subject key (shared.subject_keys), or
by an ID number that is hashed on the way in; the ledger never holds a number."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field

from shared.clients.ledger import ITEM_ID_PATTERN
from shared.schemas import InputSchema, OutputSchema
from shared.subject_keys import SUBJECT_KEY_PATTERN

KindField = Literal["application", "project"]
RoleField = Literal["leader", "applicant", "member"]
StatusField = Literal["open", "active", "closed"]
ServiceField = Literal["projects", "foundation", "talent", "transfer", "foreign_experts"]
PersonKey = Field(pattern=SUBJECT_KEY_PATTERN, description="shared.subject_keys.person_key(id_number, secret)")


class LedgerItemPut(InputSchema):
    """The item's whole current state; ``revision`` grows with every change."""

    person_key: str = PersonKey
    role: RoleField
    kind: KindField
    programme: str = Field(min_length=1, max_length=64, description="Programme or category code.")
    year: int = Field(ge=1900, le=2200)
    status: StatusField = Field(
        description="open: an application under way; active: a project running; "
        "closed: not funded or finished. Withdrawn items are DELETEd."
    )
    revision: int = Field(ge=0, le=2**63 - 1, description="Monotonic per item; a lower one than stored is ignored.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "person_key": "1c693fb8b2e21c68bfb921aa7d9e899af7740fc4eba77313d6c0c5d2e119f6b5",
                    "role": "applicant",
                    "kind": "application",
                    "programme": "NSF-GENERAL",
                    "year": 2026,
                    "status": "open",
                    "revision": 3,
                }
            ]
        }
    )


class LedgerItemRead(OutputSchema):
    service: str
    item_id: str
    role: str
    kind: str
    programme: str
    year: int
    status: str
    revision: int
    updated_at: datetime


class LedgerBatchItem(LedgerItemPut):
    item_id: str = Field(pattern=ITEM_ID_PATTERN, description="The item's id in its service.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "item_id": "42",
                    "person_key": "1c693fb8b2e21c68bfb921aa7d9e899af7740fc4eba77313d6c0c5d2e119f6b5",
                    "role": "applicant",
                    "kind": "application",
                    "programme": "NSF-GENERAL",
                    "year": 2026,
                    "status": "open",
                    "revision": 3,
                }
            ]
        }
    )


class LedgerBatchPut(InputSchema):
    """Many items of one service in one call (a draw moves thousands at once)."""

    items: list[LedgerBatchItem] = Field(min_length=1, max_length=5000)


class LedgerBatchResult(OutputSchema):
    created: int
    updated: int
    unchanged: int
    stale: int = Field(description="reports older than the stored revision, ignored")


class LedgerPutResult(OutputSchema):
    outcome: Literal["created", "updated", "unchanged", "stale"]
    stale: bool = Field(description="True when the report was older than the stored revision and ignored.")
    item: LedgerItemRead


class LimitCheckRequest(InputSchema):
    person_key: str = PersonKey
    kind: KindField = "application"
    year: int = Field(ge=1900, le=2200)
    service: ServiceField = "projects"
    role: RoleField = "leader"
    senior: bool = Field(default=False, description="The person holds a senior title (NSF-5's total).")
    exclude_item_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="The candidate's own entry in `service`, not to count twice.",
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "person_key": "1c693fb8b2e21c68bfb921aa7d9e899af7740fc4eba77313d6c0c5d2e119f6b5",
                    "kind": "application",
                    "year": 2026,
                    "service": "foundation",
                    "role": "applicant",
                    "senior": True,
                }
            ]
        }
    )


class CountedItem(OutputSchema):
    service: str
    item_id: str
    role: str
    kind: str
    programme: str
    year: int
    status: str


class RuleResultRead(OutputSchema):
    clause: str
    code: str
    name_zh: str
    name_en: str
    limit: int
    count: int
    allowed: bool
    items: list[CountedItem]


class LimitCheckRead(OutputSchema):
    allowed: bool
    violations: list[str] = Field(description="Clause ids of the rules that refuse (PRJ-1, NSF-5).")
    results: list[RuleResultRead] = Field(description="Every rule that applies: its limit, count and items.")


class LedgerCountRequest(InputSchema):
    person_key: str = PersonKey
    year: int | None = Field(default=None, ge=1900, le=2200)
    kinds: list[KindField] | None = Field(default=None, max_length=2)
    statuses: list[StatusField] | None = Field(default=None, max_length=3)
    services: list[ServiceField] | None = Field(default=None, max_length=5)


class LedgerCountRead(OutputSchema):
    count: int
    items: list[CountedItem]


class LimitFigureRead(OutputSchema):
    clause: str
    rule_code: str
    name_zh: str
    name_en: str
    default: int
    overrides: dict[int, int] = Field(description="Year -> limit; year 0 applies to every year without its own.")


class LimitFigurePut(InputSchema):
    year: int = Field(ge=0, le=2200, description="0: every year without a figure of its own.")
    limit: int = Field(ge=0, le=100)
