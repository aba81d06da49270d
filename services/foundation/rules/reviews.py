"""What a foundation review holds (NSF-4), as data: the grade, the funding opinion, and comments by
criterion. The criteria are the committee's review form (评审要点); changing the form is a change of
this table, never of the code that checks it.

A review counts only when complete (NSF-4): to submit it needs a grade, an opinion and the overall
comment; comments on the other criteria are optional.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

GRADES = ("A", "B", "C", "D")  # 4/3/2/1 points (shared.review.aggregate)
OPINIONS = ("priority", "fundable", "not_fundable")  # 优先资助 / 可资助 / 不予资助: 4/2/0 points
COMMENT_OVERALL = "overall"


@dataclass(frozen=True, slots=True)
class Criterion:
    code: str
    name_zh: str
    name_en: str
    required: bool = False  # a comment on it is needed to submit


CRITERIA: tuple[Criterion, ...] = (
    Criterion("innovation", "创新性", "Innovation"),
    Criterion("feasibility", "研究方案可行性", "Feasibility of the research plan"),
    Criterion("foundation", "研究基础", "Preliminary work"),
    Criterion("team", "研究团队", "Research team"),
    Criterion(COMMENT_OVERALL, "综合评价", "Overall assessment", required=True),
)
CRITERION_CODES = tuple(c.code for c in CRITERIA)


def unknown_criteria(comments: Mapping[str, str]) -> list[str]:
    return [code for code in comments if code not in CRITERION_CODES]


def missing_to_submit(grade: str | None, opinion: str | None, comments: Mapping[str, str]) -> list[str]:
    """The fields a review still lacks to be complete (NSF-4), as field paths; empty when complete."""
    missing = [name for name, value in (("grade", grade), ("opinion", opinion)) if value is None]
    missing += [f"comments.{c.code}" for c in CRITERIA if c.required and not (comments.get(c.code) or "").strip()]
    return missing
