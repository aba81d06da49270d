"""State machines of the provincial awards as data (AW-1..AW-3), with the zh/en label of every state.

An award cycle (one year, one category) is drafted by officials, opened (nominations are filed within
its window, CAL-2), closed to new nominations, and ends with its results published (a certificate
number for each winner).

A nomination (提名书) moves:
  draft → submitted (the nominator; the guards: the window, AW-2, PRJ-5, the Friendship Award's permit)
        → accepted (formal review, officials) or rejected (with the reason)
  accepted → on_acceptance_notice (the 30-day notice is opened, AW-3) → in_review (concluded)
  in_review → proposed (the committee's vote on a grade passed, within the grade's quota) or not_awarded
  proposed → on_winners_notice (the 15-day notice) → confirmed (concluded) → awarded (results published)
  on a notice → disqualified (an objection upheld, the reason recorded)
  draft / submitted → withdrawn (the nominator)
"""

from __future__ import annotations

from shared.workflow import Workflow, transition

OFFICIAL = ["official"]
NOMINATOR = ["nominator"]  # the registered nominator who filed it (a narrowed role, see nominations.service)

CYCLE_WORKFLOW = Workflow(
    "award_cycle",
    "draft",
    [
        transition("open", "draft", "open", OFFICIAL),
        transition("close", "open", "closed", OFFICIAL),
        transition("publish_results", "closed", "results_published", OFFICIAL),
    ],
)

NOMINATION_WORKFLOW = Workflow(
    "award_nomination",
    "draft",
    [
        transition("submit", "draft", "submitted", NOMINATOR),
        transition("withdraw", ("draft", "submitted"), "withdrawn", NOMINATOR),
        transition("accept", "submitted", "accepted", OFFICIAL),
        transition("reject", "submitted", "rejected", OFFICIAL, comment_required=True),
        # moved by the notices (services.talent.nominations.notices), not by a route of their own
        transition("publish_acceptance", "accepted", "on_acceptance_notice", OFFICIAL),
        transition("conclude_acceptance", "on_acceptance_notice", "in_review", OFFICIAL),
        transition("propose", "in_review", "proposed", OFFICIAL),
        transition("not_award", "in_review", "not_awarded", OFFICIAL, comment_required=True),
        transition("publish_winners", "proposed", "on_winners_notice", OFFICIAL),
        transition("conclude_winners", "on_winners_notice", "confirmed", OFFICIAL),
        transition("award", "confirmed", "awarded", OFFICIAL),
        transition(
            "disqualify", ("on_acceptance_notice", "on_winners_notice"), "disqualified", OFFICIAL, comment_required=True
        ),
        # An objection upheld against a proposed winner's grade, not its merit: the committee grades it again
        # (and a new proposed-winners notice follows). Only a nomination the committee had graded.
        transition("regrade", "disqualified", "in_review", OFFICIAL, comment_required=True),
    ],
)

# The nominations that count against AW-2's limits in their year: every one filed and not yet out.
OUT_STATES = frozenset({"draft", "withdrawn", "rejected", "disqualified"})
# The nominations that hold a place of a grade's quota (AW-1).
QUOTA_STATES = ("proposed", "on_winners_notice", "confirmed", "awarded")
EDITABLE_STATES = frozenset({"draft"})

AWARD_STATE_LABELS: dict[str, tuple[str, str]] = {
    "draft": ("草稿", "draft"),
    "open": ("提名中", "open for nominations"),
    "closed": ("提名已截止", "nominations closed"),
    "results_published": ("结果已公布", "results published"),
    "submitted": ("已提交", "submitted"),
    "withdrawn": ("已撤回", "withdrawn"),
    "accepted": ("形式审查通过", "formally accepted"),
    "rejected": ("形式审查未通过", "rejected at formal review"),
    "on_acceptance_notice": ("受理公示中", "on the acceptance notice"),
    "in_review": ("专业评审中", "in panel review"),
    "proposed": ("拟授奖", "proposed for an award"),
    "not_awarded": ("未授奖", "not awarded"),
    "on_winners_notice": ("拟授奖公示中", "on the proposed-winners notice"),
    "confirmed": ("授奖已确定", "award confirmed"),
    "awarded": ("已授奖", "awarded"),
    "disqualified": ("异议成立，取消资格", "disqualified on an upheld objection"),
}

# National S&T award categories (国家科学技术奖) the department nominates for, and which provincial
# categories feed each (data; the department may nominate a provincial winner of any listed category).
NATIONAL_CATEGORIES: dict[str, tuple[str, str]] = {
    "natural_science": ("国家自然科学奖", "State Natural Science Award"),
    "technical_invention": ("国家技术发明奖", "State Technological Invention Award"),
    "st_progress": ("国家科学技术进步奖", "State S&T Progress Award"),
    "international_cooperation": ("中华人民共和国国际科学技术合作奖", "International S&T Cooperation Award of the PRC"),
}
