"""The problems the pure rules raise: ``AppError`` subclasses with stable codes, so an endpoint that lets
one through renders a problem+json in zh-CN or en (``shared.errors``). Each names its clause in ``extra``.

``InvalidFacts`` and ``InvalidYearParameters`` are also ``ValueError``: they are raised when the rules are
handed input they cannot apply (a bad code, a negative figure), which pure callers may treat as such.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.errors import Conflict, InvalidValue


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
