"""Who may see and act on what in the foundation (object-level rules; ARCHITECTURE rule 3).

* Published and closed plans are public; officials and auditors see every plan and its records; an
  agency sees the drafts and the records of the plans that list its organisation in ``agencies`` (the
  foundation committee's office); anyone else sees no record.
* ``acting`` narrows a caller's roles to those it holds for one application: ``applicant`` only for
  its owner, ``org_admin`` only for the host institution, ``agency`` only for the plan's agencies;
  the workflow table is consulted with the narrowed caller.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, or_, select, true

from services.foundation.applications.models import FoundationApplication
from services.foundation.plans.models import FundingPlan, PlanAgency
from services.foundation.rules.workflows import PLAN_PUBLIC_STATES
from shared.principal import Principal

SEE_ALL = ("official", "auditor")


def is_plan_agency(plan: FundingPlan, principal: Principal) -> bool:
    return principal.has_role("agency") and principal.org_id is not None and principal.org_id in plan.agency_org_ids


def is_staff(plan: FundingPlan, principal: Principal) -> bool:
    """Officials, and the agencies the plan lists."""
    return principal.has_role("official") or is_plan_agency(plan, principal)


def plan_roles(plan: FundingPlan, principal: Principal) -> Principal:
    """``principal`` with only the staff roles it holds for this plan (plus auditor)."""
    roles = {r for r in ("official", "auditor") if principal.has_role(r)}
    if is_plan_agency(plan, principal):
        roles.add("agency")
    return principal.model_copy(update={"roles": frozenset(roles)})


def agency_plan_ids(org_id: int) -> Select[Any]:
    """The ids of the plans an agency runs."""
    return select(PlanAgency.plan_id).where(PlanAgency.org_id == org_id)


def visible_plans(principal: Principal) -> Any:
    """A WHERE clause on plans: published and closed ones for everyone, anonymous callers included;
    drafts too for officials and auditors, and for the agencies the plan lists."""
    if principal.has_role(*SEE_ALL):
        return true()
    public = FundingPlan.status.in_(PLAN_PUBLIC_STATES)
    if principal.has_role("agency") and principal.org_id is not None:
        return or_(public, FundingPlan.id.in_(agency_plan_ids(principal.org_id)))
    return public


def plan_filter(column: Any, principal: Principal) -> Any:
    """A WHERE clause on a plan id ``column`` for the plans the caller sees as staff or auditor:
    every plan, the plans its agency runs, or none."""
    if principal.has_role(*SEE_ALL):
        return true()
    if principal.has_role("agency") and principal.org_id is not None:
        return column.in_(agency_plan_ids(principal.org_id))
    return false()


def visible_applications(principal: Principal) -> Select[Any]:
    """Applications the caller may see: staff and auditors by plan; the owner (applicant); the host
    institution's org_admin once submitted (never a draft, nor a draft withdrawn unsubmitted)."""
    stmt = select(FoundationApplication)
    if principal.has_role(*SEE_ALL):
        return stmt
    clauses: list[Any] = []
    if principal.has_role("agency") and principal.org_id is not None:
        clauses.append(FoundationApplication.plan_id.in_(agency_plan_ids(principal.org_id)))
    if principal.has_role("applicant"):
        clauses.append(FoundationApplication.owner == principal.subject)
    if principal.has_role("org_admin") and principal.org_uscc:
        clauses.append(
            (FoundationApplication.institution_uscc == principal.org_uscc)
            & (FoundationApplication.status != "draft")
            & FoundationApplication.submitted_at.is_not(None)
        )
    return stmt.where(or_(*clauses)) if clauses else stmt.where(false())


def acting(principal: Principal, application: FoundationApplication, plan: FundingPlan) -> Principal:
    """``principal`` with only the roles it holds for this application."""
    roles = {r for r in ("official", "auditor") if principal.has_role(r)}
    if principal.has_role("applicant") and application.owner == principal.subject:
        roles.add("applicant")
    if principal.has_role("org_admin") and principal.org_uscc and principal.org_uscc == application.institution_uscc:
        roles.add("org_admin")
    if is_plan_agency(plan, principal):
        roles.add("agency")
    return principal.model_copy(update={"roles": frozenset(roles)})
