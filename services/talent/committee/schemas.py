"""A call's evaluation committee, its members' ballots, the ranked list they vote on and the tally, in and
out."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, field_validator

from shared.concurrency import Tagged
from shared.fields import ShanghaiTime
from shared.schemas import InputSchema, Label, OutputSchema

Account = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9:_.@-]+$", examples=["205"])]
FractionText = Annotated[str, Field(pattern=r"^[0-9]{1,3}/[0-9]{1,3}$", examples=["1/2"])]
Vote = Literal["for", "against", "abstain"]


class CommitteeSet(InputSchema):
    """The members (platform accounts) and the vote rule, as data: passes when those in favour are more than
    (``at_least`` false) or at least ``threshold`` of the ``basis`` (``present`` members or all
    ``members``), counted only when at least ``quorum`` of the members are present. The default: more than
    half of the members present, with two thirds present."""

    members: list[Account] = Field(min_length=1, max_length=99, examples=[["205", "206", "207"]])
    threshold: FractionText = Field(default="1/2", description="a fraction above 0, at most 1")
    basis: Literal["present", "members"] = "present"
    at_least: bool = Field(default=False, description="true: at least the threshold; false: more than it")
    quorum: FractionText = Field(default="2/3", description="the share of the members to be present")

    @field_validator("members")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        return sorted(set(value))


class VoteRuleRead(OutputSchema):
    threshold: str
    basis: str
    at_least: bool
    quorum: str


class BallotState(OutputSchema):
    member: str
    present: bool


class CommitteeRead(Tagged):
    etag_kind = "talent_committee"
    id: int
    call_id: int
    members: list[str]
    rule: VoteRuleRead
    status: str = Field(description="open (voting) or tallied")
    status_label: Label
    ballots: list[BallotState] = Field(description="who has cast a ballot, and present or not (no votes shown)")
    tallied_at: ShanghaiTime | None
    version: int
    created_at: ShanghaiTime
    updated_at: ShanghaiTime


class VoteIn(InputSchema):
    application_id: int = Field(ge=1, le=2**63 - 1)
    vote: Vote


class BallotIn(InputSchema):
    """A member's ballot, whole each time: present or not and, when present, one vote on every application
    of the ranked list awaiting the committee."""

    present: bool = Field(examples=[True])
    votes: list[VoteIn] = Field(default_factory=list, max_length=1000)


class BallotRead(Tagged):
    etag_kind = "talent_ballot"
    id: int
    call_id: int
    member: str
    present: bool
    votes: dict[str, str] = Field(description="application id -> for, against or abstain")
    version: int
    updated_at: ShanghaiTime


class TallyRow(OutputSchema):
    application_id: int
    rank: int | None
    applicant_name: str
    title: str
    in_favour: int
    against: int
    abstain: int
    votes_needed: int
    passed: bool
    reason: str | None = Field(description="below_threshold when not passed")
    status: str
    status_label: Label


class TallyRead(OutputSchema):
    call_id: int
    members: int
    present: int
    present_needed: int
    rule: VoteRuleRead
    tallied_at: ShanghaiTime | None
    results: list[TallyRow]


class RankingEntry(OutputSchema):
    rank: int
    application_id: int
    applicant_name: str
    org_name: str
    title: str
    discipline_code: str
    score: Decimal | None = Field(description="the weighted score over valid expert reviews (TAL-1), 4 places")
    valid_reviews: int
    round_id: int
    status: str
    status_label: Label


class RankingRead(OutputSchema):
    call_id: int
    tie_break: list[str]
    entries: list[RankingEntry]
