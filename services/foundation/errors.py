"""The problems of the foundation service, each with a stable code (every code is defined once in the
platform: the ones more than one service raises are in ``shared.errors``)."""

from __future__ import annotations

from shared.errors import AppError, Conflict


class PlanNotOpen(Conflict):
    code = "plan_not_open"
    title_zh = "本年度基金尚未开始受理申请"
    title_en = "The plan does not take applications yet"
    advice_zh = "待答复所示的受理开始时间（opens_at）到来后再提交。"
    advice_en = "Submit once the plan takes applications (opens_at in the answer)."


class PlanClosed(Conflict):
    code = "plan_closed"
    title_zh = "本年度基金申请已截止"
    title_en = "The plan's application window has closed"
    advice_zh = "本年度申请已截止，请等待下一年度计划；发布草稿计划前须先把截止时间改到将来。"
    advice_en = "Wait for next year's plan; to publish a draft plan, first move its closing time into the future."


class DisciplineNotInPlan(AppError):
    status = 422
    code = "discipline_not_in_plan"
    title_zh = "申请代码不在本年度资助范围内"
    title_en = "The discipline code is not one the plan funds"
    advice_zh = "选用本年度资助范围（plan_codes）内的申请代码。"
    advice_en = "Choose a discipline code under one of the plan's codes (plan_codes)."


class OverAgeLimit(AppError):
    status = 422
    code = "over_age_limit"
    title_zh = "申请人年龄超过本类别的限制"
    title_en = "The applicant is over the category's age limit"
    advice_zh = "本类别要求申请人当年1月1日未满 max_age 周岁；请改报没有此年龄限制的类别。"
    advice_en = "This category takes applicants under max_age on 1 January; apply to a category without that limit."


class BudgetOverAmount(AppError):
    status = 422
    code = "budget_over_amount"
    title_zh = "申请经费超过本类别的资助额度"
    title_en = "The requested funds exceed the category's amount"
    advice_zh = "将申请经费降至本类别的资助额度（amount）以内。"
    advice_en = "Lower the requested funds to at most the category's amount."


class DurationOutOfRange(AppError):
    status = 422
    code = "duration_out_of_range"
    title_zh = "研究期限不在允许范围内"
    title_en = "The duration is out of the allowed range"
    advice_zh = "将研究期限定在答复所示的 min 至 max 个月之间。"
    advice_en = "Set the duration between min and max months, as the answer gives them."


class PlanNotPublished(Conflict):
    code = "plan_not_published"
    title_zh = "资助计划尚未发布"
    title_en = "The funding plan is not published"
    advice_zh = "先发布资助计划（POST /plans/{plan_id}/publish），再设立评审轮次。"
    advice_en = "Publish the plan (POST /plans/{plan_id}/publish) before setting up review rounds."


class NothingToRank(Conflict):
    code = "nothing_to_rank"
    title_zh = "该类别没有待排序的申请"
    title_en = "No application of the category awaits ranking"
    advice_zh = "该类别尚无完成评审的申请；先结束其评审轮次（close），再排序。"
    advice_en = "No application of the category is reviewed yet; close its review round first, then rank."


class RankingLacksReviews(Conflict):
    code = "ranking_lacking_reviews"
    title_zh = "有申请的有效评审不足，不能排序"
    title_en = "Some applications lack valid reviews and cannot be ranked"
    advice_zh = "未作排序：applications 所列申请的有效评审数少于所需，须补足后才能排序。"
    advice_en = (
        "Nothing was ranked: the applications listed have fewer valid reviews than needed and must get them first."
    )


class RankingFrozen(Conflict):
    code = "ranking_frozen"
    title_zh = "该类别已开始审批，排序不能再改变"
    title_en = "Approval of the category has begun; the ranking can no longer change"
    advice_zh = "该类别已开始审批，排序保持不变；请按现有排序继续审批。"
    advice_en = "Approval has begun, so the ranking stays as it is; go on approving from the existing ranking."


