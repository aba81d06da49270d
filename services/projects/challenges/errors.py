"""Problems of open challenges and pledges (PRJ-3), each with a stable code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shared.errors import AppError, Conflict, Duplicate, Forbidden


class _RuleRefused(AppError):
    """Input that breaks a PRJ-3 rule: a 422 with the fields at fault, like a validation problem."""

    status = 422

    def __init__(self, detail_zh: str, detail_en: str, errors: Sequence[Mapping[str, Any]]) -> None:
        super().__init__(detail_zh, detail_en, extra={"clause": "PRJ-3", "errors": [dict(e) for e in errors]})


class IndicatorBelowTarget(_RuleRefused):
    code = "indicator_below_target"
    title_zh = "承诺指标未达到榜单要求"
    title_en = "A promised indicator does not meet the list's target"


class BudgetOverCap(_RuleRefused):
    code = "budget_over_cap"
    title_zh = "申请经费超过榜单经费上限"
    title_en = "The requested budget exceeds the list's cap"


class InvalidPromises(_RuleRefused):
    code = "invalid_promises"
    title_zh = "承诺指标与榜单指标不对应"
    title_en = "The promised indicators do not match the list's indicators"


class InvalidMilestones(_RuleRefused):
    code = "invalid_milestones"
    title_zh = "里程碑设置有误"
    title_en = "The milestones are not valid"


class InvalidPledgeTerms(_RuleRefused):
    code = "invalid_pledge_terms"
    title_zh = "军令状条款与揭榜方案不符"
    title_en = "The pledge's terms do not match the winning bid"


class InvalidAssessment(_RuleRefused):
    code = "invalid_assessment"
    title_zh = "考核结论与考核数据不一致"
    title_en = "The assessment's outcome and figures disagree"


class BiddingClosed(Conflict):
    code = "bidding_closed"
    title_zh = "揭榜已截止或榜单未发布"
    title_en = "Bidding is closed or the list is not published"


class BiddingStillOpen(Conflict):
    code = "bidding_still_open"
    title_zh = "揭榜尚未截止"
    title_en = "Bidding is still open"


class BidWindowTooShort(Conflict):
    code = "bid_window_too_short"
    title_zh = "揭榜期限过短"
    title_en = "The bid window is too short"


class BidExists(Duplicate):
    code = "bid_exists"
    title_zh = "该单位已揭榜"
    title_en = "This organisation has already bid on the list"


class OrganisationMismatch(Forbidden):
    code = "organisation_mismatch"
    title_zh = "揭榜单位与当前账号所属单位不一致"
    title_en = "The bidding organisation is not the caller's organisation"


class MilestoneOutOfOrder(Conflict):
    code = "milestone_out_of_order"
    title_zh = "里程碑须按顺序考核"
    title_en = "Milestones are assessed in order"


class PledgeExists(Duplicate):
    code = "pledge_exists"
    title_zh = "该揭榜方已有军令状"
    title_en = "The winning bid already has a pledge"
