"""Who may see and act on what in the projects service (object-level rules; ARCHITECTURE rule 3).

* Officials and auditors see every programme's records; an agency sees those of the programmes
  entrusted to its organisation (PRJ-2: ``Programme.agencies``) and acts only on them; another
  agency's record is a 404, never a 403, so nobody learns that it exists.
* Calls, challenge lists and open notices are public once published; drafts follow the rule above.
* An applicant sees their own applications, contracts, bids and pledges (a bidder's organisation
  account too); the applicant organisation's org_admin its organisation's submitted applications.
* ``acting`` narrows a caller's roles to those it holds for one record; the workflow tables are
  consulted with the narrowed caller.
* The reviewer pool: officials manage it; officials, agencies and auditors read it; a reviewer reads
  and changes only their own entry.

The visibility rules are WHERE clauses the repositories put on their statements; whether a programme
is entrusted to the caller comes in as a loaded ``Programme`` or as a flag the service looked up
(``programmes.service.entrusted``), so nothing here touches the database.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, false, or_, select, true

from services.projects.applications.models import Application
from services.projects.approvals.models import ApprovalList
from services.projects.calls.models import Call
from services.projects.challenges.models import ChallengeBid, ChallengeList
from services.projects.contracts.models import Contract
from services.projects.notices.models import PublicNotice
from services.projects.pledges.models import Pledge
from services.projects.programmes.models import Programme, ProgrammeAgency
from services.projects.review_rounds.models import ReviewRound
from services.projects.reviewers.models import Reviewer
from services.projects.rules.challenges import PUBLIC_STAGES
from services.projects.rules.workflows import CALL_PUBLIC_STATES
from shared.errors import Forbidden
from shared.notices.models import OPEN
from shared.principal import Principal
from shared.scopes import registered

SEE_ALL = ("official", "auditor")
# The statistics count every programme for administrators as well.
FIGURES_SEE_ALL = (*SEE_ALL, "admin")
POOL_READERS = ("official", "agency", "auditor")
POOL_MANAGERS = ("official",)
# Agencies' API keys (and other services) check integrity records with this scope (PRJ-5).
INTEGRITY_CHECK_SCOPE = registered("projects:integrity:read")


# --- programmes entrusted to an agency (PRJ-2) ------------------------------------------------------


def entrusted_ids(org_id: int) -> Select[Any]:
    """The ids of the programmes entrusted to an agency's organisation."""
    return select(ProgrammeAgency.programme_id).where(ProgrammeAgency.org_id == org_id)


def programme_filter(column: Any, principal: Principal, *, see_all: tuple[str, ...] = SEE_ALL) -> ColumnElement[bool]:
    """A WHERE clause on a programme id ``column``: every programme for ``see_all``, those entrusted to
    an agency's organisation, none for anyone else."""
    if principal.has_role(*see_all):
        return true()
    if principal.has_role("agency") and principal.org_id is not None:
        return column.in_(entrusted_ids(principal.org_id))
    return false()


def entrusted_to(principal: Principal, programme: Programme) -> bool:
    """The caller is an agency the programme is entrusted to."""
    org_id = principal.org_id
    return principal.has_role("agency") and org_id is not None and org_id in programme.agency_org_ids


def may_manage(principal: Principal, *, entrusted: bool) -> bool:
    """Officials manage every programme's calls, lists and pledges; an agency those of the programmes
    entrusted to it (``entrusted``: the record's programme is)."""
    return principal.has_role("official") or (entrusted and principal.has_role("agency"))


def acting(
    principal: Principal, *, entrusted: bool, owner: str | None = None, applicant_uscc: str | None = None
) -> Principal:
    """``principal`` with only the roles it holds for one record: ``official`` and ``auditor`` as held,
    ``agency`` when the record's programme is entrusted to it, ``applicant`` for the record's ``owner``,
    ``org_admin`` for the administrator of the applicant organisation (``applicant_uscc``)."""
    roles = {r for r in SEE_ALL if principal.has_role(r)}
    if entrusted and principal.has_role("agency"):
        roles.add("agency")
    if owner is not None and principal.has_role("applicant") and owner == principal.subject:
        roles.add("applicant")
    if applicant_uscc and principal.has_role("org_admin") and principal.org_uscc == applicant_uscc:
        roles.add("org_admin")
    return principal.model_copy(update={"roles": frozenset(roles)})


# --- what each caller sees ------------------------------------------------------------------------


def visible_programmes(principal: Principal) -> ColumnElement[bool]:
    """All for officials and auditors, the entrusted ones for an agency, nothing for anyone else."""
    return programme_filter(Programme.id, principal)


def visible_calls(principal: Principal) -> ColumnElement[bool]:
    """Published and closed calls for everyone, anonymous callers included; drafts for officials and
    auditors, and for the agencies entrusted with the programme."""
    if principal.has_role(*SEE_ALL):
        return true()
    public = Call.status.in_(CALL_PUBLIC_STATES)
    if principal.has_role("agency") and principal.org_id is not None:
        return or_(public, Call.programme_id.in_(entrusted_ids(principal.org_id)))
    return public


