"""NSF-3 conflicts of interest between a reviewer and an application, each with a stable rule id.

``ConflictIndex.of(application)`` builds the application's key sets once; ``conflicts(reviewer,
index)`` then lists every rule that matches a pair, and ``is_conflicted`` answers yes/no with set
look-ups only, so the assignment can test many pairs cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.review.model import Application, Reviewer


class Rule(StrEnum):
    """NSF-3 rule ids, stable: they are stored with each exclusion and shown to the agency."""

    SELF = "self"  # the reviewer is the applicant
    TEAM_MEMBER = "team_member"  # the reviewer is on the application's team
    SAME_INSTITUTION = "same_institution"  # configurable, default on
    DECLARED_BY_REVIEWER = "declared_by_reviewer"  # the reviewer declared a person or institution involved
    DECLARED_BY_APPLICANT = "declared_by_applicant"  # the applicant declared the reviewer a relation
    APPLICANT_EXCLUSION = "applicant_exclusion"  # one of the (at most 3) people the applicant excluded


@dataclass(frozen=True, slots=True)
class ConflictIndex:
    """The key sets of one application that NSF-3 compares a reviewer with."""

    application_id: str
    applicant: str
    team: frozenset[str]
    persons: frozenset[str]  # applicant and team
    institutions: frozenset[str]  # applicant's and every team member's
    declared: frozenset[str]
    excluded: frozenset[str]
    # every person key that blocks a reviewer by being the reviewer (self, team, declared, excluded)
    blocked_persons: frozenset[str]

    @classmethod
    def of(cls, application: Application) -> ConflictIndex:
        team = frozenset(k for k in application.team_keys if k) - {application.applicant_key}
        persons = team | {application.applicant_key}
        institutions = frozenset(k for k in (application.institution_key, *application.team_institution_keys) if k)
        excluded = frozenset(application.exclusions)
        return cls(
            application_id=application.id,
            applicant=application.applicant_key,
            team=team,
            persons=persons,
            institutions=institutions,
            declared=application.declared_persons,
            excluded=excluded,
            blocked_persons=persons | application.declared_persons | excluded,
        )


def conflicts(reviewer: Reviewer, index: ConflictIndex, *, exclude_same_institution: bool = True) -> tuple[Rule, ...]:
    """Every NSF-3 rule that excludes ``reviewer`` from the application, in ``Rule`` order (empty: no conflict)."""
    rules: list[Rule] = []
    person = reviewer.person_key
    if person == index.applicant:
        rules.append(Rule.SELF)
    if person in index.team:
        rules.append(Rule.TEAM_MEMBER)
    if exclude_same_institution and reviewer.institution_key in index.institutions:
        rules.append(Rule.SAME_INSTITUTION)
    if not reviewer.declared_persons.isdisjoint(index.persons) or not reviewer.declared_institutions.isdisjoint(
        index.institutions
    ):
        rules.append(Rule.DECLARED_BY_REVIEWER)
    if person in index.declared:
        rules.append(Rule.DECLARED_BY_APPLICANT)
    if person in index.excluded:
        rules.append(Rule.APPLICANT_EXCLUSION)
    return tuple(rules)


def is_conflicted(reviewer: Reviewer, index: ConflictIndex, *, exclude_same_institution: bool = True) -> bool:
    """``bool(conflicts(...))`` without building the list: the assignment's hot path."""
    return (
        reviewer.person_key in index.blocked_persons
        or (exclude_same_institution and reviewer.institution_key in index.institutions)
        or not reviewer.declared_persons.isdisjoint(index.persons)
        or not reviewer.declared_institutions.isdisjoint(index.institutions)
    )


def explain(reviewer: Reviewer, application: Application, *, exclude_same_institution: bool = True) -> tuple[Rule, ...]:
    """``conflicts`` for a single pair, building the application's index on the way."""
    return conflicts(reviewer, ConflictIndex.of(application), exclude_same_institution=exclude_same_institution)
