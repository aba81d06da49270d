"""The foundation's review rounds: the shared machinery (``shared.review_rounds``) on a plan
category's applications accepted at formal review, drawn from the projects service's reviewer pool
over HTTP (``shared.clients.reviewers``; a 503 there writes nothing).

The staff of a round's plan (officials, the agencies the plan lists) set it up, draw, close and
release late reviewers; auditors read and verify; an agency the plan does not list gets a 404. The
draw moves the applications ``accepted → in_review``; closing moves those with enough valid reviews
``in_review → reviewed`` (history, the limits ledger in the projects service, the audit trail).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation import access
from services.foundation.applications import service as applications
from services.foundation.applications.models import FoundationApplication
from services.foundation.db import common
from services.foundation.deps import Environment
from services.foundation.errors import PlanNotPublished
from services.foundation.plans.models import FundingPlan
from services.foundation.review_rounds import repository as repo
from services.foundation.review_rounds.models import TABLES, ReviewRound
from services.foundation.review_rounds.schemas import ApplicationReviewView, RoundCreate, RoundRead, TeamMemberView
from services.foundation.rules.reviews import DEFAULTS, in_prefixes, pool_prefixes, to_draw_application
from shared.clients.reviewers import ReviewerPoolClient
from shared.errors import NotFound, ValidationFailed, field_error
from shared.principal import Principal
from shared.review.model import Application as DrawApplication
from shared.review_rounds.scope import ApplicationFacts, RoundScope
from shared.review_rounds.service import ReviewRounds


async def plan_of(session: AsyncSession, rnd: Any) -> FundingPlan:
    plan = await repo.plan(session, rnd.plan_id)
    assert plan is not None  # foreign key
    return plan


class FoundationRounds(RoundScope):
    review_view_model = ApplicationReviewView

    async def prepare(self, session: AsyncSession, caller: Principal, body: Any, env: Any) -> dict[str, Any]:
        assert isinstance(body, RoundCreate)
        plan = await repo.plan(session, body.plan_id)
        if plan is None or not access.is_staff(plan, caller):
            raise NotFound("资助计划不存在。", "No such funding plan.")
        if plan.status == "draft":
            raise PlanNotPublished(
                "资助计划发布后才能设立评审轮次。", "Publish the plan before setting up review rounds."
            )
        category = await repo.category(session, body.category_id)
        if category is None or category.plan_id != plan.id:
            raise ValidationFailed(
                [field_error("category_id", "unknown_category", "不是本资助计划的类别", "not a category of this plan")]
            )
        return {
            "plan_id": plan.id,
            "category_id": category.id,
            "discipline_prefixes": list(body.discipline_prefixes or []),
            # NSF-2: the category's figure is the round's (one category per round)
            "reviewers_per_application": category.reviewers_per_application,
            "reviewers_per_category": {},
        }

    def visible(self, caller: Principal) -> ColumnElement[bool]:
        return access.plan_filter(ReviewRound.plan_id, caller)

    async def acting(self, session: AsyncSession, caller: Principal, rnd: Any) -> Principal:
        return access.plan_roles(await plan_of(session, rnd), caller)

    async def drawable(self, session: AsyncSession, rnd: Any, env: Any) -> list[FoundationApplication]:
        return [a for a in await repo.drawable(session, rnd) if in_prefixes(a.discipline_code, rnd.discipline_prefixes)]

    async def draw_inputs(
        self, session: AsyncSession, rnd: Any, found: Sequence[Any], env: Environment
    ) -> tuple[list[str], list[DrawApplication]]:
        plan = await plan_of(session, rnd)
        category = await repo.category(session, rnd.category_id)
        assert category is not None  # foreign key
        prefixes = pool_prefixes(rnd.discipline_prefixes, plan.discipline_codes, (a.discipline_code for a in found))
        secret = env.subject_key_secret
        kind, k = category.kind, rnd.reviewers_per_application
        return prefixes, [to_draw_application(a, category_kind=kind, reviewers_needed=k, secret=secret) for a in found]

    def pool(self, session: AsyncSession, env: Environment) -> ReviewerPoolClient:
        return env.projects.reviewers

    async def sent_to_review(
        self, session: AsyncSession, caller: Principal, rnd: Any, found: Sequence[Any], env: Environment
    ) -> list[int]:
        # accepted → in_review: history rows and the limits ledger in bulk; the draw's audit entry names them
        return await applications.start_review_many(session, caller, found, await plan_of(session, rnd), env)

    async def reviewed(
        self, session: AsyncSession, caller: Principal, rnd: Any, application_ids: Sequence[int], env: Environment
    ) -> list[int]:
        plan = await plan_of(session, rnd)
        for application in await repo.applications(session, application_ids, for_update=True):
            await applications.move(
                session, caller, application, "complete_review", None, env, plan=plan, audit_data={"round_id": rnd.id}
            )
        return sorted(application_ids)

    async def facts(
        self, session: AsyncSession, ids: Sequence[int], *, for_update: bool = False
    ) -> dict[int, ApplicationFacts]:
        return {
            a.id: ApplicationFacts(
                id=a.id,
                title=a.title,
                status=a.status,
                submitted_at=a.submitted_at or a.created_at,
                group=a.category_id,
                group_read={"plan_id": a.plan_id, "category_id": a.category_id},
            )
            for a in await repo.applications(session, ids, for_update=for_update)
        }

    async def review_view(self, session: AsyncSession, application_id: int) -> ApplicationReviewView:
        (app,) = await repo.applications(session, [application_id])
        category = await repo.category(session, app.category_id)
        assert category is not None  # foreign key
        return ApplicationReviewView(
            id=app.id,
            plan_id=app.plan_id,
            year=app.year,
            category_code=category.code,
            category_kind=category.kind,
            category_name=category.name,
            discipline_code=app.discipline_code,
            title=app.title,
            abstract=app.abstract,
            keywords=list(app.keywords or []),
            applicant_name=app.applicant_name,
            applicant_title=app.applicant_title,
            degree=app.degree,
            institution_name=app.institution_name,
            team=[TeamMemberView(name=m.get("name") or "", role=m.get("role")) for m in app.team or []],
            budget_lines=dict(app.budget_lines or {}),
            requested_total=app.requested_total,
            duration_months=app.duration_months,
        )


ROUNDS = ReviewRounds(TABLES, FoundationRounds(DEFAULTS), common, RoundRead)
