"""HTTP of the limits ledger: internal reporting and checks for services, supervision for officials."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from services.projects.deps import Common, Env, Registrar, ServiceCaller, Supervisor
from services.projects.ledger import service as ledger
from services.projects.ledger.schemas import (
    CountedItem,
    LedgerBatchPut,
    LedgerBatchResult,
    LedgerCountRead,
    LedgerCountRequest,
    LedgerItemPut,
    LedgerItemRead,
    LedgerPutResult,
    LimitCheckRead,
    LimitCheckRequest,
    LimitFigurePut,
    LimitFigureRead,
    RuleResultRead,
    ServiceField,
)
from services.projects.rules.limits import RULE_CODES, LimitDecision
from shared.clients.ledger import ITEM_ID_PATTERN
from shared.db import DbSession
from shared.errors import Forbidden, ValidationFailed, field_error, problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import Principal
from shared.subject_keys import SUBJECT_KEY_PATTERN, IdNumberError, person_key

router = APIRouter(tags=["ledger"])

ItemId = Annotated[str, Path(pattern=ITEM_ID_PATTERN, description="The item's id in its service.")]
INTERNAL = problem_responses(401, 403, 409, 422)


def _own_items(caller: Principal, service: str) -> None:
    # A service reports and removes its own items only.
    if caller.subject != service:
        raise Forbidden("只能报送本服务的条目。", "A service may report only its own items.")


def _decision(decision: LimitDecision) -> LimitCheckRead:
    return LimitCheckRead(
        allowed=decision.allowed,
        violations=list(dict.fromkeys(v.clause for v in decision.violations)),
        results=[
            RuleResultRead(
                clause=r.clause,
                code=r.code,
                name_zh=r.name_zh,
                name_en=r.name_en,
                limit=r.limit,
                count=r.count,
                allowed=r.allowed,
                items=[CountedItem.model_validate(e) for e in r.items],
            )
            for r in decision.results
        ],
    )


@router.put(
    "/internal/ledger/items/{service}/{item_id}",
    operation_id="ledger-report",
    summary="Report an item's current state (idempotent, last revision wins) / 报送限项条目",
    response_model=LedgerPutResult,
    responses=INTERNAL,
)
async def report(
    service: ServiceField, item_id: ItemId, body: LedgerItemPut, session: DbSession, caller: ServiceCaller
) -> LedgerPutResult:
    _own_items(caller, service)
    result = await ledger.record(session, ledger.ItemReport(service=service, item_id=item_id, **body.model_dump()))
    return LedgerPutResult(outcome=result.outcome, stale=result.stale, item=LedgerItemRead.model_validate(result.item))


@router.put(
    "/internal/ledger/items/{service}",
    operation_id="ledger-report-many",
    summary="Report many items' current states at once (idempotent, last revision wins) / 批量报送限项条目",
    description="As the single PUT for each item, in one transaction: up to 5,000 items of the calling "
    "service. Any invalid item refuses the whole batch (422) and nothing is written.",
    response_model=LedgerBatchResult,
    responses=INTERNAL,
)
async def report_many(
    service: ServiceField, body: LedgerBatchPut, session: DbSession, caller: ServiceCaller
) -> LedgerBatchResult:
    _own_items(caller, service)
    items = [ledger.ItemReport(service=service, **item.model_dump()) for item in body.items]
    return LedgerBatchResult(**await ledger.record_many(session, service, items))


@router.delete(
    "/internal/ledger/items/{service}/{item_id}",
    status_code=204,
    operation_id="ledger-remove",
    summary="Remove an item (withdrawn, deleted) / 移除限项条目",
    responses=INTERNAL,
)
async def remove(
    service: ServiceField,
    item_id: ItemId,
    session: DbSession,
    caller: ServiceCaller,
    revision: Annotated[int | None, Query(ge=0, le=2**63 - 1, description="Ignored when older than stored.")] = None,
) -> Response:
    _own_items(caller, service)
    await ledger.remove(session, service, item_id, revision)
    return Response(status_code=204)


@router.post(
    "/internal/ledger/check",
    operation_id="ledger-check",
    summary="May a person take one more item? (PRJ-1, NSF-5) / 限项核查",
    response_model=LimitCheckRead,
    responses=INTERNAL,
)
async def check(body: LimitCheckRequest, session: DbSession, _: ServiceCaller) -> LimitCheckRead:
    decision = await ledger.check(
        session,
        body.person_key,
        body.kind,
        body.year,
        service=body.service,
        role=body.role,
        senior=body.senior,
        exclude_item_id=body.exclude_item_id,
    )
    return _decision(decision)


@router.post(
    "/internal/ledger/count",
    operation_id="ledger-count",
    summary="Count a person's items / 统计个人限项条目",
    response_model=LedgerCountRead,
    responses=INTERNAL,
)
async def count(body: LedgerCountRequest, session: DbSession, _: ServiceCaller) -> LedgerCountRead:
    entries = await ledger.held_entries(
        session,
        body.person_key,
        year=body.year,
        kinds=tuple(body.kinds) if body.kinds is not None else None,
        statuses=tuple(body.statuses) if body.statuses is not None else None,
        services=tuple(body.services) if body.services is not None else None,
    )
    return LedgerCountRead(count=len(entries), items=[CountedItem.model_validate(e) for e in entries])


@router.get(
    "/ledger/items",
    operation_id="ledger-list",
    summary="A person's ledger entries, for supervision / 个人限项台账（监督查询）",
    response_model=Page[LedgerItemRead],
    responses=problem_responses(401, 403, 422),
)
async def list_items(
    session: DbSession,
    _: Supervisor,
    env: Env,
    id_number: Annotated[str | None, Query(max_length=40, description="The person's resident ID number.")] = None,
    person_key_: Annotated[str | None, Query(alias="person_key", pattern=SUBJECT_KEY_PATTERN)] = None,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    status: Annotated[str | None, Query(pattern="^(open|active|closed)$")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, ledger.SORTS.choices] = None,
) -> Page[LedgerItemRead]:
    if (id_number is None) == (person_key_ is None):
        raise ValidationFailed(
            [
                field_error(
                    "id_number",
                    "one_subject",
                    "id_number、person_key 须且只能填写其中一项",
                    "give exactly one of id_number, person_key",
                )
            ]
        )
    key = person_key_
    if id_number is not None:
        try:
            key = person_key(id_number, env.subject_key_secret)
        except IdNumberError as exc:
            raise ValidationFailed([field_error("id_number", exc.code, exc.message_zh, exc.message_en)]) from None
    assert key is not None
    return await ledger.page(session, key, status=status, year=year, limit=limit, cursor=cursor, sort=sort)


@router.get(
    "/ledger/limits",
    operation_id="ledger-limits",
    summary="The limit rules and their figures / 限项规则与限额",
    response_model=list[LimitFigureRead],
    responses=problem_responses(401, 403),
)
async def limits(session: DbSession, _: Supervisor) -> list[LimitFigureRead]:
    return [LimitFigureRead.model_validate(f) for f in await ledger.limit_figures(session)]


@router.put(
    "/ledger/limits/{rule_code}",
    operation_id="ledger-set-limit",
    summary="Set a rule's figure for a year / 设置限项限额",
    response_model=LimitFigureRead,
    responses=problem_responses(401, 403, 422),
)
async def set_limit(
    rule_code: Annotated[str, Path(max_length=64, description=", ".join(RULE_CODES))],
    body: LimitFigurePut,
    session: DbSession,
    caller: Registrar,
    common: Common,
) -> LimitFigureRead:
    figure = await ledger.set_limit(session, common, caller, rule_code, body.year, body.limit)
    return LimitFigureRead.model_validate(figure)
