"""NSF-4 ranking within a category and the funding line (pure: no I/O).

Score (NSF-4). A review is worth its grade's points (A/B/C/D = 4/3/2/1) plus its opinion's
(priority/fundable/not fundable = 4/2/0), ``shared.review.aggregate``; it counts only when complete
(submitted, with a grade and an opinion). The application's score is the plain mean over its valid
reviews: NSF-4 says "the mean", so nothing is trimmed (``NO_TRIM``). An application needs
``min_valid`` valid reviews (3 by default, the review round's figure) to be ranked.

Tie-break (``TIE_BREAK``), the order ``shared.review.aggregate.rank`` documents, the same in every
service: the higher score; then more ``priority`` opinions; then more valid reviews; then the earlier
submission of the application; then the lower application id. Every application therefore gets a
distinct rank, and ``tied_on_score`` says where the tie-break decided it.

Funding line (``allocate``): "funded in order until the count or the budget runs out". Walking the
ranking from the top, each application is granted its amount (``grant_amount``: the category's fixed
amount, or ``min(requested, cap)`` in cap mode) while fewer than ``project_count`` are funded and
the amount fits in what is left of the budget. At the first application that does not fit, the line
is drawn: it and every application below it are outside the quota, even a later, cheaper one that
would still fit in the remaining budget (the list is the ranking, never re-packed). A budget used
exactly to the yuan is within. ``cumulative`` is the running total of the amounts in rank order,
counting every row (so the first row below a budget line shows the total that would overrun).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from shared.review import aggregate as agg

DEFAULT_MIN_VALID = 3
# ``trim_from`` beyond any number of reviews an application can have: the plain mean (NSF-4).
NO_TRIM = 2**31
TIE_BREAK = (
    "score (desc)",
    "priority opinions (desc)",
    "valid reviews (desc)",
    "application submitted_at (asc)",
    "application id (asc)",
)
CENT = Decimal("0.01")

AmountMode = Literal["fixed", "cap"]
StopReason = Literal["count", "budget"]


def aggregation_settings(min_valid: int = DEFAULT_MIN_VALID) -> agg.AggregationSettings:
    """NSF-4 as the foundation applies it: grade + opinion points, plain mean, ``min_valid`` to rank."""
    return agg.AggregationSettings(trim_from=NO_TRIM, min_valid=min_valid)


def rank_key(application_id: int) -> str:
    """Ids as ``shared.review.aggregate.rank`` compares them (strings): zero-padded so 9 comes before 10."""
    return f"{application_id:020d}"


@dataclass(frozen=True, slots=True)
class Candidate:
    """An application of the category with its reviews (complete or not)."""

    application_id: int
    submitted_at: datetime
    reviews: Sequence[agg.Review]


@dataclass(frozen=True, slots=True)
class RankedApplication:
    application_id: int
    rank: int | None  # 1-based within the category; None when it lacks valid reviews
    exact_score: Fraction | None
    valid_reviews: int
    priority_count: int
    tied_on_score: bool

    @property
    def score(self) -> Decimal | None:
        return agg.show(self.exact_score)


def rank_category(candidates: Sequence[Candidate], settings: agg.AggregationSettings) -> list[RankedApplication]:
    """NSF-4: the category's applications by mean score with the ``TIE_BREAK``; those with fewer than
    ``settings.min_valid`` valid reviews follow, unranked (``rank`` None), in id order."""
    entries = [
        agg.RankInput(
            application_id=rank_key(c.application_id), group=0, submitted_at=c.submitted_at, reviews=c.reviews
        )
        for c in candidates
    ]
    ranked = agg.rank(entries, settings).get(0, [])
    return [
        RankedApplication(
            application_id=int(r.application_id),
            rank=r.rank,
            exact_score=r.aggregate.exact_score,
            valid_reviews=r.aggregate.valid_reviews,
            priority_count=r.aggregate.priority_count,
            tied_on_score=r.tied_on_score,
        )
        for r in ranked
    ]


def grant_amount(mode: AmountMode | str, amount: Decimal, requested: Decimal) -> Decimal:
    """What one project of the category is granted: the fixed amount, or the request up to the cap."""
    if mode == "fixed":
        return Decimal(amount).quantize(CENT)
    if mode == "cap":
        return min(Decimal(requested), Decimal(amount)).quantize(CENT)
    raise ValueError(f"unknown amount mode {mode!r}")


@dataclass(frozen=True, slots=True)
class Request:
    """One ranked application asking for ``amount`` (already ``grant_amount``), in rank order."""

    application_id: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Line:
    application_id: int
    position: int  # 1-based, in the order given (the rank)
    amount: Decimal
    cumulative: Decimal  # running total of the amounts in rank order, this row included
    within_quota: bool


@dataclass(frozen=True, slots=True)
class Allocation:
    lines: list[Line]
    funded_count: int
    funded_total: Decimal
    remaining_budget: Decimal
    remaining_count: int
    # why the line was drawn where it was; None when every application fits
    stopped_by: StopReason | None
    first_outside: int | None  # the application id just below the line


def allocate(requests: Sequence[Request], project_count: int, budget: Decimal) -> Allocation:
    """The funding line over a ranking (see the module docstring): funded in order until the count
    or the budget runs out; the first application that does not fit ends the quota."""
    if project_count < 0 or budget < 0:
        raise ValueError("project_count and budget must not be negative")
    budget = Decimal(budget).quantize(CENT)
    lines: list[Line] = []
    funded_total = Decimal("0.00")
    cumulative = Decimal("0.00")
    funded = 0
    stopped_by: StopReason | None = None
    first_outside: int | None = None
    for position, request in enumerate(requests, start=1):
        amount = Decimal(request.amount).quantize(CENT)
        if amount < 0:
            raise ValueError("an amount must not be negative")
        cumulative += amount
        if stopped_by is None:
            if funded >= project_count:
                stopped_by = "count"
            elif funded_total + amount > budget:
                stopped_by = "budget"
            if stopped_by is not None:
                first_outside = request.application_id
        within = stopped_by is None
        if within:
            funded += 1
            funded_total += amount
        lines.append(Line(request.application_id, position, amount, cumulative, within))
    return Allocation(
        lines=lines,
        funded_count=funded,
        funded_total=funded_total,
        remaining_budget=budget - funded_total,
        remaining_count=project_count - funded,
        stopped_by=stopped_by,
        first_outside=first_outside,
    )
