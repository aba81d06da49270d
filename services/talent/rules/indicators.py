"""TAL-1 the indicator system of a talent programme and the experts' weighted scores.

Talent is judged by innovation ability, quality, contribution and performance (创新能力、质量、贡献、绩效).
A programme's indicators sit under exactly these four dimensions, each dimension with at least one
indicator, and their weights are positive and sum to exactly 1 (``Decimal``, no rounding). The system is
data: a programme states its own, nothing here names an indicator.

An expert scores every indicator 0..100; the expert's score is the weighted sum (the weighted mean, the
weights summing to 1). The scores of an application's experts are combined by the platform's one review
aggregation (``shared.review.aggregate``: exact ``Fraction`` arithmetic, a score counted only when every
indicator is scored, the mean or the trimmed mean, at least ``min_valid`` experts to rank); the system
turns into a ``shared.review.form.ReviewForm`` without grades so review rounds score it the same way.

There is deliberately no rule type that counts papers, titles, degrees or awards (破"四唯"): an indicator
is scored by experts, never a threshold on a count, and eligibility never depends on such a count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from services.talent.errors import InvalidIndicatorScores, InvalidIndicatorSystem
from shared.errors import field_error
from shared.review.aggregate import Aggregate, AggregationSettings, Review, aggregate, review_value, show
from shared.review.form import FormCriterion, ReviewForm

CLAUSE = "TAL-1"
MAX_SCORE = Decimal(100)


class Dimension(StrEnum):
    INNOVATION_ABILITY = "innovation_ability"  # 创新能力
    QUALITY = "quality"  # 质量
    CONTRIBUTION = "contribution"  # 贡献
    PERFORMANCE = "performance"  # 绩效


DIMENSION_NAMES: Mapping[Dimension, tuple[str, str]] = {
    Dimension.INNOVATION_ABILITY: ("创新能力", "innovation ability"),
    Dimension.QUALITY: ("质量", "quality"),
    Dimension.CONTRIBUTION: ("贡献", "contribution"),
    Dimension.PERFORMANCE: ("绩效", "performance"),
}


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    dimension: str  # a ``Dimension`` value
    name: str  # Chinese first
    weight: Decimal
    name_en: str | None = None
    comment_required: bool = False


def indicator_system_problems(indicators: Sequence[Indicator]) -> list[dict[str, str]]:
    """TAL-1: what is wrong with a programme's indicators, as ``field_error`` entries; empty when valid."""
    errors: list[dict[str, str]] = []
    dimensions = {d.value for d in Dimension}
    seen: set[str] = set()
    total = Decimal(0)
    for i, ind in enumerate(indicators):
        at = f"indicators[{i}]"
        if not ind.code.strip():
            errors.append(field_error(f"{at}.code", "required", "指标代码不能为空", "the code is required"))
        elif ind.code in seen:
            errors.append(field_error(f"{at}.code", "duplicate", f"指标代码 {ind.code} 重复", f"{ind.code} twice"))
        seen.add(ind.code)
        if ind.dimension not in dimensions:
            errors.append(
                field_error(
                    f"{at}.dimension",
                    "unknown_dimension",
                    "维度应为创新能力、质量、贡献、绩效之一（TAL-1）",
                    f"the dimension must be one of {', '.join(sorted(dimensions))} (TAL-1)",
                )
            )
        weight = Decimal(ind.weight)
        if not weight.is_finite() or weight <= 0:
            errors.append(field_error(f"{at}.weight", "not_positive", "权重须为正数", "the weight must be positive"))
        else:
            total += weight
    present = {ind.dimension for ind in indicators}
    for dim in Dimension:
        if dim.value not in present:
            zh, en = DIMENSION_NAMES[dim]
            errors.append(
                field_error(
                    "indicators",
                    "dimension_without_indicator",
                    f"“{zh}”维度下没有指标（TAL-1）",
                    f"no indicator under {en} (TAL-1)",
                )
            )
    if indicators and total != 1:
        errors.append(
            field_error(
                "indicators",
                "weights_not_one",
                f"权重合计为 {total}，应恰为 1（TAL-1）",
                f"the weights sum to {total}, not exactly 1 (TAL-1)",
            )
        )
    return errors


