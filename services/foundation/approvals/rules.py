"""Pure rules of approving a category's ranked list (issue 4, "Ranking and approval"; NSF-4 ranks) and
of its public notice (公示, CAL-1). No I/O: the service gathers the figures under the category's row
lock and applies these.

* The grant of an application: the category's fixed amount, or in cap mode min(requested, cap)
  (``rules.ranking.grant_amount``). An official may lower it, never raise it.
* The default list (the funding line): the ranking's ``rules.ranking.allocate`` over what is left of
  the category's project count and budget: in rank order, each while they still take it; the first
  that does not fit ends the line (a cheaper one further down is not pulled up past it).
* The category's budget and project count are never exceeded: exactly the remainder fits, one fen
  (or one project) more does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from services.foundation.rules.ranking import Request, allocate, grant_amount
from shared.errors import field_error
from shared.fields import CENT


@dataclass(frozen=True)
class Candidate:
    """A ranked application as the rules see it."""

    application_id: int
    rank: int | None
    requested: Decimal


def grant(amount_mode: str, amount: Decimal, requested: Decimal) -> Decimal:
    """The category's grant for an application: fixed → the amount; cap → min(requested, cap)."""
    return grant_amount(amount_mode, amount, requested)


def funding_line(
    candidates: Sequence[Candidate], amount_mode: str, amount: Decimal, remaining_budget: Decimal, remaining_count: int
) -> list[tuple[Candidate, Decimal]]:
    """The candidates (already in rank order) funded in order until the remaining count or budget runs out."""
    if remaining_count <= 0 or remaining_budget <= 0:
        return []
    by_id = {c.application_id: c for c in candidates}
    allocation = allocate(
        [Request(c.application_id, grant(amount_mode, amount, c.requested)) for c in candidates],
        remaining_count,
        remaining_budget,
    )
    return [(by_id[line.application_id], line.amount) for line in allocation.lines if line.within_quota]


def amount_problems(index: int, amount: Decimal, granted: Decimal) -> list[dict[str, str]]:
    if amount > granted:
        return [
            field_error(
                f"items.{index}.amount",
                "amount_over_grant",
                f"{amount:.2f} 超过本类别对该申请书的资助额 {granted:.2f}",
                f"{amount:.2f} is more than the category's grant of {granted:.2f} for this application",
            )
        ]
    return []


def duplicates(ids: Iterable[int]) -> list[int]:
    seen: set[int] = set()
    twice: list[int] = []
    for i in ids:
        if i in seen and i not in twice:
            twice.append(i)
        seen.add(i)
    return twice


def out_of_rank_order(ranks: Sequence[int | None]) -> list[int]:
    """Indexes of the items whose rank is not after the previous item's: a list is given in rank order."""
    bad: list[int] = []
    previous: int | None = None
    for index, rank in enumerate(ranks):
        if rank is None or (previous is not None and rank <= previous):
            bad.append(index)
        if rank is not None:
            previous = rank if previous is None else max(previous, rank)
    return bad


@dataclass(frozen=True)
class Room:
    """What is left of a category's budget and project count."""

    budget: Decimal
    approved_total: Decimal
    project_count: int
    approved_count: int

    @property
    def remaining(self) -> Decimal:
        return (self.budget - self.approved_total).quantize(CENT)

    @property
    def remaining_count(self) -> int:
        return self.project_count - self.approved_count


def overrun(room: Room, total: Decimal, count: int) -> str | None:
    """``category_budget_exceeded`` or ``category_count_exceeded`` when ``count`` more applications
    worth ``total`` would not fit; ``None`` when they do (the exact remainder fits)."""
    if room.approved_total + total > room.budget:
        return "category_budget_exceeded"
    if room.approved_count + count > room.project_count:
        return "category_count_exceeded"
    return None
