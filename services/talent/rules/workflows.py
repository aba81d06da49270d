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

# A talent application (人才计划申报书), today up to formal review (形式审查):
#   draft → submitted (the guards at submit: window, TAL-4, TAL-1 works, TAL-2, PRJ-5)
#         → endorsed (the organisation recommends it, within the call's cap per organisation)
#         → accepted (an official finds it formally complete) or rejected (with the reason)
#   submitted → returned (by the organisation, with a reason) → submitted again
#   draft / submitted / returned → withdrawn (the applicant)
# and then, after formal review (issue 13):
#   accepted → in_review (an official draws the experts: ``start_review``)
#            → reviewed (the round is closed with enough valid reviews: ``complete_review``)
#   reviewed → proposed or not_proposed (an official tallies the committee's vote, the tally recorded)
#   proposed → selected (the public notice concluded, TAL-5) or not_selected (an objection upheld)
#   selected → terminated (a fail or a debarment during the tenure, TAL-3, with the reason)
#            → completed (the final evaluation at the end of the tenure)
APPLICANT = ["applicant"]
ORG_ADMIN = ["org_admin"]
APPLICATION_WORKFLOW = Workflow(
    "talent_application",
    "draft",
    [
        transition("submit", "draft", "submitted", APPLICANT),
        transition("resubmit", "returned", "submitted", APPLICANT),
        transition("return_by_org", "submitted", "returned", ORG_ADMIN, comment_required=True),
        transition("endorse", "submitted", "endorsed", ORG_ADMIN),
        transition("accept", "endorsed", "accepted", OFFICIAL),
        transition("reject", "endorsed", "rejected", OFFICIAL, comment_required=True),
        transition("withdraw", ("draft", "submitted", "returned"), "withdrawn", APPLICANT),
        transition("start_review", "accepted", "in_review", OFFICIAL),
        transition("complete_review", "in_review", "reviewed", OFFICIAL),
        transition("propose", "reviewed", "proposed", OFFICIAL, comment_required=True),
        transition("not_propose", "reviewed", "not_proposed", OFFICIAL, comment_required=True),
        transition("select", "proposed", "selected", OFFICIAL),
        transition("not_select", "proposed", "not_selected", OFFICIAL, comment_required=True),
        transition("terminate", "selected", "terminated", OFFICIAL, comment_required=True),
        transition("complete", "selected", "completed", OFFICIAL),
    ],
)
# Moves the review, the committee, the notice and the tenure make; they have no action route of their own.
SYSTEM_ACTIONS = frozenset(
    {"start_review", "complete_review", "propose", "not_propose", "select", "not_select", "terminate", "complete"}
)
EDITABLE_STATES = frozenset({"draft", "returned"})

STATE_LABELS.update(
    {
        "submitted": ("已提交", "submitted"),
        "returned": ("退回修改", "returned"),
        "endorsed": ("单位已推荐", "endorsed by the organisation"),
        "accepted": ("形式审查通过", "formally accepted"),
        "rejected": ("形式审查未通过", "rejected at formal review"),
        "withdrawn": ("已撤回", "withdrawn"),
        "in_review": ("专家评审中", "in expert review"),
        "reviewed": ("专家评审完成", "expert review done"),
        "proposed": ("评审委员会建议入选", "proposed by the committee"),
        "not_proposed": ("评审委员会未建议入选", "not proposed by the committee"),
        "selected": ("入选", "selected"),
        "not_selected": ("未入选", "not selected"),
        "terminated": ("已终止支持", "support ended"),
        "completed": ("任期届满", "tenure completed"),
    }
)

# A call's evaluation committee (评审委员会): its members vote while ``open``; an official tallies once.
COMMITTEE_WORKFLOW = Workflow("talent_committee", "open", [transition("tally", "open", "tallied", OFFICIAL)])
COMMITTEE_STATES: dict[str, tuple[str, str]] = {
    "open": ("表决中", "voting"),
    "tallied": ("已计票", "tallied"),
}
STATE_LABELS.update(COMMITTEE_STATES)
STATE_LABELS.update(
    {
        "due": ("待拨付", "due"),
        "paid": ("已拨付", "paid"),
        "cancelled": ("已停拨", "cancelled"),
        "filed": ("已报送", "filed"),
        "graded": ("已评定", "graded"),
        "running": ("任期中", "running"),
    }
)
