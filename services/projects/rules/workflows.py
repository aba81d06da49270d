"""State machines of the projects service as data (ARCHITECTURE rule 7): one table per resource.

The application table covers the whole lifecycle of issue 3, from draft to final acceptance. The
router exposes ``APPLICATION_API_ACTIONS``; later actions (review, approval, contracts, mid-term,
acceptance) are in the table already and get their endpoints with the modules that feed them.
Object-level rules (the owner, the applicant organisation's org_admin, the entrusted agency) are the
service's; the roles here are the coarse gate; the guards at submit are in ``rules/eligibility.py``
and run with the context the service gathers (call, programme, integrity and ledger answers).
"""

from __future__ import annotations

from typing import Any

from services.projects.rules import eligibility
from shared.principal import Principal
from shared.workflow import Workflow, transition

# --- programmes ----------------------------------------------------------------------------------

PROGRAMME_WORKFLOW = Workflow(
    "programme",
    "active",
    [
        transition("close", "active", "closed", ["official"]),
        transition("reopen", "closed", "active", ["official"], comment_required=True),
    ],
)

# --- calls (申报指南) ------------------------------------------------------------------------------

CALL_WORKFLOW = Workflow(
    "call",
    "draft",
    [
        transition("publish", "draft", "published", ["official", "agency"]),
        transition("close", "published", "closed", ["official", "agency"]),
    ],
)
CALL_PUBLIC_STATES = frozenset({"published", "closed"})

# --- applications (申报书) -------------------------------------------------------------------------


def _submit_guards(app: Any, principal: Principal, ctx: dict[str, Any]) -> None:
    """Every guard at submit, in the order a leader would want to learn of them: window first
    (nothing else matters when the call is shut), then eligibility, then budget, then the
    integrity and limit checks, whose answers the service looked up."""
    call, programme, topic = ctx["call"], ctx["programme"], ctx["topic"]
    eligibility.check_call_status(call.status)
    eligibility.check_call_window(call.opens_at, call.closes_at, ctx["now"])
    kind = eligibility.effective_org_kind(app.organization_kind, app.applicant_uscc)
    eligibility.check_org_kind(kind, call.org_kinds)
    eligibility.check_leader_age(app.leader_birth_date, call.age_reference_date, call.leader_max_age)
    eligibility.check_budget(
        app.requested_total,
        app.duration_months,
        topic_cap=topic.budget_cap if topic is not None else None,
        programme_cap=programme.max_project_budget,
        programme_max_months=programme.max_duration_months,
    )
    eligibility.check_cofunding(kind, app.requested_total, app.self_raised_total, call.enterprise_cofunding_ratio)
    eligibility.check_not_debarred(ctx["debarments"])
    eligibility.check_limits(ctx["limit_violations"])


SUBMIT_GUARDS = (_submit_guards,)
RETURNED = ("returned_by_org", "returned_for_revision")

