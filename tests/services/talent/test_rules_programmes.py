"""A programme's figures in one place (rules/programmes.py): each clause's default, overridable."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from services.talent.errors import InvalidProgrammeRules
from services.talent.rules.age import NO_AGE_LIMIT, YOUNG_TALENT_AGE_LIMIT
from services.talent.rules.indicators import Dimension, Indicator, check_indicator_system
from services.talent.rules.programmes import ProgrammeRules


def test_tal1_tal3_tal4_tal5_programme_defaults() -> None:
    rules = ProgrammeRules(level="provincial_key")
    assert rules.evidence.max_works == 5
    assert rules.tenure.years == 3 and sum(rules.tenure.tranche_shares) == 1
    assert rules.age_limit == NO_AGE_LIMIT and rules.age_reference_date(2026) == date(2026, 1, 1)
    assert rules.notice_working_days == 5
    assert rules.scoring.min_valid == 3 and rules.indicators is None


def test_tal1_tal4_a_young_talent_programme_overrides_its_figures() -> None:
    system = check_indicator_system([Indicator(d.value, d.value, d.value, Decimal("0.25")) for d in Dimension])
    young = ProgrammeRules(level="provincial_young", indicators=system, age_limit=YOUNG_TALENT_AGE_LIMIT)
    assert young.age_limit.for_sex("male") == 35 and young.age_limit.for_sex("female") == 40
    assert young.indicators is system
    later = dataclasses.replace(young, notice_working_days=7)
    assert later.notice_working_days == 7 and young.notice_working_days == 5


@pytest.mark.parametrize(("days", "ok"), [(1, True), (30, True), (0, False), (31, False)])
def test_tal5_notice_working_days_within_1_to_30(days: int, ok: bool) -> None:
    if ok:
        assert ProgrammeRules(level="l", notice_working_days=days).notice_working_days == days
        return
    with pytest.raises(InvalidProgrammeRules) as err:
        ProgrammeRules(level="l", notice_working_days=days)
    assert err.value.extra["clause"] == "TAL-5"


def test_tal2_a_programme_has_a_level() -> None:
    with pytest.raises(InvalidProgrammeRules) as err:
        ProgrammeRules(level=" ")
    assert err.value.extra["clause"] == "TAL-2"
