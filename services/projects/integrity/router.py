"""HTTP of integrity records (PRJ-5): officials manage, auditors read, services and agencies check."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from services.projects.deps import Common, Env, IntegrityChecker, Registrar, Supervisor
from services.projects.integrity import service
from services.projects.integrity.models import IntegrityRecord
from services.projects.integrity.schemas import (
    DebarmentPeriodRead,
    IntegrityCheckRead,
    IntegrityRecordCreate,
    IntegrityRecordRead,
    IntegrityRecordUpdate,
    RevokeBody,
)
from services.projects.rules.integrity import MEASURES
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import ValidationFailed, field_error, problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.schemas import Id
from shared.subject_keys import SUBJECT_KEY_PATTERN, IdNumberError, SubjectKind, subject_key
from shared.workflow import HistoryRead

router = APIRouter(prefix="/integrity", tags=["integrity"])

IdNumberQuery = Annotated[str | None, Query(max_length=40, description="A person's resident ID number.")]
UsccQuery = Annotated[str | None, Query(max_length=40, description="An organisation's USCC.")]
SubjectKeyQuery = Annotated[
    str | None,
    Query(pattern=SUBJECT_KEY_PATTERN, description="A subject key from shared.subject_keys, instead of a number."),
]


def _key_from_query(
    secret: str, id_number: str | None, uscc: str | None, key: str | None, *, required: bool
) -> str | None:
    given = [
        (name, value)
        for name, value in (("id_number", id_number), ("uscc", uscc), ("subject_key", key))
        if value is not None
    ]
    if len(given) > 1 or (required and not given):
        raise ValidationFailed(
            [
                field_error(
                    "id_number",
                    "one_subject",
                    "id_number、uscc、subject_key 须且只能填写其中一项",
                    "give exactly one of id_number, uscc, subject_key",
                )
            ]
        )
    if not given:
        return None
    name, value = given[0]
    if name == "subject_key":
        return value
    kind: SubjectKind = "person" if name == "id_number" else "organisation"
    try:
        return subject_key(kind, value, secret)
    except IdNumberError as exc:
        raise ValidationFailed([field_error(name, exc.code, exc.message_zh, exc.message_en)]) from None


def _read(record: IntegrityRecord, response: Response) -> IntegrityRecordRead:
    set_etag(response, service.ENTITY, record.id, record.version)
    return IntegrityRecordRead.model_validate(record)


@router.get(
    "/check",
    operation_id="integrity-check",
    summary="Check a subject for an active debarment / 科研诚信核查（是否处于取消申报资格期）",
    description="Answers clear or debarred on a day (default today, Asia/Shanghai) with the periods that "
    "debar, nothing else. For other services, agency keys with `projects:integrity:read`, and officials.",
    response_model=IntegrityCheckRead,
    responses=problem_responses(401, 403, 422),
)
async def check(
    session: DbSession,
    _: IntegrityChecker,
    env: Env,
    id_number: IdNumberQuery = None,
    uscc: UsccQuery = None,
    subject_key: SubjectKeyQuery = None,
    on: Annotated[date | None, Query(description="The day to check (YYYY-MM-DD).")] = None,
) -> IntegrityCheckRead:
    key = _key_from_query(env.subject_key_secret, id_number, uscc, subject_key, required=True)
    assert key is not None
    result = await service.check_debarment(session, key, on)
    return IntegrityCheckRead(
        status="debarred" if result.debarred else "clear",
        on=result.on,
        periods=[DebarmentPeriodRead(measure=p.measure, start=p.start, end=p.end) for p in result.periods],
    )


@router.post(
    "/records",
    status_code=201,
    operation_id="integrity-create",
    summary="Record an integrity finding / 登记科研诚信处理记录",
    response_model=IntegrityRecordRead,
    responses=problem_responses(401, 403, 409, 422),
)
async def create(
    body: IntegrityRecordCreate, session: DbSession, caller: Registrar, common: Common, env: Env, response: Response
) -> IntegrityRecordRead:
    record = await service.create_record(session, common, caller, body, env.subject_key_secret)
    return _read(record, response)


@router.get(
    "/records",
    operation_id="integrity-list",
    summary="List integrity records / 科研诚信记录列表",
    response_model=Page[IntegrityRecordRead],
    responses=problem_responses(401, 403, 422),
)
async def list_records(
    session: DbSession,
    _: Supervisor,
    env: Env,
    id_number: IdNumberQuery = None,
    uscc: UsccQuery = None,
    subject_key: SubjectKeyQuery = None,
    status: Literal["active", "revoked"] | None = None,
    measure: Annotated[str | None, Query(max_length=32, description=", ".join(MEASURES))] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.SORTS.choices] = None,
) -> Page[IntegrityRecordRead]:
    key = _key_from_query(env.subject_key_secret, id_number, uscc, subject_key, required=False)
    return await service.page(
        session, subject_key=key, status=status, measure=measure, limit=limit, cursor=cursor, sort=sort
    )


@router.get(
    "/records/{record_id}",
    operation_id="integrity-get",
    summary="One integrity record / 科研诚信记录详情",
    response_model=IntegrityRecordRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def get(record_id: Id, session: DbSession, _: Supervisor, response: Response) -> IntegrityRecordRead:
    return _read(await service.get_record(session, record_id), response)


@router.patch(
    "/records/{record_id}",
    operation_id="integrity-correct",
    summary="Correct an integrity record (If-Match) / 更正科研诚信记录",
    response_model=IntegrityRecordRead,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def correct(
    record_id: Id,
    body: IntegrityRecordUpdate,
    session: DbSession,
    caller: Registrar,
    common: Common,
    response: Response,
    if_match: IfMatch = None,
) -> IntegrityRecordRead:
    record = await service.correct_record(session, common, caller, record_id, body, if_match)
    return _read(record, response)


@router.post(
    "/records/{record_id}/revoke",
    operation_id="integrity-revoke",
    summary="Revoke an integrity record (If-Match) / 撤销科研诚信记录",
    response_model=IntegrityRecordRead,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def revoke(
    record_id: Id,
    body: RevokeBody,
    session: DbSession,
    caller: Registrar,
    common: Common,
    response: Response,
    if_match: IfMatch = None,
) -> IntegrityRecordRead:
    record = await service.revoke_record(session, common, caller, record_id, body.reason, if_match)
    return _read(record, response)


@router.get(
    "/records/{record_id}/history",
    operation_id="integrity-history",
    summary="Transitions of an integrity record / 科研诚信记录变更历史",
    response_model=list[HistoryRead],
    responses=problem_responses(401, 403, 404, 422),
)
async def history(record_id: Id, session: DbSession, _: Supervisor, common: Common) -> list[HistoryRead]:
    return await service.history(session, common, record_id)
