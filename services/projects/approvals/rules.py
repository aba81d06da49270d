"""Pure rules of a proposal list (拟立项清单) and its approval: amounts within the request and the
caps, and the programme's budget never over-approved. No I/O: the service gathers the figures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from shared.errors import field_error

FEN = Decimal("0.01")


@dataclass(frozen=True)
class Candidate:
    """What the amount rules need to know of a proposed application."""

    application_id: int
    requested: Decimal
    topic_cap: Decimal | None
    programme_cap: Decimal


def amount_problems(index: int, amount: Decimal, candidate: Candidate) -> list[dict[str, str]]:
    """A proposed amount is at most what the application asked for and at most the tightest cap
    (the topic's, then the programme's largest budget per project)."""
    field = f"items.{index}.amount"
    problems: list[dict[str, str]] = []
    if amount > candidate.requested:
        problems.append(
            field_error(
                field,
                "amount_over_requested",
                f"{amount:.2f} 超过申请额 {candidate.requested:.2f}",
                f"{amount:.2f} is more than the {candidate.requested:.2f} requested",
            )
        )
    caps = [c for c in (candidate.topic_cap, candidate.programme_cap) if c is not None]
    cap = min(caps)
    if amount > cap:
        problems.append(
            field_error(
                field,
                "amount_over_cap",
                f"{amount:.2f} 超过上限 {cap:.2f}",
                f"{amount:.2f} is more than the cap of {cap:.2f}",
            )
        )
    return problems


def duplicates(ids: Iterable[int]) -> list[int]:
    seen: set[int] = set()
    twice: list[int] = []
    for i in ids:
        if i in seen and i not in twice:
            twice.append(i)
        seen.add(i)
    return twice


def remaining(budget: Decimal, approved_total: Decimal) -> Decimal:
    return (budget - approved_total).quantize(FEN)


def fits_budget(budget: Decimal, approved_total: Decimal, requested: Decimal) -> bool:
    """The amount approved in a programme never exceeds its budget: exactly the remainder fits,
    one fen more does not."""
    return approved_total + requested <= budget
