"""Use cases of challenge lists and bids (PRJ-3): load, apply the rules, change state, write history
and audit; never commits."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import access
from services.projects.challenges import repository
from services.projects.challenges.models import ChallengeBid, ChallengeIndicator, ChallengeList
from services.projects.challenges.schemas import (
    BidCreate,
    ChallengeListCreate,
    ChallengeListUpdate,
    IndicatorIn,
    SelectBody,
)
from services.projects.errors import (
    BiddingClosed,
    BiddingStillOpen,
    BidExists,
    BidWindowTooShort,
    BudgetOverCap,
    IndicatorBelowTarget,
    InvalidPromises,
    OrganisationMismatch,
)
from services.projects.integrity import service as integrity
from services.projects.programmes import repository as programmes_repo
from services.projects.programmes import service as programmes
from services.projects.rules.challenges import (
    BID_WORKFLOW,
    BIDDERS,
    CHALLENGE_LIST_WORKFLOW,
    DEFAULT_RULES,
    LIST_MANAGERS,
    PUBLIC_STAGES,
    STAGES,
    ChallengeRules,
    IndicatorTarget,
    bid_deadline_passed,
    bid_window_long_enough,
    bidding_open,
    earliest_deadline,
    promise_shortfalls,
    within_cap,
)
from shared import audit
from shared.concurrency import check_if_match
from shared.db.models import CommonTables
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed, field_error
from shared.principal import Principal
from shared.subject_keys import organisation_key, person_key
from shared.validators import mask_id
from shared.workdays import to_shanghai, today_shanghai
from shared.workflow import HistoryRead, load_history

LIST_SORTS = repository.LIST_SORTS  # the orders its list takes, as the router documents them
BID_SORTS = repository.BID_SORTS

LIST = "challenge_list"
BID = "challenge_bid"


def is_manager(principal: Principal) -> bool:
    """A role that may manage lists at all: the agency and, supervising, officials. Which lists an
    agency manages is its programmes' entrustment (``programmes.manages``)."""
    return principal.has_role(*LIST_MANAGERS)


async def ensure_programme(session: AsyncSession, principal: Principal, programme_id: int) -> None:
    """A list belongs to an active programme the caller manages; any other id is refused alike, so an
    agency cannot learn of programmes not entrusted to it."""
    programme = await programmes_repo.get(session, programme_id)
    if programme is None or not await programmes.manages(session, principal, programme_id):
        raise ValidationFailed(
            [
                field_error(
                    "programme_id",
                    "unknown_programme",
                    "没有委托给您的此编号的计划",
                    "no programme with this id is entrusted to you",
                )
            ]
        )
    if programme.status != "active":
        raise Conflict(
            "计划已关闭，不能再发布榜单。",
            "The programme is closed; it takes no new lists.",
            extra={"programme_id": programme_id},
        )


def _indicator_rows(items: list[IndicatorIn]) -> list[ChallengeIndicator]:
    return [
        ChallengeIndicator(
            position=i,
            name=x.name,
            unit=x.unit,
            target_value=x.target_value,
            comparison=x.comparison,
            measurement=x.measurement,
        )
        for i, x in enumerate(items)
    ]


def _snapshot(c: ChallengeList) -> dict[str, Any]:
    return {
        "programme_id": c.programme_id,
        "title": c.title,
        "budget_cap": str(c.budget_cap),
        "bid_deadline": c.bid_deadline.isoformat(),
        "status": c.status,
    }


# --- lists ------------------------------------------------------------------------------------------


async def visible_list(session: AsyncSession, principal: Principal, list_id: int) -> ChallengeList:
    """A list as the caller may see it: managers see drafts too; anyone else a published one, or 404."""
    challenge = await repository.get_list(session, list_id)
    if challenge is None:
        raise NotFound()
    if challenge.status not in PUBLIC_STAGES and not await programmes.manages(
        session, principal, challenge.programme_id
    ):
        raise NotFound()
    return challenge


