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
    advice_zh = "申报已截止，请等待下一期指南；发布草稿指南前须先把截止时间改到将来。"
    advice_en = "Wait for the next call; to publish a draft call, first move its closing time into the future."


class BudgetOverCap(AppError):
    status = 422
    code = "budget_over_cap"
    title_zh = "预算或执行期超过上限"
    title_en = "Budget or duration over the cap"
    advice_zh = "将申请经费和执行期降至答复所列的上限以内。"
    advice_en = "Bring the requested funds and the duration within the caps the answer names."


class LeaderTooOld(AppError):
    status = 422
    code = "leader_too_old"
    title_zh = "项目负责人年龄超过限制"
    title_en = "The project leader is over the age limit"
    advice_zh = "更换在 reference_date 当天未超过本指南年龄限制（max_age 周岁）的项目负责人。"
    advice_en = "Name a project leader who is at most max_age on reference_date, the call's age limit."


class CofundingTooLow(AppError):
    status = 422
    code = "cofunding_too_low"
    title_zh = "企业自筹资金不足"
    title_en = "The enterprise's self-raised funds are too low"
    advice_zh = "将企业自筹资金提高到 required 以上，或相应降低申请经费。"
    advice_en = "Raise the enterprise's self-raised funds to at least required, or lower the requested funds."


class ProgrammeClosed(Conflict):
    code = "programme_closed"
    title_zh = "计划已关闭"
    title_en = "The programme is closed"
    advice_zh = "计划已关闭；如需继续，须由厅内工作人员先重新开放计划（reopen，须说明理由）。"
    advice_en = "Have an official reopen the programme first (POST /programmes/{programme_id}/reopen, with a reason)."


class ProjectNotTerminable(Conflict):
    code = "project_not_terminable"
    title_zh = "项目当前状态不能终止"
    title_en = "The project cannot be terminated in its current state"
    advice_zh = "项目已不处于可终止的状态（见 terminable_states）；请驳回（dismiss）该终止建议。"
    advice_en = (
        "The project is no longer in a terminable state (see terminable_states); dismiss the proposed termination."
    )


class DecisionNotApplicable(Conflict):
    code = "consequence_decision_not_applicable"
    title_zh = "该处理决定不适用于此类后果"
    title_en = "This decision does not apply to a consequence of this kind"
    advice_zh = "只使用 decisions 所列、适用于该类后果的处理决定。"
    advice_en = "Use one of the decisions listed in decisions for this kind of consequence."


class RevisionConflict(Conflict):
    code = "revision_conflict"
    title_zh = "同一修订号的内容不一致"
    title_en = "Another content under the same revision"
    advice_zh = "每次变化都须使用更大的修订号（revision）后重新报送。"
    advice_en = "Report the item again with a higher revision; every change needs a new one."


class DisbursementOverApproved(Conflict):
    code = "disbursement_over_approved"
    title_zh = "拨款计划超出批准金额"
    title_en = "The disbursement plan exceeds the approved amount"
    advice_zh = "将拨款计划的合计降至批准金额（approved_amount）以内。"
    advice_en = "Keep the tranches' total within the approved amount (approved_amount)."


class NoticeNotConcluded(Conflict):
    code = "notice_not_concluded"
    title_zh = "立项公示尚未结束"
    title_en = "The application's public notice is not concluded"
    advice_zh = "待该申报书的立项公示结束（conclude）后再起草任务书。"
    advice_en = "Draft the contract once the application's public notice has been concluded."


class ApplicationNotApproved(Conflict):
    code = "application_not_approved"
    title_zh = "申报书未获批准"
    title_en = "The application is not approved"
    advice_zh = "任务书只能为已批准立项的申报书起草；请核对申报书编号及其状态。"
    advice_en = "Draft a contract only for an approved application; check the application's id and status."


class ContractNotEditable(Conflict):
    code = "contract_not_editable"
    title_zh = "任务书已签订，不能修改"
    title_en = "A signed contract cannot be edited"
    advice_zh = "任务书签订后即固定，只能在草稿阶段修改。"
    advice_en = "A contract is fixed once signed; change it only while it is a draft."


class TrancheAlreadyPaid(Conflict):
    code = "tranche_already_paid"
    title_zh = "该笔拨款已支付"
    title_en = "This tranche is already paid"
    advice_zh = "该笔拨款已支付（见 paid_on），无需再付。"
    advice_en = "Nothing to do: the tranche was paid (see paid_on); do not pay it again."


class TrancheNotPayable(Conflict):
    code = "tranche_not_payable"
    title_zh = "该笔拨款当前不能支付"
    title_en = "This tranche cannot be paid now"
    advice_zh = "待任务书已签订且该笔拨款的条件满足（项目执行中、中期通过或验收通过）后再支付。"
    advice_en = (
        "Pay once the contract is signed and the tranche's condition holds (running, mid-term passed or accepted)."
    )


class _RuleRefused(AppError):
    """Input that breaks a PRJ-3 rule: a 422 with the fields at fault, like a validation problem."""

    status = 422

    def __init__(self, detail_zh: str, detail_en: str, errors: Sequence[Mapping[str, Any]]) -> None:
        super().__init__(detail_zh, detail_en, extra={"clause": "PRJ-3", "errors": [dict(e) for e in errors]})


class IndicatorBelowTarget(_RuleRefused):
    code = "indicator_below_target"
    title_zh = "承诺指标未达到榜单要求"
    title_en = "A promised indicator does not meet the list's target"
    advice_zh = "按 errors 所列，将各项承诺值提高到榜单目标值以上。"
    advice_en = "Promise at least the list's target for each indicator listed in errors."


