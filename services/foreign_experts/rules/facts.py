"""What the rules read about a foreigner and the post (WP-1..WP-3), as one frozen value.

``Facts.from_mapping`` builds it from the API's models dumped to a dict (``{**person, **post}`` or
``{"person": {...}, "post": {...}}``, ISO dates and decimal strings accepted); keys the rules do not
read (the position, the degree's institution, a name ...) are ignored there, since the request schemas
already refuse unknown fields. Codes are checked against the label tables: an unknown one is an
``InvalidFacts`` (a ``ValueError`` and an ``AppError``) naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from services.foreign_experts.errors import InvalidFacts
from services.foreign_experts.rules.labels import A_CRITERIA, BONUSES, EDUCATION, POST_KINDS

# HSK 2.0 has levels 1-6; HSK 3.0 adds 7-9, which score like 5 and 6 (WP-1: "HSK 5+").
MAX_HSK_LEVEL = 9


@dataclass(frozen=True)
class LanguageTeacher:
    """WP-3's extra facts of a language teacher. The 2 years are ``Facts.work_years`` (the teaching)."""

    native_speaker: bool
    education_or_language_degree: bool = False
    teaching_certificate: bool = False
    tefl_hours: int = 0

    def __post_init__(self) -> None:
        if self.tefl_hours < 0:
            raise InvalidFacts("language_teacher.tefl_hours", "TEFL学时不能为负数", "TEFL hours cannot be negative")


@dataclass(frozen=True)
class Facts:
    """The facts of one assessment. ``assessed_on`` is the day the age is taken on (Asia/Shanghai).

    ``work_years``: completed years of relevant work. ``annual_salary``: yuan a year from the employer in
    China. ``months_per_year``: expected months a year working in China. ``work_city_code``: the ID-5
    code of the work location (``2201`` ... ``2224``, or a 6-digit division code). ``hsk_level``: 0 for
    none. ``post_kind``: ``regular`` or a post the state lists for C. The contract's dates, when given,
    tell whether the work is of 90 days or less (WP-2 C, WP-4).
    """

    assessed_on: date
    birth_date: date
    education: str
    work_years: int
    annual_salary: Decimal
    months_per_year: Decimal
    work_city_code: str
    hsk_level: int = 0
    former_chinese_national: bool = False
    degree_taught_in_chinese: bool = False
    degree_from_chinese_university: bool = False
    degree_from_top100_university: bool = False
    a_criteria: frozenset[str] = field(default_factory=frozenset)
    bonuses: frozenset[str] = field(default_factory=frozenset)
    language_teacher: LanguageTeacher | None = None
    post_kind: str = "regular"
    contract_starts_on: date | None = None
    contract_ends_on: date | None = None

    def __post_init__(self) -> None:
        if self.education not in EDUCATION:
            raise InvalidFacts(
                "education", f"未知的学历代码“{self.education}”", f"unknown education {self.education!r}"
            )
        if self.post_kind not in POST_KINDS:
            raise InvalidFacts(
                "post_kind", f"未知的岗位类型“{self.post_kind}”", f"unknown post kind {self.post_kind!r}"
            )
        for name, table in (("a_criteria", A_CRITERIA), ("bonuses", BONUSES)):
            unknown = sorted(set(getattr(self, name)) - set(table))
            if unknown:
                raise InvalidFacts(name, f"未知的代码：{', '.join(unknown)}", f"unknown codes: {', '.join(unknown)}")
        if not 0 <= self.hsk_level <= MAX_HSK_LEVEL:
            raise InvalidFacts("hsk_level", f"HSK等级应为0至{MAX_HSK_LEVEL}", f"HSK level must be 0-{MAX_HSK_LEVEL}")
        if self.work_years < 0:
            raise InvalidFacts("work_years", "工作年限不能为负数", "work years cannot be negative")
        if self.annual_salary < 0:
            raise InvalidFacts("annual_salary", "年薪不能为负数", "the salary cannot be negative")
        if not 0 <= self.months_per_year <= 12:
            raise InvalidFacts("months_per_year", "每年在华工作月数应为0至12", "months a year must be 0-12")
        if self.birth_date > self.assessed_on:
            raise InvalidFacts("birth_date", "出生日期晚于评估日期", "the birth date is after the assessment date")
        if self.contract_starts_on and self.contract_ends_on and self.contract_ends_on < self.contract_starts_on:
            raise InvalidFacts("contract_ends_on", "合同结束日期早于开始日期", "the contract ends before it starts")

    @property
    def age(self) -> int:
        return age_on(self.birth_date, self.assessed_on)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, assessed_on: date | None = None) -> Facts:
        flat: dict[str, Any] = {}
        for key, value in data.items():
            if key in ("person", "post") and isinstance(value, Mapping):
                flat.update(value)
            else:
                flat[key] = value
        if assessed_on is not None:
            flat["assessed_on"] = assessed_on
        known = {f.name for f in fields(cls)}
        try:
            return _adapter().validate_python({k: v for k, v in flat.items() if k in known})
        except ValidationError as exc:
            for error in exc.errors():
                cause = (error.get("ctx") or {}).get("error")
                if isinstance(cause, InvalidFacts):
                    raise cause from None
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise InvalidFacts(where, f"“{where}”无效：{first['msg']}", f"{where}: {first['msg']}") from None


@cache
def _adapter() -> TypeAdapter[Facts]:
    return TypeAdapter(Facts)


def age_on(birth_date: date, day: date) -> int:
    """Completed years on ``day``: one born on 29 February turns a year older on 1 March in other years."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


DEGREES = frozenset({"doctorate", "master", "bachelor"})  # the degree levels (WP-3), skills not included
MASTER_OR_HIGHER = frozenset({"doctorate", "master"})