async def page_lists(
    session: AsyncSession,
    caller: Principal,
    *,
    status: str | None,
    programme_id: int | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[ChallengeList], str | None]:
    """Published stages for everyone; drafts too for officials, and for an agency those of its programmes."""
    if status is not None and status not in STAGES:
        return [], None
    return await repository.page_lists(
        session,
        caller,
        status=status,
        programme_id=programme_id,
        limit=limit,
        cursor=cursor,
        sort=sort,
    )


async def managed_list(session: AsyncSession, principal: Principal, list_id: int) -> ChallengeList:
    challenge = await repository.get_list(session, list_id, for_update=True)
    if challenge is None or not await programmes.manages(session, principal, challenge.programme_id):
        raise NotFound()
    return challenge


async def create_list(
    session: AsyncSession, common: CommonTables, caller: Principal, body: ChallengeListCreate
) -> ChallengeList:
    await ensure_programme(session, caller, body.programme_id)
    challenge = ChallengeList(
        programme_id=body.programme_id,
        title=body.title,
        problem=body.problem,
        budget_cap=body.budget_cap,
        bid_deadline=body.bid_deadline,
        status=CHALLENGE_LIST_WORKFLOW.initial,
        created_by=caller.actor_id,
        version=1,
        indicators=_indicator_rows(body.indicators),
    )
    await repository.add(session, challenge)
    await CHALLENGE_LIST_WORKFLOW.record_creation(session, common, challenge, caller)
    await audit.append(session, common, caller, "create", LIST, challenge.id, _snapshot(challenge))
    return challenge


async def update_list(
    session: AsyncSession,
    common: CommonTables,
    caller: Principal,
    list_id: int,
    body: ChallengeListUpdate,
    if_match: str | None,
) -> ChallengeList:
    challenge = await managed_list(session, caller, list_id)
    check_if_match(if_match, LIST, challenge.id, challenge.version)
    if not STAGES[challenge.status].editable:
        raise Conflict(
            f"榜单状态为“{challenge.status}”，不能再修改。",
            f"A list in state '{challenge.status}' can no longer be edited.",
        )
    changes = body.model_dump(exclude_unset=True, exclude={"indicators"})
    for name, value in changes.items():
        if value is None:
            raise ValidationFailed([field_error(name, "required", f"{name} 不能为 null", f"{name} may not be null")])
        setattr(challenge, name, value)
    if body.indicators is not None:
        await repository.replace_indicators(session, challenge, _indicator_rows(body.indicators))
    elif "indicators" in body.model_fields_set:
        raise ValidationFailed(
            [field_error("indicators", "required", "indicators 不能为 null", "indicators may not be null")]
        )
    if body.programme_id is not None:
        await ensure_programme(session, caller, body.programme_id)
    challenge.version += 1
    await session.flush()
    await audit.append(session, common, caller, "update", LIST, challenge.id, _snapshot(challenge))
    return challenge


