"""What a use case needs from the running service (``Env``): now and today in Asia/Shanghai, the cipher of
applicants' ID numbers (built once, at start-up), the subject-key secret and the integrity check of the
projects service (PRJ-5; a failure there is a 503 with ``Retry-After``, never a guess). And the callers
every router of the service admits, by role (the coarse gate; the services narrow a caller to the records
it may touch, ``access``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from shared import pii
from shared.clients.integrity import IntegrityClient
from shared.clients.reviewers import ReviewerPoolClient
from shared.clock import request_now
from shared.principal import Principal, require_roles
from shared.workdays import today_shanghai


def build_cipher(app: FastAPI) -> None:
    """The start-up hook: one cipher for the process (the key derivation is not per-request work)."""
    app.state.cipher = pii.FieldCipher(app.state.settings.pii_secret)


@dataclass(frozen=True)
class Environment:
    now: datetime
    cipher: pii.FieldCipher
    subject_key_secret: str
    integrity: IntegrityClient
    reviewers: ReviewerPoolClient  # the projects service's reviewer pool (NSF-2)

    @property
    def today(self) -> date:
        return today_shanghai(self.now)


def environment(request: Request) -> Environment:
    state = request.app.state
    if getattr(state, "cipher", None) is None:  # an app built without its lifespan (some tests)
        build_cipher(request.app)
    secret = str(state.settings.subject_key_secret)
    return Environment(
        now=request_now(request),
        cipher=state.cipher,
        subject_key_secret=secret,
        integrity=IntegrityClient(state.http, state.settings.projects_base_url, subject_key_secret=secret),
        reviewers=ReviewerPoolClient(state.http, state.settings.projects_base_url),
    )


Env = Annotated[Environment, Depends(environment)]

Official = Annotated[Principal, Depends(require_roles("official"))]
# Officials and auditors read drafts and the history of every record.
Overseer = Annotated[Principal, Depends(require_roles("official", "auditor"))]
Applicant = Annotated[Principal, Depends(require_roles("applicant"))]
# Who acts on applications: the applicant, the host organisation's org_admin, officials.
Actor = Annotated[Principal, Depends(require_roles("applicant", "org_admin", "official"))]
Reader = Annotated[Principal, Depends(require_roles("applicant", "org_admin", "official", "auditor"))]