def visible_applications(principal: Principal) -> ColumnElement[bool]:
    """The owner sees their own, drafts included; the applicant organisation's org_admin, the entrusted
    agency, officials and auditors see submitted ones; nobody else anything."""
    not_draft = Application.status != "draft"
    seen: list[ColumnElement[bool]] = []
    if principal.has_role("applicant"):
        seen.append(Application.owner == principal.subject)
    if principal.has_role("org_admin") and principal.org_uscc:
        seen.append((Application.applicant_uscc == principal.org_uscc) & not_draft)
    if principal.has_role("agency") and principal.org_id is not None:
        seen.append(Application.programme_id.in_(entrusted_ids(principal.org_id)) & not_draft)
    if principal.has_role(*SEE_ALL):
        seen.append(not_draft)
    return or_(*seen) if seen else false()


def counted_applications(principal: Principal) -> ColumnElement[bool]:
    """The applications the statistics count for the caller: every programme's for officials, auditors
    and administrators, an agency's entrusted programmes'."""
    return programme_filter(Application.programme_id, principal, see_all=FIGURES_SEE_ALL)


def counted_programmes(principal: Principal) -> ColumnElement[bool]:
    """The programmes whose statistics the caller may ask for."""
    return programme_filter(Programme.id, principal, see_all=FIGURES_SEE_ALL)


def visible_approval_lists(principal: Principal) -> ColumnElement[bool]:
    """Officials and auditors see every list; an agency those of programmes entrusted to it."""
    return programme_filter(ApprovalList.programme_id, principal)


def visible_contracts(principal: Principal) -> ColumnElement[bool]:
    """The project's applicant (owner), the entrusted agency, officials and auditors."""
    if principal.has_role(*SEE_ALL):
        return true()
    seen: list[ColumnElement[bool]] = []
    if principal.has_role("applicant"):
        seen.append(Contract.owner == principal.subject)
    if principal.has_role("agency") and principal.org_id is not None:
        seen.append(Contract.programme_id.in_(entrusted_ids(principal.org_id)))
    return or_(*seen) if seen else false()


def visible_review_rounds(principal: Principal) -> ColumnElement[bool]:
    """Officials and auditors see every round, an agency those of its entrusted programmes."""
    return programme_filter(ReviewRound.programme_id, principal)


def visible_notices(principal: Principal) -> ColumnElement[bool]:
    """Open notices are public; officials and auditors see every notice, an agency also the concluded
    ones of programmes entrusted to it."""
    if principal.has_role(*SEE_ALL):
        return true()
    if principal.has_role("agency") and principal.org_id is not None:
        return or_(PublicNotice.status == OPEN, PublicNotice.programme_id.in_(entrusted_ids(principal.org_id)))
    return PublicNotice.status == OPEN


# --- open challenges (PRJ-3) ------------------------------------------------------------------------


def visible_challenge_lists(principal: Principal) -> ColumnElement[bool]:
    """Published stages for everyone; drafts too for officials, and for an agency those of its programmes."""
    if principal.has_role("official"):
        return true()
    public = ChallengeList.status.in_(PUBLIC_STAGES)
    if principal.has_role("agency") and principal.org_id is not None:
        return or_(public, ChallengeList.programme_id.in_(entrusted_ids(principal.org_id)))
    return public


def is_bidder_of(principal: Principal, bid: ChallengeBid) -> bool:
    """A bid's bidder: who submitted it, or their organisation's account."""
    return bid.submitted_by == principal.actor_id or (
        principal.org_id is not None and bid.submitter_org_id == principal.org_id
    )


def own_bids(principal: Principal) -> ColumnElement[bool]:
    """The bids a bidder may see: those they submitted, and those of their organisation's account."""
    conditions = [ChallengeBid.submitted_by == principal.actor_id]
    if principal.org_id is not None:
        conditions.append(ChallengeBid.submitter_org_id == principal.org_id)
    return or_(*conditions)


def is_winner(principal: Principal, pledge: Pledge) -> bool:
    """The pledge's winning bidder, or their organisation's account."""
    return pledge.bidder_id == principal.actor_id or (
        principal.org_id is not None and pledge.bidder_org_id == principal.org_id
    )


def visible_pledges(principal: Principal) -> ColumnElement[bool]:
    """Officials see every pledge; an agency those of its entrusted programmes; a winner its own."""
    if principal.has_role("official"):
        return true()
    conditions = [Pledge.bidder_id == principal.actor_id]
    if principal.org_id is not None:
        conditions.append(Pledge.bidder_org_id == principal.org_id)
    if principal.has_role("agency") and principal.org_id is not None:
        conditions.append(Pledge.programme_id.in_(entrusted_ids(principal.org_id)))
    return or_(*conditions)


# --- the reviewer pool ------------------------------------------------------------------------------


def reads_pool(principal: Principal) -> bool:
    return principal.has_role(*POOL_READERS)


def require_pool_reader(principal: Principal) -> None:
    if not reads_pool(principal):
        raise Forbidden(
            "只有厅内工作人员、项目管理专业机构和审计人员可以查看专家库。",
            "Only department officials, project-management agencies and auditors read the pool.",
        )


def require_pool_manager(principal: Principal) -> None:
    if not principal.has_role(*POOL_MANAGERS):
        raise Forbidden("只有厅内工作人员可以维护专家库。", "Only department officials manage the pool.")


def require_reviewer(principal: Principal) -> None:
    if principal.kind != "user" or not principal.has_role("reviewer"):
        raise Forbidden("只有评审专家本人可以使用此接口。", "Only a reviewer may use this on their own entry.")


def is_own_entry(principal: Principal, reviewer: Reviewer) -> bool:
    """The reviewer's own pool entry: the gateway account it is linked to."""
    return principal.kind == "user" and reviewer.user_id is not None and reviewer.user_id == principal.subject
