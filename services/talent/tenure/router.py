"""HTTP of a selected talent's tenure (TAL-3): the tenure and its tranches (an official pays one, after the
integrity check, PRJ-5), the annual assessments and the final evaluation (the host organisation files, an
official grades). Another's application is a 404, as everywhere."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from services.talent.deps import Env, Official, Reader
from services.talent.tenure import service
from services.talent.tenure.schemas import (
    AssessmentCreate,
    AssessmentGrade,
    AssessmentRead,
    PaymentRead,
    TenureRead,
    TrancheRead,
)
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import problem_responses
from shared.principal import Principal, require_roles
from shared.schemas import Id

router = APIRouter(tags=["talent tenure"])
OP = "talent-tenure"
OrgAdmin = Annotated[Principal, Depends(require_roles("org_admin"))]
Number = Annotated[int, Path(ge=1, le=10, description="the tranche's number, from 1")]


@router.get(
    "/applications/{application_id}/tenure",
    response_model=TenureRead,
    operation_id=f"{OP}-get",
    summary="The tenure of a selected application: its days, status and end reason (TAL-3) / 支持期",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_tenure(application_id: Id, session: DbSession, caller: Reader) -> TenureRead:
    return await service.get_tenure(session, caller, application_id)


@router.get(
    "/applications/{application_id}/tranches",
    response_model=list[TrancheRead],
    operation_id=f"{OP}-tranches",
    summary="The support's tranches: due, paid or cancelled (TAL-3) / 分期拨付",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_tranches(application_id: Id, session: DbSession, caller: Reader) -> list[TrancheRead]:
    return await service.list_tranches(session, caller, application_id)


@router.post(
    "/applications/{application_id}/tranches/{number}/pay",
    response_model=PaymentRead,
    operation_id=f"{OP}-pay",
    summary="Pay a tranche after the integrity check; a debarment stops the support instead (officials; "
    "Idempotency-Key) / 拨付经费",
    description="The integrity check (PRJ-5) is asked first: when the projects service does not answer, 503 with "
    "Retry-After and nothing is written. A debarment in force during the tenure stops the support and ends the "
    "title with the reason recorded (TAL-3): the answer then says `paid: false`.",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
async def pay_tranche(
    application_id: Id,
    number: Number,
    session: DbSession,
    caller: Official,
    env: Env,
    response: Response,
    if_match: IfMatch = None,
) -> PaymentRead:
    outcome = await service.pay(session, caller, application_id, number, if_match, env)
    set_etag(response, service.TRANCHE, outcome.tranche.id, outcome.tranche.version)
    return outcome


@router.get(
    "/applications/{application_id}/assessments",
    response_model=list[AssessmentRead],
    operation_id=f"{OP}-assessments",
    summary="The annual assessments and the final evaluation (TAL-3) / 年度考核与期满评价",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_assessments(application_id: Id, session: DbSession, caller: Reader) -> list[AssessmentRead]:
    return await service.list_assessments(session, caller, application_id)


@router.post(
    "/applications/{application_id}/assessments",
    status_code=201,
    response_model=AssessmentRead,
    operation_id=f"{OP}-file-assessment",
    summary="File a tenure year's assessment or the final evaluation (the host organisation; Idempotency-Key) "
    "/ 报送考核材料",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def file_assessment(
    application_id: Id, body: AssessmentCreate, session: DbSession, caller: OrgAdmin, env: Env, response: Response
) -> AssessmentRead:
    assessment = await service.file(session, caller, application_id, body, env)
    set_etag(response, service.ASSESSMENT, assessment.id, assessment.version)
    return service.assessment_read(assessment)


@router.post(
    "/applications/{application_id}/assessments/{assessment_id}/grade",
    response_model=AssessmentRead,
    operation_id=f"{OP}-grade-assessment",
    summary="Grade an assessment; a fail stops the support and ends the title, a final one ends the tenure "
    "(officials; If-Match) / 评定考核等次",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def grade_assessment(
    application_id: Id,
    assessment_id: Id,
    body: AssessmentGrade,
    session: DbSession,
    caller: Official,
    env: Env,
    response: Response,
    if_match: IfMatch = None,
) -> AssessmentRead:
    assessment = await service.grade(session, caller, application_id, assessment_id, body, if_match, env)
    set_etag(response, service.ASSESSMENT, assessment.id, assessment.version)
    return service.assessment_read(assessment)
