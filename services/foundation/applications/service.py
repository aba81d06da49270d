"""Use cases of foundation applications (基金申请书). Never commits: the request's unit of work does.

``move`` is the one way any module moves an application: the caller's roles narrowed to this
application (``access.acting``), the workflow table (history row), the limits ledger in the projects
service kept current (``sync_ledger``: a 503 there rolls the whole request back, so nothing is
half-written here), and the audit trail.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation import access
from services.foundation.applications import repository as repo
from services.foundation.applications.models import FoundationApplication
from services.foundation.db import common
from services.foundation.deps import Environment
from services.foundation.plans.models import FundingPlan
from services.foundation.rules.workflows import APPLICATION_WORKFLOW, LEDGER_ENTRY
from shared import audit
from shared.db import flush_versioned
from shared.errors import NotFound
from shared.principal import Principal
from shared.subject_keys import person_key

KIND = "foundation_application"
# The ledger's "programme" of every foundation item.
LEDGER_PROGRAMME = "NSF"
# NSF-5: senior staff (高级职称: 正高 and 副高) are counted across the plans.
SENIOR_RANKS = frozenset({"senior", "associate"})


def not_found() -> NotFound:
    return NotFound("基金申请书不存在。", "No such foundation application.")


async def load(session: AsyncSession, principal: Principal, application_id: int, *,
               for_update: bool = False) -> FoundationApplication:
    """The application if the caller may see it; otherwise a 404 (never a 403: no existence leak)."""
    application = await repo.get_visible(session, principal, application_id, for_update=for_update)
    if application is None:
        raise not_found()
    return application


async def acting(session: AsyncSession, principal: Principal, application: FoundationApplication) -> Principal:
    return access.acting(principal, application, await repo.plan_of(session, application))


def applicant_key(application: FoundationApplication, secret: str) -> str:
    return person_key(application.applicant_id_number, secret)


async def sync_ledger(application: FoundationApplication, env: Environment) -> None:
    """Report the application's current state to the limits ledger (PRJ-1, NSF-5), or take it out
    (draft, withdrawn). The revision is the application's version, so a late report is ignored."""
    entry = LEDGER_ENTRY.get(application.status)
    ledger = env.projects.ledger
    if entry is None:
        if application.status != "draft":
            await ledger.remove(str(application.id), revision=application.version)
        return
    kind, status = entry
    await ledger.report(
        str(application.id), person_key=applicant_key(application, env.subject_key_secret), role="applicant",
        kind=kind, programme=LEDGER_PROGRAMME, year=application.year, status=status,  # type: ignore[arg-type]
        revision=application.version,
    )


async def move(
    session: AsyncSession, principal: Principal, application: FoundationApplication, action: str,
    comment: str | None, env: Environment, *, context: dict[str, Any] | None = None,
    plan: FundingPlan | None = None, audit_data: dict[str, Any] | None = None,
) -> FoundationApplication:
    """Move a loaded (and locked) application by ``action``: roles narrowed to it, the table (409 /
    403), guards with ``context``, history, the ledger, the audit trail."""
    plan = plan or await repo.plan_of(session, application)
    who = access.acting(principal, application, plan)
    await APPLICATION_WORKFLOW.apply(session, common, application, action, who, comment=comment,
                                     context=context or {})
    await flush_versioned(session, "基金申请书")
    await sync_ledger(application, env)
    await audit.append(session, common, principal, action, KIND, application.id,
                       {"status": application.status, "comment": comment, **(audit_data or {})})
    return application
