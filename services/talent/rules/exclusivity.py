"""TAL-2 one programme of a level at a time.

A person selected in a programme of level L cannot apply to another programme of level L before that
tenure ends; a declared national title of level L whose support has not ended counts the same. The last
day of a tenure (``ends_on``) is still inside it: an application dated that day is refused, one dated the
day after is not. A tenure that was selected but has not started yet counts too (the person is selected).
A tenure ended early (TAL-3) is handed in with its actual end. Levels are the programmes' own codes
(``"provincial_leading"``, ``"provincial_young"`` ...), compared as given: which national title sits at
which level is the department's data, mapped by the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from services.talent.errors import SameLevelSupportActive

CLAUSE = "TAL-2"


@dataclass(frozen=True, slots=True)
class Tenure:
    """A selection of the person in a programme of the platform: ``ends_on`` is the last day supported."""

    programme: str
    level: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True, slots=True)
class NationalTitle:
    """A title the applicant declares (a national programme's), at the level the department maps it to;
    ``ends_on`` None: the declaration gives no end, so the support is taken as still running."""

    title: str
    level: str
    ends_on: date | None = None


@dataclass(frozen=True, slots=True)
class Holding:
    source: str  # "tenure" or "national_title"
    name: str
    level: str
    ends_on: date | None


def same_level_holdings(
    level: str, applying_on: date, tenures: Sequence[Tenure], titles: Sequence[NationalTitle] = ()
) -> list[Holding]:
    """TAL-2: the tenures and declared titles of ``level`` still running on ``applying_on``."""
    found = [
        Holding("tenure", t.programme, t.level, t.ends_on)
        for t in tenures
        if t.level == level and applying_on <= t.ends_on
    ]
    found += [
        Holding("national_title", t.title, t.level, t.ends_on)
        for t in titles
        if t.level == level and (t.ends_on is None or applying_on <= t.ends_on)
    ]
    return found


def check_same_level(
    level: str, applying_on: date, tenures: Sequence[Tenure], titles: Sequence[NationalTitle] = ()
) -> None:
    """TAL-2: refuse an application to a programme of ``level`` while a tenure or title of that level runs."""
    held = same_level_holdings(level, applying_on, tenures, titles)
    if not held:
        return
    first = held[0]
    until_zh = f"至 {first.ends_on.isoformat()}" if first.ends_on else "（未申报结束日期）"
    until_en = f"until {first.ends_on.isoformat()}" if first.ends_on else "(no end declared)"
    raise SameLevelSupportActive(
        f"申请人已入选同层次（{level}）的“{first.name}”，支持期{until_zh}；支持期结束前不能申报同层次计划（TAL-2）。",
        f"The applicant holds '{first.name}' of the same level ({level}) {until_en}; no other programme of "
        "that level before it ends (TAL-2).",
        extra={
            "clause": CLAUSE,
            "level": level,
            "holdings": [
                {
                    "source": h.source,
                    "name": h.name,
                    "level": h.level,
                    "ends_on": h.ends_on.isoformat() if h.ends_on else None,
                }
                for h in held
            ],
        },
    )
