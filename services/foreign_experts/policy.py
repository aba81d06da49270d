"""The pure rules (``rules/``) applied to stored records: the one place that turns rows and request models
into the rules' values and the rules' results into Read schemas. No rule is decided here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.foreign_experts.applications.models import ClockPause, PermitApplication
from services.foreign_experts.applications.schemas import DeadlineRead
from services.foreign_experts.assessments.schemas import AssessmentRead, PersonFacts, PostFacts
from services.foreign_experts.rules import classes, deadlines, documents, validity
from services.foreign_experts.rules.facts import Facts, age_on
from services.foreign_experts.rules.parameters import YearParameters
from shared.schemas import Label
from shared.windows import deadline_now
from shared.workdays import WorkingCalendar

check_passport = validity.check_passport
document_label = documents.document_label


def facts_of(person: PersonFacts, post: PostFacts, on: date) -> Facts:
    """The rules' facts: the person's and the post's (contract dates too, when the post has them)."""
    return Facts.from_mapping({"person": person.model_dump(), "post": post.model_dump()}, assessed_on=on)


def assess(
    person: PersonFacts,
    post: PostFacts,
    params: YearParameters,
    on: date,
    *,
    age_waiver_reason: str | None = None,
    c_quota_used: int | None = None,
) -> AssessmentRead:
    """WP-1..WP-3 explained, as ``POST /points-assessments`` shows it and a submission stores it."""
    result = classes.assess(
        facts_of(person, post, on), params, age_waiver_reason=age_waiver_reason, c_quota_used=c_quota_used
    )
    return AssessmentRead.model_validate(result, from_attributes=True)


def _green(permit_class: str | None) -> bool:
    return permit_class == "A"


def check_documents(
    submitted: Iterable[Mapping[str, Any]],
    permit_class: str | None,
    today: date,
    params: YearParameters,
    *,
    allow_missing: bool = False,
) -> documents.DocumentCheck:
    """WP-7: refuses (``documents_incomplete``) unless complete, or deferred for class A when allowed."""
    return documents.check_documents(
        submitted, checked_on=today, params=params, green_channel=allow_missing and _green(permit_class)
    )


def document_problems(submitted: Iterable[Mapping[str, Any]], today: date, params: YearParameters) -> list[Label]:
    return [p.description for p in documents.document_problems(submitted, checked_on=today, params=params)]


def is_long_term(application: PermitApplication, params: YearParameters) -> bool:
    return deadlines.is_long_term(application.contract_starts_on, application.contract_ends_on, params)


def over_age_limit(birth_date: date, today: date, params: YearParameters) -> bool:
    return age_on(birth_date, today) > params.basic_max_age


def pauses_of(rows: Sequence[ClockPause]) -> list[deadlines.Pause]:
    return [deadlines.Pause(r.started_on, r.ended_on) for r in rows]


def deadline(
    application: PermitApplication,
    pauses: Sequence[ClockPause],
    calendar: WorkingCalendar,
    params: YearParameters,
    today: date,
) -> DeadlineRead:
    assert application.accepted_on is not None
    # A decided application's clock stopped on the day of the decision.
    as_of = application.decided_on or today
    result = deadlines.decision_deadline(
        application.accepted_on,
        long_term=is_long_term(application, params),
        as_of=as_of,
        calendar=calendar,
        params=params,
        extended=application.extended,
        pauses=pauses_of(pauses),
    )
    pending = application.decided_on is None
    return DeadlineRead(
        working_days=result.working_days,
        accepted_on=result.accepted_on,
        due_on=result.due_on,
        working_days_used=result.used,
        working_days_left=result.remaining if result.due_on is not None else None,
        days_left=deadline_now(result.due_on, today, running=pending).days_left,
        paused=result.paused and pending,
        extended=result.extended,
        overdue=result.overdue and pending,
        due_soon=result.due_soon and pending,
        calendar_confirmed=result.calendar_confirmed,
    )


def working_days_used(
    application: PermitApplication, pauses: Sequence[ClockPause], calendar: WorkingCalendar, today: date
) -> int:
    assert application.accepted_on is not None
    return deadlines.working_days_used(application.accepted_on, today, calendar, pauses_of(pauses)).value


async def check_approvable(session: AsyncSession, result: AssessmentRead, params: YearParameters) -> None:
    """WP-2/WP-3 at approval: B's basic conditions, C's listed post and the year's quota (counted under the
    year's lock, so two approvals at once cannot both take the last place)."""
    from services.foreign_experts.applications import repository as applications_repo
    from services.foreign_experts.parameters import service as parameters

    if not result.approvable:
        classes.check_approvable(
            classes.Classification(
                result.permit_class,
                result.class_label,
                (),
                False,
                tuple(classes.RefusalReason(r.code, r.reason) for r in result.refusals),
                (),
                needs_quota=True,
            )
        )
    if result.permit_class == "C":
        await parameters.lock_year(session, params.year)
        classes.check_c_quota(await applications_repo.approved_c_count(session, params.year), params)
