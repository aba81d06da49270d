"""The limits on concurrent applications and projects (限项, PRJ-1 and NSF-5), as a table of rules.

PRJ-1: a project leader applies for at most 1 provincial plan project per year (configurable), and
the count spans all programmes and the foundation. NSF-5: one foundation application per applicant
per year; senior staff hold at most 3 applications plus ongoing projects in total across provincial
plans (both configurable).

The ledger holds one entry per item a service reports: who (person key), in which role, an
application or a project, the year, and a status: ``open`` (an application under way), ``active``
(a project running), ``closed`` (not funded, or finished). A withdrawn application is removed
from the ledger, not closed: it was never an application that counts.

Each rule says which candidate it applies to (the item a person wants to take on) and which of the
person's entries count against it; a person may take the candidate when the count is below the
limit. The limits below are the defaults; an official can override one per year (the ledger's
``ledger_limits`` table), which ``evaluate`` receives as ``limits``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from shared.settings import SERVICES

ItemKind = Literal["application", "project"]
ItemRole = Literal["leader", "applicant", "member"]
ItemStatus = Literal["open", "active", "closed"]
ITEM_KINDS: tuple[str, ...] = ("application", "project")
ITEM_ROLES: tuple[str, ...] = ("leader", "applicant", "member")
ITEM_STATUSES: tuple[str, ...] = ("open", "active", "closed")
LEDGER_SERVICES: tuple[str, ...] = SERVICES

# Services whose items are "provincial plans" for the limits: the S&T plans and the foundation.
PLAN_SERVICES = frozenset({"projects", "foundation"})
# The one who leads: "leader" in the plans, "applicant" (申请人) in the foundation.
LEAD_ROLES = frozenset({"leader", "applicant"})


@dataclass(frozen=True)
class Entry:
    """One ledger entry as the rules read it."""

    service: str
    item_id: str
    role: str
    kind: str
    programme: str
    year: int
    status: str


@dataclass(frozen=True)
class Candidate:
    """The item a person wants to take on: what ``check`` is asked about."""

    service: str
    kind: str
    role: str
    year: int
    senior: bool = False


@dataclass(frozen=True)
class LimitRule:
    clause: str
    code: str
    name_zh: str
    name_en: str
    limit: int
    # Which candidates the rule applies to.
    applies_services: frozenset[str]
    applies_kinds: frozenset[str]
    applies_roles: frozenset[str]
    senior_only: bool = False
    # Which of the person's entries count against it.
    counted_services: frozenset[str] = PLAN_SERVICES
    counted_kinds: frozenset[str] = frozenset(ITEM_KINDS)
    counted_roles: frozenset[str] = LEAD_ROLES
    counted_statuses: frozenset[str] = frozenset({"open", "active"})
    same_year: bool = False

    def applies(self, candidate: Candidate) -> bool:
        return (
            candidate.service in self.applies_services
            and candidate.kind in self.applies_kinds
            and candidate.role in self.applies_roles
            and (candidate.senior or not self.senior_only)
        )

    def counts(self, entry: Entry, candidate: Candidate) -> bool:
        return (
            entry.service in self.counted_services
            and entry.kind in self.counted_kinds
            and entry.role in self.counted_roles
            and entry.status in self.counted_statuses
            and (not self.same_year or entry.year == candidate.year)
        )


RULES: tuple[LimitRule, ...] = (
    # An application that was not funded was still that year's application: closed entries count.
    LimitRule(
        clause="PRJ-1",
        code="plan_applications_per_leader_per_year",
        name_zh="项目负责人每年限申报省级科技计划项目数",
        name_en="Plan applications a leader may make per year",
        limit=1,
        applies_services=PLAN_SERVICES,
        applies_kinds=frozenset({"application"}),
        applies_roles=LEAD_ROLES,
        counted_services=PLAN_SERVICES,
        counted_roles=LEAD_ROLES,
        counted_statuses=frozenset(ITEM_STATUSES),
        same_year=True,
    ),
    LimitRule(
        clause="NSF-5",
        code="foundation_applications_per_year",
        name_zh="申请人每年限申请省自然科学基金项目数",
        name_en="Foundation applications per applicant per year",
        limit=1,
        applies_services=frozenset({"foundation"}),
        applies_kinds=frozenset({"application"}),
        applies_roles=LEAD_ROLES,
        counted_services=frozenset({"foundation"}),
        counted_roles=LEAD_ROLES,
        counted_statuses=frozenset(ITEM_STATUSES),
        same_year=True,
    ),
    # Senior staff: applications under way plus projects running, in any role, across the plans.
    LimitRule(
        clause="NSF-5",
        code="senior_staff_total",
        name_zh="高级职称人员申请和在研项目总数",
        name_en="Applications plus ongoing projects of senior staff",
        limit=3,
        applies_services=PLAN_SERVICES,
        applies_kinds=frozenset({"application"}),
        applies_roles=frozenset(ITEM_ROLES),
        senior_only=True,
        counted_services=PLAN_SERVICES,
        counted_roles=frozenset(ITEM_ROLES),
        counted_statuses=frozenset({"open", "active"}),
        same_year=False,
    ),
)
RULE_CODES: tuple[str, ...] = tuple(r.code for r in RULES)


@dataclass(frozen=True)
class RuleResult:
    clause: str
    code: str
    name_zh: str
    name_en: str
    limit: int
    count: int
    allowed: bool
    items: tuple[Entry, ...]


@dataclass(frozen=True)
class LimitDecision:
    allowed: bool
    results: tuple[RuleResult, ...] = field(default_factory=tuple)

    @property
    def violations(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if not r.allowed)


def evaluate(
    entries: Iterable[Entry],
    candidate: Candidate,
    *,
    limits: Mapping[str, int] | None = None,
    rules: Iterable[LimitRule] = RULES,
) -> LimitDecision:
    """May the person take ``candidate`` on, given their ledger ``entries``? (PRJ-1, NSF-5)

    ``entries`` are the person's entries, less the candidate itself when it is already in the
    ledger; ``limits`` overrides the default limit of a rule by its code.
    """
    entries = list(entries)
    results: list[RuleResult] = []
    for rule in rules:
        if limits and rule.code in limits:
            rule = replace(rule, limit=limits[rule.code])
        if not rule.applies(candidate):
            continue
        counted = tuple(
            sorted((e for e in entries if rule.counts(e, candidate)), key=lambda e: (e.year, e.service, e.item_id))
        )
        results.append(
            RuleResult(
                clause=rule.clause,
                code=rule.code,
                name_zh=rule.name_zh,
                name_en=rule.name_en,
                limit=rule.limit,
                count=len(counted),
                allowed=len(counted) < rule.limit,
                items=counted,
            )
        )
    return LimitDecision(allowed=all(r.allowed for r in results), results=tuple(results))
