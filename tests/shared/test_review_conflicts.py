"""NSF-3 conflict rules of shared.review.conflicts, each on both sides of its condition."""

from __future__ import annotations

import pytest

from shared.review.conflicts import ConflictIndex, Rule, conflicts, explain, is_conflicted
from shared.review.model import (
    MAX_APPLICANT_EXCLUSIONS,
    Application,
    Match,
    Reviewer,
    RoundSettings,
    TooManyExclusions,
    match_level,
)

APP = Application(
    id="A1",
    applicant_key="P-app",
    institution_key="INST-app",
    team_keys=("P-team1", "P-team2"),
    team_institution_keys=("INST-team",),
    disciplines=("F0203",),
    keywords=frozenset({"激光"}),
    exclusions=("P-rival",),
    declared_persons=frozenset({"P-coauthor"}),
)


def reviewer(**changes: object) -> Reviewer:
    base: dict[str, object] = {
        "id": "R1",
        "person_key": "P-rev",
        "institution_key": "INST-other",
        "disciplines": ("F0203",),
    }
    return Reviewer(**{**base, **changes})  # type: ignore[arg-type]


def test_nsf3_unrelated_reviewer_has_no_conflict() -> None:
    index = ConflictIndex.of(APP)
    assert conflicts(reviewer(), index) == ()
    assert not is_conflicted(reviewer(), index)


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"person_key": "P-app"}, Rule.SELF),
        ({"person_key": "P-team2"}, Rule.TEAM_MEMBER),
        ({"institution_key": "INST-app"}, Rule.SAME_INSTITUTION),
        ({"institution_key": "INST-team"}, Rule.SAME_INSTITUTION),  # a team member's institution counts too
        ({"declared_persons": frozenset({"P-team1"})}, Rule.DECLARED_BY_REVIEWER),
        ({"declared_persons": frozenset({"P-app"})}, Rule.DECLARED_BY_REVIEWER),
        ({"declared_institutions": frozenset({"INST-team"})}, Rule.DECLARED_BY_REVIEWER),
        ({"person_key": "P-coauthor"}, Rule.DECLARED_BY_APPLICANT),
        ({"person_key": "P-rival"}, Rule.APPLICANT_EXCLUSION),
    ],
)
def test_nsf3_each_rule_matches_with_its_stable_id(changes: dict[str, object], rule: Rule) -> None:
    r = reviewer(**changes)
    index = ConflictIndex.of(APP)
    assert conflicts(r, index) == (rule,)
    assert is_conflicted(r, index)
    assert explain(r, APP) == (rule,)


@pytest.mark.parametrize(
    "changes",
    [
        {"person_key": "P-team3"},  # not on the team
        {"institution_key": "INST-app2"},  # a different institution
        {"declared_persons": frozenset({"P-someone"})},  # declared someone else
        {"declared_institutions": frozenset({"INST-other2"})},
        {"person_key": "P-coauthor2"},
    ],
)
def test_nsf3_rules_do_not_match_just_outside_their_condition(changes: dict[str, object]) -> None:
    r = reviewer(**changes)
    assert conflicts(r, ConflictIndex.of(APP)) == ()
    assert not is_conflicted(r, ConflictIndex.of(APP))


def test_nsf3_several_rules_are_all_listed_in_rule_order() -> None:
    r = reviewer(person_key="P-team1", institution_key="INST-team", declared_persons=frozenset({"P-app"}))
    assert conflicts(r, ConflictIndex.of(APP)) == (Rule.TEAM_MEMBER, Rule.SAME_INSTITUTION, Rule.DECLARED_BY_REVIEWER)


def test_nsf3_same_institution_can_be_switched_off() -> None:
    r = reviewer(institution_key="INST-app")
    index = ConflictIndex.of(APP)
    assert conflicts(r, index, exclude_same_institution=False) == ()
    assert not is_conflicted(r, index, exclude_same_institution=False)
    # the other rules still hold with it off
    assert conflicts(
        reviewer(person_key="P-app", institution_key="INST-app"), index, exclude_same_institution=False
    ) == (Rule.SELF,)
    assert RoundSettings().exclude_same_institution is True  # NSF-3 default on


def test_nsf3_applicant_exclusions_limited_to_three() -> None:
    assert MAX_APPLICANT_EXCLUSIONS == 3
    Application(id="A", applicant_key="P", institution_key="I", exclusions=("x", "y", "z"))
    # the same person twice counts once
    Application(id="A", applicant_key="P", institution_key="I", exclusions=("x", "y", "z", "x"))
    with pytest.raises(TooManyExclusions) as caught:
        Application(id="A", applicant_key="P", institution_key="I", exclusions=("w", "x", "y", "z"))
    assert caught.value.code == "too_many_exclusions"
    assert caught.value.status == 400


def test_nsf2_discipline_match_levels() -> None:
    assert match_level(("F0203",), ("F0203",), 3) is Match.EXACT
    assert match_level(("F0201",), ("F0203",), 3) is Match.PREFIX
    assert match_level(("F02",), ("F0203",), 3) is Match.PREFIX
    assert match_level(("F0301",), ("F0203",), 3) is Match.NONE
    assert match_level((), ("F0203",), 3) is Match.NONE
    # codes are normalised: case and blanks
    r = reviewer(disciplines=(" f0203 ",))
    assert r.disciplines == ("F0203",)
