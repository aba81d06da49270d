"""State machines of the foundation service as data (ARCHITECTURE rule 7).

Roles here are the coarse gate; the service narrows the caller's roles to those it holds for the
record first: ``applicant`` only for the owner, ``org_admin`` only for the host institution
(Principal.org_uscc = the application's USCC), ``agency`` only for an agency listed on the plan.
The guards at submit (window, NSF-6 eligibility, budget, NSF-5 limits, PRJ-5 integrity) run with the
context the service gathers, asking the projects service for the last two (503 when it is down).
"""

from __future__ import annotations

from typing import Any

from services.foundation.rules import eligibility
from shared.principal import Principal
from shared.workflow import Workflow, transition

# Who runs the foundation's business: officials, and the agencies entrusted with the plan.
STAFF = ["official", "agency"]

# --- yearly plans --------------------------------------------------------------------------------

PLAN_WORKFLOW = Workflow(
    "funding_plan",
    "draft",
    [
        transition("publish", "draft", "published", ["official"]),
        transition("close", "published", "closed", ["official"]),
    ],
)
PLAN_PUBLIC_STATES = frozenset({"published", "closed"})

# --- applications --------------------------------------------------------------------------------

RETURNED = ("returned_by_org",)
# "withdrawal before review": any state before the draw sends it to reviewers.
WITHDRAWABLE = ("draft", "submitted", "returned_by_org", "endorsed", "accepted")

# --- guards: the service gathers ``context`` (the plan and category, now, and the projects service's
# integrity and limits answers) before anything changes; each guard is one rule of rules/eligibility.


def _plan_open(application: Any, _: Principal, context: dict[str, Any]) -> None:
    plan = context["plan"]
    eligibility.check_plan_published(plan.status)
    eligibility.check_window(plan.opens_at, plan.closes_at, context["now"])


def _discipline(application: Any, _: Principal, context: dict[str, Any]) -> None:
    eligibility.check_discipline(application.discipline_code, context["plan"].discipline_codes)


def _category_age(application: Any, _: Principal, context: dict[str, Any]) -> None:
    category = context["category"]
    eligibility.check_age(
        application.applicant_birth_date,
        application.applicant_sex,
        context["plan"].year,
        category.max_age_male,
        category.max_age_female,
    )


def _budget(application: Any, _: Principal, context: dict[str, Any]) -> None:
    category = context["category"]
    eligibility.check_budget(application.requested_total, category.amount, category.amount_mode)
    eligibility.check_duration(application.duration_months)


def _limits(application: Any, _: Principal, context: dict[str, Any]) -> None:
    eligibility.check_limits(context["limit_violations"])


def _integrity(application: Any, _: Principal, context: dict[str, Any]) -> None:
    eligibility.check_not_debarred(context["debarments"], clause=context.get("integrity_clause", "PRJ-5"))


SUBMIT_GUARDS = (_plan_open, _discipline, _category_age, _budget, _limits, _integrity)
# NSF-1: a debarment may arrive after the submission; formal review checks again before accepting.
ACCEPT_GUARDS = (_integrity,)

APPLICATION_WORKFLOW = Workflow(
    "foundation_application",
    "draft",
    [
        # the applicant and the host institution (依托单位)
        transition("submit", "draft", "submitted", ["applicant"], guards=SUBMIT_GUARDS),
        transition("resubmit", RETURNED, "submitted", ["applicant"], guards=SUBMIT_GUARDS),
        transition("withdraw", WITHDRAWABLE, "withdrawn", ["applicant"]),
        transition("endorse", "submitted", "endorsed", ["org_admin"]),
        transition("return_by_org", "submitted", "returned_by_org", ["org_admin"], comment_required=True),
        # formal review (形式审查, NSF-1)
        transition("accept", "endorsed", "accepted", STAFF, guards=ACCEPT_GUARDS),
        transition("reject_formal", "endorsed", "rejected_formal", STAFF, comment_required=True),
        # peer review (the review round moves these)
        transition("start_review", "accepted", "in_review", STAFF),
        transition("complete_review", "in_review", "reviewed", STAFF),
        # ranking and approval
        transition("rank", "reviewed", "ranked", STAFF),
        transition("approve", "ranked", "approved", ["official"]),
        transition("decline", "ranked", "not_approved", ["official"]),
        # an objection upheld during the public notice takes the approval back
        transition("withdraw_approval", "approved", "not_approved", ["official"], comment_required=True),
        # the notice concluded: the grant is made
        transition("fund", "approved", "funded", ["official"]),
        # the final report (结题)
        transition("submit_final_report", "funded", "final_submitted", ["applicant"]),
        transition("return_final_report", "final_submitted", "funded", STAFF, comment_required=True),
        transition("conclude", "final_submitted", "concluded", STAFF),
        transition("fail", "final_submitted", "failed", STAFF, comment_required=True),
        transition("terminate", "funded", "terminated", ["official"], comment_required=True),
    ],
)

# States in which the applicant edits the content (PATCH).
EDITABLE_STATES = frozenset({"draft", *RETURNED})
# States that mean "sent to peer review or beyond".
REVIEW_STATES = frozenset({"in_review", "reviewed", "ranked"})

# The limits ledger (限项, PRJ-1, NSF-5) in the projects service follows the application: state ->
# (ledger kind, ledger status); None: not in the ledger (a draft, a withdrawn application).
LEDGER_ENTRY: dict[str, tuple[str, str] | None] = {
    "draft": None,
    "withdrawn": None,
    "submitted": ("application", "open"),
    "returned_by_org": ("application", "open"),
    "endorsed": ("application", "open"),
    "accepted": ("application", "open"),
    "in_review": ("application", "open"),
    "reviewed": ("application", "open"),
    "ranked": ("application", "open"),
    "approved": ("application", "open"),
    "rejected_formal": ("application", "closed"),
    "not_approved": ("application", "closed"),
    "funded": ("project", "active"),
    "final_submitted": ("project", "active"),
    "concluded": ("project", "closed"),
    "failed": ("project", "closed"),
    "terminated": ("project", "closed"),
}
assert set(LEDGER_ENTRY) == set(APPLICATION_WORKFLOW.states), "every state has a ledger entry"