APPLICATION_WORKFLOW = Workflow(
    "application",
    "draft",
    [
        # the applicant and the applicant organisation
        transition("submit", "draft", "submitted", ["applicant"], guards=SUBMIT_GUARDS),
        transition("resubmit", RETURNED, "submitted", ["applicant"], guards=SUBMIT_GUARDS),
        transition("withdraw", ("draft", "submitted", *RETURNED), "withdrawn", ["applicant"]),
        transition("endorse", "submitted", "endorsed", ["org_admin"]),
        transition("return_by_org", "submitted", "returned_by_org", ["org_admin"], comment_required=True),
        # formal review (形式审查) by the entrusted agency
        transition("accept", "endorsed", "accepted", ["agency"]),
        transition("reject_formal", "endorsed", "rejected_formal", ["agency"], comment_required=True),
        transition("return_for_revision", "endorsed", "returned_for_revision", ["agency"], comment_required=True),
        transition("start_review", "accepted", "in_review", ["agency"]),
        # expert review, approval, contract (later modules call these)
        transition("complete_review", "in_review", "reviewed", ["agency"]),
        transition("approve", "reviewed", "approved", ["official"]),
        transition("decline", "reviewed", "not_approved", ["official"], comment_required=True),
        # an objection upheld during the public notice (公示) takes the approval back; the reason is the
        # objection's resolution, which is required where it is given (notices.schemas.ResolutionBody)
        transition("withdraw_approval", "approved", "not_approved", ["official"]),
        transition("sign_contract", "approved", "contracted", ["agency"]),
        transition("start", "contracted", "in_progress", ["agency"]),
        # mid-term check and final acceptance (结题验收)
        transition("pass_midterm", "in_progress", "midterm_passed", ["agency"]),
        transition("fail_midterm", "in_progress", "midterm_failed", ["agency"], comment_required=True),
        transition("terminate", ("in_progress", "midterm_failed"), "terminated", ["official"], comment_required=True),
        transition("request_acceptance", ("in_progress", "midterm_passed"), "acceptance_requested", ["applicant"]),
        transition("pass_acceptance", "acceptance_requested", "accepted_final", ["agency"]),
        transition("fail_acceptance", "acceptance_requested", "failed_final", ["agency"], comment_required=True),
    ],
)

# The states from which a project can be terminated (read off the table, never a second list):
# an official's decision, e.g. as the consequence of a failed performance pledge (PRJ-3).
TERMINABLE_STATES: frozenset[str] = frozenset(
    state for t in APPLICATION_WORKFLOW.transitions if t.action == "terminate" for state in t.sources
)

# The actions with an endpoint now: POST /applications/{id}/<action>.
APPLICATION_API_ACTIONS: tuple[str, ...] = (
    "submit",
    "resubmit",
    "withdraw",
    "endorse",
    "return_by_org",
    "accept",
    "reject_formal",
    "return_for_revision",
    "start_review",
)

# States in which the applicant may edit the content (PATCH).
EDITABLE_STATES = frozenset({"draft", *RETURNED})

# The limits ledger (限项, PRJ-1) follows the application: an open application while pending, an
# active project once contracted, closed when it ends. A draft is not in the ledger; a withdrawn
# application is taken out of it (None). State -> (ledger kind, ledger status).
LEDGER_ENTRY: dict[str, tuple[str, str] | None] = {
    "draft": None,
    "withdrawn": None,
    "submitted": ("application", "open"),
    "endorsed": ("application", "open"),
    "returned_by_org": ("application", "open"),
    "returned_for_revision": ("application", "open"),
    "accepted": ("application", "open"),
    "in_review": ("application", "open"),
    "reviewed": ("application", "open"),
    "approved": ("application", "open"),
    "rejected_formal": ("application", "closed"),
    "not_approved": ("application", "closed"),
    "contracted": ("project", "active"),
    "in_progress": ("project", "active"),
    "midterm_passed": ("project", "active"),
    "midterm_failed": ("project", "active"),
    "acceptance_requested": ("project", "active"),
    "terminated": ("project", "closed"),
    "accepted_final": ("project", "closed"),
    "failed_final": ("project", "closed"),
}

# --- approval, public notice and contracts (批准立项, 公示, 任务书) -----------------------------------

# A list of applications the entrusted agency proposes for funding; an official approves or returns it.
APPROVAL_LIST_WORKFLOW = Workflow(
    "approval_list",
    "proposed",
    [
        transition("approve", "proposed", "approved", ["official"]),
        transition("return", "proposed", "returned", ["official"], comment_required=True),
        transition("withdraw", "proposed", "withdrawn", ["agency"]),
    ],
)

# 任务书: drafted and signed by the entrusted agency; it ends with the project.
CONTRACT_WORKFLOW = Workflow(
    "contract",
    "draft",
    [
        transition("sign", "draft", "signed", ["agency"]),
        transition("terminate", "signed", "terminated", ["official"], comment_required=True),
        transition("complete", "signed", "completed", ["agency"]),
    ],
)
