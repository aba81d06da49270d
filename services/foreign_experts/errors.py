"""The problems of the foreign_experts service, each with a stable code (every code is defined once in the
platform: the ones more than one service raises are in ``shared.errors``). The pure rules raise theirs
from here too, each naming its clause in ``extra``.

``InvalidFacts``, ``InvalidYearParameters`` and ``InvalidPause`` are also ``ValueError``: they are raised
when the rules are handed input they cannot apply (a bad code, a negative figure), which pure callers may
treat as such.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.errors import Conflict, InvalidValue, NotFound


class TripStarted(Conflict):
    code = "trip_started"
    title_zh = "培训团组已出发，不能取消"
    title_en = "The group has left already; the trip cannot be called off"
    advice_zh = "团组出发后不能取消；请在回国后提交培训报告（submit-report）。"
    advice_en = (
        "A trip cannot be called off once the group has left; submit its report after the return (submit-report)."
    )


class InvalidFacts(InvalidValue, ValueError):
    """A fact the rules cannot read (an unknown education code, months over 12 ...); ``field`` names it."""

    code = "invalid_assessment_facts"
    title_zh = "评估所依据的事实无效"
    title_en = "A fact of the assessment is not valid"
    advice_zh = "按 detail 改正 field 所指的事实（代码取自代码表，数值在允许范围内）后重发。"
    advice_en = "Correct the fact named in field as the detail says (codes from their tables, figures within range)."

    def __init__(self, field: str, detail_zh: str, detail_en: str) -> None:
        self.field = field
        super().__init__(detail_zh, detail_en, extra={"field": field})


class InvalidYearParameters(InvalidValue, ValueError):
    """A year's figures that cannot be used (unknown key, negative wage, B threshold above A ...)."""

    code = "invalid_year_parameters"
    title_zh = "年度参数无效"
    title_en = "The year's parameters are not valid"
    advice_zh = "按 detail 改正年度参数（不能有未知项、负数或相互矛盾的数值）后重新提交。"
    advice_en = "Correct the year's figures as the detail says (no unknown keys, negative or contradictory values)."


class Refusal(Conflict):
    """A rule that refuses the application (409: the facts are well formed, the policy says no)."""

    clause: str = ""

    def __init__(self, detail_zh: str, detail_en: str, *, extra: Mapping[str, Any] | None = None) -> None:
        super().__init__(detail_zh, detail_en, extra={"clause": self.clause, **(extra or {})})


class PassportExpiresTooSoon(Refusal):
    """WP-5: under 6 months (configurable) of passport validity left on the day of application."""

    code = "passport_expires_too_soon"
    title_zh = "护照有效期不足6个月"
    title_en = "The passport has less than 6 months left"
    advice_zh = "请先换发护照，再以新护照的号码和有效期（至少至 needed_until）办理。"
    advice_en = "Renew the passport first and give the new passport's number and expiry (at least needed_until)."
    clause = "WP-5"


class BasicConditionsNotMet(Refusal):
    """WP-3: the basic conditions of class B fail (and no official waived the age limit)."""

    code = "basic_conditions_not_met"
    title_zh = "不符合B类基本条件"
    title_en = "The basic conditions of class B are not met"
    advice_zh = "见 detail 所列未满足的条件；仅年龄超限的可由审批人员记录理由后豁免（waive-age-limit），否则不予许可。"
    advice_en = (
        "See the failed conditions in the detail; only the age limit may be waived (waive-age-limit), else refuse."
    )
    clause = "WP-3"


class CPostNotListed(Refusal):
    """WP-2: class C only for the posts the state lists (temporary, seasonal, ≤ 90 days, quota programmes)."""

    code = "c_post_not_listed"
    title_zh = "C类人员仅限国家规定的岗位"
    title_en = "Class C is only for the posts the state lists"
    advice_zh = "C类仅限临时性、季节性、90日以下或配额管理的岗位；其他岗位的申请不能批准，应不予许可。"
    advice_en = (
        "Class C is only for temporary, seasonal, 90-day or quota posts; refuse an application for any other post."
    )
    clause = "WP-2"


