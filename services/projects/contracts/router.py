"""HTTP of contracts (任务书): drafting and signing, payments per tranche, the mid-term check,
termination and final acceptance. Each action returns the contract."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.contracts import service
from services.projects.contracts.models import Contract
from services.projects.contracts.schemas import (
    AcceptanceRequest,
    ContractCreate,
    ContractRead,
    ContractSummary,
    ContractUpdate,
    FinalIn,
    MidtermIn,
    PaymentIn,
    ReasonBody,
)
from services.projects.deps import Agency, Applicant, ContractReader, Env, Official
from services.projects.rules.workflows import CONTRACT_WORKFLOW
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import ValidationFailed, field_error, problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import Principal
from shared.schemas import Id
from shared.workflow import HistoryRead

router = APIRouter(tags=["contracts"])

ACTION_ERRORS = problem_responses(401, 403, 404, 409, 412, 422)


async def _read(session: AsyncSession, response: Response, caller: Principal, contract: Contract) -> ContractRead:
    set_etag(response, service.KIND, contract.id, contract.version)
    return await service.to_read(session, contract, caller)


@router.post(
    "/contracts",
    status_code=201,
    response_model=ContractRead,
    operation_id="contracts-create",
    summary="Draft the contract of an approved project after its notice / 起草项目任务书",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create(body: ContractCreate, session: DbSession, caller: Agency, response: Response) -> ContractRead:
    return await _read(session, response, caller, await service.create(session, caller, body))


@router.get(
    "/contracts",
    response_model=Page[ContractSummary],
    operation_id="contracts-list",
    summary="Contracts the caller may see / 任务书列表",
    responses=problem_responses(401, 403, 422),
)
async def list_contracts(
    session: DbSession,
    caller: ContractReader,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.SORTS.choices] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    programme_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> Page[ContractSummary]:
    if status is not None and status not in CONTRACT_WORKFLOW.states:
        raise ValidationFailed(
            [
                field_error(
                    "status",
                    "invalid_choice",
                    "应为以下之一：" + "、".join(sorted(CONTRACT_WORKFLOW.states)),
                    "one of: " + ", ".join(sorted(CONTRACT_WORKFLOW.states)),
                )
            ]
        )
    return await service.page(
        session, caller, status=status, programme_id=programme_id, limit=limit, cursor=cursor, sort=sort
    )


@router.get(
    "/contracts/{contract_id}",
    response_model=ContractRead,
    operation_id="contracts-get",
    summary="A contract with its milestones and tranches / 任务书详情",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_contract(contract_id: Id, session: DbSession, caller: ContractReader, response: Response) -> ContractRead:
    return await _read(session, response, caller, await service.load(session, caller, contract_id))


@router.patch(
    "/contracts/{contract_id}",
    response_model=ContractRead,
    operation_id="contracts-update",
    summary="Edit a draft contract (If-Match required) / 修改任务书草稿",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_contract(
    contract_id: Id,
    body: ContractUpdate,
    session: DbSession,
    caller: Agency,
    response: Response,
    if_match: IfMatch = None,
) -> ContractRead:
    return await _read(session, response, caller, await service.update(session, caller, contract_id, body, if_match))


@router.post(
    "/contracts/{contract_id}/sign",
    response_model=ContractRead,
    operation_id="contracts-sign",
    summary="Sign: the project becomes contracted, then in progress / 签订任务书",
    responses=ACTION_ERRORS,
)
async def sign(
    contract_id: Id, session: DbSession, caller: Agency, response: Response, env: Env, if_match: IfMatch = None
) -> ContractRead:
    return await _read(session, response, caller, await service.sign(session, caller, contract_id, if_match, env))


@router.post(
    "/contracts/{contract_id}/tranches/{seq}/pay",
    response_model=ContractRead,
    operation_id="contracts-pay",
    summary="Record a tranche as paid / 登记拨款",
    responses=ACTION_ERRORS,
)
async def pay(
    contract_id: Id,
    seq: Annotated[int, Path(ge=1, le=1000)],
    body: PaymentIn,
    session: DbSession,
    caller: Agency,
    response: Response,
    env: Env,
    if_match: IfMatch = None,
) -> ContractRead:
    contract = await service.pay(session, caller, contract_id, seq, body, if_match, env)
    return await _read(session, response, caller, contract)


@router.post(
    "/contracts/{contract_id}/midterm",
    response_model=ContractRead,
    operation_id="contracts-midterm",
    summary="Record the mid-term check: passed or failed / 中期检查",
    responses=ACTION_ERRORS,
)
async def midterm(
    contract_id: Id,
    body: MidtermIn,
    session: DbSession,
    caller: Agency,
    response: Response,
    env: Env,
    if_match: IfMatch = None,
) -> ContractRead:
    contract = await service.midterm(session, caller, contract_id, body, if_match, env)
    return await _read(session, response, caller, contract)


@router.post(
    "/contracts/{contract_id}/terminate",
    response_model=ContractRead,
    operation_id="contracts-terminate",
    summary="Terminate the project with a recorded reason / 终止项目",
    responses=ACTION_ERRORS,
)
async def terminate(
    contract_id: Id,
    body: ReasonBody,
    session: DbSession,
    caller: Official,
    response: Response,
    env: Env,
    if_match: IfMatch = None,
) -> ContractRead:
    contract = await service.terminate(session, caller, contract_id, body.comment, if_match, env)
    return await _read(session, response, caller, contract)


@router.post(
    "/contracts/{contract_id}/request-acceptance",
    response_model=ContractRead,
    operation_id="contracts-request-acceptance",
    summary="Request final acceptance (the project's applicant) / 申请结题验收",
    responses=ACTION_ERRORS,
)
async def request_acceptance(
    contract_id: Id,
    body: AcceptanceRequest,
    session: DbSession,
    caller: Applicant,
    response: Response,
    env: Env,
    if_match: IfMatch = None,
) -> ContractRead:
    contract = await service.request_acceptance(session, caller, contract_id, body.report, if_match, env)
    return await _read(session, response, caller, contract)


@router.post(
    "/contracts/{contract_id}/final-acceptance",
    response_model=ContractRead,
    operation_id="contracts-final-acceptance",
    summary="Decide final acceptance: passed or failed / 结题验收结论",
    responses=ACTION_ERRORS,
)
async def final_acceptance(
    contract_id: Id,
    body: FinalIn,
    session: DbSession,
    caller: Agency,
    response: Response,
    env: Env,
    if_match: IfMatch = None,
) -> ContractRead:
    contract = await service.final_acceptance(session, caller, contract_id, body, if_match, env)
    return await _read(session, response, caller, contract)


@router.get(
    "/contracts/{contract_id}/history",
    response_model=list[HistoryRead],
    operation_id="contracts-history",
    summary="State changes of a contract / 任务书流转记录",
    responses=problem_responses(401, 403, 404, 422),
)
async def contract_history(contract_id: Id, session: DbSession, caller: ContractReader) -> list[HistoryRead]:
    return await service.history(session, caller, contract_id)
