"""The talent service's expert review (NSF-2 to NSF-4, TAL-1): the shared machinery
(``shared.review_rounds``) on a call's applications accepted at formal review, drawn from the projects
service's reviewer pool over HTTP (``shared.clients.reviewers``; a 503 there writes nothing).

Officials set a round up, draw, close and release late experts; auditors read and verify. The round's form
is the programme's indicator system (``rules.reviews.review_form``): each expert scores every indicator 0 to
100 with a comment, and the weighted score comes from the programme's weights. The draw moves the
applications ``accepted → in_review``; closing moves those with enough valid reviews ``in_review →
reviewed`` (history and the audit trail). A call's ranked list over its closed rounds is ``call_ranking``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.applications.models import TalentApplication
from services.talent.calls import repository as calls
from services.talent.db import common
from services.talent.deps import Environment
from services.talent.errors import CallNotPublished
from services.talent.labels import kind_label, level_label
from services.talent.programmes import service as programmes
from services.talent.programmes.models import Programme
from services.talent.review_rounds import repository as repo
from services.talent.review_rounds.models import TABLES
from services.talent.review_rounds.schemas import (
    ApplicationReviewView,
    MemberView,
    RoundCreate,
    RoundRead,
    WorkView,
)
from services.talent.rules import indicators as tal1
from services.talent.rules.reviews import defaults, review_form, to_draw_application
from services.talent.rules.workflows import APPLICATION_WORKFLOW
from shared import audit
from shared.clients.reviewers import ReviewerPoolClient
from shared.errors import NotFound
from shared.principal import Principal
from shared.review import aggregate as agg
from shared.review.disciplines import in_prefixes, pool_prefixes
from shared.review.model import Application as DrawApplication
from shared.review_rounds.scope import ApplicationFacts, RoundScope
from shared.review_rounds.service import ReviewRounds

STAFF = ("official",)
READERS = ("official", "auditor")
KIND = "talent_application"


def indicator_system(programme: Programme) -> tal1.IndicatorSystem:
    return tal1.check_indicator_system(programmes._rule_indicators(programme.indicators))


class TalentRounds(RoundScope):
    runners = STAFF
    creators = STAFF
    readers = READERS
    review_view_model = ApplicationReviewView

    async def prepare(self, session: AsyncSession, caller: Principal, body: Any, env: Any) -> dict[str, Any]:
        assert isinstance(body, RoundCreate)
        call = await calls.get(session, body.call_id)
        if call is None:
            raise NotFound("年度申报不存在。", "No such call.")
        if call.status == "draft":
            raise CallNotPublished(
                "年度申报尚未发布，不能设立专家评审轮次。", "The call is not published: no expert review yet."
            )
        programme = await programmes.load(session, call.programme_id)
        system = indicator_system(programme)
        base = defaults(system)
        return {
            "call_id": call.id,
            "discipline_prefixes": list(body.discipline_prefixes or []),
            # TAL-1: the programme's indicators, scored 0..100 with their weights and a comment each
            "criteria": review_form(system).as_json(),
            "graded": False,
            "reviewers_per_application": base.reviewers_per_application,
            "reviewers_per_category": {},
            "trim_from": base.trim_from,
        }

    def visible(self, caller: Principal) -> ColumnElement[bool]:
        return repo.every_round()  # readers (officials, auditors) are checked before

    async def acting(self, session: AsyncSession, caller: Principal, rnd: Any) -> Principal:
        return caller.model_copy(update={"roles": frozenset(r for r in READERS if caller.has_role(r))})

    async def drawable(self, session: AsyncSession, rnd: Any, env: Any) -> list[TalentApplication]:
        return [a for a in await repo.drawable(session, rnd) if in_prefixes(a.discipline_code, rnd.discipline_prefixes)]

    async def draw_inputs(
        self, session: AsyncSession, rnd: Any, found: Sequence[Any], env: Environment
    ) -> tuple[list[str], list[DrawApplication]]:
        prefixes = pool_prefixes(rnd.discipline_prefixes, [], (a.discipline_code for a in found))
        k, secret = rnd.reviewers_per_application, env.subject_key_secret
        return prefixes, [to_draw_application(a, reviewers_needed=k, secret=secret) for a in found]

    def pool(self, session: AsyncSession, env: Environment) -> ReviewerPoolClient:
        return env.reviewers

    async def sent_to_review(
        self, session: AsyncSession, caller: Principal, rnd: Any, found: Sequence[Any], env: Environment
    ) -> list[int]:
        """accepted → in_review for each, with its history row; the draw's audit entry names them."""
        for application in found:
            await APPLICATION_WORKFLOW.apply(session, common, application, "start_review", caller)
        return [a.id for a in found]

    async def reviewed(
        self, session: AsyncSession, caller: Principal, rnd: Any, application_ids: Sequence[int], env: Environment
    ) -> list[int]:
        for application in await repo.applications(session, application_ids, for_update=True):
            await APPLICATION_WORKFLOW.apply(session, common, application, "complete_review", caller)
            await audit.append(session, common, caller, "complete_review", KIND, application.id, {"round_id": rnd.id})
        return sorted(application_ids)

    async def facts(
        self, session: AsyncSession, ids: Sequence[int], *, for_update: bool = False
    ) -> dict[int, ApplicationFacts]:
        return {
            a.id: ApplicationFacts(
                id=a.id,
                title=f"{a.applicant_name}：{a.title}",
                status=a.status,
                submitted_at=a.submitted_at or a.created_at,
                group=a.call_id,
                group_read={"call_id": a.call_id, "programme_id": a.programme_id},
            )
            for a in await repo.applications(session, ids, for_update=for_update)
        }

    async def review_view(self, session: AsyncSession, application_id: int) -> ApplicationReviewView:
        (app,) = await repo.applications(session, [application_id])
        programme = await programmes.load(session, app.programme_id)
        return ApplicationReviewView(
            id=app.id,
            call_id=app.call_id,
            programme_code=programme.code,
            programme_name=programme.name,
            level_label=level_label(programme.level),
            kind_label=kind_label(programme.kind),
            year=app.year,
            discipline_code=app.discipline_code,
            applicant_name=app.applicant_name,
            org_name=app.org_name,
            title=app.title,
            summary=app.summary,
            works=[WorkView.model_validate(w) for w in app.works or []],
            team=[MemberView.model_validate(m) for m in app.team or []],
        )


