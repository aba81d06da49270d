"""State machines of the talent service as data (docs/architecture.md), with the zh/en label of every
state, level and kind.

Talent programmes (科技人才计划) are kept by officials: a programme is ``active`` (calls may be made under
it) or ``retired`` (no new call; its calls and tenures run on). A yearly call is drafted, published (public
from then on, taking applications in its window, CAL-2) and closed.
"""

from __future__ import annotations

from shared.workflow import Workflow, transition

OFFICIAL = ["official"]

PROGRAMME_WORKFLOW = Workflow(
    "talent_programme",
    "active",
    [
        transition("retire", "active", "retired", OFFICIAL, comment_required=True),
        transition("reinstate", "retired", "active", OFFICIAL, comment_required=True),
    ],
)

CALL_WORKFLOW = Workflow(
    "talent_call",
    "draft",
    [
        transition("publish", "draft", "published", OFFICIAL),
        transition("close", "published", "closed", OFFICIAL),
    ],
)

# TAL-2 compares levels: a person holds at most one programme of a level at a time.
LEVELS: dict[str, tuple[str, str]] = {
    "national_recommendation": ("国家级人才计划推荐", "recommendation to a national programme"),
    "provincial_key": ("省级重点人才计划", "provincial key programme"),
    "provincial_general": ("省级一般人才计划", "provincial general programme"),
}

KINDS: dict[str, tuple[str, str]] = {
    "leading_talent": ("领军人才", "leading talent"),
    "young_talent": ("青年人才", "young talent"),
    "innovation_team": ("创新团队", "innovation team"),
}

STATE_LABELS: dict[str, tuple[str, str]] = {
    "active": ("有效", "active"),
    "retired": ("已停用", "retired"),
    "draft": ("草稿", "draft"),
    "published": ("已发布", "published"),
    "closed": ("已截止", "closed"),
}
