"""The one way a request builds the applications' ``Environment``: the subject-key secret, the
duplicate-screening hook (PRJ-4) and the process clock. Every router that moves applications
(applications, approvals, notices, contracts) takes ``Env`` from here."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.applications.models import Application
from services.projects.applications.service import Environment
from services.projects.screening.index import ScreeningIndexDep
from services.projects.screening.service import screen
from shared.clock import request_now


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