async def act_on_list(
    session: AsyncSession,
    common: CommonTables,
    caller: Principal,
    list_id: int,
    action: str,
    comment: str | None,
    if_match: str | None,
    now: datetime,
    rules: ChallengeRules = DEFAULT_RULES,
) -> ChallengeList:
    """publish, close_bidding, declare_unsuccessful, close (``select`` has its own use case)."""
    challenge = await managed_list(session, caller, list_id)
    check_if_match(if_match, LIST, challenge.id, challenge.version, required=False)
    decision = CHALLENGE_LIST_WORKFLOW.decide(challenge.status, action, caller)
    if decision.action == "select":
        raise ValidationFailed(
            [field_error("bid_id", "required", "确定揭榜方须指明中选的揭榜方案", "select names the winning bid")]
        )
    if action == "publish" and not bid_window_long_enough(now, challenge.bid_deadline, rules):
        earliest = to_shanghai(earliest_deadline(now, rules))
        raise BidWindowTooShort(
            f"揭榜截止时间须不早于发布后 {rules.min_bid_window_days} 天（{earliest:%Y-%m-%d %H:%M}）（PRJ-3）。",
            f"The bid deadline must be at least {rules.min_bid_window_days} days after publication "
            f"({earliest.isoformat()}) (PRJ-3).",
            extra={
                "clause": "PRJ-3",
                "min_bid_window_days": rules.min_bid_window_days,
                "earliest_deadline": earliest.isoformat(),
            },
        )
    if action == "close_bidding" and not bid_deadline_passed(challenge.bid_deadline, now):
        raise BiddingStillOpen(
            "揭榜截止时间未到，不能结束揭榜。",
            "The bid deadline has not passed yet.",
            extra={"bid_deadline": to_shanghai(challenge.bid_deadline).isoformat()},
        )
    await CHALLENGE_LIST_WORKFLOW.apply(session, common, challenge, action, caller, comment=comment)
    if action == "publish":
        challenge.published_at = now
    if action == "declare_unsuccessful":
        challenge.selection_reason = comment
        for bid in await repository.open_bids(session, challenge.id):
            await BID_WORKFLOW.apply(session, common, bid, "reject", caller, comment=comment)
    await session.flush()
    await audit.append(
        session, common, caller, action, LIST, challenge.id, {"status": challenge.status, "comment": comment}
    )
    return challenge


async def select_bid(
    session: AsyncSession,
    common: CommonTables,
    caller: Principal,
    list_id: int,
    body: SelectBody,
    if_match: str | None,
) -> ChallengeList:
    """The agency picks the winner with a recorded reason; the other open bids are not selected."""
    challenge = await managed_list(session, caller, list_id)
    check_if_match(if_match, LIST, challenge.id, challenge.version, required=False)
    CHALLENGE_LIST_WORKFLOW.decide(challenge.status, "select", caller)
    bids = await repository.open_bids(session, challenge.id)
    winner = next((b for b in bids if b.id == body.bid_id), None)
    if winner is None:
        raise ValidationFailed(
            [
                field_error(
                    "bid_id",
                    "not_an_open_bid",
                    "bid_id 须为本榜单已提交的揭榜方案",
                    "bid_id must name a submitted bid of this list",
                )
            ]
        )
    await CHALLENGE_LIST_WORKFLOW.apply(session, common, challenge, "select", caller, comment=body.reason)
    challenge.selected_bid_id = winner.id
    challenge.selection_reason = body.reason
    for bid in bids:
        await BID_WORKFLOW.apply(
            session,
            common,
            bid,
            "select" if bid is winner else "reject",
            caller,
            comment=body.reason if bid is winner else None,
        )
    await session.flush()
    await audit.append(
        session,
        common,
        caller,
        "select",
        LIST,
        challenge.id,
        {"bid_id": winner.id, "organisation_uscc": winner.organisation_uscc, "reason": body.reason},
    )
    return challenge


async def list_history(
    session: AsyncSession, common: CommonTables, caller: Principal, list_id: int
) -> list[HistoryRead]:
    challenge = await visible_list(session, caller, list_id)
    if not await programmes.manages(session, caller, challenge.programme_id):
        raise NotFound()
    return await load_history(session, common, LIST, challenge.id)


def is_bidding_open(challenge: ChallengeList, now: datetime) -> bool:
    return bidding_open(challenge.status, challenge.bid_deadline, now)


# --- bids -------------------------------------------------------------------------------------------


