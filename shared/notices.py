"""The public notice (公示) with real-name objections, as every service runs it: the period in working
days (CAL-1) counted from the start in Asia/Shanghai (CAL-2), objections only within it (written,
real-name, in time: AW-3 style), resolution by an official with reasons, and conclusion only once the
period is over and nothing is pending. Pure rules, the workflows as data, the problems and the input
fields an objection takes; each service keeps its own tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import Field

from shared.errors import Conflict
from shared.schemas import InputSchema
from shared.workdays import WorkingCalendar, end_of_day, to_shanghai
from shared.workflow import Workflow, transition

# --- the rules ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeRules:
    """``working_days``: the period of a notice unless the official opening it (or the plan) sets
    another (default 5, **configurable** within ``min_days``..``max_days``)."""

    working_days: int = 5
    min_days: int = 1
    max_days: int = 30


DEFAULTS = NoticeRules()


@dataclass(frozen=True)
class Period:
    starts_at: datetime
    closes_at: datetime
    calendar_confirmed: bool


def notice_period(calendar: WorkingCalendar, starts_at: datetime, working_days: int) -> Period:
    """The notice runs from ``starts_at`` to the end (Asia/Shanghai) of the ``working_days``-th
    working day after the start's date; the start's own day does not count (CAL-1, CAL-2)."""
    start = to_shanghai(starts_at)
    last = calendar.add_working_days(start, working_days)
    return Period(start, end_of_day(last.value), last.calendar_confirmed)


def objection_window(now: datetime, starts_at: datetime, closes_at: datetime) -> str | None:
    """``None`` when an objection is in time; ``not_started`` or ``closed`` otherwise (AW-3 style:
    written, real-name, within the period; a late one is not accepted)."""
    if now < starts_at:
        return "not_started"
    if now > closes_at:
        return "closed"
    return None


def conclusion_blockers(now: datetime, closes_at: datetime, unresolved: Sequence[int]) -> list[str]:
    """A notice is concluded only once its period is over and every objection is resolved."""
    blockers: list[str] = []
    if now <= closes_at:
        blockers.append("period_running")
    if unresolved:
        blockers.append("objections_unresolved")
    return blockers


# --- the workflows --------------------------------------------------------------------------------

NOTICE_WORKFLOW = Workflow(
    "public_notice",
    "open",
    [transition("conclude", "open", "concluded", ["official"])],
)

# A real-name objection, resolved by an official with reasons.
OBJECTION_WORKFLOW = Workflow(
    "notice_objection",
    "pending",
    [
        transition("uphold", "pending", "upheld", ["official"], comment_required=True),
        transition("dismiss", "pending", "dismissed", ["official"], comment_required=True),
    ],
)


# --- the problems ---------------------------------------------------------------------------------


class NoticeClosed(Conflict):
    code = "notice_closed"
    title_zh = "公示期已结束"
    title_en = "The notice period is over"


class NoticeNotStarted(Conflict):
    code = "notice_not_started"
    title_zh = "公示尚未开始"
    title_en = "The notice period has not started"


class NoticePeriodRunning(Conflict):
    code = "notice_period_running"
    title_zh = "公示期尚未结束"
    title_en = "The notice period is still running"


class ObjectionsUnresolved(Conflict):
    code = "objections_unresolved"
    title_zh = "尚有未处理的异议"
    title_en = "Objections are still unresolved"


# --- what an objection takes ----------------------------------------------------------------------


class ObjectionEvidence(InputSchema):
    """A piece of evidence, described (the file itself is kept by the document store)."""

    name: str = Field(min_length=1, max_length=255, examples=["论文对比.pdf"])
    size: int = Field(ge=0, le=2**40, description="bytes")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    content_type: str | None = Field(default=None, pattern=r"^[\w.+-]+/[\w.+-]+$", max_length=100)


class ObjectionFields(InputSchema):
    """A written, real-name objection: the name and a contact are required; anonymous callers are
    refused before the body is read."""

    objector_name: str = Field(min_length=1, max_length=100, examples=["张伟"])
    objector_contact: str = Field(min_length=3, max_length=100, examples=["13800000000"])
    grounds: str = Field(min_length=1, max_length=8000)
    evidence: list[ObjectionEvidence] = Field(default_factory=list, max_length=20)


class ResolutionBody(InputSchema):
    comment: str = Field(min_length=1, max_length=4000, description="the reasons (处理意见)")