# The shared defaults are the form-less figures; each round's form is its programme's (``prepare``).
_PLACEHOLDER_SYSTEM = tal1.IndicatorSystem(
    tuple(
        tal1.Indicator(d.value, d.value, names[0], Decimal("0.25"), names[1])
        for d, names in tal1.DIMENSION_NAMES.items()
    )
)
ROUNDS = ReviewRounds(TABLES, TalentRounds(defaults(_PLACEHOLDER_SYSTEM)), common, RoundRead)


# --- the ranked list of a call (the committee votes on it) ---------------------------------------------


@dataclass(frozen=True)
class Ranked:
    application: TalentApplication
    score: Decimal | None
    valid_reviews: int
    round_id: int
    rank: int


async def call_ranking(session: AsyncSession, call_id: int, *, for_update: bool = False) -> list[Ranked]:
    """The call's applications through expert review, over its closed rounds, best first: the weighted score
    (TAL-1) descending, then more valid reviews, the earlier submission, the id (the shared tie-break
    without the funding opinions a talent review does not give). Only applications ranked by their round
    (at least ``min_valid`` valid reviews, NSF-4) and moved on from review are listed."""
    rows: list[tuple[Any, int]] = []
    for rnd in await repo.closed_rounds(session, call_id):
        outcome = await ROUNDS.results(session, rnd)
        rows += [(r, rnd.id) for r in outcome.rows if r.status == agg.STATUS_RANKED]
    apps = {
        a.id: a for a in await repo.applications(session, [r.application_id for r, _ in rows], for_update=for_update)
    }
    listed = [(r, rid) for r, rid in rows if apps[r.application_id].status not in ("in_review", "accepted")]
    listed.sort(key=lambda x: (-(x[0].score or 0), -x[0].valid_reviews, x[0].submitted_at, x[0].application_id))
    return [
        Ranked(apps[r.application_id], r.score, r.valid_reviews, rid, n) for n, (r, rid) in enumerate(listed, start=1)
    ]


def ranked_at(ranking: Sequence[Ranked]) -> dict[int, Ranked]:
    return {r.application.id: r for r in ranking}
