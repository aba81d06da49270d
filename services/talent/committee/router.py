"""HTTP of a call's evaluation committee (评审委员会) and the ranked list it votes on:

* ``GET /calls/{id}/ranking``: the ranked list after expert review (officials, auditors, the members);
* ``PUT /calls/{id}/committee`` (officials; If-Match once it exists), ``GET`` (officials, auditors, members);
* ``PUT /calls/{id}/committee/ballot`` and ``GET`` (the member's own ballot; If-Match once cast);
* ``POST /calls/{id}/committee/tally`` (officials; Idempotency-Key), ``GET /calls/{id}/committee/tally``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from services.talent.committee import service
from services.talent.committee.schemas import BallotIn, BallotRead, CommitteeRead, CommitteeSet, RankingRead, TallyRead
from services.talent.deps import Env, Official
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import problem_responses
from shared.principal import Principal, require_roles
from shared.schemas import Id

router = APIRouter(tags=["talent committee"])
OP = "talent-committee"
# Officials and auditors read every committee; members (reviewer or official accounts) their own.
CommitteeReader = Annotated[Principal, Depends(require_roles("official", "auditor", "reviewer"))]
Member = Annotated[Principal, Depends(require_roles("official", "reviewer"))]


@router.get(
    "/calls/{call_id}/ranking",
    response_model=RankingRead,
    operation_id=f"{OP}-ranking",
    summary="The call's ranked list after expert review (TAL-1 weighted scores) / 专家评审排序名单",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def call_ranking(call_id: Id, session: DbSession, caller: CommitteeReader) -> RankingRead:
    return await service.ranking(session, caller, call_id)


@router.put(
    "/calls/{call_id}/committee",
    response_model=CommitteeRead,
    operation_id=f"{OP}-put",
    summary="Name the call's committee members and vote rule (officials; If-Match once set) / 设定评审委员会",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def put_committee(
    call_id: Id,
    body: CommitteeSet,
    session: DbSession,
    caller: Official,
    response: Response,
    if_match: IfMatch = None,
) -> CommitteeRead:
    committee = await service.put(session, caller, call_id, body, if_match)
    set_etag(response, service.KIND, committee.id, committee.version)
    return await service.to_read(session, committee)


@router.get(
    "/calls/{call_id}/committee",
    response_model=CommitteeRead,
    operation_id=f"{OP}-get",
    summary="The call's committee: members, rule, who has voted (ETag) / 评审委员会",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def get_committee(call_id: Id, session: DbSession, caller: CommitteeReader, response: Response) -> CommitteeRead:
    committee = await service.load(session, caller, call_id)
    set_etag(response, service.KIND, committee.id, committee.version)
    return await service.to_read(session, committee)


@router.put(
    "/calls/{call_id}/committee/ballot",
    response_model=BallotRead,
    operation_id=f"{OP}-put-ballot",
    summary="Cast or change my ballot on the ranked list (members; If-Match once cast) / 委员表决",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def put_ballot(
    call_id: Id,
    body: BallotIn,
    session: DbSession,
    caller: Member,
    response: Response,
    if_match: IfMatch = None,
) -> BallotRead:
    committee, ballot = await service.cast(session, caller, call_id, body, if_match)
    set_etag(response, service.BALLOT, ballot.id, ballot.version)
    return service.ballot_read(committee, ballot)


@router.get(
    "/calls/{call_id}/committee/ballot",
    response_model=BallotRead,
    operation_id=f"{OP}-get-ballot",
    summary="My ballot (members) / 我的表决票",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_ballot(call_id: Id, session: DbSession, caller: Member, response: Response) -> BallotRead:
    committee, ballot = await service.load_own_ballot(session, caller, call_id)
    set_etag(response, service.BALLOT, ballot.id, ballot.version)
    return service.ballot_read(committee, ballot)


@router.post(
    "/calls/{call_id}/committee/tally",
    response_model=TallyRead,
    operation_id=f"{OP}-tally",
    summary="Tally the vote: each application proposed or not, the figures recorded (officials) / 计票",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def tally(call_id: Id, session: DbSession, caller: Official, env: Env, if_match: IfMatch = None) -> TallyRead:
    return await service.tally(session, caller, call_id, if_match, env)


@router.get(
    "/calls/{call_id}/committee/tally",
    response_model=TallyRead,
    operation_id=f"{OP}-get-tally",
    summary="The recorded tally (officials, auditors, members) / 计票结果",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def get_tally(call_id: Id, session: DbSession, caller: CommitteeReader) -> TallyRead:
    return await service.tally_read(session, caller, call_id)
