"""WP-1 计点积分: the points table as data, one table per factor, each factor capped.

``assess_points(facts, params)`` returns every factor with its input, points, cap and the band that gave
them (a stable ``band`` id and the rule in zh/en), then the total: the result explains itself.

Reading of the table (DOMAIN WP-1, the national 积分要素计分赋值表 of 2017):

* lower bounds are inclusive: 450,000 yuan is in the 20-point band, 449,999.99 in the 17-point one;
  a salary band's figures are in 10,000 yuan, compared here in exact yuan (``Decimal``);
* work years: completed years; under 2 → 0, 2 → 5, each further year +1, capped at 20 (so 17 years or
  more give 20);
* months in China a year: 9 or more → 15, [6, 9) → 10, [3, 6) → 5, under 3 → 0 (2.99 scores 0);
* age in completed years on ``facts.assessed_on``: 18-25 → 10, 26-45 → 15, 46-55 → 10, 56-60 → 5,
  over 60 → 0. Under 18 scores 0 with a note (a minor cannot be given a work permit; the points do not
  decide that, so the assessment still runs and says so);
* Chinese: the best of former Chinese national (5), a bachelor's or higher degree taught in Chinese (5;
  the flag counts only with a degree as highest education) and the HSK level (5+ → 5, 4 → 4 ... 1 → 1);
* work location: all of Jilin is in the northeast (东北地区等老工业基地) → 10 for any ID-5 code of the
  province (22, 2201 ... 2224, or a 6-digit division code under them). A location outside Jilin is NOT
  refused here: it scores 0 with a note, because the national table gives 10 only for the western
  region, the northeast and poverty counties, which this bureau cannot tell apart from a code; an
  application for work outside Jilin belongs to another province's bureau, which the application
  schema (a Jilin city code) already enforces;
* bonus: ``params.bonus_points_per_item`` (5) per item, capped at ``params.bonus_cap`` (5);
* provincial encouragement: ``params.provincial_points`` (default 0) for every assessment of the year,
  capped at ``params.provincial_points_cap`` (10).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from services.foreign_experts.errors import InvalidFacts
from services.foreign_experts.rules.facts import DEGREES, Facts
from services.foreign_experts.rules.labels import BONUSES, EDUCATION, FACTORS, label, text
from services.foreign_experts.rules.parameters import YearParameters
from shared.schemas import Label
from shared.validators import JILIN_REGIONS


@dataclass(frozen=True)
class Band:
    """A row of a factor's table: from ``lower`` (inclusive, in the factor's unit) up to the next row."""

    id: str
    lower: Decimal
    points: int
    rule: Label


def _band(band_id: str, lower: int | str, points: int, zh: str, en: str) -> Band:
    return Band(band_id, Decimal(lower), points, text(zh, en))


# --- the tables (highest band first) ---------------------------------------------------------------

FACTOR_CAPS: dict[str, int] = {
    "salary": 20,
    "education": 20,
    "work_years": 20,
    "months_in_china": 15,
    "chinese": 5,
    "work_location": 10,
    "age": 15,
}  # bonus and provincial: their caps are in YearParameters

SALARY_BANDS: tuple[Band, ...] = (  # yuan a year
    _band("salary_450k_plus", 450000, 20, "年薪45万元及以上：20分", "450,000 yuan a year or more: 20"),
    _band("salary_350k_450k", 350000, 17, "年薪35万元（含）至45万元：17分", "350,000 to under 450,000 yuan: 17"),
    _band("salary_250k_350k", 250000, 14, "年薪25万元（含）至35万元：14分", "250,000 to under 350,000 yuan: 14"),
    _band("salary_150k_250k", 150000, 11, "年薪15万元（含）至25万元：11分", "150,000 to under 250,000 yuan: 11"),
    _band("salary_70k_150k", 70000, 8, "年薪7万元（含）至15万元：8分", "70,000 to under 150,000 yuan: 8"),
    _band("salary_50k_70k", 50000, 5, "年薪5万元（含）至7万元：5分", "50,000 to under 70,000 yuan: 5"),
    _band("salary_under_50k", 0, 0, "年薪不足5万元：0分", "under 50,000 yuan: 0"),
)

EDUCATION_BANDS: dict[str, Band] = {
    code: Band(band_id, Decimal(0), points, text(zh, en))
    for code, (band_id, points, zh, en) in {
        "doctorate": ("doctorate_or_top_skills", 20, "博士：20分", "doctorate: 20"),
        "top_skills_certificate": (
            "doctorate_or_top_skills",
            20,
            "国际通用最高等级职业技能资格证书或高级技师：20分",
            "top international skills certificate or senior technician: 20",
        ),
        "master": ("master_or_technician", 15, "硕士：15分", "master's degree: 15"),
        "technician": ("master_or_technician", 15, "技师：15分", "technician: 15"),
        "bachelor": ("bachelor_or_senior_worker", 10, "学士：10分", "bachelor's degree: 10"),
        "senior_worker": ("bachelor_or_senior_worker", 10, "高级工：10分", "senior skilled worker: 10"),
        "other": ("other", 0, "其他学历或资格：0分", "other education: 0"),
    }.items()
}

# Work years: under WORK_YEARS_MIN → 0; WORK_YEARS_MIN → WORK_YEARS_BASE_POINTS; +1 a further year; capped.
WORK_YEARS_MIN = 2
WORK_YEARS_BASE_POINTS = 5
WORK_YEARS_PER_FURTHER_YEAR = 1
WORK_YEARS_RULES: dict[str, Label] = {
    "under_2_years": text("相关工作年限不满2年：0分", "under 2 years of relevant work: 0"),
    "two_years": text("相关工作年限2年：5分", "2 years of relevant work: 5"),
    "further_years": text("相关工作年限超过2年的，每增加1年加1分", "over 2 years: 5 plus 1 for each further year"),
    "capped": text("相关工作年限17年及以上：20分（本项最高20分）", "17 years or more: 20 (the factor's cap)"),
}

MONTHS_BANDS: tuple[Band, ...] = (
    _band("months_9_plus", 9, 15, "每年在华工作9个月及以上：15分", "9 months a year or more: 15"),
    _band("months_6_9", 6, 10, "每年在华工作6个月（含）至9个月：10分", "6 to under 9 months: 10"),
    _band("months_3_6", 3, 5, "每年在华工作3个月（含）至6个月：5分", "3 to under 6 months: 5"),
    _band("months_under_3", 0, 0, "每年在华工作不足3个月：0分", "under 3 months: 0"),
)

HSK_BANDS: tuple[Band, ...] = (
    _band("hsk_5_plus", 5, 5, "通过汉语水平考试（HSK）五级或以上：5分", "HSK level 5 or higher: 5"),
    _band("hsk_4", 4, 4, "通过HSK四级：4分", "HSK level 4: 4"),
    _band("hsk_3", 3, 3, "通过HSK三级：3分", "HSK level 3: 3"),
    _band("hsk_2", 2, 2, "通过HSK二级：2分", "HSK level 2: 2"),
    _band("hsk_1", 1, 1, "通过HSK一级：1分", "HSK level 1: 1"),
    _band("no_chinese", 0, 0, "无汉语水平证明：0分", "no proof of Chinese: 0"),
)
CHINESE_FORMER_NATIONAL = _band(
    "former_chinese_national", 0, 5, "曾经具有中国国籍的外国人：5分", "former Chinese national: 5"
)
CHINESE_DEGREE = _band(
    "degree_in_chinese",
    0,
    5,
    "取得以汉语为教学语言的学士及以上学位：5分",
    "bachelor's degree or higher taught in Chinese: 5",
)

LOCATION_JILIN = _band(
    "northeast_jilin",
    0,
    10,
    "吉林省全境属东北地区等老工业基地：10分",
    "all of Jilin is in the northeast, an old industrial base: 10",
)
LOCATION_OUTSIDE = _band(
    "outside_jilin",
    0,
    0,
    "工作地点不在吉林省：本局不予计分（0分）",
    "work location outside Jilin: no points from this bureau (0)",
)

AGE_BANDS: tuple[Band, ...] = (
    _band("age_61_plus", 61, 0, "年龄60周岁以上：0分", "over 60: 0"),
    _band("age_56_60", 56, 5, "年龄56至60周岁：5分", "aged 56-60: 5"),
    _band("age_46_55", 46, 10, "年龄46至55周岁：10分", "aged 46-55: 10"),
    _band("age_26_45", 26, 15, "年龄26至45周岁：15分", "aged 26-45: 15"),
    _band("age_18_25", 18, 10, "年龄18至25周岁：10分", "aged 18-25: 10"),
    _band("age_under_18", 0, 0, "未满18周岁：0分", "under 18: 0"),
)

BONUS_RULES: dict[str, Label] = {
    "no_bonus": text("无加分项目：0分", "no bonus item: 0"),
    "bonus_items": text("加分项目每项5分", "5 points for each bonus item"),
    "bonus_capped": text("加分项目合计最高5分", "bonus items: 5 in total at most"),
}
PROVINCIAL_RULE = text(
    "地方鼓励性加分（由省级外国人工作管理部门按年度确定）", "provincial encouragement (set yearly by the province)"
)

NOTE_UNDER_18 = text(
    "未满18周岁：外国人来华工作须年满18周岁，年龄项不计分。",
    "Under 18: a foreigner must be at least 18 to work in China; the age factor scores 0.",
)
NOTE_OUTSIDE_JILIN = text(
    "工作地点不在吉林省，不属本局受理范围，工作地区项按0分计。",
    "The work location is outside Jilin, beyond this bureau; the location factor scores 0.",
)
NOTE_DEGREE_NOT_COUNTED = text(
    "以汉语授课的学位仅在最高学历为学士及以上学位时计分。",
    "A degree taught in Chinese counts only when the highest education is a degree.",
)


# --- results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FactorResult:
    """One factor: its input as shown, the points, the cap, the band that gave them and its rule."""

    code: str
    label: Label
    value: str | None
    points: int
    cap: int
    band: str
    rule: Label
    note: Label | None = None


@dataclass(frozen=True)
class PointsResult:
    factors: tuple[FactorResult, ...]
    total: int
    notes: tuple[Label, ...]

    def factor(self, code: str) -> FactorResult:
        return next(f for f in self.factors if f.code == code)

    def points_by_factor(self) -> dict[str, int]:
        return {f.code: f.points for f in self.factors}


def _pick(value: Decimal, bands: tuple[Band, ...]) -> Band:
    return next(b for b in bands if value >= b.lower)


def _result(
    code: str, value: str | None, points: int, cap: int, band: str, rule: Label, note: Label | None = None
) -> FactorResult:
    return FactorResult(code, label(FACTORS, code), value, min(points, cap), cap, band, rule, note)


# --- the factors -----------------------------------------------------------------------------------


def salary_points(facts: Facts) -> FactorResult:
    band = _pick(facts.annual_salary, SALARY_BANDS)
    return _result("salary", f"{facts.annual_salary:.2f}", band.points, FACTOR_CAPS["salary"], band.id, band.rule)


def education_points(facts: Facts) -> FactorResult:
    band = EDUCATION_BANDS[facts.education]
    return _result("education", facts.education, band.points, FACTOR_CAPS["education"], band.id, band.rule)


def work_years_points(facts: Facts) -> FactorResult:
    cap = FACTOR_CAPS["work_years"]
    years = facts.work_years
    if years < WORK_YEARS_MIN:
        band, points = "under_2_years", 0
    else:
        points = WORK_YEARS_BASE_POINTS + (years - WORK_YEARS_MIN) * WORK_YEARS_PER_FURTHER_YEAR
        band = "two_years" if years == WORK_YEARS_MIN else "further_years" if points < cap else "capped"
    rule = WORK_YEARS_RULES[band]
    if band == "further_years":  # show the arithmetic
        rule = text(
            f"{rule.zh}：5 + {years - WORK_YEARS_MIN} = {points}分",
            f"{rule.en}: 5 + {years - WORK_YEARS_MIN} = {points}",
        )
    return _result("work_years", str(years), points, cap, band, rule)


def months_points(facts: Facts) -> FactorResult:
    band = _pick(facts.months_per_year, MONTHS_BANDS)
    return _result(
        "months_in_china", str(facts.months_per_year), band.points, FACTOR_CAPS["months_in_china"], band.id, band.rule
    )


def chinese_points(facts: Facts) -> FactorResult:
    hsk = _pick(Decimal(facts.hsk_level), HSK_BANDS)
    candidates = [hsk]
    note = None
    if facts.degree_taught_in_chinese:
        if facts.education in DEGREES:
            candidates.insert(0, CHINESE_DEGREE)
        else:
            note = NOTE_DEGREE_NOT_COUNTED
    if facts.former_chinese_national:
        candidates.insert(0, CHINESE_FORMER_NATIONAL)
    best = max(candidates, key=lambda b: b.points)  # the first of equals: the table's order
    shown = (
        ", ".join(
            part
            for part, held in (
                ("former_chinese_national", facts.former_chinese_national),
                ("degree_taught_in_chinese", facts.degree_taught_in_chinese),
                (f"hsk_{facts.hsk_level}", facts.hsk_level > 0),
            )
            if held
        )
        or None
    )
    return _result("chinese", shown, best.points, FACTOR_CAPS["chinese"], best.id, best.rule, note)


_REGION_CODE = re.compile(r"[0-9]{2}(?:[0-9]{2}(?:[0-9]{2})?)?")


def in_jilin(code: str) -> bool:
    """ID-5: a 2-, 4- or 6-digit division code of Jilin province (prefix 22)."""
    if not _REGION_CODE.fullmatch(code):
        raise InvalidFacts(
            "work_city_code",
            "工作地点应为2、4或6位行政区划代码",
            "the work location must be a 2-, 4- or 6-digit division code",
        )
    return code.startswith("22")


def location_points(facts: Facts) -> FactorResult:
    code = facts.work_city_code
    band, note = (LOCATION_JILIN, None) if in_jilin(code) else (LOCATION_OUTSIDE, NOTE_OUTSIDE_JILIN)
    name = JILIN_REGIONS.get(code[:4], JILIN_REGIONS.get(code[:2], ("", "")))[0] if band is LOCATION_JILIN else ""
    return _result(
        "work_location", f"{code} {name}".strip(), band.points, FACTOR_CAPS["work_location"], band.id, band.rule, note
    )


def age_points(facts: Facts) -> FactorResult:
    age = facts.age
    band = _pick(Decimal(age), AGE_BANDS)
    note = NOTE_UNDER_18 if band.id == "age_under_18" else None
    return _result("age", str(age), band.points, FACTOR_CAPS["age"], band.id, band.rule, note)


def bonus_points(facts: Facts, params: YearParameters) -> FactorResult:
    items = sorted(facts.bonuses, key=list(BONUSES).index)
    raw = len(items) * params.bonus_points_per_item
    band = "no_bonus" if not items else "bonus_capped" if raw > params.bonus_cap else "bonus_items"
    return _result("bonus", ", ".join(items) or None, raw, params.bonus_cap, band, BONUS_RULES[band])


def provincial_points(params: YearParameters) -> FactorResult:
    return _result(
        "provincial",
        str(params.provincial_points),
        params.provincial_points,
        params.provincial_points_cap,
        "provincial_configured",
        PROVINCIAL_RULE,
    )


def assess_points(facts: Facts, params: YearParameters) -> PointsResult:
    """WP-1: every factor in the order of the table, then the total (the sum of the capped points)."""
    factors = (
        salary_points(facts),
        education_points(facts),
        work_years_points(facts),
        months_points(facts),
        chinese_points(facts),
        location_points(facts),
        age_points(facts),
        bonus_points(facts, params),
        provincial_points(params),
    )
    notes = tuple(f.note for f in factors if f.note is not None)
    return PointsResult(factors, sum(f.points for f in factors), notes)


assert set(EDUCATION_BANDS) == set(EDUCATION), "every education code has its band"
