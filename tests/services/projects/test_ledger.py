"""The limits ledger (限项台账, PRJ-1, NSF-5): pure rules, the in-process functions, the internal API."""

from __future__ import annotations

import pytest

from services.projects.rules.limits import Candidate, Entry, evaluate


def entry(n: int, *, service: str = "projects", role: str = "leader", kind: str = "application",
          year: int = 2026, status: str = "open") -> Entry:
    return Entry(service=service, item_id=str(n), role=role, kind=kind, programme="JKF", year=year, status=status)


PLAN = Candidate(service="projects", kind="application", role="leader", year=2026)


@pytest.mark.parametrize(("held", "allowed"), [(0, True), (1, False), (2, False)])
def test_prj1_one_plan_application_per_leader_per_year(held: int, allowed: bool) -> None:
    decision = evaluate([entry(i) for i in range(held)], PLAN)
    assert decision.allowed is allowed
    (result,) = decision.results
    assert (result.clause, result.limit, result.count) == ("PRJ-1", 1, held)
    assert [e.item_id for e in result.items] == [str(i) for i in range(held)]


def test_prj1_counts_across_programmes_and_the_foundation_in_the_same_year_only() -> None:
    foundation = entry(1, service="foundation", role="applicant")
    assert not evaluate([foundation], PLAN).allowed
    last_year = entry(2, year=2025, kind="project", status="active")
    member = entry(3, role="member")
    withdrawn_elsewhere = entry(4, service="talent")  # not a provincial plan
    assert evaluate([last_year, member, withdrawn_elsewhere], PLAN).allowed
    # an application that was not funded this year still was this year's application
    assert not evaluate([entry(5, status="closed")], PLAN).allowed


def test_prj1_figure_is_configurable() -> None:
    decision = evaluate([entry(1)], PLAN, limits={"plan_applications_per_leader_per_year": 2})
    assert decision.allowed and decision.results[0].limit == 2
    assert not evaluate([entry(1), entry(2)], PLAN, limits={"plan_applications_per_leader_per_year": 2}).allowed


@pytest.mark.parametrize(("held", "allowed"), [(0, True), (1, False), (2, False)])
def test_nsf5_one_foundation_application_per_applicant_per_year(held: int, allowed: bool) -> None:
    candidate = Candidate(service="foundation", kind="application", role="applicant", year=2026)
    decision = evaluate([entry(i, service="foundation", role="applicant") for i in range(held)], candidate)
    nsf5 = next(r for r in decision.results if r.code == "foundation_applications_per_year")
    assert nsf5.clause == "NSF-5" and nsf5.count == held and nsf5.allowed is allowed


@pytest.mark.parametrize(("held", "allowed"), [(2, True), (3, False)])
def test_nsf5_senior_staff_total_of_three_vs_four(held: int, allowed: bool) -> None:
    """Holding 2, a third is allowed (3 in total); holding 3, a fourth is not."""
    items = [entry(i, kind="project", status="active", year=2023 + i, role="member") for i in range(held)]
    candidate = Candidate(service="projects", kind="application", role="member", year=2026, senior=True)
    decision = evaluate(items, candidate)
    (result,) = decision.results  # a member: PRJ-1 does not apply, the senior total does
    assert (result.clause, result.code, result.limit, result.count) == ("NSF-5", "senior_staff_total", 3, held)
    assert decision.allowed is allowed
    # closed items (finished projects) do not count; the rule does not apply to other staff
    closed = [entry(9, kind="project", status="closed", year=2020)]
    assert evaluate(items[:2] + closed, candidate).allowed
    assert evaluate(items, Candidate(service="projects", kind="application", role="member", year=2026)).results == ()
