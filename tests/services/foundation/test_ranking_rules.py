"""The pure NSF-4 ranking of a category and its funding line (services/foundation/rules/ranking.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.foundation.rules.ranking import (
    Candidate,
    Request,
    aggregation_settings,
    allocate,
    grant_amount,
    rank_category,
)
from services.foundation.rules.reviews import FORM
from shared.review.aggregate import Grade, Opinion, Review

T0 = datetime(2026, 4, 1, tzinfo=UTC)
W = 100_000


def rv(grade: str, opinion: str, *, submitted: bool = True, who: str = "r") -> Review:
    return Review(reviewer_id=who, grade=Grade(grade), opinion=Opinion(opinion), submitted=submitted)


def cand(app_id: int, *reviews: Review, minutes: int = 0) -> Candidate:
    return Candidate(app_id, T0 + timedelta(minutes=minutes), list(reviews))


def order(candidates: list[Candidate], min_valid: int = 3) -> list[tuple[int, int | None]]:
    return [(r.application_id, r.rank) for r in rank_category(candidates, aggregation_settings(min_valid))]


# --- score and order -------------------------------------------------------------------------------


def test_nsf4_score_is_the_plain_mean_of_grade_and_opinion_points() -> None:
    """NSF-4: A/B/C/D = 4/3/2/1, priority/fundable/not fundable = 4/2/0, the mean over valid reviews;
    five reviews are not trimmed (the mean, as NSF-4 says)."""
    reviews = [
        rv("A", "priority"),
        rv("A", "priority"),
        rv("B", "fundable"),
        rv("D", "not_fundable"),
        rv("C", "fundable"),
    ]  # 8, 8, 5, 1, 4 → 26 / 5
    [row] = rank_category([cand(1, *reviews)], aggregation_settings())
    assert row.rank == 1 and row.valid_reviews == 5 and row.priority_count == 2
    assert row.score == Decimal("5.2000")


def test_nsf4_score_rounds_half_up_to_four_places() -> None:
    [row] = rank_category(
        [cand(1, rv("A", "priority"), rv("A", "fundable"), rv("A", "fundable"))], aggregation_settings()
    )  # (8 + 6 + 6) / 3 = 6.6666...
    assert row.score == Decimal("6.6667")


def test_nsf4_only_complete_reviews_count() -> None:
    """A draft (not submitted) or a review without an opinion is not valid."""
    incomplete = Review(reviewer_id="x", grade=Grade.A, opinion=None, submitted=True)
    draft = rv("A", "priority", submitted=False)
    rows = rank_category(
        [cand(1, rv("D", "not_fundable"), rv("D", "not_fundable"), rv("D", "not_fundable"), incomplete, draft)],
        aggregation_settings(),
    )
    assert rows[0].valid_reviews == 3 and rows[0].score == Decimal("1.0000")


def test_nsf4_fewer_than_three_valid_reviews_is_not_ranked() -> None:
    """NSF-4: at least 3 valid reviews to rank: two (or three with one a draft) leave it unranked, last."""
    two = cand(1, rv("A", "priority"), rv("A", "priority"))
    three_with_draft = cand(2, rv("A", "priority"), rv("A", "priority"), rv("A", "priority", submitted=False))
    three = cand(3, rv("D", "not_fundable"), rv("D", "not_fundable"), rv("D", "not_fundable"))
    assert order([two, three_with_draft, three]) == [(3, 1), (1, None), (2, None)]
    # a round needing 2 ranks the first
    assert order([two, three], min_valid=2) == [(1, 1), (3, 2)]


def test_nsf4_higher_mean_ranks_first() -> None:
    low = cand(1, rv("C", "fundable"), rv("C", "fundable"), rv("C", "fundable"))  # 4
    high = cand(2, rv("A", "fundable"), rv("A", "fundable"), rv("B", "fundable"))  # 5.67
    assert order([low, high]) == [(2, 1), (1, 2)]


def test_nsf4_tie_break_more_priority_opinions_first() -> None:
    """Same mean (6): (A,fundable) x 3 = 6 each; (A,priority), (A,fundable), (A,not_fundable) = 8, 6, 4."""
    fundable = cand(1, rv("A", "fundable"), rv("A", "fundable"), rv("A", "fundable"))
    priority = cand(2, rv("A", "priority"), rv("A", "fundable"), rv("A", "not_fundable"), minutes=5)
    rows = rank_category([fundable, priority], aggregation_settings())
    assert [(r.application_id, r.rank, r.tied_on_score) for r in rows] == [(2, 1, False), (1, 2, True)]


def test_nsf4_tie_break_then_more_valid_reviews() -> None:
    three = cand(1, *[rv("B", "fundable")] * 3)
    four = cand(2, *[rv("B", "fundable")] * 4, minutes=5)
    assert order([three, four]) == [(2, 1), (1, 2)]


def test_nsf4_tie_break_then_earlier_submission_then_lower_id() -> None:
    same = [rv("B", "fundable")] * 3
    late = cand(1, *same, minutes=10)
    early = cand(2, *same, minutes=1)
    assert order([late, early]) == [(2, 1), (1, 2)]
    # the same moment: the lower id, compared as a number (9 before 10)
    assert order([cand(10, *same), cand(9, *same)]) == [(9, 1), (10, 2)]


# --- the amount per project --------------------------------------------------------------------------


def test_grant_amount_fixed_or_up_to_the_cap() -> None:
    assert grant_amount("fixed", Decimal("100000"), Decimal("80000")) == Decimal("100000.00")
    assert grant_amount("cap", Decimal("100000"), Decimal("80000.50")) == Decimal("80000.50")
    assert grant_amount("cap", Decimal("100000"), Decimal("100000.00")) == Decimal("100000.00")
    assert grant_amount("cap", Decimal("100000"), Decimal("100000.01")) == Decimal("100000.00")
    with pytest.raises(ValueError):
        grant_amount("share", Decimal(1), Decimal(1))


# --- the funding line ---------------------------------------------------------------------------------


def reqs(*amounts: int) -> list[Request]:
    return [Request(i + 1, Decimal(a)) for i, a in enumerate(amounts)]


def marks(allocation: object) -> list[bool]:
    return [line.within_quota for line in allocation.lines]  # type: ignore[attr-defined]


def test_funding_line_stops_when_the_count_is_reached() -> None:
    """Funded in order until the category's project count runs out (count 2: the third is out)."""
    a = allocate(reqs(W, W, W), project_count=2, budget=Decimal(10 * W))
    assert marks(a) == [True, True, False]
    assert (a.funded_count, a.funded_total, a.stopped_by, a.first_outside) == (2, Decimal(2 * W), "count", 3)
    assert a.remaining_count == 0 and a.remaining_budget == Decimal(8 * W)


