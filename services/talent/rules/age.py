"""TAL-4 age limits per programme, by sex, from the ID number (ID-2).

A programme sets its limits (**configurable**; e.g. young talent: at most 35 for men, 40 for women) and
the age is counted in completed years on the reference date, by default 1 January of the call's year.
"At most N" (不超过 N 周岁) means the applicant may be N on the reference date and is refused from N+1: the
one whose (N+1)-th birthday falls on the reference date is refused, the one born a day later is not. The
birth date and the sex are read from the resident ID number (``shared.validators.parse_resident_id``:
digits 7-14, digit 17 odd = male; a 2023 foreign permanent residence card reads the same, ID-3); they are
never typed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.talent.errors import InvalidProgrammeRules, OverProgrammeAgeLimit
from shared.errors import field_error
from shared.validators import ResidentIdInfo, parse_resident_id

CLAUSE = "TAL-4"


@dataclass(frozen=True)
class AgeLimit:
    """The most completed years on the reference date, by sex; None: no limit for that sex."""

    max_age_male: int | None = None
    max_age_female: int | None = None

    def __post_init__(self) -> None:
        errors = [
            field_error(f"age_limit.{name}", "out_of_range", "应在 18 至 100 之间", "between 18 and 100")
            for name in ("max_age_male", "max_age_female")
            if getattr(self, name) is not None and not 18 <= getattr(self, name) <= 100
        ]
        if errors:
            raise InvalidProgrammeRules(
                "年龄限制参数无效（TAL-4）。", "The age limits are not valid (TAL-4).", errors, clause=CLAUSE
            )

    def for_sex(self, sex: str) -> int | None:
        return self.max_age_male if sex == "male" else self.max_age_female


NO_AGE_LIMIT = AgeLimit()
# TAL-4's example, the young talent programmes: at most 35 for men, 40 for women (**configurable**).
YOUNG_TALENT_AGE_LIMIT = AgeLimit(max_age_male=35, max_age_female=40)


def reference_date(call_year: int, override: date | None = None) -> date:
    """TAL-4: the day the age is counted on, 1 January of the call's year unless the programme sets one."""
    return override or date(call_year, 1, 1)


def check_age_limit(person: ResidentIdInfo, limit: AgeLimit, on: date) -> int:
    """TAL-4: the applicant's age on ``on`` (returned) is within the limit for their sex, else
    ``over_programme_age_limit``."""
    age = person.age_on(on)
    max_age = limit.for_sex(person.sex)
    if max_age is not None and age > max_age:
        who_zh, who_en = ("男性", "men") if person.sex == "male" else ("女性", "women")
        raise OverProgrammeAgeLimit(
            f"申请人于 {on.isoformat()} 已满 {age} 周岁，本计划要求{who_zh}申请人不超过 {max_age} 周岁"
            "（TAL-4，按身份证号码计算，ID-2）。",
            f"The applicant is {age} on {on.isoformat()}; this programme takes {who_en} at most {max_age} "
            "(TAL-4, from the ID number, ID-2).",
            extra={
                "clause": CLAUSE,
                "age": age,
                "max_age": max_age,
                "sex": person.sex,
                "reference_date": on.isoformat(),
            },
        )
    return age


def check_age_limit_by_id(
    id_number: str, limit: AgeLimit, call_year: int, *, on: date | None = None, today: date | None = None
) -> ResidentIdInfo:
    """TAL-4 from the ID number: parses it (``invalid_resident_id`` when it is not valid, ID-2) and checks
    the age on ``reference_date(call_year, on)``; returns what the number says."""
    person = parse_resident_id(id_number, today=today)
    check_age_limit(person, limit, reference_date(call_year, on))
    return person
