"""WP-2 classes A/B/C and WP-3 the basic conditions of B (services/foreign_experts/rules/classes.py and
conditions.py): every way into A and B on both sides of its threshold, a failing basic condition, the age
waiver, the language-teacher path, C listed and not listed posts, the C quota, and the thresholds read
from YearParameters (configurable figures are data)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from services.foreign_experts.errors import CPostNotListed, CQuotaExhausted, InvalidFacts
from services.foreign_experts.rules.classes import assess, check_approvable, check_c_quota
from services.foreign_experts.rules.facts import Facts, LanguageTeacher
from services.foreign_experts.rules.labels import A_CRITERIA
from services.foreign_experts.rules.parameters import YearParameters
from services.foreign_experts.rules.points import assess_points
from tests.services.foreign_experts.rules_helpers import P2026, code_of, make_facts, params

# The default average wage 87,222 yuan: A at 6 × = 523,332, B at 4 × = 348,888.
A_SALARY = Decimal("523332")
B_SALARY = Decimal("348888")


def routes(facts: Facts, p: YearParameters = P2026, **kw: Any) -> tuple[str, list[str]]:
    a = assess(facts, p, **kw)
    return a.permit_class, [r.code for r in a.routes]


def points_facts(total: int, **overrides: Any) -> Facts:
    """Facts scoring ``total`` points (54 to 89) with the salary under both salary lines and the basic
    conditions held: 250,000 yuan 14 + bachelor 10 + 2 years 5 + Changchun 10 + aged 30 15 = 54, then the
    months (0/5/10/15), the HSK level (0-5) and further work years (+1 each) make up the rest."""
    rest = total - 54
    assert 0 <= rest <= 35
    months = next(m for m in (15, 10, 5, 0) if rest >= m)
    hsk = min(rest - months, 5)
    values: dict[str, Any] = {
        "annual_salary": Decimal("250000"),
        "education": "bachelor",
        "age": 30,
        "months_per_year": Decimal({15: 9, 10: 6, 5: 3, 0: 0}[months]),
        "hsk_level": hsk,
        "work_years": 2 + rest - months - hsk,
    }
    facts = make_facts(**{**values, **overrides})
    assert assess_points(facts, P2026).total == total
    return facts


# --- A: every criterion, points ≥ 85, salary ≥ 6 × the average wage ------------------------------------


@pytest.mark.parametrize("criterion", list(A_CRITERIA))
def test_wp2_a_by_each_criterion(criterion: str) -> None:
    """WP-2 A: any criterion claimed (talent programme, achievement, encouraged post, innovation talent,
    young talent) is enough, whatever the points (here 63) and the salary."""
    assert routes(make_facts(a_criteria={criterion})) == ("A", [f"a_{criterion}"])


def test_wp2_a_lists_every_route_criteria_first() -> None:
    facts = make_facts(
        annual_salary=A_SALARY, education="doctorate", work_years=17, a_criteria={"young_talent", "talent_programme"}
    )  # 20 + 20 + 20 + 15 + 0 + 10 + 15 = 100
    assert routes(facts) == ("A", ["a_talent_programme", "a_young_talent", "a_points", "a_salary"])


def test_wp2_a_points_threshold_both_sides() -> None:
    """WP-2 A at 85 points or more (configurable): 85 is A, 84 is not (B here, the basic conditions hold)."""
    assert routes(points_facts(85)) == ("A", ["a_points"])
    assert routes(points_facts(84)) == ("B", ["b_points"])


def test_wp2_a_salary_threshold_both_sides() -> None:
    """WP-2 A at salary ≥ 6 × the previous year's average wage: 523,332 yuan is A, a cent less is B
    (salary ≥ 4 × with the basic conditions)."""
    low = {"education": "bachelor", "work_years": 2, "months_per_year": Decimal("3")}  # 20+10+5+5+0+10+15 = 65
    assert routes(make_facts(annual_salary=A_SALARY, **low)) == ("A", ["a_salary"])
    assert routes(make_facts(annual_salary=A_SALARY - Decimal("0.01"), **low)) == ("B", ["b_points", "b_salary"])


def test_wp2_a_has_no_age_limit_nor_basic_conditions() -> None:
    """WP-2 A: no age limit. Aged 70 without a degree, A by salary, approvable, green channel."""
    a = assess(make_facts(age=70, education="other", work_years=0, annual_salary=A_SALARY), P2026)
    assert not a.basic_conditions_hold
    assert (a.permit_class, a.approvable, a.classification.green_channel) == ("A", True, True)
    assert not a.classification.needs_quota


# --- B: basic conditions and points ≥ 60 or salary ≥ 4 × ------------------------------------------------


def test_wp2_b_points_threshold_both_sides() -> None:
    """WP-2 B at 60 points or more with the basic conditions: 60 is B, 59 is C."""
    assert routes(points_facts(60)) == ("B", ["b_points"])
    assert routes(points_facts(59)) == ("C", ["c_not_listed"])


def test_wp2_b_salary_threshold_both_sides() -> None:
    """WP-2 B at salary ≥ 4 × the average wage (348,888 yuan) with the basic conditions, whatever the points:
    14 + 10 + 5 + 0 (2 months) + 0 + 10 + 10 (aged 50) = 49 points."""
    low = {"months_per_year": Decimal("2"), "age": 50}
    assert routes(make_facts(annual_salary=B_SALARY, **low)) == ("B", ["b_salary"])
    assert routes(make_facts(annual_salary=B_SALARY - Decimal("0.01"), **low)) == ("C", ["c_not_listed"])


@pytest.mark.parametrize(
    ("facts", "failed"),
    [
        ({"age": 61}, ["age"]),
        ({"education": "bachelor", "work_years": 1}, ["degree_and_experience"]),
        ({"education": "technician", "work_years": 10}, ["degree_and_experience"]),  # skills are not degrees
        ({"education": "other", "work_years": 10}, ["degree_and_experience"]),
        ({"age": 62, "education": "bachelor", "work_years": 0}, ["age", "degree_and_experience"]),
    ],
)
def test_wp3_a_failing_basic_condition_stops_b(facts: dict[str, object], failed: list[str]) -> None:
    """WP-3: B figures (salary ≥ 4 ×) but a basic condition fails → C; on a regular post the refusal names
    the basic conditions first (basic_conditions_not_met), then the post."""
    a = assess(make_facts(annual_salary=B_SALARY, **facts), P2026)
    assert a.permit_class == "C" and not a.basic_conditions_hold
    assert [c.code for c in a.conditions.failed] == failed
    assert [r.code for r in a.refusals] == ["basic_conditions_not_met", "c_post_not_listed"]
    assert code_of(lambda: check_approvable(a.classification)) == "basic_conditions_not_met"


def test_wp3_b_figures_with_failing_conditions_on_a_listed_post_is_c_with_a_note() -> None:
    """WP-3/WP-2: the same person on a seasonal post is an approvable C, the failed condition noted."""
    a = assess(make_facts(annual_salary=B_SALARY, age=61, post_kind="seasonal"), P2026)
    assert (a.permit_class, a.approvable, a.refusals) == ("C", True, ())
    assert any("handled as class C" in n.en for n in a.notes)


@pytest.mark.parametrize(("age", "held"), [(60, True), (61, False)])
def test_wp3_age_limit_edge(age: int, held: bool) -> None:
    """WP-3: aged 60 or under on the assessment day."""
    a = assess(make_facts(age=age), P2026)
    assert a.conditions.conditions[0].code == "age" and a.conditions.conditions[0].held is held


def test_wp3_age_waiver_with_a_reason_makes_b() -> None:
    """WP-3: an official may waive the age limit with a recorded reason: aged 61, then B, the waiver shown."""
    facts = make_facts(age=61, annual_salary=B_SALARY)
    assert routes(facts) == ("C", ["c_not_listed"])
    a = assess(facts, P2026, age_waiver_reason="国家重点项目急需")
    assert (a.permit_class, [r.code for r in a.routes]) == ("B", ["b_salary"])
    age = a.basic_conditions[0]
    assert age.held and age.waived and a.conditions.age_waived and "国家重点项目急需" in age.reason.zh


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_wp3_age_waiver_needs_a_reason(reason: str | None) -> None:
    a = assess(make_facts(age=61, annual_salary=B_SALARY), P2026, age_waiver_reason=reason)
    assert a.permit_class == "C" and not a.conditions.age_waived


def test_wp3_age_waiver_does_not_waive_the_degree() -> None:
    a = assess(make_facts(age=61, annual_salary=B_SALARY, work_years=1), P2026, age_waiver_reason="急需")
    assert a.permit_class == "C" and [c.code for c in a.conditions.failed] == ["degree_and_experience"]


@pytest.mark.parametrize(
    ("facts", "held"),
    [
        ({"education": "bachelor", "work_years": 2}, True),
        ({"education": "bachelor", "work_years": 1}, False),
        ({"education": "master", "work_years": 0}, False),
        ({"education": "master", "work_years": 0, "degree_from_chinese_university": True}, True),
        ({"education": "master", "work_years": 0, "degree_from_top100_university": True}, True),
        ({"education": "doctorate", "work_years": 0, "degree_from_top100_university": True}, True),
        ({"education": "bachelor", "work_years": 0, "degree_from_chinese_university": True}, False),
        ({"education": "technician", "work_years": 0, "degree_from_top100_university": True}, False),
    ],
)
def test_wp3_degree_and_experience(facts: dict[str, object], held: bool) -> None:
    """WP-3: a bachelor's degree and ≥ 2 years of relevant work, or a master's (or higher) from a Chinese
    university or a world top-100 university (no years needed)."""
    a = assess(make_facts(**facts), P2026)
    [degree] = [c for c in a.basic_conditions if c.code == "degree_and_experience"]
    assert degree.held is held


# --- WP-3 the language-teacher path ----------------------------------------------------------------------


def teacher(**kw: object) -> LanguageTeacher:
    return LanguageTeacher(**{"native_speaker": True, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lt", "facts", "failed", "waived"),
    [
        (teacher(), {"work_years": 2}, [], False),
        (teacher(), {"work_years": 1}, ["teacher_experience"], False),
        (teacher(education_or_language_degree=True), {"work_years": 0}, [], True),
        (teacher(teaching_certificate=True), {"work_years": 0}, [], True),
        (teacher(tefl_hours=120), {"work_years": 0}, [], True),
        (teacher(tefl_hours=119), {"work_years": 0}, ["teacher_experience"], False),
        (teacher(native_speaker=False), {"work_years": 5}, ["teacher_native_speaker"], False),
        (teacher(tefl_hours=200), {"work_years": 5, "education": "senior_worker"}, ["teacher_degree"], False),
    ],
)
def test_wp3_language_teacher_conditions(
    lt: LanguageTeacher, facts: dict[str, object], failed: list[str], waived: bool
) -> None:
    """WP-3 language teachers: native speaker, a bachelor's and 2 years, the years waived with an education
    or language degree, a teaching certificate or ≥ 120 h TEFL (119 h is not enough)."""
    a = assess(make_facts(language_teacher=lt, **facts), P2026)
    codes = [c.code for c in a.basic_conditions]
    assert codes == ["age", "teacher_native_speaker", "teacher_degree", "teacher_experience"]
    assert [c.code for c in a.conditions.failed] == failed
    assert a.basic_conditions[3].waived is waived


def test_wp3_language_teacher_becomes_b_on_the_teacher_conditions() -> None:
    """A teacher with 0 years and 120 h TEFL: the usual degree-and-2-years condition would fail, the teacher
    path holds. 100,000 (8) + bachelor 10 + 0 + 15 + 0 + 10 + aged 30 15 + bonus 5 = 63 → B."""
    facts = make_facts(work_years=0, bonuses={"renowned_university"}, language_teacher=teacher(tefl_hours=120))
    assert assess(facts, P2026).total == 63
    assert routes(facts) == ("B", ["b_points"])
    without = make_facts(work_years=0, bonuses={"renowned_university"})
    assert routes(without) == ("C", ["c_not_listed"])


def test_wp3_language_teacher_age_limit_applies_too() -> None:
    a = assess(make_facts(age=61, language_teacher=teacher()), P2026)
    assert [c.code for c in a.conditions.failed] == ["age"]


def test_wp3_tefl_hours_cannot_be_negative() -> None:
    with pytest.raises(InvalidFacts):
        LanguageTeacher(native_speaker=True, tefl_hours=-1)


# --- C: listed posts, the quota -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["temporary", "seasonal", "short_term", "quota_programme"])
def test_wp2_c_listed_posts_are_approvable(kind: str) -> None:
    """WP-2 C: temporary, seasonal, ≤ 90 days and quota programmes are the posts the state lists."""
    a = assess(make_facts(annual_salary=Decimal("40000"), post_kind=kind), P2026)  # 55 points
    assert (a.permit_class, [r.code for r in a.routes], a.approvable) == ("C", [f"c_{kind}"], True)
    assert a.classification.c_post_listed is True and a.classification.needs_quota
    assert not a.classification.green_channel
    check_approvable(a.classification)  # nothing raised


def test_wp2_c_on_a_regular_post_is_not_approvable() -> None:
    a = assess(make_facts(annual_salary=Decimal("40000")), P2026)
    assert (a.permit_class, [r.code for r in a.routes], a.approvable) == ("C", ["c_not_listed"], False)
    assert a.classification.c_post_listed is False
    assert [r.code for r in a.refusals] == ["c_post_not_listed"]
    assert code_of(lambda: check_approvable(a.classification)) == "c_post_not_listed"


@pytest.mark.parametrize(
    ("ends_on", "listed"),
    [(date(2026, 5, 30), True), (date(2026, 5, 31), False)],
)
def test_wp2_c_work_of_90_days_or_less_is_listed_whatever_the_kind(ends_on: date, listed: bool) -> None:
    """WP-2 C: a regular post whose contract runs 90 days or less is short-term work (the start day not
    counted, deadlines.work_duration_days: 1 March to 30 May is 90 days, to 31 May 91)."""
    facts = make_facts(annual_salary=Decimal("40000"), contract_starts_on=date(2026, 3, 1), contract_ends_on=ends_on)
    a = assess(facts, P2026)
    assert [r.code for r in a.routes] == (["c_short_term"] if listed else ["c_not_listed"])
    assert a.approvable is listed


def test_wp2_c_short_term_post_is_listed_once() -> None:
    facts = make_facts(
        annual_salary=Decimal("40000"),
        post_kind="short_term",
        contract_starts_on=date(2026, 3, 1),
        contract_ends_on=date(2026, 3, 31),
    )
    assert routes(facts) == ("C", ["c_short_term"])


def test_wp2_check_c_quota_both_sides() -> None:
    """WP-2: one more C permit fits while the used count is under the quota (100): 99 fits, 100 does not."""
    check_c_quota(0, P2026)
    check_c_quota(99, P2026)
    with pytest.raises(CQuotaExhausted) as caught:
        check_c_quota(100, P2026)
    assert caught.value.code == "c_quota_exhausted" and caught.value.extra["quota"] == 100
    assert code_of(lambda: check_c_quota(101, P2026)) == "c_quota_exhausted"


@pytest.mark.parametrize(
    ("used", "remaining", "approvable"), [(0, 100, True), (99, 1, True), (100, 0, False), (150, 0, False)]
)
def test_wp2_classify_with_c_quota_used(used: int, remaining: int, approvable: bool) -> None:
    a = assess(make_facts(annual_salary=Decimal("40000"), post_kind="seasonal"), P2026, c_quota_used=used)
    assert (a.classification.quota_remaining, a.approvable) == (remaining, approvable)
    assert [r.code for r in a.refusals] == ([] if approvable else ["c_quota_exhausted"])
    if not approvable:
        assert code_of(lambda: check_approvable(a.classification)) == "c_quota_exhausted"


def test_wp2_c_quota_unknown_is_noted_not_refused() -> None:
    a = assess(make_facts(annual_salary=Decimal("40000"), post_kind="seasonal"), P2026)
    assert a.classification.quota_remaining is None and a.approvable
    assert any("quota" in n.en for n in a.notes)


def test_wp2_c_not_listed_and_quota_exhausted_lists_both_reasons() -> None:
    a = assess(make_facts(annual_salary=Decimal("40000")), P2026, c_quota_used=100)
    assert [r.code for r in a.refusals] == ["c_post_not_listed", "c_quota_exhausted"]
    with pytest.raises(CPostNotListed) as caught:
        check_approvable(a.classification)
    assert caught.value.extra["reasons"] == ["c_post_not_listed", "c_quota_exhausted"]
    assert caught.value.extra["clause"] == "WP-2"


def test_wp2_a_and_b_need_no_quota() -> None:
    a = assess(make_facts(a_criteria={"talent_programme"}), P2026, c_quota_used=100)
    b = assess(points_facts(70), P2026, c_quota_used=100)
    assert (a.permit_class, a.approvable, b.permit_class, b.approvable) == ("A", True, "B", True)


# --- thresholds are data (YearParameters) -------------------------------------------------------------------


def test_wp2_a_points_threshold_is_data() -> None:
    facts = points_facts(85)
    assert routes(facts) == ("A", ["a_points"])
    assert routes(facts, p=params(a_points_threshold=86)) == ("B", ["b_points"])
    assert routes(points_facts(80), p=params(a_points_threshold=80)) == ("A", ["a_points"])


def test_wp2_b_points_threshold_is_data() -> None:
    assert routes(points_facts(60), p=params(b_points_threshold=61)) == ("C", ["c_not_listed"])
    assert routes(points_facts(55), p=params(b_points_threshold=55)) == ("B", ["b_points"])


def test_wp2_average_wage_is_data() -> None:
    """WP-2: the wage is the previous year's, per year: 70,000 makes 420,000 the A line (6 ×)."""
    facts = make_facts(annual_salary=Decimal("420000"), work_years=1)  # bachelor, 1 year: WP-3 fails
    assert routes(facts) == ("C", ["c_not_listed"])
    assert routes(facts, p=params(average_wage=Decimal("70000"))) == ("A", ["a_salary"])
    assert params(average_wage=Decimal("70000")).a_salary_threshold == Decimal("420000")