class CQuotaExhausted(Refusal):
    """WP-2: the year's C quota is used up."""

    code = "c_quota_exhausted"
    title_zh = "本年度C类配额已用完"
    title_en = "The year's class C quota is used up"
    advice_zh = "本年度C类配额已用完；请待下一年度，或由主管部门调增本年度参数中的 c_quota。"
    advice_en = (
        "The year's class C quota is used up; wait for next year, or have an official raise c_quota for the year."
    )
    clause = "WP-2"


class DocumentsIncomplete(Refusal):
    """WP-7: a required document is missing or invalid (the A-class green channel may defer them)."""

    code = "documents_incomplete"
    title_zh = "申请材料不齐全或不符合要求"
    title_en = "Documents are missing or not valid"
    advice_zh = "补齐或更换 documents 所列材料后重试；已受理的申请由审批人员发起补正（request-documents）。"
    advice_en = "Supply the documents listed and retry; once accepted, an official requests them (request-documents)."
    clause = "WP-7"


class ExtensionNotAllowed(Refusal):
    """WP-4: only the 20-working-day time limit of work over 90 days may be extended (once)."""

    code = "extension_not_allowed"
    title_zh = "90日以下的工作许可不能延长审查期限"
    title_en = "The deadline of a permit for 90 days or less cannot be extended"
    advice_zh = "90日以下的工作须在5个工作日内决定；缺材料的请发起补正（request-documents），补正期间暂停计时。"
    advice_en = "Decide work of 90 days or less within 5 working days; requesting documents stops the clock meanwhile."
    clause = "WP-4"


class InvalidPause(InvalidValue, ValueError):
    """WP-4: a pause for documents that ends before it starts."""

    code = "invalid_pause"
    title_zh = "补正期间无效"
    title_en = "The pause for documents is not valid"
    advice_zh = "补正记录的结束日期早于开始日期，属数据错误；请提供 X-Request-ID 联系运维。"
    advice_en = "A stored pause ends before it starts, which is a data error; report the X-Request-ID to operations."


class FundingRefusal(Conflict):
    """A call's rule that says no (409): the body is well formed, the call's figures refuse it."""


class RequestExceedsCap(FundingRefusal):
    code = "request_exceeds_cap"
    title_zh = "申请金额超过单项资助上限"
    title_en = "The amount requested exceeds the call's cap per application"
    advice_zh = "将金额降至计划的单项资助上限（max_amount）以内。"
    advice_en = "Keep the amount within the call's cap per application (max_amount)."


class GrantExceedsRequest(FundingRefusal):
    code = "grant_exceeds_request"
    title_zh = "批准金额超过申请金额"
    title_en = "The amount granted exceeds the amount requested"
    advice_zh = "批准金额不能超过申请金额；请按申请额或更低的金额批准。"
    advice_en = "Grant no more than the amount requested."


class BudgetExhausted(FundingRefusal):
    code = "call_budget_exhausted"
    title_zh = "年度预算余额不足"
    title_en = "Not enough of the call's budget is left"
    advice_zh = "批准金额不超过预算余额（remaining_budget），或在计划关闭前先调增其预算。"
    advice_en = (
        "Grant at most remaining_budget, or raise the call's budget first (it can change until the call closes)."
    )


class ParticipantQuotaExhausted(FundingRefusal):
    code = "participant_quota_exhausted"
    title_zh = "年度培训名额不足"
    title_en = "Not enough of the plan's participant places are left"
    advice_zh = "将人数减至剩余名额（remaining_places）以内，或请主管部门调增计划名额（participant_quota）。"
    advice_en = "Send no more people than remaining_places, or have an official raise the plan's participant_quota."


class TripTooLong(FundingRefusal):
    code = "training_too_long"
    title_zh = "培训天数超过计划规定"
    title_en = "The training stay is longer than the plan allows"
    advice_zh = "将培训天数（出发和返回当天均计入）缩短至 max_duration_days 以内。"
    advice_en = "Shorten the stay, departure and return days included, to at most max_duration_days."


class SpentExceedsGrant(InvalidValue):
    code = "spent_exceeds_grant"
    title_zh = "报告的经费支出超过资助金额"
    title_en = "The report spends more of the grant than was granted"
    advice_zh = "报告的支出不能超过资助金额；请核对后按实际支出重新填报。"
    advice_en = "Report no more spending than the grant; check the figures and send them again."


