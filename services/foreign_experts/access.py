"""Who may see and act on what in the Foreign Experts Bureau service (object level; ARCHITECTURE rule 3).

* Officials see and decide everything; auditors read everything.
* An employer's clerks are the gateway accounts of the employer's organisation (``applicant`` or
  ``org_admin`` with ``Principal.org_uscc`` = the employer's USCC). They see and act only on their own
  employer's records; anyone else's is a 404, never a 403, so nobody learns that it exists.
* ``acting`` narrows a caller to the roles it holds for one employer's record, adding ``clerk`` for its
  own employer; the workflow tables are consulted with the narrowed caller.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, true

from services.foreign_experts.labels import state_label
from shared.concurrency import check_if_match
from shared.errors import ApplicationNotEditable, Forbidden
from shared.principal import Principal
from shared.scopes import registered

SEE_ALL = ("official", "auditor")
CLERK_ROLES = ("applicant", "org_admin")
# Other agencies' API keys verify permits (WP-9) with this scope; officials may as well.
VERIFY_SCOPE = registered("foreign-experts:permits:verify")
# Roles that see passport numbers and birth dates in full (PIPL); the employer's clerks too, for their own.
FULL_PII_ROLES = ("official", "clerk")


def is_clerk_of(principal: Principal, employer_uscc: str) -> bool:
    return principal.has_role(*CLERK_ROLES) and bool(principal.org_uscc) and principal.org_uscc == employer_uscc


def acting(principal: Principal, employer_uscc: str) -> Principal:
    roles = {r for r in SEE_ALL if principal.has_role(r)}
    if is_clerk_of(principal, employer_uscc):
        roles.add("clerk")
    return principal.model_copy(update={"roles": frozenset(roles)})


def sees_pii(acting_principal: Principal) -> bool:
    return acting_principal.has_role(*FULL_PII_ROLES)


def uscc_filter(column: Any, principal: Principal) -> Any:
    """A WHERE clause on an employer-USCC ``column``: every row for officials and auditors, the caller's
    own employer's rows for its clerks, none for anyone else."""
    if principal.has_role(*SEE_ALL):
        return true()
    if principal.has_role(*CLERK_ROLES) and principal.org_uscc:
        return column == principal.org_uscc
    return false()


def check_clerk_may_edit(
    principal: Principal, owner_uscc: str, kind: str, record: Any, if_match: str | None, editable: frozenset[str]
) -> None:
    """A clerk edits its own organisation's record (403 for anyone else who may see it), of the version it
    read (If-Match: 428/412), while the record's state allows edits (409 ``application_not_editable``)."""
    if not is_clerk_of(principal, owner_uscc):
        raise Forbidden("只有本单位的经办人可以修改。", "Only the organisation's own clerks may edit it.")
    check_if_match(if_match, kind, record.id, record.version)
    if record.status not in editable:
        raise ApplicationNotEditable(
            f"申请状态为“{state_label(record.status).zh}”。", f"The application is {record.status}."
        )
