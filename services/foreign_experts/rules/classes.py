"""WP-2 the classes A/B/C, every route that qualified, and whether a C application can be approved.

* **A** (外国高端人才) if any of: an A criterion claimed (a talent programme at vice-provincial level or
  above, an internationally recognised achievement, a market-oriented encouraged post, innovation or
  entrepreneurship talent, outstanding young talent); points ≥ ``params.a_points_threshold`` (85);
  salary ≥ ``params.a_salary_multiple`` (6) × the previous year's average wage. No age limit, no quota,
  green channel (容缺受理). Every A route that qualified is listed, claimed criteria first.
* **B** (外国专业人才) if the WP-3 basic conditions hold (an age waiver counts) and points ≥
  ``params.b_points_threshold`` (60) or salary ≥ 4 × the average wage.
* **C** otherwise: only within the year's quota and for a post the state lists. A post is listed when
  its kind is temporary, seasonal, short-term or a quota programme, or, whatever the kind, when the
  contract's dates are given and the work is of 90 days or less (``deadlines.is_long_term``).

A claimed A criterion is taken as stated: proving it is the documents' and the official's business, not
the points table's. The C quota used so far is a count the caller reads from the database
(``c_quota_used``); without it the classification cannot tell and says so in a note.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from services.foreign_experts.errors import BasicConditionsNotMet, CPostNotListed, CQuotaExhausted, Refusal
from services.foreign_experts.rules.conditions import BasicConditions, ConditionResult, basic_conditions
from services.foreign_experts.rules.deadlines import is_long_term
from services.foreign_experts.rules.facts import Facts
from services.foreign_experts.rules.labels import A_CRITERIA, C_LISTED_POSTS, PERMIT_CLASSES, ROUTES, label, text
from services.foreign_experts.rules.parameters import YearParameters
from services.foreign_experts.rules.points import FactorResult, PointsResult, assess_points
from shared.schemas import Label


@dataclass(frozen=True)
class Route:
    code: str
    label: Label
    permit_class: str


@dataclass(frozen=True)
class RefusalReason:
    """Why a classification cannot be approved: the stable code of the problem ``check_approvable`` raises."""

    code: str
    reason: Label


@dataclass(frozen=True)
class Classification:
    permit_class: str
    label: Label
    routes: tuple[Route, ...]
    approvable: bool
    refusals: tuple[RefusalReason, ...]
    notes: tuple[Label, ...]
    needs_quota: bool
    c_post_listed: bool | None = None  # None unless C
    quota_remaining: int | None = None  # C with a known count only

    @property
    def green_channel(self) -> bool:
        """A may be accepted with documents to follow (容缺受理)."""
        return self.permit_class == "A"


def _route(code: str) -> Route:
    return Route(code, label(ROUTES, code), code[0].upper())


def a_routes(facts: Facts, points: PointsResult, params: YearParameters) -> list[Route]:
    routes = [_route(f"a_{c}") for c in A_CRITERIA if c in facts.a_criteria]
    if points.total >= params.a_points_threshold:
        routes.append(_route("a_points"))
    if facts.annual_salary >= params.a_salary_threshold:
        routes.append(_route("a_salary"))
    return routes


def b_figure_routes(facts: Facts, points: PointsResult, params: YearParameters) -> list[Route]:
    """The B routes by figures alone (points or salary): B only when the basic conditions hold too."""
    routes = []
    if points.total >= params.b_points_threshold:
        routes.append(_route("b_points"))
    if facts.annual_salary >= params.b_salary_threshold:
        routes.append(_route("b_salary"))
    return routes


def c_listed_routes(facts: Facts, params: YearParameters) -> list[Route]:
    routes = []
    if facts.post_kind in C_LISTED_POSTS:
        routes.append(_route(f"c_{facts.post_kind}"))
    short = (
        facts.contract_starts_on is not None
        and facts.contract_ends_on is not None
        and not is_long_term(facts.contract_starts_on, facts.contract_ends_on, params)
    )
    if short and facts.post_kind != "short_term":
        routes.append(_route("c_short_term"))
    return routes


def _failed(conditions: Iterable[ConditionResult]) -> str:
    return "；".join(f"{c.label.zh}（{c.reason.zh}）" for c in conditions)


def _failed_en(conditions: Iterable[ConditionResult]) -> str:
    return "; ".join(f"{c.label.en} ({c.reason.en})" for c in conditions)


def classify(
    facts: Facts,
    points: PointsResult,
    conditions: BasicConditions,
    params: YearParameters,
    *,
    c_quota_used: int | None = None,
) -> Classification:
    """WP-2 from the WP-1 points and the WP-3 conditions of the same facts."""
    routes = a_routes(facts, points, params)
    if routes:
        return Classification("A", label(PERMIT_CLASSES, "A"), tuple(routes), True, (), (), needs_quota=False)
    b_routes = b_figure_routes(facts, points, params)
    if b_routes and conditions.hold:
        return Classification("B", label(PERMIT_CLASSES, "B"), tuple(b_routes), True, (), (), needs_quota=False)

    listed = c_listed_routes(facts, params)
    remaining = None if c_quota_used is None else max(params.c_quota - c_quota_used, 0)
    approvable = bool(listed) and remaining != 0
    refusals: list[RefusalReason] = []
    notes: list[Label] = []
    if b_routes and not approvable:  # B by its figures, but a basic condition fails
        refusals.append(
            RefusalReason(
                BasicConditionsNotMet.code,
                text(
                    f"计点积分或年薪达到B类标准，但不符合基本条件：{_failed(conditions.failed)}",
                    f"points or salary meet class B, but basic conditions fail: {_failed_en(conditions.failed)}",
                ),
            )
        )
    elif b_routes:
        notes.append(
            text(
                f"不符合B类基本条件：{_failed(conditions.failed)}，按C类办理",
                f"basic conditions of B fail: {_failed_en(conditions.failed)}; handled as class C",
            )
        )
    if not listed:
        refusals.append(
            RefusalReason(
                CPostNotListed.code,
                text(
                    "岗位不属于临时性、季节性、90日以下短期工作或配额管理项目",
                    "the post is not temporary, seasonal, of 90 days or less, nor a quota programme",
                ),
            )
        )
    if remaining == 0:
        refusals.append(
            RefusalReason(
                CQuotaExhausted.code,
                text(
                    f"{params.year}年度C类配额（{params.c_quota}个）已用完",
                    f"the {params.year} class C quota ({params.c_quota}) is used up",
                ),
            )
        )
    elif remaining is None:
        notes.append(
            text(
                f"C类须在{params.year}年度配额（{params.c_quota}个）内审批，审批时核对余量",
                f"class C needs the {params.year} quota ({params.c_quota}); checked at approval",
            )
        )
    listed_routes = listed or [_route("c_not_listed")]
    return Classification(
        "C",
        label(PERMIT_CLASSES, "C"),
        tuple(listed_routes),
        approvable,
        tuple(refusals),
        tuple(notes),
        needs_quota=True,
        c_post_listed=bool(listed),
        quota_remaining=remaining,
    )


_REFUSALS: dict[str, type[Refusal]] = {
    cls.code: cls for cls in (BasicConditionsNotMet, CPostNotListed, CQuotaExhausted)
}


def check_approvable(classification: Classification) -> None:
    """Raise the first refusal as its problem (``basic_conditions_not_met``, ``c_post_not_listed``,
    ``c_quota_exhausted``), every reason code listed in ``reasons``; nothing when approvable."""
    if classification.approvable:
        return
    first = classification.refusals[0]
    raise _REFUSALS[first.code](
        "；".join(r.reason.zh for r in classification.refusals),
        "; ".join(r.reason.en for r in classification.refusals),
        extra={"reasons": [r.code for r in classification.refusals], "permit_class": classification.permit_class},
    )


def check_c_quota(used: int, params: YearParameters) -> None:
    """WP-2: one more C permit fits the year's quota only while ``used`` is below it."""
    if used >= params.c_quota:
        raise CQuotaExhausted(
            f"{params.year}年度C类配额（{params.c_quota}个）已用完",
            f"the {params.year} class C quota ({params.c_quota}) is used up",
            extra={"quota": params.c_quota, "used": used},
        )


