"""Pure policy of review rounds (no I/O): the round's documented defaults (NSF-2, NSF-3, NSF-4 figures
marked configurable), its state machine, and the conversions between stored snapshots and the
inputs of ``shared.review`` (the snapshots' inverses are in ``shared.review.stored``).

Defaults (every round may set its own when created):

* ``reviewers_per_application`` 3 and ``reviewers_per_category`` ``{"key": 5}`` (NSF-2);
* ``load_cap`` 20 applications per reviewer, load from other rounds and services included;
* ``exclude_same_institution`` on (NSF-3);
* ``trim_from`` 5: the trimmed mean (highest and lowest dropped) from 5 valid reviews on (NSF-4);
* ``min_valid`` 3 valid reviews to rank (NSF-4);
* ``criteria``: innovation 30 %, feasibility 30 %, team and foundation 20 %, expected benefit 20 %,
  each scored 0-100; with criteria, a review's value is their weighted mean (else grade + opinion).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from shared.review.aggregate import AggregationSettings, Criterion
from shared.review.model import RoundSettings
from shared.workflow import Workflow, transition

CATEGORIES = ("general", "key")


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    name: str
    weight: Decimal
    max_score: Decimal = Decimal(100)


@dataclass(frozen=True)
class RoundDefaults:
    reviewers_per_application: int = 3
    reviewers_per_category: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({"key": 5}))
    load_cap: int = 20
    exclude_same_institution: bool = True
    trim_from: int = 5
    min_valid: int = 3
    criteria: tuple[CriterionSpec, ...] = (
        CriterionSpec("innovation", "创新性", Decimal("0.3")),
        CriterionSpec("feasibility", "可行性", Decimal("0.3")),
        CriterionSpec("team", "研究基础与团队", Decimal("0.2")),
        CriterionSpec("benefit", "预期效益", Decimal("0.2")),
    )


DEFAULTS = RoundDefaults()

# draft → in_review (drawn, reviewers at work) → closed (aggregated). Only the entrusted agency runs
# a round (PRJ-2: officials supervise, they do not run reviews).
ROUND_WORKFLOW = Workflow(
    "review_round",
    "draft",
    [
        transition("draw", "draft", "in_review", ["agency"]),
        transition("close", "in_review", "closed", ["agency"]),
    ],
)

# Application states a draw takes (accepted ones move to in_review with the draw).
DRAWABLE_APPLICATION_STATES = ("accepted", "in_review")
# Assignment states: still holding the slot, or out of it.
HOLDING = ("assigned", "submitted")
TIE_BREAK = (
    "score (desc)",
    "priority opinions (desc)",
    "valid reviews (desc)",
    "submitted_at (asc)",
    "application id (asc)",
)


def round_settings(
    *,
    reviewers_per_application: int,
    reviewers_per_category: Mapping[str, int],
    load_cap: int,
    exclude_same_institution: bool,
) -> RoundSettings:
    """The draw's settings; the cost figures keep ``shared.review``'s documented defaults."""
    return RoundSettings(
        reviewers_per_application=reviewers_per_application,
        reviewers_per_category=dict(reviewers_per_category),
        load_cap=load_cap,
        exclude_same_institution=exclude_same_institution,
    )


def aggregation_settings(criteria: Sequence[Mapping[str, Any]], trim_from: int, min_valid: int) -> AggregationSettings:
    return AggregationSettings(
        criteria=tuple(Criterion(c["code"], Decimal(str(c["weight"])), Decimal(str(c["max_score"]))) for c in criteria),
        trim_from=trim_from,
        min_valid=min_valid,
    )


def pool_prefixes(discipline_codes: Iterable[str], prefix_length: int) -> list[str]:
    """The pool a round draws from: every reviewer sharing a discipline prefix (``F02`` for
    ``F0203``) with the round, so partial matches are in the snapshot too."""
    return sorted({c[:prefix_length] if len(c) >= prefix_length else c for c in discipline_codes})


def rank_key(application_id: int) -> str:
    """Application ids as ``shared.review.aggregate.rank`` compares them (strings): zero-padded so
    the last tie-break orders 9 before 10."""
    return f"{application_id:020d}"
