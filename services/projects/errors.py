"""The problems of the projects service, each with a stable code (every code is defined once in the
platform: the ones more than one service raises are in ``shared.errors``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shared.errors import AppError, Conflict, Duplicate, Forbidden


class CallClosed(Conflict):
    code = "call_closed"
    title_zh = "申报已截止"
    title_en = "The call has closed"


class BudgetOverCap(AppError):
    status = 422
    code = "budget_over_cap"
    title_zh = "预算或执行期超过上限"
    title_en = "Budget or duration over the cap"


class LeaderTooOld(AppError):
    status = 422
    code = "leader_too_old"
    title_zh = "项目负责人年龄超过限制"
    title_en = "The project leader is over the age limit"


class OrgKindNotAllowed(AppError):
    status = 422
    code = "org_kind_not_allowed"
    title_zh = "申报单位类型不在本指南允许范围内"
    title_en = "The applicant organisation's kind is not admitted by this call"


class CofundingTooLow(AppError):
    status = 422
    code = "cofunding_too_low"
    title_zh = "企业自筹资金不足"
    title_en = "The enterprise's self-raised funds are too low"


class ProgrammeClosed(Conflict):
    code = "programme_closed"
    title_zh = "计划已关闭"
    title_en = "The programme is closed"


class ProjectNotTerminable(Conflict):
    code = "project_not_terminable"
    title_zh = "项目当前状态不能终止"
    title_en = "The project cannot be terminated in its current state"


class DecisionNotApplicable(Conflict):
    code = "consequence_decision_not_applicable"
    title_zh = "该处理决定不适用于此类后果"
    title_en = "This decision does not apply to a consequence of this kind"


class RevisionConflict(Conflict):
    code = "revision_conflict"
    title_zh = "同一修订号的内容不一致"
    title_en = "Another content under the same revision"


class DisbursementOverApproved(Conflict):
    code = "disbursement_over_approved"
    title_zh = "拨款计划超出批准金额"
    title_en = "The disbursement plan exceeds the approved amount"


class NoticeNotConcluded(Conflict):
    code = "notice_not_concluded"
    title_zh = "立项公示尚未结束"
    title_en = "The application's public notice is not concluded"


class ApplicationNotApproved(Conflict):
    code = "application_not_approved"
    title_zh = "申报书未获批准"
    title_en = "The application is not approved"


class ContractNotEditable(Conflict):
    code = "contract_not_editable"
    title_zh = "任务书已签订，不能修改"
    title_en = "A signed contract cannot be edited"


class TrancheAlreadyPaid(Conflict):
    code = "tranche_already_paid"
    title_zh = "该笔拨款已支付"
    title_en = "This tranche is already paid"


class TrancheNotPayable(Conflict):
    code = "tranche_not_payable"
    title_zh = "该笔拨款当前不能支付"
    title_en = "This tranche cannot be paid now"


class _RuleRefused(AppError):
    """Input that breaks a PRJ-3 rule: a 422 with the fields at fault, like a validation problem."""

    status = 422

    def __init__(self, detail_zh: str, detail_en: str, errors: Sequence[Mapping[str, Any]]) -> None:
        super().__init__(detail_zh, detail_en, extra={"clause": "PRJ-3", "errors": [dict(e) for e in errors]})


class IndicatorBelowTarget(_RuleRefused):
    code = "indicator_below_target"
    title_zh = "承诺指标未达到榜单要求"
    title_en = "A promised indicator does not meet the list's target"


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


class BudgetExceeded(Conflict):
    code = "budget_exceeded"
    title_zh = "超出计划预算"
    title_en = "The programme's budget would be exceeded"


class ApplicationNotReviewed(Conflict):
    code = "application_not_reviewed"
    title_zh = "申报书不处于评审完成状态"
    title_en = "An application is not in the reviewed state"


class AlreadyProposed(Conflict):
    code = "already_proposed"
    title_zh = "申报书已在另一份待批清单中"
    title_en = "An application is already on another list awaiting approval"