# --- the whole assessment (WP-1..WP-3), as the stateless endpoint shows it --------------------------


@dataclass(frozen=True)
class Assessment:
    """Points, conditions and class of one set of facts; its attribute names are those of the API's
    ``AssessmentRead`` (``factors``, ``total``, ``permit_class``, ``class_label``, ``routes``,
    ``basic_conditions``, ``basic_conditions_hold``, ``approvable``, ``notes``)."""

    year: int
    on: date
    points: PointsResult
    conditions: BasicConditions
    classification: Classification

    @property
    def factors(self) -> tuple[FactorResult, ...]:
        return self.points.factors

    @property
    def total(self) -> int:
        return self.points.total

    @property
    def permit_class(self) -> str:
        return self.classification.permit_class

    @property
    def class_label(self) -> Label:
        return self.classification.label

    @property
    def routes(self) -> tuple[Route, ...]:
        return self.classification.routes

    @property
    def basic_conditions(self) -> tuple[ConditionResult, ...]:
        return self.conditions.conditions

    @property
    def basic_conditions_hold(self) -> bool:
        return self.conditions.hold

    @property
    def approvable(self) -> bool:
        return self.classification.approvable

    @property
    def refusals(self) -> tuple[RefusalReason, ...]:
        return self.classification.refusals

    @property
    def notes(self) -> tuple[Label, ...]:
        return (*self.points.notes, *self.classification.notes)


def assess(
    facts: Facts, params: YearParameters, *, age_waiver_reason: str | None = None, c_quota_used: int | None = None
) -> Assessment:
    """WP-1, WP-3, WP-2 in one call: what ``POST /points-assessments`` shows and a submission stores."""
    points = assess_points(facts, params)
    conditions = basic_conditions(facts, params, age_waiver_reason=age_waiver_reason)
    classification = classify(facts, points, conditions, params, c_quota_used=c_quota_used)
    return Assessment(params.year, facts.assessed_on, points, conditions, classification)
