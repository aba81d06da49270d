"""NSF-4 review aggregation and ranking: pure functions over submitted reviews.

* A review's value is ``grade_weight`` x grade points (A/B/C/D = 4/3/2/1) + ``opinion_weight`` x
  opinion points (priority/fundable/not fundable = 4/2/0); with criteria configured (the projects
  service's review forms) it is the weighted mean of the criteria scores instead.
* A review counts only when complete: submitted, with a grade and an opinion (and every criterion
  scored, when there are criteria). A form without grades (``graded`` off: the talent programmes'
  indicator scores, TAL-1) needs criteria, and a review is complete when every criterion is scored.
* The score is the mean over valid reviews, or the trimmed mean (highest and lowest dropped) from
  ``trim_from`` (5) valid reviews on; ``min_valid`` (3) valid reviews are needed to rank, otherwise
  the application is reported as lacking reviews.
* ``rank`` orders each group (call and topic, or category) by score, then the documented tie-break:
  more priority opinions, then more valid reviews, then the earlier submission, then the id.

Arithmetic is exact (``Fraction``); scores are shown as ``Decimal`` rounded half-up to 4 places.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Context, Decimal, Inexact, InvalidOperation, localcontext
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from shared.review.model import ReviewInputError

STATUS_RANKED = "ranked"
STATUS_LACKING_REVIEWS = "lacking_reviews"


class Grade(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


class Opinion(StrEnum):
    PRIORITY = "priority"  # 优先资助
    FUNDABLE = "fundable"  # 可资助
    NOT_FUNDABLE = "not_fundable"  # 不予资助


class InvalidReviewScore(ReviewInputError):
    code = "invalid_review_score"
    title_zh = "评审评分超出范围"
    title_en = "A review score is out of range"


@dataclass(frozen=True, slots=True)
class Criterion:
    """A criterion of a review form: scored 0..``max_score``, weighing ``weight`` in the mean."""

    code: str
    weight: Decimal
    max_score: Decimal = Decimal(100)

    def __post_init__(self) -> None:
        object.__setattr__(self, "weight", Decimal(self.weight))
        object.__setattr__(self, "max_score", Decimal(self.max_score))
        if self.weight <= 0 or self.max_score <= 0:
            raise InvalidReviewScore(
                f"评审指标 {self.code} 的权重和满分须为正数",
                f"Criterion {self.code} needs a positive weight and maximum",
            )


def _frozen(mapping: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class AggregationSettings:
    """NSF-4 figures as data (defaults of docs/domain-rules.md; ``trim_from`` and ``min_valid`` configurable)."""

    grade_points: Mapping[str, int] = field(default_factory=lambda: _frozen({"A": 4, "B": 3, "C": 2, "D": 1}))
    opinion_points: Mapping[str, int] = field(
        default_factory=lambda: _frozen({"priority": 4, "fundable": 2, "not_fundable": 0})
    )
    grade_weight: Decimal = Decimal(1)
    opinion_weight: Decimal = Decimal(1)
    criteria: tuple[Criterion, ...] = ()
    trim_from: int = 5
    min_valid: int = 3
    graded: bool = True  # a review gives a grade and a funding opinion (NSF-4)
    _pair_values: Mapping[tuple[str, str], Fraction] = field(init=False, repr=False, compare=False)
    # the scored criteria as (code, weight, maximum), and the weights' sum: read once per review
    _scored: tuple[tuple[str, Decimal, Decimal], ...] = field(init=False, repr=False, compare=False)
    _weight_sum: Fraction = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "grade_points", _frozen(self.grade_points))
        object.__setattr__(self, "opinion_points", _frozen(self.opinion_points))
        object.__setattr__(self, "criteria", tuple(self.criteria))
        if set(self.grade_points) != {g.value for g in Grade} or set(self.opinion_points) != {o.value for o in Opinion}:
            raise ReviewInputError("评分表须覆盖全部等级和资助意见", "Points must cover every grade and every opinion")
        if self.min_valid < 1 or self.trim_from < 3:
            raise ReviewInputError(
                "有效评审数至少为 1，去极值至少需要 3 份评审", "min_valid must be >= 1 and trim_from >= 3"
            )
        if len({c.code for c in self.criteria}) != len(self.criteria):
            raise ReviewInputError("评审指标重复", "A criterion appears twice")
        if not self.graded and not self.criteria:
            raise ReviewInputError("不评等级的评审表须有评分指标", "A form without grades needs scored criteria")
        object.__setattr__(self, "_scored", tuple((c.code, c.weight, c.max_score) for c in self.criteria))
        object.__setattr__(self, "_weight_sum", sum((Fraction(c.weight) for c in self.criteria), Fraction(0)))
        # The value of each (grade, opinion) pair, computed once: ranking thousands of reviews then
        # costs a lookup each instead of fresh Fraction arithmetic.
        grade_weight, opinion_weight = Fraction(self.grade_weight), Fraction(self.opinion_weight)
        object.__setattr__(
            self,
            "_pair_values",
            MappingProxyType(
                {
                    (g, o): grade_weight * gp + opinion_weight * op
                    for g, gp in self.grade_points.items()
                    for o, op in self.opinion_points.items()
                }
            ),
        )

    def pair_value(self, grade: str, opinion: str) -> Fraction:
        """A review's value from its grade and opinion (no criteria): the module docstring's formula."""
        return self._pair_values[(grade, opinion)]


@dataclass(frozen=True, slots=True)
class Review:
    reviewer_id: str
    grade: Grade | None = None
    opinion: Opinion | None = None
    criteria: Mapping[str, Decimal] = field(default_factory=dict)
    submitted: bool = False


def is_complete(review: Review, settings: AggregationSettings) -> bool:
    """NSF-4: only a submitted review with a grade, an opinion (when the form has them) and every
    criterion scored counts."""
    if not review.submitted or (settings.graded and (review.grade is None or review.opinion is None)):
        return False
    return all(c.code in review.criteria for c in settings.criteria)


# Decimal sums of products, exact or refused: a weight and a score have a few places each, so the weighted
# sum is exact in 60 digits, and one Fraction at the end costs a gcd instead of one per criterion.
_EXACT = Context(prec=60, traps=[Inexact, InvalidOperation])


def review_value(review: Review, settings: AggregationSettings) -> Fraction:
    """The value of one complete review (see the module docstring)."""
    if settings.criteria:
        given = review.criteria
        scores = [s if isinstance(s := given[code], Decimal) else Decimal(s) for code, _, _ in settings._scored]
        for (code, _, top), score in zip(settings._scored, scores, strict=True):
            if not 0 <= score <= top:
                raise InvalidReviewScore(
                    f"评审指标 {code} 的得分须在 0 到 {top} 之间",
                    f"Criterion {code} must be scored between 0 and {top}",
                    extra={"reviewer_id": review.reviewer_id, "criterion": code},
                )
        try:
            with localcontext(_EXACT):  # the operators below are exact, or trap
                total = sum((w * s for (_, w, _), s in zip(settings._scored, scores, strict=True)), Decimal(0))
            return Fraction(total) / settings._weight_sum
        except (Inexact, InvalidOperation):  # more places than 60 digits hold: Fractions all the way
            return (
                sum(
                    (Fraction(w) * Fraction(s) for (_, w, _), s in zip(settings._scored, scores, strict=True)),
                    Fraction(0),
                )
                / settings._weight_sum
            )
    assert review.grade is not None and review.opinion is not None
    return settings.pair_value(review.grade.value, review.opinion.value)


def show(value: Fraction | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Aggregate:
    application_id: str
    valid_reviews: int
    ignored_reviews: int  # not complete
    exact_score: Fraction | None  # None when no valid review
    trimmed: bool
    priority_count: int
    status: str  # STATUS_RANKED when rankable, else STATUS_LACKING_REVIEWS

    @property
    def score(self) -> Decimal | None:
        return show(self.exact_score)

    @property
    def rankable(self) -> bool:
        return self.status == STATUS_RANKED


def aggregate(application_id: str, reviews: Sequence[Review], settings: AggregationSettings) -> Aggregate:
    """NSF-4: the application's score over its complete reviews, trimmed from ``trim_from`` on."""
    valid = [r for r in reviews if is_complete(r, settings)]
    values = [review_value(r, settings) for r in valid]
    trimmed = len(values) >= settings.trim_from
    counted = sorted(values)[1:-1] if trimmed else values
    score = sum(counted, Fraction(0)) / len(counted) if counted else None
    return Aggregate(
        application_id=application_id,
        valid_reviews=len(valid),
        ignored_reviews=len(reviews) - len(valid),
        exact_score=score,
        trimmed=trimmed,
        priority_count=sum(r.opinion is Opinion.PRIORITY for r in valid),
        status=STATUS_RANKED if len(valid) >= settings.min_valid else STATUS_LACKING_REVIEWS,
    )


