"""TAL-2: one programme of a level at a time, declared national titles included (rules/exclusivity.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.talent.errors import SameLevelSupportActive
from services.talent.rules.exclusivity import NationalTitle, Tenure, check_same_level, same_level_holdings

KEY = "provincial_key"
TENURE = Tenure("长白山领军人才", KEY, date(2024, 1, 1), date(2026, 12, 31))


def test_tal2_same_level_refused_on_the_last_day_of_the_tenure() -> None:
    with pytest.raises(SameLevelSupportActive) as err:
        check_same_level(KEY, TENURE.ends_on, [TENURE])
    assert err.value.code == "same_level_support_active" and err.value.status == 409
    assert err.value.extra["clause"] == "TAL-2"
    assert err.value.extra["holdings"] == [
        {"source": "tenure", "name": "长白山领军人才", "level": KEY, "ends_on": "2026-12-31"}
    ]
    assert "TAL-2" in (err.value.detail_zh or "") and "2026-12-31" in (err.value.detail_en or "")


def test_tal2_same_level_allowed_the_day_after_the_tenure_ends() -> None:
    check_same_level(KEY, TENURE.ends_on + timedelta(days=1), [TENURE])


def test_tal2_a_selection_not_yet_started_counts() -> None:
    future = Tenure("长白山领军人才", KEY, date(2027, 1, 1), date(2029, 12, 31))
    with pytest.raises(SameLevelSupportActive):
        check_same_level(KEY, date(2026, 6, 1), [future])


def test_tal2_another_level_is_allowed_during_the_tenure() -> None:
    check_same_level("provincial_general", date(2025, 6, 1), [TENURE])


def test_tal2_a_tenure_ended_early_frees_the_level() -> None:
    ended_early = Tenure("长白山领军人才", KEY, date(2024, 1, 1), date(2025, 3, 31))  # TAL-3 ended it
    check_same_level(KEY, date(2025, 4, 1), [ended_early])


def test_tal2_declared_national_title_of_the_same_level_counts_until_its_end() -> None:
    title = NationalTitle("国家级青年人才", KEY, date(2026, 6, 30))
    with pytest.raises(SameLevelSupportActive) as err:
        check_same_level(KEY, date(2026, 6, 30), [], [title])
    assert err.value.extra["holdings"][0]["source"] == "national_title"
    check_same_level(KEY, date(2026, 7, 1), [], [title])
    check_same_level("provincial_general", date(2026, 1, 1), [], [title])


def test_tal2_a_national_title_without_an_end_counts_as_running() -> None:
    with pytest.raises(SameLevelSupportActive) as err:
        check_same_level(KEY, date(2040, 1, 1), [], [NationalTitle("国家级领军人才", KEY)])
    assert err.value.extra["holdings"][0]["ends_on"] is None


def test_tal2_every_running_holding_is_listed() -> None:
    other = Tenure("另一计划", "provincial_general", date(2024, 1, 1), date(2026, 12, 31))
    held = same_level_holdings(KEY, date(2025, 1, 1), [TENURE, other], [NationalTitle("国家级", KEY)])
    assert [(h.source, h.name) for h in held] == [("tenure", "长白山领军人才"), ("national_title", "国家级")]
