"""The projects' review rounds: the shared machinery (``shared.review_rounds``) on a call's (or a
topic's) accepted applications, with the projects' reviewer pool in process.

Only the agency entrusted with the call's programme runs a round (draw, close, late releases: PRJ-2,
officials supervise and do not run reviews); officials and that agency set rounds up; officials and
auditors read every round, an agency those of its programmes, anyone else none (404). The draw moves
accepted applications to ``in_review``; closing moves those with enough valid reviews to ``reviewed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import access
from services.projects.applications import service as applications
from services.projects.applications.models import Application
from services.projects.calls import repository as calls_repo
from services.projects.db import common
from services.projects.deps import Environment
from services.projects.programmes import service as programmes
from services.projects.review_rounds import repository as repo
from services.projects.review_rounds.models import TABLES, ReviewRound
from services.projects.review_rounds.schemas import ApplicationReviewView, RoundCreate, RoundRead
from services.projects.reviewers import service as reviewers
from services.projects.rules.reviews import DEFAULTS, POOL_PREFIX_LENGTH
from shared.clients.reviewers import ReviewerCandidate
from shared.errors import NotFound, ValidationFailed, field_error
from shared.principal import Principal
from shared.review.form import FormCriterion, ReviewForm
from shared.review.model import Application as DrawApplication
from shared.review.schemas import declaration_keys
from shared.review_rounds.scope import ApplicationFacts, RoundScope
from shared.review_rounds.service import ReviewRounds
from shared.subject_keys import organisation_key, person_key
from shared.workdays import today_shanghai

LOAD_SOURCE = "projects"


class LocalPool:
    """The reviewer pool of this very service, read and told of loads in the request's transaction."""

    def __init__(self, session: AsyncSession, day: date) -> None:
        self.session = session
        self.day = day

    async def candidates(self, disciplines: Sequence[str]) -> list[ReviewerCandidate]:
        return await reviewers.pool_candidates(self.session, disciplines, self.day)

    async def report_loads(self, loads: dict[int, int]) -> list[int]:
        return await reviewers.set_loads(self.session, LOAD_SOURCE, loads)


def pool_prefixes(discipline_codes: Sequence[str]) -> list[str]:
    """The pool a round draws from: every reviewer sharing a discipline prefix (``F02`` for ``F0203``)
    with the round, so partial matches are in the snapshot too."""
    n = POOL_PREFIX_LENGTH
    return sorted({c[:n] if len(c) >= n else c for c in discipline_codes})


def to_draw_application(application: Application, rnd: ReviewRound, secret: str) -> DrawApplication:
    """An application as the conflict and assignment rules see it: people and institutions as keys,
    with the applicant's NSF-3 declarations (the people to exclude, the declared relations)."""
    return DrawApplication(
        id=str(application.id),
        applicant_key=person_key(application.leader_id_number, secret),
        institution_key=organisation_key(application.applicant_uscc, secret),
        team_keys=tuple(person_key(m["id_number"], secret) for m in application.team),
        team_institution_keys=tuple(
            organisation_key(m["org_uscc"], secret) for m in application.team if m.get("org_uscc")
        ),
        disciplines=tuple(rnd.discipline_codes),
        keywords=frozenset(k.casefold() for k in application.keywords),
        exclusions=declaration_keys(application.exclusions, secret),
        declared_persons=frozenset(declaration_keys(application.relations, secret)),
        category=rnd.category,
    )


class ProjectsRounds(RoundScope):
    runners = ("agency",)
    review_view_model = ApplicationReviewView

    async def prepare(self, session: AsyncSession, caller: Principal, body: Any, env: Any) -> dict[str, Any]:
        assert isinstance(body, RoundCreate)
        call = await calls_repo.get_visible(session, caller, body.call_id)
        if call is None or call.status == "draft" or not await programmes.manages(session, caller, call.programme_id):
            raise NotFound("申报指南不存在。", "No such call.")
        if body.topic_id is not None and body.topic_id not in {t.id for t in call.topics}:
            raise ValidationFailed(
                [field_error("topic_id", "unknown_topic", "不是本批次的课题", "not a topic of this call")]
            )
        values: dict[str, Any] = {
            "call_id": call.id,
            "topic_id": body.topic_id,
            "programme_id": call.programme_id,
            "category": body.category,
            "discipline_codes": list(body.discipline_codes),
        }
        if body.reviewers_per_application is not None:
            values["reviewers_per_application"] = body.reviewers_per_application
        if body.reviewers_per_category is not None:
            values["reviewers_per_category"] = dict(body.reviewers_per_category)
        if body.trim_from is not None:
            values["trim_from"] = body.trim_from
        if body.criteria is not None:
            form = ReviewForm(
                tuple(FormCriterion(c.code, c.name, c.name_en, c.weight, c.max_score) for c in body.criteria)
            )
            values["criteria"] = form.as_json()
        return values

    def visible(self, caller: Principal) -> ColumnElement[bool]:
        return access.visible_review_rounds(caller)

    async def acting(self, session: AsyncSession, caller: Principal, rnd: Any) -> Principal:
        return access.acting(caller, entrusted=await programmes.entrusted(session, caller, rnd.programme_id))

    async def drawable(self, session: AsyncSession, rnd: Any, env: Any) -> list[Application]:
        return await repo.drawable(session, rnd, ROUNDS.repo(session).held_elsewhere(rnd.id))

    async def draw_inputs(
        self, session: AsyncSession, rnd: Any, found: Sequence[Any], env: Environment
    ) -> tuple[list[str], list[DrawApplication]]:
        return pool_prefixes(rnd.discipline_codes), [to_draw_application(a, rnd, env.subject_key_secret) for a in found]

    def pool(self, session: AsyncSession, env: Any) -> LocalPool:
        return LocalPool(session, today_shanghai())

    async def sent_to_review(
        self, session: AsyncSession, caller: Principal, rnd: Any, found: Sequence[Any], env: Environment
    ) -> list[int]:
        moved = []
        for application in found:
            if application.status == "accepted":
                await applications.move(session, caller, application, "start_review", None, env)
                moved.append(application.id)
        return moved

    async def reviewed(
        self, session: AsyncSession, caller: Principal, rnd: Any, application_ids: Sequence[int], env: Environment
    ) -> list[int]:
        for application in await repo.applications(session, application_ids, for_update=True):
            await applications.move(session, caller, application, "complete_review", None, env)
        return sorted(application_ids)

    async def facts(
        self, session: AsyncSession, ids: Sequence[int], *, for_update: bool = False
    ) -> dict[int, ApplicationFacts]:
        apps = await repo.applications(session, ids, for_update=for_update)
        topics = await repo.topic_codes(session, [a.topic_id for a in apps if a.topic_id is not None])
        return {
            a.id: ApplicationFacts(
                id=a.id,
                title=a.title,
                status=a.status,
                submitted_at=a.submitted_at or a.created_at,
                group=(a.call_id, a.topic_id or 0),
                group_read={"call_id": a.call_id, "topic_id": a.topic_id, "topic_code": topics.get(a.topic_id or 0)},
            )
            for a in apps
        }

    async def review_view(self, session: AsyncSession, application_id: int) -> ApplicationReviewView:
        (app,) = await repo.applications(session, [application_id])
        return ApplicationReviewView.model_validate(app)


ROUNDS = ReviewRounds(TABLES, ProjectsRounds(DEFAULTS), common, RoundRead)
