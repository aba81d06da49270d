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


class InvalidFacts(InvalidValue, ValueError):
    """A fact the rules cannot read (an unknown education code, months over 12 ...); ``field`` names it."""

    code = "invalid_assessment_facts"
    title_zh = "评估所依据的事实无效"
    title_en = "A fact of the assessment is not valid"

    def __init__(self, field: str, detail_zh: str, detail_en: str) -> None:
        self.field = field
        super().__init__(detail_zh, detail_en, extra={"field": field})


class InvalidYearParameters(InvalidValue, ValueError):
    """A year's figures that cannot be used (unknown key, negative wage, B threshold above A ...)."""

    code = "invalid_year_parameters"
    title_zh = "年度参数无效"
    title_en = "The year's parameters are not valid"


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
    clause = "WP-5"


class BasicConditionsNotMet(Refusal):
    """WP-3: the basic conditions of class B fail (and no official waived the age limit)."""

    code = "basic_conditions_not_met"
    title_zh = "不符合B类基本条件"
    title_en = "The basic conditions of class B are not met"
    clause = "WP-3"


class CPostNotListed(Refusal):
    """WP-2: class C only for the posts the state lists (temporary, seasonal, ≤ 90 days, quota programmes)."""

    code = "c_post_not_listed"
    title_zh = "C类人员仅限国家规定的岗位"
    title_en = "Class C is only for the posts the state lists"
    clause = "WP-2"


class CQuotaExhausted(Refusal):
    """WP-2: the year's C quota is used up."""

    code = "c_quota_exhausted"
    title_zh = "本年度C类配额已用完"
    title_en = "The year's class C quota is used up"
    clause = "WP-2"


class DocumentsIncomplete(Refusal):
    """WP-7: a required document is missing or invalid (the A-class green channel may defer them)."""

    code = "documents_incomplete"
    title_zh = "申请材料不齐全或不符合要求"
    title_en = "Documents are missing or not valid"
    clause = "WP-7"


class ExtensionNotAllowed(Refusal):
    """WP-4: only the 20-working-day time limit of work over 90 days may be extended (once)."""

    code = "extension_not_allowed"
    title_zh = "90日以下的工作许可不能延长审查期限"
    title_en = "The deadline of a permit for 90 days or less cannot be extended"
    clause = "WP-4"


class InvalidPause(InvalidValue, ValueError):
    """WP-4: a pause for documents that ends before it starts."""

    code = "invalid_pause"
    title_zh = "补正期间无效"
    title_en = "The pause for documents is not valid"


class FundingRefusal(Conflict):
    """A call's rule that says no (409): the body is well formed, the call's figures refuse it."""


class RequestExceedsCap(FundingRefusal):
    code = "request_exceeds_cap"
    title_zh = "申请金额超过单项资助上限"
    title_en = "The amount requested exceeds the call's cap per application"


class GrantExceedsRequest(FundingRefusal):
    code = "grant_exceeds_request"
    title_zh = "批准金额超过申请金额"
    title_en = "The amount granted exceeds the amount requested"


class BudgetExhausted(FundingRefusal):
    code = "call_budget_exhausted"
    title_zh = "年度预算余额不足"
    title_en = "Not enough of the call's budget is left"


class ParticipantQuotaExhausted(FundingRefusal):
    code = "participant_quota_exhausted"
    title_zh = "年度培训名额不足"
    title_en = "Not enough of the plan's participant places are left"


class TripTooLong(FundingRefusal):
    code = "training_too_long"
    title_zh = "培训天数超过计划规定"
    title_en = "The training stay is longer than the plan allows"


class SpentExceedsGrant(InvalidValue):
    code = "spent_exceeds_grant"
    title_zh = "报告的经费支出超过资助金额"
    title_en = "The report spends more of the grant than was granted"


class InvalidPeriod(InvalidValue):
    code = "invalid_period"
    title_zh = "起止日期无效"
    title_en = "The period is not valid"


class NotUnderReview(Conflict):
    code = "not_under_review"
    title_zh = "申请不在评审阶段"
    title_en = "The application is not under review"


class ReviewsMissing(Conflict):
    code = "reviews_missing"
    title_zh = "尚无专家评审意见"
    title_en = "No review opinion is recorded yet"


class PassportOfAnotherPerson(Conflict):
    code = "passport_of_another_person"
    title_zh = "该护照已登记在另一外国人名下"
    title_en = "The passport is recorded for another person"


class ChangePending(Conflict):
    code = "permit_change_pending"
    title_zh = "该许可已有待审批的变更申请"
    title_en = "The permit already has a change awaiting decision"


class PermitNotValid(Conflict):
    code = "permit_not_valid"
    title_zh = "许可已失效，不能办理延期或变更"
    title_en = "The permit is no longer valid; it cannot be extended or changed"


class PermitNotFound(NotFound):
    code = "permit_not_found"


class EmployerSuspended(Conflict):
    code = "employer_suspended"
    title_zh = "用人单位已被暂停"
    title_en = "The employer is suspended"


class LicenceExpired(Conflict):
    code = "employer_licence_expired"
    title_zh = "用人单位营业执照已过期"
    title_en = "The employer's business licence has expired"


class BelowApproved(Conflict):
    code = "below_approved"
    title_zh = "不能低于已批准的数额"
    title_en = "Cannot go below what approvals have already taken"


class AlreadyExtended(Conflict):
    code = "already_extended"
    title_zh = "审查期限只能延长一次"
    title_en = "The decision deadline can be extended only once"


class AgeWaiverNotNeeded(Conflict):
    code = "age_waiver_not_needed"
    title_zh = "申请人未超过年龄条件，无需豁免"
    title_en = "The foreigner is within the age condition; nothing to waive"
