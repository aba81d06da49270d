"""State machines of the Foreign Experts Bureau service as data (ARCHITECTURE rule 7), with the zh/en
label of every state.

Roles here are the coarse gate; the service narrows a caller's roles to those it holds for the
record first: ``clerk`` (an ``applicant`` or ``org_admin`` of the employer's organisation, matched by
USCC) only for its own employer's records. The guards the service runs before a move (documents,
passport, WP-3 basic conditions, the C quota) raise problems with stable codes.

Permit applications (外国人来华工作许可申请), WP-4's clock in brackets:

    draft → submitted → accepted (受理; the clock starts) → approved → issued (the permit)
              │  ↑          │  ↑ ↺ extend (once, +10 working days), waive_age_limit
              ↓  │          ↓  │
           returned      awaiting_documents (补正 after acceptance: the clock stops)
    accepted → refused (with reason codes); draft/submitted/returned/awaiting_documents → withdrawn
"""

from __future__ import annotations

from shared.workflow import Workflow, transition

CLERK = ["clerk"]
OFFICIAL = ["official"]

EMPLOYER_WORKFLOW = Workflow(
    "employer",
    "registered",
    [
        transition("suspend", "registered", "suspended", OFFICIAL, comment_required=True),
        transition("reinstate", "suspended", "registered", OFFICIAL, comment_required=True),
    ],
)

APPLICATION_WORKFLOW = Workflow(
    "permit_application",
    "draft",
    [
        transition("submit", "draft", "submitted", CLERK),
        transition("resubmit", "returned", "submitted", CLERK),
        transition("return_for_documents", "submitted", "returned", OFFICIAL, comment_required=True),
        transition("accept", "submitted", "accepted", OFFICIAL),
        transition("request_documents", "accepted", "awaiting_documents", OFFICIAL, comment_required=True),
        transition("supply_documents", "awaiting_documents", "accepted", CLERK),
        transition("extend", "accepted", "accepted", OFFICIAL, comment_required=True),
        transition("waive_age_limit", "accepted", "accepted", OFFICIAL, comment_required=True),
        transition("approve", "accepted", "approved", OFFICIAL),
        transition("refuse", "accepted", "refused", OFFICIAL, comment_required=True),
        transition("issue", "approved", "issued", OFFICIAL),
        transition("withdraw", ("draft", "submitted", "returned", "awaiting_documents"), "withdrawn", CLERK),
    ],
)
# The decision clock of WP-4 runs (or stands, while documents are awaited) in these states.
PENDING_DECISION = frozenset({"accepted", "awaiting_documents"})
EDITABLE_STATES = frozenset({"draft", "returned", "awaiting_documents"})

PERMIT_WORKFLOW = Workflow(
    "permit",
    "valid",
    [
        # A newer permit under the same lifelong number (a new employer, WP-8) replaces this one.
        transition("supersede", "valid", "superseded", OFFICIAL),
        transition("cancel", "valid", "cancelled", OFFICIAL),
    ],
)

CHANGE_WORKFLOW = Workflow(
    "permit_change",
    "submitted",
    [
        transition("approve", "submitted", "approved", OFFICIAL),
        transition("refuse", "submitted", "refused", OFFICIAL, comment_required=True),
        transition("withdraw", "submitted", "withdrawn", CLERK),
    ],
)

# The bureau's yearly calls: foreign-expert programmes and outbound training plans (``rules/funding.py``).
CALL_WORKFLOW = Workflow(
    "funding_call",
    "draft",
    [
        transition("publish", "draft", "published", OFFICIAL),
        transition("close", "published", "closed", OFFICIAL),
    ],
)

