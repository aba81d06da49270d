"""What a use case needs from the running service, and the callers every router of the service admits.

* ``Env``: the ``Environment`` of a request (the subject-key secret, the duplicate-screening hook and
  the clock), built here and nowhere else; ``Common``: the service's audit and history tables;
  ``ActionMoment``: those tables and the request's now, the context ``shared.actions`` hands to a
  challenge list's or a pledge's plain actions.
* The callers by role: the coarse gate of each route. The services then narrow a caller to the records
  it may touch (``access``). Other services and integrity checkers are told apart by kind and scope.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, NamedTuple

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.access import INTEGRITY_CHECK_SCOPE
from services.projects.applications.models import Application
from services.projects.rules.challenges import LIST_MANAGERS, SELECTORS
from services.projects.screening.index import ScreeningIndexDep
from services.projects.screening.service import screen
from shared.clock import Now, request_now
from shared.db import utcnow
from shared.db.models import CommonTables
from shared.errors import Forbidden
from shared.principal import Principal, authenticated, require_roles

# --- the request's environment ------------------------------------------------------------------

Screener = Callable[[AsyncSession, Application], Awaitable[Any]]


@dataclass(frozen=True)
class Environment:
    """What a use case needs from the running service: the key for subject hashes, the
    duplicate-screening hook (PRJ-4; its flags never block) and the clock."""

    subject_key_secret: str
    screen: Screener | None = None
    clock: Callable[[], datetime] = utcnow


def environment(request: Request, index: ScreeningIndexDep) -> Environment:
    async def run_screening(session: AsyncSession, application: Application) -> None:
        # PRJ-4: flags for the agency; they never block or change the application.
        await screen(
            session,
            index,
            application_id=application.id,
            year=application.year,
            title=application.title,
            abstract=application.abstract,
            keywords=application.keywords,
        )

    return Environment(
        subject_key_secret=str(request.app.state.settings.subject_key_secret),
        screen=run_screening,
        clock=lambda: request_now(request),
    )


Env = Annotated[Environment, Depends(environment)]


def _common(request: Request) -> CommonTables:
    common: CommonTables = request.app.state.common
    return common


Common = Annotated[CommonTables, Depends(_common)]


class Moment(NamedTuple):
    """The context ``shared.actions`` hands to a challenge list's or a pledge's plain actions."""

    common: CommonTables
    now: datetime


def _moment(common: Common, now: Now) -> Moment:
    return Moment(common, now)


ActionMoment = Annotated[Moment, Depends(_moment)]

# --- the callers ----------------------------------------------------------------------------------


async def _service(request: Request) -> Principal:
    principal = authenticated(request)
    if principal.kind != "service":
        raise Forbidden("仅供平台内部服务调用。", "For the platform's internal services only.")
    return principal


async def _integrity_checker(request: Request) -> Principal:
    """Other services (service principals), agency keys holding the scope, and officials (PRJ-5)."""
    principal = authenticated(request)
    if (
        principal.kind == "service"
        or principal.has_scope(INTEGRITY_CHECK_SCOPE)
        or principal.has_role("official", "admin")
    ):
        return principal
    raise Forbidden(f"需要授权范围 {INTEGRITY_CHECK_SCOPE}。", f"Requires the scope {INTEGRITY_CHECK_SCOPE}.")


# The platform's other services (the /internal routes).
ServiceCaller = Annotated[Principal, Depends(_service)]
IntegrityChecker = Annotated[Principal, Depends(_integrity_checker)]

Applicant = Annotated[Principal, Depends(require_roles("applicant"))]
Agency = Annotated[Principal, Depends(require_roles("agency"))]
Official = Annotated[Principal, Depends(require_roles("official"))]
# Officials and the agencies: calls, approval lists (an agency only on its entrusted programmes).
Staff = Annotated[Principal, Depends(require_roles("official", "agency"))]
# The staff and the auditors, who read programmes and approval lists.
Overseer = Annotated[Principal, Depends(require_roles("official", "agency", "auditor"))]
# Who manages challenge lists and pledges, and who selects and assesses (PRJ-3, rules.challenges).
ListManager = Annotated[Principal, Depends(require_roles(*LIST_MANAGERS))]
Selector = Annotated[Principal, Depends(require_roles(*SELECTORS))]
# Who acts on applications: the applicant, the applicant organisation's org_admin and the staff.
Actor = Annotated[Principal, Depends(require_roles("applicant", "org_admin", "agency", "official"))]
# Who reads applications: the actors and the auditors.
Reader = Annotated[Principal, Depends(require_roles("applicant", "org_admin", "agency", "official", "auditor"))]
# Who reads contracts: the project's applicant, the staff and the auditors.
ContractReader = Annotated[Principal, Depends(require_roles("applicant", "agency", "official", "auditor"))]
# Who keeps integrity records and the limits' figures (PRJ-5, PRJ-1), and who supervises them.
Registrar = Annotated[Principal, Depends(require_roles("official", "admin"))]
Supervisor = Annotated[Principal, Depends(require_roles("official", "admin", "auditor"))]
# Who reads duplicate-screening flags (PRJ-4) and the statistics.
FlagReader = Annotated[Principal, Depends(require_roles("agency", "official", "admin"))]
FigureReader = Annotated[Principal, Depends(require_roles("official", "auditor", "admin", "agency"))]
