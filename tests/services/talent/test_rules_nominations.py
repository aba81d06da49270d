"""AW-2: nominators and one nomination against the year's others (rules/nominations.py)."""

from __future__ import annotations

import time

import pytest

from services.talent.errors import (
    ExpertNominationLimit,
    ExpertNominatorIsCandidate,
    FormerWinnerFirstCompleter,
    NominatorNotAllowed,
    PersonNominationLimit,
    SelfNomination,
)
from services.talent.rules.nominations import (
    Nomination,
    NominationRules,
    NominatorKind,
    PastWin,
    YearNominations,
    barred_first_completers,
    check_nomination,
    nomination_findings,
)
from shared.errors import ValidationFailed

K = NominatorKind


def nom(
    nid: str,
    *completers: str,
    kind: str = K.CITY_GOVERNMENT,
    nominator: str = "org:changchun",
    recognised: bool = False,
) -> Nomination:
    return Nomination(nid, kind, nominator, tuple(completers), recognised)


def expert_nom(nid: str, expert: str, *completers: str) -> Nomination:
    return nom(nid, *completers, kind=K.EXPERT, nominator=expert, recognised=True)


@pytest.mark.parametrize("kind", [K.CITY_GOVERNMENT, K.PROVINCIAL_DEPARTMENT, K.CENTRAL_UNIT_IN_JILIN])
def test_aw2_government_nominators_need_no_recognition(kind: str) -> None:
    check_nomination(nom("n1", "p1", "p2", kind=kind), YearNominations())


@pytest.mark.parametrize("kind", [K.EXPERT, K.ORGANISATION])
def test_aw2_experts_and_organisations_nominate_once_recognised(kind: str) -> None:
    check_nomination(nom("n1", "p1", kind=kind, nominator="x", recognised=True), YearNominations())
    with pytest.raises(NominatorNotAllowed) as err:
        check_nomination(nom("n1", "p1", kind=kind, nominator="x", recognised=False), YearNominations())
    assert err.value.code == "nominator_not_allowed" and err.value.extra["clause"] == "AW-2"


def test_aw2_nomination_only_other_kinds_of_nominator_are_refused() -> None:
    with pytest.raises(NominatorNotAllowed):
        check_nomination(nom("n1", "p1", kind="self", nominator="p1", recognised=True), YearNominations())


def test_aw2_no_self_nomination() -> None:
    with pytest.raises(SelfNomination) as err:
        check_nomination(expert_nom("n1", "p1", "p1", "p2"), YearNominations())
    assert err.value.code == "self_nomination" and err.value.status == 409
    assert [f["code"] for f in err.value.extra["findings"]] == ["self_nomination"]


def test_aw2_an_expert_nominates_at_most_one_a_year() -> None:
    year = YearNominations([expert_nom("n1", "expert:wang", "p1")])
    with pytest.raises(ExpertNominationLimit) as err:
        check_nomination(expert_nom("n2", "expert:wang", "p2"), year)
    assert err.value.extra["findings"][0]["nomination_ids"] == ["n1"]
    # the nomination itself, checked again (an edit), does not count against itself
    check_nomination(expert_nom("n1", "expert:wang", "p1", "p3"), year)
    # another expert is not limited by this one
    check_nomination(expert_nom("n2", "expert:li", "p2"), year)


def test_aw2_the_expert_limit_is_data() -> None:
    year = YearNominations([expert_nom("n1", "expert:wang", "p1")])
    check_nomination(expert_nom("n2", "expert:wang", "p2"), year, rules=NominationRules(expert_max_per_year=2))


def test_aw2_an_expert_nominator_cannot_be_a_candidate_elsewhere() -> None:
    year = YearNominations([nom("n1", "p9", "expert:wang")])
    with pytest.raises(ExpertNominatorIsCandidate) as err:
        check_nomination(expert_nom("n2", "expert:wang", "p1"), year)
    assert err.value.extra["findings"][0]["nomination_ids"] == ["n1"]


def test_aw2_a_candidate_who_nominates_as_an_expert_is_refused() -> None:
    year = YearNominations([expert_nom("n1", "expert:wang", "p1")])
    with pytest.raises(ExpertNominatorIsCandidate) as err:
        check_nomination(nom("n2", "p5", "expert:wang"), year)
    assert err.value.extra["findings"][0]["position"] == 2