class InvalidPromises(_RuleRefused):
    code = "invalid_promises"
    title_zh = "承诺指标与榜单指标不对应"
    title_en = "The promised indicators do not match the list's indicators"
    advice_zh = "为榜单的每项指标各承诺一个值，不重复、不遗漏（见 errors）。"
    advice_en = "Promise one value for each indicator of the list, none twice or left out (see errors)."


class InvalidMilestones(_RuleRefused):
    code = "invalid_milestones"
    title_zh = "里程碑设置有误"
    title_en = "The milestones are not valid"
    advice_zh = "里程碑须按时间先后排列、不早于今天，且只含榜单指标（见 errors）。"
    advice_en = "Date the milestones in order and not in the past, with the list's indicators only (see errors)."


class InvalidPledgeTerms(_RuleRefused):
    code = "invalid_pledge_terms"
    title_zh = "军令状条款与揭榜方案不符"
    title_en = "The pledge's terms do not match the winning bid"
    advice_zh = "资助额不超过揭榜申请额和榜单上限，末个里程碑须达到各项承诺值（见 errors）。"
    advice_en = "Fund within the bid's request and the list's cap, and hold the last milestone to every promised value."


class InvalidAssessment(_RuleRefused):
    code = "invalid_assessment"
    title_zh = "考核结论与考核数据不一致"
    title_en = "The assessment's outcome and figures disagree"
    advice_zh = "使考核结论与所填指标值一致：只填本里程碑的指标，未达目标的不能评为通过（见 errors）。"
    advice_en = (
        "Make the outcome fit the achieved values: only the milestone's indicators, and no pass with a target missed."
    )


class BiddingClosed(Conflict):
    code = "bidding_closed"
    title_zh = "揭榜已截止或榜单未发布"
    title_en = "Bidding is closed or the list is not published"
    advice_zh = "揭榜只在榜单发布后、截止时间（bid_deadline）前受理和撤回；请关注其他榜单。"
    advice_en = "Bids are made and withdrawn only between publication and bid_deadline; look for another list."


class BiddingStillOpen(Conflict):
    code = "bidding_still_open"
    title_zh = "揭榜尚未截止"
    title_en = "Bidding is still open"
    advice_zh = "待揭榜截止时间（bid_deadline）过后再结束揭榜。"
    advice_en = "Close bidding only after bid_deadline has passed."


class BidWindowTooShort(Conflict):
    code = "bid_window_too_short"
    title_zh = "揭榜期限过短"
    title_en = "The bid window is too short"
    advice_zh = "将草稿榜单的揭榜截止时间改为不早于 earliest_deadline 后再发布。"
    advice_en = "Move the draft list's bid_deadline to earliest_deadline or later, then publish it."


class BidExists(Duplicate):
    code = "bid_exists"
    title_zh = "该单位已揭榜"
    title_en = "This organisation has already bid on the list"
    advice_zh = "每个单位对同一榜单只能揭榜一次（含已撤回的）；请查看本单位已有的揭榜。"
    advice_en = "An organisation bids once per list, a withdrawn bid included; see your organisation's existing bid."


class OrganisationMismatch(Forbidden):
    code = "organisation_mismatch"
    title_zh = "揭榜单位与当前账号所属单位不一致"
    title_en = "The bidding organisation is not the caller's organisation"
    advice_zh = "以本账号所属单位的统一社会信用代码（organisation_uscc）揭榜。"
    advice_en = "Bid with your own organisation's credit code as organisation_uscc."


class MilestoneOutOfOrder(Conflict):
    code = "milestone_out_of_order"
    title_zh = "里程碑须按顺序考核"
    title_en = "Milestones are assessed in order"
    advice_zh = "按顺序考核：先考核 next_milestone 所示的里程碑；其为空时已无可考核的里程碑。"
    advice_en = "Assess the milestone given in next_milestone first; when it is null, no milestone is left to assess."


class PledgeExists(Duplicate):
    code = "pledge_exists"
    title_zh = "该揭榜方已有军令状"
    title_en = "The winning bid already has a pledge"
    advice_zh = "每个中选揭榜方只有一份军令状；请在已有的军令状上办理（GET /pledges）。"
    advice_en = "A winning bid has one pledge only; work on the existing one (GET /pledges)."


class BudgetExceeded(Conflict):
    code = "budget_exceeded"
    title_zh = "超出计划预算"
    title_en = "The programme's budget would be exceeded"
    advice_zh = "清单超出计划剩余预算；请退回清单，由项目管理机构按剩余预算重新提出。"
    advice_en = (
        "Return the list, for the agency to propose one within the budget left (GET /programmes/{programme_id}/budget)."
    )


class ApplicationNotReviewed(Conflict):
    code = "application_not_reviewed"
    title_zh = "申报书不处于评审完成状态"
    title_en = "An application is not in the reviewed state"
    advice_zh = "只有评审完成（reviewed）的申报书可列入清单；去掉 application_ids 所列的申报书（审批时则退回清单）。"
    advice_en = "List only reviewed applications: leave out those in application_ids (at approval, return the list)."


class AlreadyProposed(Conflict):
    code = "already_proposed"
    title_zh = "申报书已在另一份待批清单中"
    title_en = "An application is already on another list awaiting approval"
    advice_zh = "去掉 application_ids 所列的申报书，或先撤回含有它们的待批清单。"
    advice_en = "Leave out the applications in application_ids, or withdraw the pending list that holds them first."
