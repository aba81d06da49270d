"""HTTP of open-challenge lists (榜单) and bids (揭榜), PRJ-3."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.challenges import service
from services.projects.challenges.models import ChallengeBid, ChallengeList
from services.projects.challenges.schemas import (
    ActionBody,
    BidCreate,
    BidRead,
    ChallengeListCreate,
    ChallengeListRead,
    ChallengeListSummary,
    ChallengeListUpdate,
    SelectBody,
)
from services.projects.deps import ActionMoment, Common, Env, ListManager, Moment
from shared.actions import add_action_routes
from shared.clock import Now
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.principal import PUBLIC, Caller, MaybeCaller, Principal
from shared.schemas import Id
from shared.workflow import HistoryRead

router = APIRouter(tags=["challenges"])

StatusFilter = Annotated[str | None, Query(max_length=32, description="Filter by status.")]


def _read(
    challenge: ChallengeList, caller: Principal, now: datetime, response: Response | None = None
) -> ChallengeListRead:
    out = ChallengeListRead.model_validate(challenge).model_copy(
        update={"bidding_open": service.is_bidding_open(challenge, now)}
    )
    if not service.is_manager(caller):
        out = out.model_copy(update={"selection_reason": None})
    if response is not None:
        set_etag(response, service.LIST, challenge.id, challenge.version)
    return out


def _bid(bid: ChallengeBid, response: Response | None = None) -> BidRead:
    if response is not None:
        set_etag(response, service.BID, bid.id, bid.version)
    return BidRead.model_validate(bid)


@router.post(
    "/challenge-lists",
    status_code=201,
    response_model=ChallengeListRead,
    operation_id="challenges-create",
    summary="Create a challenge list (draft) / 创建榜单（草稿）",
    responses=problem_responses(401, 403, 422),
)
async def create_list(
    body: ChallengeListCreate,
    session: DbSession,
    caller: ListManager,
    common: Common,
    response: Response,
    now: Now,
) -> ChallengeListRead:
    challenge = await service.create_list(session, common, caller, body)
    return _read(challenge, caller, now, response)


@router.get(
    "/challenge-lists",
    response_model=Page[ChallengeListSummary],
    operation_id="challenges-list",
    summary="List challenge lists (published ones without logging in) / 榜单列表（已发布的可公开查看）",
    responses=problem_responses(422),
    **PUBLIC,
)
async def list_lists(
    session: DbSession,
    caller: MaybeCaller,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.LIST_SORTS.choices] = None,
    status: StatusFilter = None,
    programme_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> Page[ChallengeListSummary]:
    rows, next_cursor = await service.page_lists(
        session, caller, status=status, programme_id=programme_id, limit=limit, cursor=cursor, sort=sort
    )
    return Page[ChallengeListSummary](
        items=[ChallengeListSummary.model_validate(r) for r in rows], next_cursor=next_cursor
    )


@router.get(
    "/challenge-lists/{list_id}",
    response_model=ChallengeListRead,
    operation_id="challenges-get",
    summary="Read a challenge list (published ones without logging in) / 查看榜单",
    responses=problem_responses(404, 422),
    **PUBLIC,
)
async def get_list(
    list_id: Id, session: DbSession, caller: MaybeCaller, response: Response, now: Now
) -> ChallengeListRead:
    return _read(await service.visible_list(session, caller, list_id), caller, now, response)


@router.patch(
    "/challenge-lists/{list_id}",
    response_model=ChallengeListRead,
    operation_id="challenges-update",
    summary="Edit a draft challenge list (If-Match required) / 修改草稿榜单",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_list(
    list_id: Id,
    body: ChallengeListUpdate,
    session: DbSession,
    caller: ListManager,
    common: Common,
    response: Response,
    now: Now,
    if_match: IfMatch = None,
) -> ChallengeListRead:
    challenge = await service.update_list(session, common, caller, list_id, body, if_match)
    return _read(challenge, caller, now, response)


async def _act_on_list(
    session: AsyncSession,
    caller: Principal,
    list_id: int,
    action: str,
    comment: str | None,
    if_match: str | None,
    moment: Moment,
) -> ChallengeList:
    return await service.act_on_list(session, moment.common, caller, list_id, action, comment, if_match, moment.now)


add_action_routes(
    router,
    path="/challenge-lists",
    id_param="list_id",
    op="challenges",
    actions={
        "publish": ("Publish a list; bids open until its deadline", "发布榜单"),
        "close_bidding": ("End bidding after the deadline", "揭榜截止"),
        "declare_unsuccessful": ("Declare no winner, with a reason", "流榜（须说明理由）"),
        "close": ("Close a decided list", "关闭榜单"),
    },
    caller=ListManager,
    context=ActionMoment,
    body=ActionBody,
    act=_act_on_list,
    read=lambda _session, response, challenge, caller, moment: _read(challenge, caller, moment.now, response),
    response_model=ChallengeListRead,
)


@router.post(
    "/challenge-lists/{list_id}/select",
    response_model=ChallengeListRead,
    operation_id="challenges-select",
    summary="Select the winning bid, with the reason / 确定揭榜方（须说明理由）",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def select(
    list_id: Id,
    body: SelectBody,
    session: DbSession,
    caller: ListManager,
    common: Common,
    response: Response,
    now: Now,
    if_match: IfMatch = None,
) -> ChallengeListRead:
    challenge = await service.select_bid(session, common, caller, list_id, body, if_match)
    return _read(challenge, caller, now, response)


@router.get(
    "/challenge-lists/{list_id}/history",
    response_model=list[HistoryRead],
    operation_id="challenges-history",
    summary="Transitions of a list / 榜单流转记录",
    responses=problem_responses(401, 404, 422),
)
async def list_history(list_id: Id, session: DbSession, caller: Caller, common: Common) -> list[HistoryRead]:
    return await service.list_history(session, common, caller, list_id)


@router.post(
    "/challenge-lists/{list_id}/bids",
    status_code=201,
    response_model=BidRead,
    operation_id="challenges-bid",
    summary="Bid on a list before its deadline (揭榜); Idempotency-Key honoured / 揭榜",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def submit_bid(
    list_id: Id,
    body: BidCreate,
    session: DbSession,
    caller: Caller,
    common: Common,
    response: Response,
    now: Now,
    env: Env,
) -> BidRead:
    return _bid(await service.submit_bid(session, common, caller, list_id, body, now, env.subject_key_secret), response)


@router.get(
    "/challenge-lists/{list_id}/bids",
    response_model=Page[BidRead],
    operation_id="challenges-bids",
    summary="Bids on a list: all for the agency, one's own for a bidder / 揭榜方案列表",
    responses=problem_responses(401, 404, 422),
)
async def list_bids(
    list_id: Id,
    session: DbSession,
    caller: Caller,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.BID_SORTS.choices] = None,
    status: StatusFilter = None,
) -> Page[BidRead]:
    rows, next_cursor = await service.page_bids(
        session, caller, list_id, status=status, limit=limit, cursor=cursor, sort=sort
    )
    return Page[BidRead](items=[_bid(b) for b in rows], next_cursor=next_cursor)


@router.get(
    "/challenge-bids/{bid_id}",
    response_model=BidRead,
    operation_id="challenges-bid-get",
    summary="Read a bid (its bidder or the agency) / 查看揭榜方案",
    responses=problem_responses(401, 404, 422),
)
async def get_bid(bid_id: Id, session: DbSession, caller: Caller, response: Response) -> BidRead:
    return _bid(await service.visible_bid(session, caller, bid_id), response)


@router.post(
    "/challenge-bids/{bid_id}/withdraw",
    response_model=BidRead,
    operation_id="challenges-bid-withdraw",
    summary="Withdraw a bid before the deadline / 撤回揭榜",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def withdraw_bid(
    bid_id: Id,
    session: DbSession,
    caller: Caller,
    common: Common,
    response: Response,
    now: Now,
    body: ActionBody | None = None,
    if_match: IfMatch = None,
) -> BidRead:
    bid = await service.withdraw_bid(session, common, caller, bid_id, body.comment if body else None, if_match, now)
    return _bid(bid, response)


@router.get(
    "/challenge-bids/{bid_id}/history",
    response_model=list[HistoryRead],
    operation_id="challenges-bid-history",
    summary="Transitions of a bid / 揭榜方案流转记录",
    responses=problem_responses(401, 404, 422),
)
async def bid_history(bid_id: Id, session: DbSession, caller: Caller, common: Common) -> list[HistoryRead]:
    return await service.bid_history(session, common, caller, bid_id)