def test_aw2_a_person_on_at_most_one_nomination_a_year() -> None:
    year = YearNominations([nom("n1", "p1", "p2"), nom("n2", "p3")])
    check_nomination(nom("n3", "p4", "p5"), year)
    with pytest.raises(PersonNominationLimit) as err:
        check_nomination(nom("n3", "p4", "p2"), year)
    finding = err.value.extra["findings"][0]
    assert finding["position"] == 2 and finding["nomination_ids"] == ["n1"] and finding["limit"] == 1
    check_nomination(nom("n1", "p1", "p2", "p6"), year)  # n1 itself, edited


def test_aw2_last_years_winners_barred_by_grade_and_position() -> None:
    last_year = [
        *(PastWin(f"g1p{i}", 1, i) for i in range(1, 6)),
        *(PastWin(f"g2p{i}", 2, i) for i in range(1, 6)),
        *(PastWin(f"g3p{i}", 3, i) for i in range(1, 6)),
        PastWin("outstanding", None, 1),  # no grade: not barred by this rule
    ]
    assert barred_first_completers(last_year) == {"g1p1", "g1p2", "g1p3", "g2p1", "g2p2", "g3p1"}


@pytest.mark.parametrize(
    ("win", "barred"),
    [
        (PastWin("x", 1, 3), True),
        (PastWin("x", 1, 4), False),
        (PastWin("x", 2, 2), True),
        (PastWin("x", 2, 3), False),
        (PastWin("x", 3, 1), True),
        (PastWin("x", 3, 2), False),
    ],
)
def test_aw2_last_years_winner_cannot_be_first_completer_again(win: PastWin, barred: bool) -> None:
    barred_set = barred_first_completers([win])
    check_nomination(nom("n1", "p1", "x"), YearNominations(), barred_set)  # second completer: fine
    if not barred:
        check_nomination(nom("n1", "x", "p1"), YearNominations(), barred_set)
        return
    with pytest.raises(FormerWinnerFirstCompleter) as err:
        check_nomination(nom("n1", "x", "p1"), YearNominations(), barred_set)
    assert err.value.code == "former_winner_first_completer"


def test_aw2_every_rule_broken_is_listed_first_one_names_the_problem() -> None:
    year = YearNominations([expert_nom("n1", "expert:wang", "p1"), nom("n2", "expert:wang")])
    found = nomination_findings(expert_nom("n3", "expert:wang", "expert:wang", "p1"), year, frozenset({"expert:wang"}))
    assert [f.code for f in found] == [
        "self_nomination",
        "expert_nominator_is_candidate",
        "expert_nomination_limit",
        "expert_nominator_is_candidate",  # completer 1 nominates n1 as an expert
        "person_nomination_limit",  # completer 1 is on n2
        "person_nomination_limit",  # p1 is on n1
        "former_winner_first_completer",
    ]
    with pytest.raises(SelfNomination) as err:
        check_nomination(expert_nom("n3", "expert:wang", "expert:wang", "p1"), year, frozenset({"expert:wang"}))
    assert len(err.value.extra["findings"]) == 7


@pytest.mark.parametrize("completers", [(), ("p1", "p1")])
def test_aw2_completers_must_be_given_once_each(completers: tuple[str, ...]) -> None:
    with pytest.raises(ValidationFailed):
        check_nomination(nom("n1", *completers), YearNominations())


def test_aw2_checking_nominations_against_5000_of_the_year_is_fast() -> None:
    """AW-2: the year is indexed once; each check looks up its own completers, never the whole year."""
    others = [nom(f"n{i}", *(f"p{i}-{j}" for j in range(9)), nominator=f"org:{i % 40}") for i in range(4_990)] + [
        expert_nom(f"e{i}", f"expert:{i}", f"q{i}") for i in range(10)
    ]
    started = time.perf_counter()
    year = YearNominations(others)
    for n in others:
        check_nomination(n, year)  # each against the other 4,999
    elapsed = time.perf_counter() - started
    # a nested loop would take minutes (5,000 x 5,000 x 9 completers); indexed it is a fraction of a second
    assert elapsed < 2.0, f"{elapsed:.3f}s for 5,000 checks against 5,000"
    with pytest.raises(PersonNominationLimit):
        check_nomination(nom("new", "p4989-8"), year)