def _check_promises(challenge: ChallengeList, body: BidCreate) -> dict[int, Decimal]:
    indicators = {i.id: i for i in challenge.indicators}
    promised: dict[int, Decimal] = {}
    errors: list[dict[str, str]] = []
    for n, p in enumerate(body.promises):
        if p.indicator_id not in indicators:
            errors.append(
                field_error(
                    f"promises.{n}.indicator_id",
                    "unknown_indicator",
                    f"指标 {p.indicator_id} 不在本榜单上",
                    f"indicator {p.indicator_id} is not on this list",
                )
            )
        elif p.indicator_id in promised:
            errors.append(
                field_error(
                    f"promises.{n}.indicator_id",
                    "duplicate_indicator",
                    f"指标 {p.indicator_id} 承诺了两次",
                    f"indicator {p.indicator_id} is promised twice",
                )
            )
        else:
            promised[p.indicator_id] = p.value
    missing = [i for i in challenge.indicators if i.id not in promised]
    errors += [
        field_error("promises", "missing_indicator", f"“{i.name}”未填写承诺值", f"no value promised for '{i.name}'")
        for i in missing
    ]
    if errors:
        raise InvalidPromises(
            "承诺指标须逐项对应榜单指标。", "Promise one value for each indicator of the list.", errors
        )
    targets = [IndicatorTarget(i.id, i.name, i.target_value, i.comparison) for i in challenge.indicators]
    shortfalls = promise_shortfalls(targets, promised)
    if shortfalls:
        names = "、".join(s.name for s in shortfalls)
        raise IndicatorBelowTarget(
            f"以下承诺指标未达到榜单要求：{names}（PRJ-3）。",
            f"These promised indicators miss the list's targets: {', '.join(s.name for s in shortfalls)} (PRJ-3).",
            [
                {
                    **field_error(
                        "promises",
                        "below_target",
                        f"“{s.name}”：承诺值 {s.value}，目标值 {s.target}",
                        f"'{s.name}': promised {s.value}, target {s.target}",
                    ),
                    "indicator_id": str(s.key),
                }
                for s in shortfalls
            ],
        )
    return promised


async def submit_bid(
    session: AsyncSession,
    common: CommonTables,
    caller: Principal,
    list_id: int,
    body: BidCreate,
    now: datetime,
    secret: str,
) -> ChallengeBid:
    if not caller.has_role(*BIDDERS):
        raise Forbidden(
            f"需要以下角色之一：{'、'.join(BIDDERS)}。", f"Requires one of the roles: {', '.join(BIDDERS)}."
        )
    challenge = await visible_list(session, caller, list_id)
    if not is_bidding_open(challenge, now):
        raise BiddingClosed(
            "该榜单当前不接受揭榜（未发布或已过截止时间）（PRJ-3）。",
            "The list does not take bids now: it is not published or its deadline has passed (PRJ-3).",
            extra={
                "clause": "PRJ-3",
                "status": challenge.status,
                "bid_deadline": to_shanghai(challenge.bid_deadline).isoformat(),
            },
        )
    if caller.org_uscc and caller.org_uscc != body.organisation_uscc:
        raise OrganisationMismatch("只能以本单位名义揭榜。", "Bid in the name of your own organisation only.")
    promised = _check_promises(challenge, body)
    if not within_cap(body.requested_budget, challenge.budget_cap):
        raise BudgetOverCap(
            f"申请经费 {body.requested_budget} 元超过榜单上限 {challenge.budget_cap} 元（PRJ-3）。",
            f"The requested budget {body.requested_budget} exceeds the cap of {challenge.budget_cap} yuan (PRJ-3).",
            extra={
                "clause": "PRJ-3",
                "errors": [
                    field_error(
                        "requested_budget",
                        "over_cap",
                        f"至多 {challenge.budget_cap}",
                        f"at most {challenge.budget_cap}",
                    )
                ],
            },
        )
    # PRJ-5: a bid is a submission to a programme; an active debarment of the leader or the organisation blocks it.
    day = today_shanghai(now)
    await integrity.ensure_not_debarred(session, [person_key(body.leader_id_number, secret)], day, role="leader")
    await integrity.ensure_not_debarred(
        session, [organisation_key(body.organisation_uscc, secret)], day, role="organisation"
    )
    if await repository.bid_of_organisation(session, challenge.id, body.organisation_uscc) is not None:
        raise _bid_exists()
    bid = ChallengeBid(
        list_id=challenge.id,
        organisation_uscc=body.organisation_uscc,
        organisation_name=body.organisation_name,
        submitted_by=caller.actor_id,
        submitter_org_id=caller.org_id,
        leader_name=body.leader_name,
        leader_id_number=body.leader_id_number,
        leader_id_masked=mask_id(body.leader_id_number),
        leader_title=body.leader_title,
        team=[m.model_dump() for m in body.team],
        technical_route=body.technical_route,
        requested_budget=body.requested_budget,
        milestones=[m.model_dump(mode="json") for m in body.milestones],
        status=BID_WORKFLOW.initial,
        version=1,
        promises=repository.promise_rows(promised),
    )
    try:
        async with session.begin_nested():
            await repository.add(session, bid)
    except IntegrityError:
        # A concurrent bid of the same organisation won the race to the unique constraint.
        raise _bid_exists() from None
    await BID_WORKFLOW.record_creation(session, common, bid, caller)
    await audit.append(
        session,
        common,
        caller,
        "create",
        BID,
        bid.id,
        {
            "list_id": challenge.id,
            "organisation_uscc": bid.organisation_uscc,
            "leader": bid.leader_id_masked,
            "requested_budget": str(bid.requested_budget),
        },
    )
    return bid