class PlanNotEditable(Conflict):
    code = "plan_not_editable"
    title_zh = "资助计划已发布，不能修改"
    title_en = "Only a draft plan can be edited"
    advice_zh = "资助计划发布后即固定，只能在草稿阶段修改。"
    advice_en = "A plan is fixed once published; change it only while it is a draft."


class NothingToPublish(Conflict):
    code = "nothing_to_publish"
    title_zh = "没有待公示的已批准申请书"
    title_en = "No approved application awaits a notice"
    advice_zh = "该类别没有尚未公示的已批准申请书；先完成审批，或查看已开出的公示。"
    advice_en = (
        "No approved application of the category awaits a notice; approve some first, or see the notices already open."
    )


class DisbursementExceedsGrant(Conflict):
    code = "disbursement_exceeds_grant"
    title_zh = "拨款合计超出批准金额"
    title_en = "Disbursements would exceed the grant"
    advice_zh = "本次拨款不超过尚可拨付的金额（remaining）。"
    advice_en = "Pay at most the amount of the grant that remains (remaining)."


class NotDisbursable(Conflict):
    code = "not_disbursable"
    title_zh = "项目当前状态下不能拨款"
    title_en = "The project cannot be paid in its current state"
    advice_zh = "项目进入资助（funded）后才能拨款（见 disbursable_states）。"
    advice_en = "Pay the grant only once the project is funded (see disbursable_states)."


class ProjectNotRunning(Conflict):
    code = "project_not_running"
    title_zh = "项目不在执行期"
    title_en = "The project is not running"
    advice_zh = "进展报告只在项目执行期（funded）内提交；请核对项目状态。"
    advice_en = "Annual reports are written only while the project is funded; check its status."


class AnnualReportExists(Conflict):
    code = "annual_report_exists"
    title_zh = "该年度的进展报告已提交"
    title_en = "The annual report of that year exists"
    advice_zh = "每年只提交一份进展报告；被退回的请修改后重新提交（resubmit）。"
    advice_en = "There is one report per year; if it was returned, correct it and resubmit it (resubmit)."


class FinalReportNotEditable(Conflict):
    code = "final_report_not_editable"
    title_zh = "结题报告当前不可修改"
    title_en = "The final report cannot be changed now"
    advice_zh = "结题报告只在项目执行期内填写；已提交的须待退回后再修改。"
    advice_en = "The final report is written while the project is funded; once submitted, wait for it to be returned."


class FinalReportMissing(Conflict):
    code = "final_report_missing"
    title_zh = "尚未填写结题报告"
    title_en = "There is no final report yet"
    advice_zh = "先填写结题报告（PUT /applications/{application_id}/final-report），再提交。"
    advice_en = "Write the final report first (PUT /applications/{application_id}/final-report), then submit it."


class CategoryBudgetExceeded(Conflict):
    code = "category_budget_exceeded"
    title_zh = "超出资助类别预算"
    title_en = "The category's budget would be exceeded"
    advice_zh = "减少批准项数或金额，使合计不超过该类别的预算余额（remaining）。"
    advice_en = "Approve fewer projects or smaller amounts, within the category's remaining budget (remaining)."


class CategoryCountExceeded(Conflict):
    code = "category_count_exceeded"
    title_zh = "超出资助类别项目数"
    title_en = "The category's number of projects would be exceeded"
    advice_zh = "批准项数不超过该类别剩余的项目数（project_count 减 approved_count）。"
    advice_en = "Approve no more projects than the category has left (project_count less approved_count)."


class NothingToApprove(Conflict):
    code = "nothing_to_approve"
    title_zh = "没有可批准的申请书"
    title_en = "Nothing to approve"
    advice_zh = "该类别没有待批准的已排序申请书；先排序（ranking），或核对是否已全部审批。"
    advice_en = "No ranked application of the category awaits approval; rank it first, or check that all are decided."