@dataclass(frozen=True, slots=True)
class RankInput:
    application_id: str
    group: Hashable  # e.g. (call id, topic code), or a category
    submitted_at: datetime
    reviews: Sequence[Review]


@dataclass(frozen=True, slots=True)
class Ranked:
    group: Hashable
    application_id: str
    rank: int | None  # 1-based within the group; None when lacking reviews
    aggregate: Aggregate
    # True when the score equals the one ranked just above, so the tie-break decided the order
    tied_on_score: bool


def rank(entries: Iterable[RankInput], settings: AggregationSettings) -> dict[Hashable, list[Ranked]]:
    """NSF-4 ranking per group: rankable applications by score (highest first), ties broken by more
    priority opinions, then more valid reviews, then the earlier submission, then the id; applications
    lacking reviews follow, unranked, in id order. Groups come back in their first-seen order."""
    grouped: dict[Hashable, list[tuple[RankInput, Aggregate]]] = {}
    for entry in entries:
        if entry.submitted_at.tzinfo is None:
            raise ReviewInputError(
                "提交时间须带时区",
                "submitted_at must be timezone-aware",
                extra={"application_id": entry.application_id},
            )
        grouped.setdefault(entry.group, []).append((entry, aggregate(entry.application_id, entry.reviews, settings)))
    result: dict[Hashable, list[Ranked]] = {}
    for group, items in grouped.items():
        ranked = sorted(
            (x for x in items if x[1].rankable),
            key=lambda x: (
                -(x[1].exact_score or 0),
                -x[1].priority_count,
                -x[1].valid_reviews,
                x[0].submitted_at,
                x[0].application_id,
            ),
        )
        rows: list[Ranked] = []
        previous: Fraction | None = None
        for position, (entry, agg) in enumerate(ranked, start=1):
            rows.append(
                Ranked(
                    group,
                    entry.application_id,
                    position,
                    agg,
                    tied_on_score=position > 1 and agg.exact_score == previous,
                )
            )
            previous = agg.exact_score
        lacking = sorted((x for x in items if not x[1].rankable), key=lambda x: x[0].application_id)
        rows.extend(Ranked(group, e.application_id, None, a, tied_on_score=False) for e, a in lacking)
        result[group] = rows
    return result