class InvalidPeriod(InvalidValue):
    code = "invalid_period"
    title_zh = "起止日期无效"
    title_en = "The period is not valid"
    advice_zh = "结束日期不能早于开始日期；请改正起止日期。"
    advice_en = "Give an end date on or after the start date."


class NotUnderReview(Conflict):
    code = "not_under_review"
    title_zh = "申请不在评审阶段"
    title_en = "The application is not under review"
    advice_zh = "评审意见只在评审阶段录入；请先受理申请（accept），已作出决定的不再录入。"
    advice_en = "Reviews are recorded only while the application is under review; accept it first (accept)."


class ReviewsMissing(Conflict):
    code = "reviews_missing"
    title_zh = "尚无专家评审意见"
    title_en = "No review opinion is recorded yet"
    advice_zh = "批准前须录入至少一份专家评审意见（POST /programme-applications/{application_id}/reviews）。"
    advice_en = "Record at least one reviewer's opinion (POST /programme-applications/{application_id}/reviews) first."


class PassportOfAnotherPerson(Conflict):
    code = "passport_of_another_person"
    title_zh = "该护照已登记在另一外国人名下"
    title_en = "The passport is recorded for another person"
    advice_zh = "核对护照号码、国籍和出生日期；同一护照只能登记在一名外国人名下。"
    advice_en = "Check the passport number, nationality and birth date; a passport belongs to one person only."


class ChangePending(Conflict):
    code = "permit_change_pending"
    title_zh = "该许可已有待审批的变更申请"
    title_en = "The permit already has a change awaiting decision"
    advice_zh = "等待待审批的变更（change_id）作出决定，或先撤回它（POST /permit-changes/{change_id}/withdraw）。"
    advice_en = (
        "Wait for the change in change_id to be decided, or withdraw it (POST /permit-changes/{change_id}/withdraw)."
    )


class PermitNotValid(Conflict):
    code = "permit_not_valid"
    title_zh = "许可已失效，不能办理延期或变更"
    title_en = "The permit is no longer valid; it cannot be extended or changed"
    advice_zh = "只能对有效的许可办理；已被取代的请使用新许可，已注销的请以原许可证号另行申请工作许可。"
    advice_en = (
        "Act on the valid permit: use the newer one, or after a cancellation apply anew with previous_permit_number."
    )


class PermitNotFound(NotFound):
    code = "permit_not_found"


class EmployerSuspended(Conflict):
    code = "employer_suspended"
    title_zh = "用人单位已被暂停"
    title_en = "The employer is suspended"
    advice_zh = "用人单位暂停期间不能办理；待主管部门恢复（reinstate）后再提交。"
    advice_en = "Nothing can be filed while the employer is suspended; submit again once an official reinstates it."


class LicenceExpired(Conflict):
    code = "employer_licence_expired"
    title_zh = "用人单位营业执照已过期"
    title_en = "The employer's business licence has expired"
    advice_zh = "先更新用人单位的营业执照有效期（PATCH /employers/{employer_id}），再提交。"
    advice_en = (
        "Update the employer's licence expiry (PATCH /employers/{employer_id}) from the renewed licence, then submit."
    )


class BelowApproved(Conflict):
    code = "below_approved"
    title_zh = "不能低于已批准的数额"
    title_en = "Cannot go below what approvals have already taken"
    advice_zh = "预算和名额不能低于已批准的数额（见 detail），请按不低于该数额修改。"
    advice_en = "Keep the budget and the participant quota at or above what approvals have taken (see the detail)."


class AlreadyExtended(Conflict):
    code = "already_extended"
    title_zh = "审查期限只能延长一次"
    title_en = "The decision deadline can be extended only once"
    advice_zh = "审查期限只能延长一次；请在延长后的期限内作出决定。"
    advice_en = "The deadline was extended once already; decide within the extended deadline."


class AgeWaiverNotNeeded(Conflict):
    code = "age_waiver_not_needed"
    title_zh = "申请人未超过年龄条件，无需豁免"
    title_en = "The foreigner is within the age condition; nothing to waive"
    advice_zh = "申请人未超过年龄条件，无需豁免；按正常程序审批即可。"
    advice_en = "The foreigner is within the age limit, so no waiver is needed; decide the application as usual."