@dataclass(frozen=True)
class IndicatorSystem:
    """A programme's valid indicator system (refused with ``invalid_indicator_system`` otherwise)."""

    indicators: tuple[Indicator, ...]
    form: ReviewForm = field(init=False, repr=False, compare=False)
    # the aggregation settings by scoring rules (``aggregation_settings``): built once per system
    _settings: dict[Any, AggregationSettings] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_settings", {})
        indicators = tuple(self.indicators)
        object.__setattr__(self, "indicators", indicators)
        problems = indicator_system_problems(indicators)
        if problems:
            raise InvalidIndicatorSystem(
                "评价指标体系不符合规定（TAL-1）：" + "；".join(p["message_zh"] for p in problems),
                "The indicator system breaks TAL-1: " + "; ".join(p["message_en"] for p in problems),
                problems,
                clause=CLAUSE,
            )
        criteria = tuple(
            FormCriterion(i.code, i.name, i.name_en, Decimal(i.weight), MAX_SCORE, i.comment_required)
            for i in indicators
        )
        object.__setattr__(self, "form", ReviewForm(criteria, graded=False))

    def dimension_weights(self) -> dict[Dimension, Decimal]:
        """The weight of each dimension: the sum of its indicators' weights."""
        out = {d: Decimal(0) for d in Dimension}
        for ind in self.indicators:
            out[Dimension(ind.dimension)] += Decimal(ind.weight)
        return out


def check_indicator_system(indicators: Iterable[Indicator]) -> IndicatorSystem:
    """TAL-1: the programme's indicators as a valid system, or ``invalid_indicator_system``."""
    return IndicatorSystem(tuple(indicators))


# --- scores ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoringRules:
    """How an application's experts are combined (``shared.review.aggregate``). Defaults as the review
    rounds': ``min_valid`` 3 experts with complete scores to rank, ``trim_from`` None (the plain mean; e.g.
    5 drops the highest and lowest from 5 experts on). **Configurable** per programme."""

    min_valid: int = 3
    trim_from: int | None = None


SCORING = ScoringRules()


def aggregation_settings(system: IndicatorSystem, rules: ScoringRules = SCORING) -> AggregationSettings:
    """The shared aggregation's settings for this system, for ``shared.review.aggregate.rank`` as well (built
    once per system and rules and kept on the system: scoring thousands of experts asks for them each time,
    and hashing the whole system for a cache would cost more than the lookup saves)."""
    found = system._settings.get(rules)
    if found is None:
        found = system._settings[rules] = system.form.aggregation(min_valid=rules.min_valid, trim_from=rules.trim_from)
    return found


@dataclass(frozen=True, slots=True)
class ExpertScores:
    expert_id: str
    scores: Mapping[str, Decimal]
    submitted: bool = True


def score_problems(system: IndicatorSystem, scores: Mapping[str, Decimal], *, prefix: str = "") -> list[dict[str, str]]:
    """Unknown indicators and scores out of 0..100 (the shared form's check), and indicators left unscored."""
    limits = system.form.limits
    if scores.keys() == limits.keys() and all(
        0 <= Decimal(v) <= limits[k] for k, v in scores.items()
    ):  # every indicator scored within range: the common case, decided without building problems
        return []
    problems = system.form.content_problems({k: Decimal(v) for k, v in scores.items()}, {}, None, None)
    problems += [
        field_error(path, "missing_score", "未评分（TAL-1）", "not scored (TAL-1)")
        for path in system.form.missing_to_submit(scores, {}, None, None)
        if path.startswith("scores.")
    ]
    return [{**p, "field": prefix + p["field"]} for p in problems]


def _refuse_scores(problems: list[dict[str, str]]) -> None:
    if problems:
        raise InvalidIndicatorScores(
            "专家指标评分不符合规定（TAL-1）：" + "；".join(f"{p['field']} {p['message_zh']}" for p in problems),
            "The indicator scores break TAL-1: " + "; ".join(f"{p['field']} {p['message_en']}" for p in problems),
            problems,
            clause=CLAUSE,
        )


def expert_score(system: IndicatorSystem, scores: Mapping[str, Decimal]) -> Fraction:
    """TAL-1: one expert's weighted score over every indicator (exact); ``shared.review.aggregate.show``
    (or ``shown``) rounds it to 4 places for display."""
    _refuse_scores(score_problems(system, scores))
    review = Review("expert", criteria={k: Decimal(v) for k, v in scores.items()}, submitted=True)
    return review_value(review, aggregation_settings(system))


def shown(value: Fraction | None) -> Decimal | None:
    return show(value)


def aggregate_experts(
    system: IndicatorSystem, application_id: str, experts: Sequence[ExpertScores], rules: ScoringRules = SCORING
) -> Aggregate:
    """TAL-1: the application's score over its experts (``shared.review.aggregate.aggregate``). A score
    out of range or of an unknown indicator refuses the lot; an unsubmitted or partly scored expert's is
    not counted (``ignored_reviews``)."""
    problems: list[dict[str, str]] = []
    for e in experts:
        problems += [
            p
            for p in score_problems(system, e.scores, prefix=f"experts.{e.expert_id}.")
            if p["code"] != "missing_score"
        ]
    _refuse_scores(problems)
    reviews = [
        Review(e.expert_id, criteria={k: Decimal(v) for k, v in e.scores.items()}, submitted=e.submitted)
        for e in experts
    ]
    return aggregate(application_id, reviews, aggregation_settings(system, rules))