# 引进外国专家项目: an employer's application for a foreign expert's programme.
#   draft → submitted → under_review (accepted; reviews recorded) → approved (grant) → funded (paid)
#   → report_submitted → completed; returned, rejected, withdrawn or (approved, not yet paid) called off on the way.
PROGRAMME_WORKFLOW = Workflow(
    "expert_programme_application",
    "draft",
    [
        transition("submit", "draft", "submitted", CLERK),
        transition("resubmit", "returned", "submitted", CLERK),
        transition("return", "submitted", "returned", OFFICIAL, comment_required=True),
        transition("accept", "submitted", "under_review", OFFICIAL),
        transition("approve", "under_review", "approved", OFFICIAL),
        transition("reject", "under_review", "rejected", OFFICIAL, comment_required=True),
        transition("cancel", "approved", "called_off", OFFICIAL, comment_required=True),
        transition("fund", "approved", "funded", OFFICIAL),
        transition("submit_report", "funded", "report_submitted", CLERK),
        transition("return_report", "report_submitted", "funded", OFFICIAL, comment_required=True),
        transition("accept_report", "report_submitted", "completed", OFFICIAL),
        transition("withdraw", ("draft", "submitted", "returned"), "withdrawn", CLERK),
    ],
)

# 出国(境)培训计划: a unit's application for a group's training abroad under the year's plan.
#   draft → submitted → approved (budget and places) → reported (on return) → closed
TRAINING_WORKFLOW = Workflow(
    "training_application",
    "draft",
    [
        transition("submit", "draft", "submitted", CLERK),
        transition("resubmit", "returned", "submitted", CLERK),
        transition("return", "submitted", "returned", OFFICIAL, comment_required=True),
        transition("approve", "submitted", "approved", OFFICIAL),
        transition("reject", "submitted", "rejected", OFFICIAL, comment_required=True),
        transition("cancel", "approved", "called_off", [*CLERK, *OFFICIAL], comment_required=True),
        transition("submit_report", "approved", "reported", CLERK),
        transition("return_report", "reported", "approved", OFFICIAL, comment_required=True),
        transition("accept_report", "reported", "closed", OFFICIAL),
        transition("withdraw", ("draft", "submitted", "returned"), "withdrawn", CLERK),
    ],
)

STATE_LABELS: dict[str, tuple[str, str]] = {
    "registered": ("已登记", "registered"),
    "suspended": ("已暂停", "suspended"),
    "draft": ("草稿", "draft"),
    "submitted": ("已提交", "submitted"),
    "returned": ("退回补正", "returned for documents"),
    "accepted": ("已受理", "accepted"),
    "awaiting_documents": ("待补正材料（暂停计时）", "awaiting documents (clock stopped)"),
    "approved": ("已批准", "approved"),
    "refused": ("不予许可", "refused"),
    "issued": ("已发证", "permit issued"),
    "withdrawn": ("已撤回", "withdrawn"),
    "valid": ("有效", "valid"),
    "superseded": ("已被新许可取代", "superseded by a newer permit"),
    "cancelled": ("已注销", "cancelled"),
    "expired": ("已过期", "expired"),
    "published": ("已发布", "published"),
    "closed": ("已结束", "closed"),
    "under_review": ("评审中", "under review"),
    "rejected": ("未获批准", "rejected"),
    "funded": ("已拨付经费", "funded"),
    "report_submitted": ("已提交总结报告", "completion report submitted"),
    "completed": ("已结项", "completed"),
    "reported": ("已提交回国报告", "return report submitted"),
    "called_off": ("已取消（经费和名额退回计划）", "called off (the grant and places go back to the call)"),
}

CHANGE_KINDS: dict[str, tuple[str, str]] = {
    "extension": ("延期", "extension"),
    "change": ("变更", "change"),
    "cancellation": ("注销", "cancellation"),
}


def _check_labels() -> None:
    states = set().union(
        *(
            w.states
            for w in (
                EMPLOYER_WORKFLOW,
                APPLICATION_WORKFLOW,
                PERMIT_WORKFLOW,
                CHANGE_WORKFLOW,
                CALL_WORKFLOW,
                PROGRAMME_WORKFLOW,
                TRAINING_WORKFLOW,
            )
        )
    )
    missing = states - set(STATE_LABELS)
    if missing:  # pragma: no cover - a table edit that forgot a label fails at import
        raise RuntimeError(f"states without a label: {sorted(missing)}")


_check_labels()