def _bid_exists() -> BidExists:
    return BidExists(
        "每个单位对同一榜单只能揭榜一次（PRJ-3）。",
        "An organisation bids on a list once only (PRJ-3).",
        extra={"clause": "PRJ-3"},
    )


async def visible_bid(
    session: AsyncSession, caller: Principal, bid_id: int, *, for_update: bool = False
) -> ChallengeBid:
    """The bidder's own bid, or any bid of a list the caller manages; another bidder's bid is a 404."""
    bid = await repository.get_bid(session, bid_id, for_update=for_update)
    if bid is None:
        raise NotFound()
    if not access.is_bidder_of(caller, bid):
        challenge = await repository.get_list(session, bid.list_id)
        if challenge is None or not await programmes.manages(session, caller, challenge.programme_id):
            raise NotFound()
    return bid


async def withdraw_bid(
    session: AsyncSession,
    common: CommonTables,
    caller: Principal,
    bid_id: int,
    comment: str | None,
    if_match: str | None,
    now: datetime,
) -> ChallengeBid:
    bid = await visible_bid(session, caller, bid_id, for_update=True)
    check_if_match(if_match, BID, bid.id, bid.version, required=False)
    challenge = await repository.get_list(session, bid.list_id)
    assert challenge is not None  # a bid's list is never deleted
    if bid.status == "submitted" and not is_bidding_open(challenge, now):
        raise BiddingClosed("揭榜已截止，不能撤回。", "Bidding has closed; the bid can no longer be withdrawn.")
    await BID_WORKFLOW.apply(session, common, bid, "withdraw", caller, comment=comment)
    await session.flush()
    await audit.append(session, common, caller, "withdraw", BID, bid.id, {"list_id": bid.list_id})
    return bid


async def page_bids(
    session: AsyncSession,
    caller: Principal,
    list_id: int,
    *,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[ChallengeBid], str | None]:
    challenge = await visible_list(session, caller, list_id)
    return await repository.page_bids(
        session,
        challenge.id,
        only_of=None if await programmes.manages(session, caller, challenge.programme_id) else caller,
        status=status,
        limit=limit,
        cursor=cursor,
        sort=sort,
    )


async def bid_history(session: AsyncSession, common: CommonTables, caller: Principal, bid_id: int) -> list[HistoryRead]:
    bid = await visible_bid(session, caller, bid_id)
    return await load_history(session, common, BID, bid.id)
