"""A talent review round in and out (the shared schemas plus the call and discipline prefixes), and an
application as its expert reads it."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from shared.clients.reviewers import DISCIPLINE_PREFIX_PATTERN
from shared.review_rounds.schemas import RoundCreateBase, RoundReadBase
from shared.schemas import Label, OutputSchema

DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]
DisciplinePrefix = Annotated[str, Field(pattern=DISCIPLINE_PREFIX_PATTERN, examples=["C13"])]


class RoundCreate(RoundCreateBase):
    """Expert review of one call's applications accepted at formal review. The form is the programme's
    indicator system (TAL-1); figures left out take ``rules.reviews`` defaults (3 experts each, NSF-2)."""

    call_id: DbId
    discipline_prefixes: list[DisciplinePrefix] | None = Field(
        default=None,
        max_length=10,
        description="Narrow the round to these discipline prefixes (its applications and the pool read); "
        "left out: every discipline of the call",
    )

    @field_validator("discipline_prefixes")
    @classmethod
    def _unique(cls, value: list[str] | None) -> list[str] | None:
        return list(dict.fromkeys(value)) if value is not None else None


class RoundRead(RoundReadBase):
    call_id: int
    discipline_prefixes: list[str]


class WorkView(OutputSchema):
    kind: str
    title: str
    own_contribution: str


class MemberView(OutputSchema):
    name: str
    role: str


class ApplicationReviewView(OutputSchema):
    """What an expert reads of a talent application: the person, the organisation, the direction, the
    representative works with the applicant's own contribution (TAL-1) and a team's members. Never the ID
    number, the birth date or the sex."""

    id: int
    call_id: int
    programme_code: str
    programme_name: str
    level_label: Label
    kind_label: Label
    year: int
    discipline_code: str
    applicant_name: str
    org_name: str
    title: str
    summary: str
    works: list[WorkView]
    team: list[MemberView]
