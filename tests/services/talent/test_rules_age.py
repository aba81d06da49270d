"""TAL-4: a programme's age limits by sex on the reference date, from the ID number (ID-2)
(rules/age.py). Each edge is the birthday that crosses the limit, and the day before and after it."""

from __future__ import annotations

from datetime import date

import pytest
from stdnum.cn import ric

from services.talent.errors import InvalidProgrammeRules, OverProgrammeAgeLimit
from services.talent.rules.age import (
    NO_AGE_LIMIT,
    YOUNG_TALENT_AGE_LIMIT,
    AgeLimit,
    check_age_limit,
    check_age_limit_by_id,
    reference_date,
)
from services.talent.rules.programmes import ProgrammeRules
from shared.validators import InvalidResidentID, parse_resident_id

CALL_YEAR = 2026
TODAY = date(2026, 3, 1)


def resident_id(birth: date, *, male: bool, region: str = "220102") -> str:
    """Digit 17 odd = male (ID-2)."""
    body = f"{region}{birth:%Y%m%d}12{'3' if male else '4'}"
    return body + ric.calc_check_digit(body + "0")


def check(birth: date, *, male: bool, limit: AgeLimit = YOUNG_TALENT_AGE_LIMIT) -> None:
    check_age_limit_by_id(resident_id(birth, male=male), limit, CALL_YEAR, today=TODAY)


def test_tal4_reference_date_defaults_to_1_january_of_the_call_year() -> None:
    assert reference_date(CALL_YEAR) == date(2026, 1, 1)
    assert reference_date(CALL_YEAR, date(2026, 5, 31)) == date(2026, 5, 31)
    assert (YOUNG_TALENT_AGE_LIMIT.max_age_male, YOUNG_TALENT_AGE_LIMIT.max_age_female) == (35, 40)


def test_tal4_young_talent_man_is_35_on_reference_date_ok() -> None:
    check(date(1991, 1, 1), male=True)  # turns 35 on the reference date


def test_tal4_young_talent_man_turning_36_the_day_after_reference_date_ok() -> None:
    check(date(1990, 1, 2), male=True)  # still 35 on 1 January 2026


def test_tal4_young_talent_man_turning_36_on_reference_date_refused() -> None:
    with pytest.raises(OverProgrammeAgeLimit) as err:
        check(date(1990, 1, 1), male=True)
    assert err.value.code == "over_programme_age_limit" and err.value.status == 422
    assert err.value.extra == {
        "clause": "TAL-4",
        "age": 36,
        "max_age": 35,
        "sex": "male",
        "reference_date": "2026-01-01",
    }
    assert "TAL-4" in (err.value.detail_zh or "") and "ID-2" in (err.value.detail_en or "")


def test_tal4_young_talent_man_turning_36_the_day_before_reference_date_refused() -> None:
    with pytest.raises(OverProgrammeAgeLimit):
        check(date(1989, 12, 31), male=True)


def test_tal4_young_talent_woman_is_40_on_reference_date_ok() -> None:
    check(date(1986, 1, 1), male=False)
    check(date(1985, 1, 2), male=False)  # turns 41 the day after


@pytest.mark.parametrize("birth", [date(1985, 1, 1), date(1984, 12, 31)])
def test_tal4_young_talent_woman_turning_41_on_or_before_reference_date_refused(birth: date) -> None:
    with pytest.raises(OverProgrammeAgeLimit) as err:
        check(birth, male=False)
    assert (err.value.extra["age"], err.value.extra["max_age"], err.value.extra["sex"]) == (41, 40, "female")


def test_tal4_the_same_birth_date_is_refused_for_a_man_and_taken_for_a_woman() -> None:
    born = date(1988, 6, 15)  # 37 on 1 January 2026
    with pytest.raises(OverProgrammeAgeLimit):
        check(born, male=True)
    check(born, male=False)


def test_tal4_limits_are_configurable_per_programme() -> None:
    leading = AgeLimit(max_age_male=55, max_age_female=55)
    check(date(1970, 1, 2), male=True, limit=leading)  # 55
    with pytest.raises(OverProgrammeAgeLimit):
        check(date(1970, 1, 1), male=True, limit=leading)  # 56
    check(date(1930, 1, 1), male=True, limit=NO_AGE_LIMIT)  # no limit: any age
    check(date(1960, 1, 1), male=False, limit=AgeLimit(max_age_male=35))  # none for women


def test_tal4_a_programme_may_set_its_own_reference_date() -> None:
    programme = ProgrammeRules(
        level="provincial_young", age_limit=YOUNG_TALENT_AGE_LIMIT, age_reference=date(2026, 6, 30)
    )
    person = parse_resident_id(resident_id(date(1990, 7, 1), male=True), today=TODAY)
    assert check_age_limit(person, programme.age_limit, programme.age_reference_date(CALL_YEAR)) == 35
    person = parse_resident_id(resident_id(date(1990, 6, 30), male=True), today=TODAY)
    with pytest.raises(OverProgrammeAgeLimit):
        check_age_limit(person, programme.age_limit, programme.age_reference_date(CALL_YEAR))


def test_tal4_a_29_february_birthday_is_reached_on_1_march() -> None:
    limit = AgeLimit(max_age_male=35)
    born = date(1992, 2, 29)
    person = parse_resident_id(resident_id(born, male=True), today=TODAY)
    assert check_age_limit(person, AgeLimit(max_age_male=33), date(2026, 2, 28)) == 33
    with pytest.raises(OverProgrammeAgeLimit):
        check_age_limit(person, AgeLimit(max_age_male=33), date(2026, 3, 1))
    assert check_age_limit(person, limit, date(2026, 3, 1)) == 34


def test_tal4_a_foreign_permanent_residence_card_reads_the_same() -> None:
    """TAL-4 with ID-3: the 2023 card (leading 9) gives birth date and sex like a resident ID."""
    number = resident_id(date(1990, 1, 1), male=True, region="922156")
    with pytest.raises(OverProgrammeAgeLimit):
        check_age_limit_by_id(number, YOUNG_TALENT_AGE_LIMIT, CALL_YEAR, today=TODAY)


def test_tal4_an_invalid_id_number_is_refused_before_any_age() -> None:
    number = resident_id(date(1991, 1, 1), male=True)
    broken = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(InvalidResidentID) as err:
        check_age_limit_by_id(broken, YOUNG_TALENT_AGE_LIMIT, CALL_YEAR, today=TODAY)
    assert err.value.reason == "checksum"


def test_tal4_age_limits_outside_18_to_100_are_refused() -> None:
    with pytest.raises(InvalidProgrammeRules):
        AgeLimit(max_age_male=17)
    with pytest.raises(InvalidProgrammeRules):
        AgeLimit(max_age_female=101)
