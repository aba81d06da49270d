"""WP-3 the basic conditions of class B (外国专业人才), each held or failed with its reason in zh/en.

* age: 60 or under on the assessment date (``params.basic_max_age``). Only this one may be waived, by
  an official, with a recorded reason (``age_waiver_reason``, blank counts as none): the condition is
  then held and ``waived``;
* not a language teacher: a bachelor's degree or higher and 2 years or more of relevant work, or a
  master's or higher degree from a Chinese university or a world top-100 university (a doctorate from
  one is read as "a master's or higher", since it includes one);
* a language teacher (``facts.language_teacher`` given) instead: native speaker of the language; a
  bachelor's degree or higher; 2 years of work (``facts.work_years``, the teaching), the years waived
  with an education or language degree, a teaching certificate or 120 hours or more of TEFL.

Vocational skills (technician, senior worker ...) are not degrees: they score in WP-1 but do not meet
the degree condition of WP-3.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.foreign_experts.rules.facts import DEGREES, MASTER_OR_HIGHER, Facts
from services.foreign_experts.rules.labels import CONDITIONS, label, text
from services.foreign_experts.rules.parameters import YearParameters
from shared.schemas import Label


@dataclass(frozen=True)
class ConditionResult:
    code: str
    label: Label
    held: bool
    reason: Label
    waived: bool = False


@dataclass(frozen=True)
class BasicConditions:
    conditions: tuple[ConditionResult, ...]

    @property
    def hold(self) -> bool:
        return all(c.held for c in self.conditions)

    @property
    def failed(self) -> tuple[ConditionResult, ...]:
        return tuple(c for c in self.conditions if not c.held)

    @property
    def age_waived(self) -> bool:
        return any(c.waived for c in self.conditions if c.code == "age")


def _condition(code: str, held: bool, reason: Label, waived: bool = False) -> ConditionResult:
    return ConditionResult(code, label(CONDITIONS, code), held, reason, waived)


def over_age_limit(facts: Facts, params: YearParameters) -> bool:
    """WP-3: older than the basic maximum age (60) on the assessment date: what an official may waive."""
    return facts.age > params.basic_max_age


def age_condition(facts: Facts, params: YearParameters, age_waiver_reason: str | None) -> ConditionResult:
    age, limit = facts.age, params.basic_max_age
    if age <= limit:
        return _condition("age", True, text(f"{age}周岁，不超过{limit}周岁", f"aged {age}, not over {limit}"))
    reason = (age_waiver_reason or "").strip()
    if reason:
        return _condition(
            "age",
            True,
            text(
                f"{age}周岁，超过{limit}周岁，经审批人员豁免：{reason}",
                f"aged {age}, over {limit}, waived by an official: {reason}",
            ),
            True,
        )
    return _condition("age", False, text(f"{age}周岁，超过{limit}周岁", f"aged {age}, over {limit}"))


def degree_condition(facts: Facts, params: YearParameters) -> ConditionResult:
    years, need = facts.work_years, params.basic_min_work_years
    elite = facts.degree_from_chinese_university or facts.degree_from_top100_university
    if facts.education in MASTER_OR_HIGHER and elite:
        where = "中国高校" if facts.degree_from_chinese_university else "世界前100名大学"
        where_en = "a Chinese university" if facts.degree_from_chinese_university else "a world top-100 university"
        return _condition(
            "degree_and_experience",
            True,
            text(
                f"{where}硕士及以上学位（不要求工作经历）",
                f"a master's or higher from {where_en} (no work experience needed)",
            ),
        )
    if facts.education in DEGREES and years >= need:
        return _condition(
            "degree_and_experience",
            True,
            text(f"学士及以上学位，相关工作{years}年", f"a degree and {years} years of relevant work"),
        )
    if facts.education in DEGREES:
        return _condition(
            "degree_and_experience",
            False,
            text(f"相关工作经历{years}年，不足{need}年", f"{years} years of relevant work, under {need}"),
        )
    return _condition("degree_and_experience", False, text("无学士及以上学位", "no bachelor's degree or higher"))


def teacher_conditions(facts: Facts, params: YearParameters) -> tuple[ConditionResult, ...]:
    teacher = facts.language_teacher
    assert teacher is not None
    native = _condition(
        "teacher_native_speaker",
        teacher.native_speaker,
        text("母语为所教语言", "a native speaker")
        if teacher.native_speaker
        else text("非所教语言的母语者", "not a native speaker of the language"),
    )
    degree = _condition(
        "teacher_degree",
        facts.education in DEGREES,
        text("学士及以上学位", "a bachelor's degree or higher")
        if facts.education in DEGREES
        else text("无学士及以上学位", "no bachelor's degree or higher"),
    )
    years, need, hours = facts.work_years, params.teacher_min_work_years, params.teacher_min_tefl_hours
    waivers = [
        (teacher.education_or_language_degree, "教育类或语言类专业学位", "an education or language degree"),
        (teacher.teaching_certificate, "教师资格证书", "a teaching certificate"),
        (
            teacher.tefl_hours >= hours,
            f"{teacher.tefl_hours}学时TEFL证书（不少于{hours}学时）",
            f"{teacher.tefl_hours} hours of TEFL ({hours} or more)",
        ),
    ]
    waived_by = next(((zh, en) for held, zh, en in waivers if held), None)
    if years >= need:
        experience = _condition(
            "teacher_experience", True, text(f"语言教学经历{years}年", f"{years} years of teaching")
        )
    elif waived_by is not None:
        experience = _condition(
            "teacher_experience",
            True,
            text(f"工作经历要求因{waived_by[0]}免除", f"years waived with {waived_by[1]}"),
            True,
        )
    else:
        experience = _condition(
            "teacher_experience",
            False,
            text(
                f"教学经历{years}年，不足{need}年，且无可免除的学位、证书或{hours}学时TEFL",
                f"{years} years, under {need}, and no degree, certificate or {hours} hours of TEFL to waive them",
            ),
        )
    return native, degree, experience


def basic_conditions(facts: Facts, params: YearParameters, *, age_waiver_reason: str | None = None) -> BasicConditions:
    """WP-3, in order: the age, then the degree and experience (or a language teacher's three)."""
    rest = teacher_conditions(facts, params) if facts.language_teacher else (degree_condition(facts, params),)
    return BasicConditions((age_condition(facts, params, age_waiver_reason), *rest))