def test_funding_line_one_below_the_count_funds_everyone() -> None:
    a = allocate(reqs(W, W), project_count=3, budget=Decimal(10 * W))
    assert marks(a) == [True, True]
    assert a.stopped_by is None and a.first_outside is None and a.remaining_count == 1


def test_funding_line_budget_used_exactly_is_within() -> None:
    a = allocate(reqs(W, W, W), project_count=10, budget=Decimal(3 * W))
    assert marks(a) == [True, True, True]
    assert a.remaining_budget == Decimal("0.00") and a.stopped_by is None


def test_funding_line_one_yuan_over_the_budget_is_out() -> None:
    a = allocate(reqs(W, W, W + 1), project_count=10, budget=Decimal(3 * W))
    assert marks(a) == [True, True, False]
    assert a.stopped_by == "budget" and a.first_outside == 3
    assert [line.cumulative for line in a.lines] == [Decimal(W), Decimal(2 * W), Decimal(3 * W + 1)]
    assert a.funded_total == Decimal(2 * W) and a.remaining_budget == Decimal(W)


def test_funding_line_stops_at_the_first_that_does_not_fit_even_if_a_cheaper_one_would() -> None:
    """ "Funded in order until the budget runs out": the list is never re-packed; the cheaper
    application below the line stays out although it would fit in what is left."""
    a = allocate(reqs(W, 2 * W, W // 2), project_count=10, budget=Decimal(2 * W))
    assert marks(a) == [True, False, False]
    assert a.first_outside == 2 and a.remaining_budget == Decimal(W)


def test_funding_line_edge_cases() -> None:
    assert allocate([], project_count=2, budget=Decimal(W)).lines == []
    nothing = allocate(reqs(W), project_count=0, budget=Decimal(W))
    assert marks(nothing) == [False] and nothing.stopped_by == "count"
    free = allocate(reqs(0, 0), project_count=2, budget=Decimal(0))
    assert marks(free) == [True, True]
    with pytest.raises(ValueError):
        allocate(reqs(W), project_count=-1, budget=Decimal(W))
    with pytest.raises(ValueError):
        allocate(reqs(-1), project_count=1, budget=Decimal(W))


# --- the review form ------------------------------------------------------------------------------


def test_nsf4_a_complete_review_needs_grade_opinion_and_overall_comment() -> None:
    assert FORM.missing_to_submit({}, {"overall": "好"}, "A", "priority") == []
    assert FORM.missing_to_submit({}, {}, None, None) == ["grade", "opinion", "comments.overall"]
    assert FORM.missing_to_submit({}, {"overall": "  "}, "A", "priority") == ["comments.overall"]
    problems = FORM.content_problems({}, {"innovation": "", "novelty": ""}, "A", "priority")
    assert [(p["field"], p["code"]) for p in problems] == [("comments.novelty", "unknown_criterion")]
