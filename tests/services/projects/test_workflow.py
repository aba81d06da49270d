"""The application state machine as data (rules/workflows.py): the whole lifecycle of issue 3, roles
per action, comments where they are required, and the ledger status of every state (PRJ-1)."""

from __future__ import annotations

import pytest

from services.projects.rules.workflows import (
    APPLICATION_API_ACTIONS,
    APPLICATION_WORKFLOW,
    CALL_WORKFLOW,
    EDITABLE_STATES,
    LEDGER_ENTRY,
)
from shared.errors import Forbidden, InvalidTransition
from shared.principal import Principal

W = APPLICATION_WORKFLOW


def who(*roles: str) -> Principal:
    return Principal(kind="user", subject="1", roles=frozenset(roles))


def test_lifecycle_states_of_issue_3() -> None:
    assert W.states == {
        "draft",
        "submitted",
        "endorsed",
        "returned_by_org",
        "accepted",
        "rejected_formal",
        "returned_for_revision",
        "in_review",
        "reviewed",
        "approved",
        "not_approved",
        "contracted",
        "in_progress",
        "midterm_passed",
        "midterm_failed",
        "terminated",
        "acceptance_requested",
        "accepted_final",
        "failed_final",
        "withdrawn",
    }


# the happy path, each step by its role
PATH = [
    ("draft", "submit", "applicant", "submitted"),
    ("submitted", "endorse", "org_admin", "endorsed"),
    ("endorsed", "accept", "agency", "accepted"),
    ("accepted", "start_review", "agency", "in_review"),
    ("in_review", "complete_review", "agency", "reviewed"),
    ("reviewed", "approve", "official", "approved"),
    ("approved", "sign_contract", "agency", "contracted"),
    ("contracted", "start", "agency", "in_progress"),
    ("in_progress", "pass_midterm", "agency", "midterm_passed"),
    ("midterm_passed", "request_acceptance", "applicant", "acceptance_requested"),
    ("acceptance_requested", "pass_acceptance", "agency", "accepted_final"),
]


@pytest.mark.parametrize(("state", "action", "role", "target"), PATH)
def test_happy_path_roles(state: str, action: str, role: str, target: str) -> None:
    assert W.decide(state, action, who(role)).target == target
    others = {"applicant", "org_admin", "agency", "official", "auditor"} - {role}
    for other in others:
        with pytest.raises(Forbidden):
            W.decide(state, action, who(other))


@pytest.mark.parametrize("state", ["draft", "submitted", "returned_by_org", "returned_for_revision"])
def test_withdraw_from_draft_submitted_and_returned(state: str) -> None:
    assert W.decide(state, "withdraw", who("applicant")).target == "withdrawn"


@pytest.mark.parametrize("state", ["endorsed", "accepted", "in_review", "approved", "in_progress"])
def test_no_withdraw_once_endorsed(state: str) -> None:
    with pytest.raises(InvalidTransition) as err:
        W.decide(state, "withdraw", who("applicant"))
    assert "withdraw" not in err.value.extra["allowed_actions"]


def test_failed_midterm_leads_to_termination() -> None:
    assert W.decide("in_progress", "fail_midterm", who("agency")).target == "midterm_failed"
    assert W.decide("midterm_failed", "terminate", who("official")).target == "terminated"


def test_returns_and_rejections_need_a_comment() -> None:
    required = {t.action for t in W.transitions if t.comment_required}
    assert {
        "return_by_org",
        "reject_formal",
        "return_for_revision",
        "decline",
        "fail_midterm",
        "terminate",
        "fail_acceptance",
    } == required


def test_submit_and_resubmit_carry_the_guards() -> None:
    guarded = {t.action for t in W.transitions if t.guards}
    assert guarded == {"submit", "resubmit"}


def test_every_state_has_a_ledger_entry_prj1() -> None:
    assert set(LEDGER_ENTRY) == W.states
    assert LEDGER_ENTRY["draft"] is None and LEDGER_ENTRY["withdrawn"] is None
    assert LEDGER_ENTRY["submitted"] == ("application", "open")
    assert LEDGER_ENTRY["contracted"] == ("project", "active")
    assert LEDGER_ENTRY["not_approved"] == ("application", "closed")
    assert LEDGER_ENTRY["accepted_final"] == ("project", "closed")


def test_api_actions_and_editable_states_are_in_the_table() -> None:
    actions = {t.action for t in W.transitions}
    assert set(APPLICATION_API_ACTIONS) <= actions
    assert W.states >= EDITABLE_STATES
    assert "start_review" in APPLICATION_API_ACTIONS


def test_call_workflow() -> None:
    assert CALL_WORKFLOW.decide("draft", "publish", who("agency")).target == "published"
    assert CALL_WORKFLOW.actions_from("published") == ["close"]
    assert CALL_WORKFLOW.actions_from("closed") == []