def test_wp2_salary_multiples_are_data() -> None:
    facts = make_facts(annual_salary=Decimal("300000"), months_per_year=Decimal("2"), age=50)  # 49 points
    assert routes(facts) == ("C", ["c_not_listed"])
    assert routes(facts, p=params(b_salary_multiple=Decimal("3"))) == ("B", ["b_salary"])
    assert routes(facts, p=params(b_salary_multiple=Decimal("3"), a_salary_multiple=Decimal("3"))) == (
        "A",
        ["a_salary"],
    )


def test_wp2_c_quota_is_data() -> None:
    facts = make_facts(annual_salary=Decimal("40000"), post_kind="temporary")
    assert assess(facts, P2026, c_quota_used=5).approvable
    assert not assess(facts, params(c_quota=5), c_quota_used=5).approvable
    check_c_quota(5, params(c_quota=6))
    assert code_of(lambda: check_c_quota(5, params(c_quota=5))) == "c_quota_exhausted"


def test_wp3_basic_figures_are_data() -> None:
    facts = make_facts(age=62, annual_salary=B_SALARY, work_years=1)
    assert routes(facts) == ("C", ["c_not_listed"])
    assert routes(facts, p=params(basic_max_age=65, basic_min_work_years=1)) == ("B", ["b_salary"])
    lt = make_facts(work_years=0, bonuses={"fortune_500"}, language_teacher=teacher(tefl_hours=100))
    assert routes(lt) == ("C", ["c_not_listed"])
    assert routes(lt, p=params(teacher_min_tefl_hours=100)) == ("B", ["b_points"])


def test_wp2_assessment_carries_year_and_day() -> None:
    a = assess(make_facts(), P2026)
    assert (a.year, a.on, a.class_label.zh) == (2026, date(2026, 6, 1), "外国专业人才（B类）")
