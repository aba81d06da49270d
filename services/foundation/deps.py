"""What a use case needs from the running service (``Env``): the subject-key secret, now, and what the
foundation asks of the projects service: the integrity check (PRJ-5), the limits ledger (PRJ-1, NSF-5)
and the reviewer pool (NSF-2), each a typed client of ``shared.clients`` on the process's one
``InternalClient``. Any failure there is a 503 with ``Retry-After`` (``DependencyUnavailable``): the
caller refuses, never guesses. And the callers every router of the service admits, by role (the coarse
gate: the services narrow a caller to its own applications and its plans' records, ``access``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from services.foundation.rules.workflows import STAFF
from shared.clients.integrity import IntegrityClient
from shared.clients.ledger import LedgerClient
from shared.clients.reviewers import ReviewerPoolClient
from shared.clock import request_now
from shared.principal import Principal, require_roles

SERVICE = "foundation"


@dataclass(frozen=True)
class Projects:
    integrity: IntegrityClient
    ledger: LedgerClient
    reviewers: ReviewerPoolClient


@dataclass(frozen=True)
class Environment:
    """What a use case needs from the running service."""

    subject_key_secret: str
    projects: Projects
    now: datetime


def environment(request: Request) -> Environment:
    settings = request.app.state.settings
    http = request.app.state.http
    base = str(settings.projects_base_url)
    secret = str(settings.subject_key_secret)
    return Environment(
        subject_key_secret=secret,
        projects=Projects(
            integrity=IntegrityClient(http, base, subject_key_secret=secret),
            ledger=LedgerClient(http, base, service=SERVICE),
            reviewers=ReviewerPoolClient(http, base),
        ),
        now=request_now(request),
    )


Env = Annotated[Environment, Depends(environment)]


Applicant = Annotated[Principal, Depends(require_roles("applicant"))]
Official = Annotated[Principal, Depends(require_roles("official"))]
# Officials and the plans' agencies (the foundation committee's office), who run intake and review.
Staff = Annotated[Principal, Depends(require_roles(*STAFF))]
# The staff and the auditors, who read their plans' reviews, rankings, approvals and figures.
Overseer = Annotated[Principal, Depends(require_roles(*STAFF, "auditor"))]
# Who acts on applications: the applicant, the host institution's org_admin and the staff.
Actor = Annotated[Principal, Depends(require_roles("applicant", "org_admin", *STAFF))]
# Who reads applications and what follows them: the actors and the auditors.
Reader = Annotated[Principal, Depends(require_roles("applicant", "org_admin", *STAFF, "auditor"))]
