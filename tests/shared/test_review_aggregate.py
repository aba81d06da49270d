"""NSF-4 aggregation and ranking of shared.review.aggregate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from shared.review.aggregate import (
    STATUS_LACKING_REVIEWS,
    STATUS_RANKED,
    AggregationSettings,
    Criterion,
    Grade,
    InvalidReviewScore,
    Opinion,
    RankInput,
    Review,
    aggregate,
    is_complete,
    rank,
    review_value,
)
from shared.review.model import ReviewInputError

S = AggregationSettings()
T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


def rv(grade: str, opinion: str, *, submitted: bool = True, rid: str = "R") -> Review:
    return Review(reviewer_id=rid, grade=Grade(grade), opinion=Opinion(opinion), submitted=submitted)


@pytest.mark.parametrize(
    ("grade", "opinion", "value"),
    [
        ("A", "priority", 8),
        ("B", "priority", 7),
        ("C", "fundable", 4),
        ("D", "not_fundable", 1),
        ("A", "not_fundable", 4),
    ],
)
def test_nsf4_points_grade_and_opinion(grade: str, opinion: str, value: int) -> None:
    assert review_value(rv(grade, opinion), S) == value


def test_nsf4_points_are_data() -> None:
    assert dict(S.grade_points) == {"A": 4, "B": 3, "C": 2, "D": 1}
    assert dict(S.opinion_points) == {"priority": 4, "fundable": 2, "not_fundable": 0}
    grade_only = AggregationSettings(opinion_weight=Decimal(0))
    assert review_value(rv("B", "priority"), grade_only) == 3
    with pytest.raises(ReviewInputError):
        AggregationSettings(grade_points={"A": 4})


def test_nsf4_incomplete_reviews_are_ignored() -> None:
    assert not is_complete(rv("A", "priority", submitted=False), S)
    assert not is_complete(Review("R", grade=Grade.A, submitted=True), S)
    assert not is_complete(Review("R", opinion=Opinion.PRIORITY, submitted=True), S)
    assert is_complete(rv("A", "priority"), S)
    agg = aggregate(
        "X",
        [
            rv("A", "priority"),
            rv("C", "fundable"),
            rv("D", "not_fundable"),
            rv("A", "priority", submitted=False),
            Review("R", grade=Grade.A, submitted=True),
        ],
        S,
    )
    assert (agg.valid_reviews, agg.ignored_reviews) == (3, 2)
    assert agg.exact_score == Fraction(8 + 4 + 1, 3) and agg.score == Decimal("4.3333")


def test_nsf4_two_valid_reviews_lack_three_rank() -> None:
    two = aggregate("X", [rv("A", "priority"), rv("B", "fundable"), rv("A", "priority", submitted=False)], S)
    assert two.status == STATUS_LACKING_REVIEWS and not two.rankable
    assert two.exact_score == Fraction(13, 2)  # still shown, only not ranked
    three = aggregate("X", [rv("A", "priority"), rv("B", "fundable"), rv("C", "fundable")], S)
    assert three.status == STATUS_RANKED
    assert aggregate("X", [], S).exact_score is None
    assert aggregate("X", [rv("A", "priority")] * 2, AggregationSettings(min_valid=2)).rankable  # configurable


def test_nsf4_trimmed_mean_from_five_valid_reviews() -> None:
    four = [rv("A", "priority"), rv("B", "fundable"), rv("C", "fundable"), rv("D", "not_fundable")]
    agg = aggregate("X", four, S)
    assert not agg.trimmed and agg.exact_score == Fraction(8 + 5 + 4 + 1, 4)
    five = [*four, rv("B", "priority")]  # values 8, 7, 5, 4, 1: drop 8 and 1
    agg = aggregate("X", five, S)
    assert agg.trimmed and agg.exact_score == Fraction(7 + 5 + 4, 3) and agg.score == Decimal("5.3333")
    # an incomplete fifth review does not trigger the trim
    agg = aggregate("X", [*four, rv("B", "priority", submitted=False)], S)
    assert not agg.trimmed and agg.valid_reviews == 4
    # the threshold is configurable
    assert aggregate("X", four, AggregationSettings(trim_from=4)).exact_score == Fraction(5 + 4, 2)


def test_nsf4_weighted_criteria_scores() -> None:
    settings = AggregationSettings(
        criteria=(
            Criterion("innovation", Decimal(3)),
            Criterion("feasibility", Decimal(1)),
            Criterion("team", Decimal(1), Decimal(10)),
        )
    )
    full = Review(
        "R",
        Grade.A,
        Opinion.PRIORITY,
        {"innovation": Decimal(90), "feasibility": Decimal(70), "team": Decimal(5)},
        submitted=True,
    )
    assert review_value(full, settings) == Fraction(3 * 90 + 70 + 5, 5)
    missing = Review("R", Grade.A, Opinion.PRIORITY, {"innovation": Decimal(90)}, submitted=True)
    assert not is_complete(missing, settings)
    too_high = Review(
        "R",
        Grade.A,
        Opinion.PRIORITY,
        {"innovation": Decimal(90), "feasibility": Decimal(70), "team": Decimal(11)},
        submitted=True,
    )
    with pytest.raises(InvalidReviewScore) as caught:
        review_value(too_high, settings)
    assert caught.value.code == "invalid_review_score"
    with pytest.raises(InvalidReviewScore):
        Criterion("x", Decimal(0))


def entry(app_id: str, reviews: list[Review], *, group: object = ("call-1", "T1"), minutes: int = 0) -> RankInput:
    return RankInput(app_id, group, T0 + timedelta(minutes=minutes), reviews)  # type: ignore[arg-type]


def test_nsf4_rank_by_score_per_group() -> None:
    good = [rv("A", "priority")] * 3
    mid = [rv("B", "fundable")] * 3
    ranked = rank(
        [entry("low", mid), entry("high", good), entry("other", mid, group=("call-1", "T2")), entry("few", good[:2])], S
    )
    assert list(ranked) == [("call-1", "T1"), ("call-1", "T2")]
    rows = ranked[("call-1", "T1")]
    assert [(r.application_id, r.rank) for r in rows] == [("high", 1), ("low", 2), ("few", None)]
    assert rows[2].aggregate.status == STATUS_LACKING_REVIEWS
    assert [(r.application_id, r.rank) for r in ranked[("call-1", "T2")]] == [("other", 1)]


def test_nsf4_rank_tie_breaks() -> None:
    # equal means of 6: more priority opinions first
    two_priority = [rv("C", "priority"), rv("C", "priority"), rv("A", "fundable"), rv("A", "fundable")]  # 6,6,6,6
    one_priority = [rv("C", "priority"), rv("A", "fundable"), rv("A", "fundable")]  # 6,6,6
    rows = rank([entry("one", one_priority), entry("two", two_priority)], S)[("call-1", "T1")]
    assert [r.application_id for r in rows] == ["two", "one"] and rows[1].tied_on_score
    # equal score and priority count: more valid reviews first
    three = [rv("A", "fundable")] * 3
    four = [rv("A", "fundable")] * 4
    rows = rank([entry("three", three), entry("four", four)], S)[("call-1", "T1")]
    assert [r.application_id for r in rows] == ["four", "three"]
    # then the earlier submission
    rows = rank([entry("late", three, minutes=5), entry("early", three, minutes=1)], S)[("call-1", "T1")]
    assert [r.application_id for r in rows] == ["early", "late"]
    # then the id
    rows = rank([entry("b", three), entry("a", three)], S)[("call-1", "T1")]
    assert [r.application_id for r in rows] == ["a", "b"]
    assert [r.rank for r in rows] == [1, 2] and not rows[0].tied_on_score


def test_nsf4_rank_refuses_naive_times() -> None:
    with pytest.raises(ReviewInputError):
        rank([RankInput("a", "g", datetime(2026, 3, 1), [])], S)


def test_nsf4_a_weighted_value_is_exact_however_many_places() -> None:
    """The weighted mean is summed in Decimal (exact within 60 digits) and falls back to Fractions beyond:
    either way it equals the exact rational value."""
    import random

    rng = random.Random(7)
    criteria = tuple(Criterion(f"c{i}", Decimal(rng.randint(1, 9999)) / 10000) for i in range(12))
    settings = AggregationSettings(criteria=criteria)
    for _ in range(200):
        scores = {c.code: Decimal(rng.randint(0, 1000)) / 10 for c in criteria}
        exact = sum((Fraction(c.weight) * Fraction(scores[c.code]) for c in criteria), Fraction(0)) / sum(
            (Fraction(c.weight) for c in criteria), Fraction(0)
        )
        assert review_value(Review("R", Grade.A, Opinion.PRIORITY, scores, submitted=True), settings) == exact
    long = Decimal("0." + "3" * 70)  # 70 places: more than the Decimal sum holds exactly
    wide = AggregationSettings(criteria=(Criterion("a", Decimal(1)), Criterion("b", Decimal(2))))
    value = review_value(Review("R", Grade.A, Opinion.PRIORITY, {"a": long, "b": Decimal(1)}, submitted=True), wide)
    assert value == (Fraction(long) + 2) / 3
