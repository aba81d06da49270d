"""The problems of the foundation service, each with a stable code (every code is defined once in the
platform: the ones more than one service raises are in ``shared.errors``)."""

from __future__ import annotations

from shared.errors import AppError, Conflict


class PlanNotOpen(Conflict):
    code = "plan_not_open"
    title_zh = "本年度基金尚未开始受理申请"
    title_en = "The plan does not take applications yet"


class PlanClosed(Conflict):
    code = "plan_closed"
    title_zh = "本年度基金申请已截止"
    title_en = "The plan's application window has closed"


class DisciplineNotInPlan(AppError):
    status = 422
    code = "discipline_not_in_plan"
    title_zh = "申请代码不在本年度资助范围内"
    title_en = "The discipline code is not one the plan funds"


class OverAgeLimit(AppError):
    status = 422
    code = "over_age_limit"
    title_zh = "申请人年龄超过本类别的限制"
    title_en = "The applicant is over the category's age limit"


class BudgetOverAmount(AppError):
    status = 422
    code = "budget_over_amount"
    title_zh = "申请经费超过本类别的资助额度"
    title_en = "The requested funds exceed the category's amount"


class DurationOutOfRange(AppError):
    status = 422
    code = "duration_out_of_range"
    title_zh = "研究期限不在允许范围内"
    title_en = "The duration is out of the allowed range"


class PlanNotPublished(Conflict):
    code = "plan_not_published"
    title_zh = "资助计划尚未发布"
    title_en = "The funding plan is not published"


class NothingToRank(Conflict):
    code = "nothing_to_rank"
    title_zh = "该类别没有待排序的申请"
    title_en = "No application of the category awaits ranking"


class RankingLacksReviews(Conflict):
    code = "ranking_lacking_reviews"
    title_zh = "有申请的有效评审不足，不能排序"
    title_en = "Some applications lack valid reviews and cannot be ranked"


class RankingFrozen(Conflict):
    code = "ranking_frozen"
    title_zh = "该类别已开始审批，排序不能再改变"
    title_en = "Approval of the category has begun; the ranking can no longer change"


class PlanNotEditable(Conflict):
    code = "plan_not_editable"
    title_zh = "资助计划已发布，不能修改"
    title_en = "Only a draft plan can be edited"


class NothingToPublish(Conflict):
    code = "nothing_to_publish"
    title_zh = "没有待公示的已批准申请书"
    title_en = "No approved application awaits a notice"


class DisbursementExceedsGrant(Conflict):
    code = "disbursement_exceeds_grant"
    title_zh = "拨款合计超出批准金额"
    title_en = "Disbursements would exceed the grant"


class NotDisbursable(Conflict):
    code = "not_disbursable"
    title_zh = "项目当前状态下不能拨款"
    title_en = "The project cannot be paid in its current state"


class ProjectNotRunning(Conflict):
    code = "project_not_running"
    title_zh = "项目不在执行期"
    title_en = "The project is not running"


class AnnualReportExists(Conflict):
    code = "annual_report_exists"
    title_zh = "该年度的进展报告已提交"
    title_en = "The annual report of that year exists"


class FinalReportNotEditable(Conflict):
    code = "final_report_not_editable"
    title_zh = "结题报告当前不可修改"
    title_en = "The final report cannot be changed now"


class FinalReportMissing(Conflict):
    code = "final_report_missing"
    title_zh = "尚未填写结题报告"
    title_en = "There is no final report yet"


class CategoryBudgetExceeded(Conflict):
    code = "category_budget_exceeded"
    title_zh = "超出资助类别预算"
    title_en = "The category's budget would be exceeded"


class CategoryCountExceeded(Conflict):
    code = "category_count_exceeded"
    title_zh = "超出资助类别项目数"
    title_en = "The category's number of projects would be exceeded"


class NothingToApprove(Conflict):
    code = "nothing_to_approve"
    title_zh = "没有可批准的申请书"
    title_en = "Nothing to approve"
