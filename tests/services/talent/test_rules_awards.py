"""AW-1: award categories as data, cycles, grades, quotas and committee votes (rules/awards.py)."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest

from services.talent.errors import (
    AwardCycleNotAllowed,
    AwardGradeNotAllowed,
    AwardQuotaExceeded,
    AwardQuotaNotSet,
    InvalidAwardRules,
    InvalidCommitteeVote,
)
from services.talent.rules.awards import (
    BELOW_THRESHOLD,
    DEFAULT_CATEGORIES,
    HALF_OF_PRESENT,
    QUORUM_NOT_MET,
    TWO_THIRDS_OF_MEMBERS,
    AwardCategory,
    AwardCategoryCode,
    GradeRule,
    VoteRule,
    award_category,
    check_cycle_year,
    check_grade,
    check_quota,
    decide_vote,
    given_in,
    with_quotas,
)
from shared.errors import InvalidValue

C = AwardCategoryCode
OUTSTANDING = award_category(C.OUTSTANDING_CONTRIBUTION)
PROGRESS = award_category(C.ST_PROGRESS)
INTERNATIONAL = award_category(C.INTERNATIONAL_COOPERATION)


def test_aw1_categories_are_data() -> None:
    assert set(DEFAULT_CATEGORIES) == set(AwardCategoryCode)
    assert not OUTSTANDING.graded and OUTSTANDING.every_years == 2 and OUTSTANDING.grades[None].quota == 2
    for code in (C.NATURAL_SCIENCE, C.TECHNICAL_INVENTION, C.ST_PROGRESS):
        category = award_category(code)
        assert category.graded and sorted(category.grades) == [1, 2, 3] and category.every_years == 1
    assert INTERNATIONAL.for_foreigners and not INTERNATIONAL.graded and INTERNATIONAL.grades[None].quota == 2
    assert award_category(C.FRIENDSHIP).for_foreigners and not award_category(C.FRIENDSHIP).graded
    assert not award_category(C.TRANSFORMATION_CONTRIBUTION).graded


def test_aw1_an_unknown_category_is_refused() -> None:
    with pytest.raises(InvalidValue) as err:
        award_category("best_paper")
    assert err.value.extra["clause"] == "AW-1"


# --- cycle --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("year", "given"), [(2022, True), (2023, False), (2024, True), (2025, False), (2020, True)])
def test_aw1_outstanding_contribution_every_2_years(year: int, given: bool) -> None:
    assert given_in(OUTSTANDING, year) is given
    if given:
        check_cycle_year(OUTSTANDING, year)
        return
    with pytest.raises(AwardCycleNotAllowed) as err:
        check_cycle_year(OUTSTANDING, year)
    assert err.value.code == "award_cycle_not_allowed" and err.value.status == 409
    assert err.value.extra["next_year"] == year + 1 and err.value.extra["clause"] == "AW-1"


def test_aw1_the_biennial_anchor_is_configurable_and_yearly_categories_always_run() -> None:
    shifted = dataclasses.replace(OUTSTANDING, anchor_year=2023)
    check_cycle_year(shifted, 2025)
    with pytest.raises(AwardCycleNotAllowed):
        check_cycle_year(shifted, 2026)
    for year in (2023, 2024, 2025):
        check_cycle_year(PROGRESS, year)


def test_aw1_a_biennial_category_needs_an_anchor() -> None:
    with pytest.raises(InvalidAwardRules):
        AwardCategory("x", "某奖", "Some award", {None: GradeRule(2)}, every_years=2)


# --- grades -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("grade", [1, 2, 3])
def test_aw1_graded_category_takes_grades_1_to_3(grade: int) -> None:
    check_grade(PROGRESS, grade)


@pytest.mark.parametrize("grade", [0, 4, None])
def test_aw1_graded_category_refuses_other_grades_and_none(grade: int | None) -> None:
    with pytest.raises(AwardGradeNotAllowed) as err:
        check_grade(PROGRESS, grade)
    assert err.value.extra["grades"] == [1, 2, 3] and err.value.status == 422


def test_aw1_a_category_without_grades_takes_none() -> None:
    check_grade(OUTSTANDING, None)
    with pytest.raises(AwardGradeNotAllowed) as err:
        check_grade(OUTSTANDING, 1)
    assert "不分等级" in (err.value.detail_zh or "")


# --- quotas -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("category", [OUTSTANDING, INTERNATIONAL])
def test_aw1_at_most_2_recipients_without_grades(category: AwardCategory) -> None:
    check_quota(category, None, awarded=0, adding=2)
    check_quota(category, None, awarded=1)
    with pytest.raises(AwardQuotaExceeded) as err:
        check_quota(category, None, awarded=2)
    assert err.value.extra["quota"] == 2 and err.value.code == "award_quota_exceeded"
    with pytest.raises(AwardQuotaExceeded):
        check_quota(category, None, awarded=0, adding=3)


def test_aw1_grade_quotas_are_set_per_cycle() -> None:
    with pytest.raises(AwardQuotaNotSet) as err:
        check_quota(PROGRESS, 1, awarded=0)
    assert err.value.code == "award_quota_not_set"
    cycle = with_quotas(PROGRESS, {1: 5, 2: 15, 3: 30})
    check_quota(cycle, 1, awarded=4)
    with pytest.raises(AwardQuotaExceeded) as exceeded:
        check_quota(cycle, 1, awarded=5)
    assert exceeded.value.extra["grade"] == 1
    check_quota(cycle, 3, awarded=29)
    with pytest.raises(AwardQuotaExceeded):
        check_quota(cycle, 3, awarded=30)
    assert PROGRESS.grades[1].quota is None  # the defaults are untouched


def test_aw1_quota_of_a_grade_the_category_lacks_is_refused() -> None:
    with pytest.raises(AwardGradeNotAllowed):
        with_quotas(PROGRESS, {4: 1})
    with pytest.raises(AwardGradeNotAllowed):
        check_quota(OUTSTANDING, 1, awarded=0)
    with pytest.raises(InvalidAwardRules):
        with_quotas(PROGRESS, {1: -1})


# --- committee votes ----------------------------------------------------------------------------------


def test_aw1_default_vote_rules_per_grade() -> None:
    assert PROGRESS.rule(1).vote == TWO_THIRDS_OF_MEMBERS
    assert PROGRESS.rule(2).vote == PROGRESS.rule(3).vote == HALF_OF_PRESENT
    assert OUTSTANDING.rule(None).vote == TWO_THIRDS_OF_MEMBERS


@pytest.mark.parametrize(("in_favour", "passed"), [(10, True), (9, False), (15, True)])
def test_aw1_first_grade_needs_at_least_two_thirds_of_members(in_favour: int, passed: bool) -> None:
    """AW-1: 10 of 15 is exactly 2/3 and passes "at least 2/3"; 9 does not."""
    outcome = decide_vote(PROGRESS.rule(1).vote, members=15, present=15, in_favour=in_favour)
    assert outcome.passed is passed
    assert outcome.votes_needed == 10 and outcome.share_in_favour == Fraction(in_favour, 15)
    assert outcome.reason == (None if passed else BELOW_THRESHOLD)


def test_aw1_two_thirds_of_members_counts_absent_members() -> None:
    # 11 present of 15, all 10 in favour: 10/15 = 2/3 of members, passes; 9 does not
    assert decide_vote(TWO_THIRDS_OF_MEMBERS, 15, 11, 10).passed
    assert not decide_vote(TWO_THIRDS_OF_MEMBERS, 15, 11, 9).passed


def test_aw1_strictly_more_than_two_thirds_when_the_rule_says_more_than() -> None:
    strict = VoteRule(Fraction(2, 3), "members", at_least=False)
    assert not decide_vote(strict, 15, 15, 10).passed
    assert decide_vote(strict, 15, 15, 11).passed
    assert decide_vote(strict, 15, 15, 10).votes_needed == 11


@pytest.mark.parametrize(("present", "reason"), [(10, None), (9, QUORUM_NOT_MET)])
def test_aw1_a_vote_needs_a_quorum_of_two_thirds_present(present: int, reason: str | None) -> None:
    outcome = decide_vote(HALF_OF_PRESENT, members=15, present=present, in_favour=present)
    assert outcome.present_needed == 10
    assert outcome.passed is (reason is None) and outcome.reason == reason


@pytest.mark.parametrize(("in_favour", "passed"), [(6, True), (5, False)])
def test_aw1_second_grade_needs_half_of_those_present(in_favour: int, passed: bool) -> None:
    """AW-1: 6 of 12 present is exactly half and passes "at least half"."""
    outcome = decide_vote(PROGRESS.rule(2).vote, members=15, present=12, in_favour=in_favour)
    assert outcome.passed is passed and outcome.votes_needed == 6


def test_aw1_an_odd_committee_rounds_the_votes_needed_up() -> None:
    outcome = decide_vote(TWO_THIRDS_OF_MEMBERS, members=13, present=13, in_favour=8)
    assert outcome.votes_needed == 9 and not outcome.passed  # 2/3 of 13 is 8.67
    assert decide_vote(TWO_THIRDS_OF_MEMBERS, 13, 13, 9).passed


@pytest.mark.parametrize(("members", "present", "in_favour"), [(0, 0, 0), (15, 16, 10), (15, 10, 11), (15, -1, 0)])
def test_aw1_inconsistent_vote_figures_are_refused(members: int, present: int, in_favour: int) -> None:
    with pytest.raises(InvalidCommitteeVote) as err:
        decide_vote(TWO_THIRDS_OF_MEMBERS, members, present, in_favour)
    assert err.value.code == "invalid_committee_vote" and err.value.extra["clause"] == "AW-1"


@pytest.mark.parametrize(
    ("threshold", "quorum"),
    [(Fraction(0), Fraction(2, 3)), (Fraction(4, 3), Fraction(1)), (Fraction(1, 2), Fraction(0))],
)
def test_aw1_vote_rules_out_of_range_are_refused(threshold: Fraction, quorum: Fraction) -> None:
    with pytest.raises(InvalidAwardRules):
        VoteRule(threshold, quorum=quorum)
