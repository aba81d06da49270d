"""AW-1 the provincial S&T award categories as data: grades, quotas, cycles and committee votes.

``DEFAULT_CATEGORIES`` holds DOMAIN's categories:

* outstanding contribution (突出贡献奖): every 2 years, no grades, at most 2 recipients;
* natural science, technical invention, S&T progress (自然科学奖、技术发明奖、科学技术进步奖): grades
  1, 2, 3, each grade's quota set per cycle (DOMAIN gives no figure: ``None`` until the department sets
  it, and a quota check on an unset quota is refused rather than waved through);
* international S&T cooperation (国际科学技术合作奖): for foreigners or foreign organisations, no grades,
  at most 2 recipients;
* the provincial Friendship Award (友谊奖, foreigners) and the achievement-transformation contribution
  award (成果转化贡献奖): no grades, yearly, quota per cycle.

A biennial category is given in ``anchor_year`` and every ``every_years`` years from it, before and
after (the anchor 2022, the year 吉林省人民政府令第276号 came into force, is a placeholder the department
confirms). A cycle overrides any figure with ``dataclasses.replace`` or ``with_quotas``.

Committee votes (评审委员会表决) are data per grade (``VoteRule``), decided in exact ``Fraction``
arithmetic: a vote counts only with a quorum of members present (default at least 2/3), and passes when
those in favour are at least (or, with ``at_least`` off, more than) ``threshold`` of the members or of
those present. "以上" includes the figure: 10 of 15 is 2/3 and passes "2/3 以上". Defaults (placeholders,
**configurable**): the first grade and the categories without grades at least 2/3 of all members, the
second and third grades at least half of those present.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Literal

from services.talent.errors import (
    AwardCycleNotAllowed,
    AwardGradeNotAllowed,
    AwardQuotaExceeded,
    AwardQuotaNotSet,
    InvalidAwardRules,
    InvalidCommitteeVote,
)
from shared.errors import InvalidValue, field_error

CLAUSE = "AW-1"


class AwardCategoryCode(StrEnum):
    OUTSTANDING_CONTRIBUTION = "outstanding_contribution"  # 科学技术突出贡献奖
    NATURAL_SCIENCE = "natural_science"  # 自然科学奖
    TECHNICAL_INVENTION = "technical_invention"  # 技术发明奖
    ST_PROGRESS = "st_progress"  # 科学技术进步奖
    INTERNATIONAL_COOPERATION = "international_cooperation"  # 国际科学技术合作奖
    FRIENDSHIP = "friendship"  # 吉林省友谊奖
    TRANSFORMATION_CONTRIBUTION = "transformation_contribution"  # 科技成果转化贡献奖


@dataclass(frozen=True)
class VoteRule:
    """Passes when in favour >= (``at_least``) or > ``threshold`` × the ``basis`` (all members or those
    present), and counts only when at least ``quorum`` × the members are present."""

    threshold: Fraction
    basis: Literal["members", "present"] = "members"
    at_least: bool = True
    quorum: Fraction = Fraction(2, 3)

    def __post_init__(self) -> None:
        object.__setattr__(self, "threshold", Fraction(self.threshold))
        object.__setattr__(self, "quorum", Fraction(self.quorum))
        errors = []
        if not 0 < self.threshold <= 1:
            errors.append(field_error("vote.threshold", "out_of_range", "应大于 0 且不超过 1", "in (0, 1]"))
        if not 0 < self.quorum <= 1:
            errors.append(field_error("vote.quorum", "out_of_range", "应大于 0 且不超过 1", "in (0, 1]"))
        if self.basis not in ("members", "present"):
            errors.append(field_error("vote.basis", "unknown", "应为 members 或 present", "members or present"))
        if errors:
            raise InvalidAwardRules(
                "表决规则无效（AW-1）。", "The vote rule is not valid (AW-1).", errors, clause=CLAUSE
            )


TWO_THIRDS_OF_MEMBERS = VoteRule(Fraction(2, 3), "members")
HALF_OF_PRESENT = VoteRule(Fraction(1, 2), "present")


@dataclass(frozen=True)
class GradeRule:
    """A grade's (or an ungraded category's) quota of recipients per cycle (None: not set) and vote."""

    quota: int | None = None
    vote: VoteRule = TWO_THIRDS_OF_MEMBERS


Grade = int | None  # 1, 2, 3; None for a category without grades


@dataclass(frozen=True)
class AwardCategory:
    code: str
    name_zh: str
    name_en: str
    grades: Mapping[Grade, GradeRule]  # {1: ..., 2: ..., 3: ...}, or {None: ...} without grades
    every_years: int = 1
    anchor_year: int | None = None  # a year it is given; needed when every_years > 1
    for_foreigners: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "grades", MappingProxyType(dict(self.grades)))
        errors = []
        keys = set(self.grades)
        if not keys or (None in keys and len(keys) > 1) or any(k is not None and k < 1 for k in keys):
            errors.append(
                field_error(
                    f"{self.code}.grades",
                    "invalid_grades",
                    "等级应为正整数，或仅有“不分等级”一项",
                    "grades are positive integers, or the single no-grade entry",
                )
            )
        errors += [
            field_error(f"{self.code}.grades.{g}.quota", "negative", "名额不能为负数", "must not be negative")
            for g, rule in self.grades.items()
            if rule.quota is not None and rule.quota < 0
        ]
        if self.every_years < 1 or (self.every_years > 1 and self.anchor_year is None):
            errors.append(
                field_error(
                    f"{self.code}.every_years",
                    "invalid_cycle",
                    "评审周期至少 1 年；多年一评的须给出基准年度",
                    "every_years is at least 1; a category not given yearly needs anchor_year",
                )
            )
        if errors:
            raise InvalidAwardRules(
                f"奖励类别 {self.code} 的参数无效（AW-1）。",
                f"The award category {self.code} is not valid (AW-1).",
                errors,
                clause=CLAUSE,
            )

    @property
    def graded(self) -> bool:
        return None not in self.grades

    def rule(self, grade: Grade) -> GradeRule:
        check_grade(self, grade)
        return self.grades[grade]


def _graded(first: VoteRule = TWO_THIRDS_OF_MEMBERS, others: VoteRule = HALF_OF_PRESENT) -> dict[Grade, GradeRule]:
    return {1: GradeRule(None, first), 2: GradeRule(None, others), 3: GradeRule(None, others)}


DEFAULT_CATEGORIES: Mapping[str, AwardCategory] = MappingProxyType(
    {
        c.code: c
        for c in (
            AwardCategory(
                AwardCategoryCode.OUTSTANDING_CONTRIBUTION,
                "吉林省科学技术突出贡献奖",
                "Outstanding Contribution Award",
                {None: GradeRule(2)},
                every_years=2,
                anchor_year=2022,
            ),
            AwardCategory(AwardCategoryCode.NATURAL_SCIENCE, "自然科学奖", "Natural Science Award", _graded()),
            AwardCategory(AwardCategoryCode.TECHNICAL_INVENTION, "技术发明奖", "Technical Invention Award", _graded()),
            AwardCategory(AwardCategoryCode.ST_PROGRESS, "科学技术进步奖", "S&T Progress Award", _graded()),
            AwardCategory(
                AwardCategoryCode.INTERNATIONAL_COOPERATION,
                "国际科学技术合作奖",
                "International S&T Cooperation Award",
                {None: GradeRule(2)},
                for_foreigners=True,
            ),
            AwardCategory(
                AwardCategoryCode.FRIENDSHIP,
                "吉林省友谊奖",
                "Jilin Friendship Award",
                {None: GradeRule()},
                for_foreigners=True,
            ),
            AwardCategory(
                AwardCategoryCode.TRANSFORMATION_CONTRIBUTION,
                "科技成果转化贡献奖",
                "Achievement Transformation Contribution Award",
                {None: GradeRule()},
            ),
        )
    }
)


def award_category(code: str, categories: Mapping[str, AwardCategory] = DEFAULT_CATEGORIES) -> AwardCategory:
    try:
        return categories[code]
    except KeyError:
        raise InvalidValue(
            f"奖励类别应为 {'、'.join(categories)} 之一（AW-1）。",
            f"The award category must be one of {', '.join(categories)} (AW-1).",
            extra={"clause": CLAUSE, "category": code, "categories": list(categories)},
        ) from None


def with_quotas(category: AwardCategory, quotas: Mapping[Grade, int | None]) -> AwardCategory:
    """The category with a cycle's quotas (the grades not named keep theirs)."""
    unknown = [g for g in quotas if g not in category.grades]
    if unknown:
        check_grade(category, unknown[0])
    grades = {g: replace(rule, quota=quotas.get(g, rule.quota)) for g, rule in category.grades.items()}
    return replace(category, grades=grades)


# --- cycle, grade, quota ----------------------------------------------------------------------------


def given_in(category: AwardCategory, year: int) -> bool:
    """AW-1: a category given every N years is given in its anchor year and every N years from it."""
    if category.every_years == 1:
        return True
    assert category.anchor_year is not None
    return (year - category.anchor_year) % category.every_years == 0


def next_cycle_year(category: AwardCategory, year: int) -> int:
    """The first year from ``year`` on in which the category is given."""
    return next(y for y in range(year, year + category.every_years) if given_in(category, y))


def check_cycle_year(category: AwardCategory, year: int) -> None:
    """AW-1: refuse a cycle of a biennial (or rarer) category in a year it is not given."""
    if given_in(category, year):
        return
    following = next_cycle_year(category, year)
    raise AwardCycleNotAllowed(
        f"{category.name_zh}每 {category.every_years} 年评审一次，{year} 年度不评审，"
        f"下一次为 {following} 年度（AW-1）。",
        f"The {category.name_en} is given every {category.every_years} years, not in {year}; next in "
        f"{following} (AW-1).",
        extra={
            "clause": CLAUSE,
            "category": category.code,
            "year": year,
            "every_years": category.every_years,
            "next_year": following,
        },
    )


def check_grade(category: AwardCategory, grade: Grade) -> None:
    """AW-1: a graded category takes one of its grades; one without grades takes none."""
    if grade in category.grades:
        return
    grades = [g for g in category.grades if g is not None]
    raise AwardGradeNotAllowed(
        f"{category.name_zh}"
        + (f"的等级为 {'、'.join(map(str, grades))}，没有 {grade}" if category.graded else "不分等级")
        + "（AW-1）。",
        f"The {category.name_en} "
        + (f"has grades {', '.join(map(str, grades))}, not {grade}" if category.graded else "has no grades")
        + " (AW-1).",
        extra={"clause": CLAUSE, "category": category.code, "grade": grade, "grades": grades},
    )


def check_quota(category: AwardCategory, grade: Grade, awarded: int, adding: int = 1) -> None:
    """AW-1: ``awarded`` already proposed or given in the cycle (category and grade) plus ``adding`` stay
    within the quota: at the quota is fine, one over is refused; an unset quota is refused."""
    rule = category.rule(grade)
    where_zh = f"{category.name_zh}" + (f"{grade}等奖" if grade is not None else "")
    where_en = category.name_en + (f", grade {grade}" if grade is not None else "")
    extra = {"clause": CLAUSE, "category": category.code, "grade": grade, "awarded": awarded, "adding": adding}
    if rule.quota is None:
        raise AwardQuotaNotSet(
            f"{where_zh}本年度名额尚未设定（AW-1）。",
            f"The cycle's quota of {where_en} is not set (AW-1).",
            extra=extra,
        )
    if awarded + adding > rule.quota:
        raise AwardQuotaExceeded(
            f"{where_zh}至多 {rule.quota} 项，已有 {awarded} 项，不能再增加 {adding} 项（AW-1）。",
            f"{where_en} takes at most {rule.quota}; {awarded} taken, {adding} more is over (AW-1).",
            extra={**extra, "quota": rule.quota},
        )


# --- committee votes ---------------------------------------------------------------------------------

QUORUM_NOT_MET = "quorum_not_met"
BELOW_THRESHOLD = "below_threshold"


@dataclass(frozen=True, slots=True)
class VoteOutcome:
    passed: bool
    reason: str | None  # QUORUM_NOT_MET, BELOW_THRESHOLD, or None when passed
    present_needed: int  # the fewest members present for a quorum
    votes_needed: int  # the fewest in favour to pass with those present
    share_in_favour: Fraction  # of the rule's basis


def decide_vote(rule: VoteRule, members: int, present: int, in_favour: int) -> VoteOutcome:
    """AW-1: whether a committee vote passes under ``rule`` (exact: 10 of 15 is exactly 2/3)."""
    errors = []
    if members < 1:
        errors.append(field_error("members", "not_positive", "委员总数须为正数", "must be positive"))
    if not 0 <= present <= max(members, 0):
        errors.append(field_error("present", "out_of_range", "到会人数应在 0 至委员总数之间", "0 to members"))
    if not 0 <= in_favour <= max(present, 0):
        errors.append(field_error("in_favour", "out_of_range", "赞成票应在 0 至到会人数之间", "0 to present"))
    if errors:
        raise InvalidCommitteeVote(
            "表决数据不一致（AW-1）。", "The vote's figures are inconsistent (AW-1).", errors, clause=CLAUSE
        )
    basis = members if rule.basis == "members" else present
    present_needed = math.ceil(rule.quorum * members)
    exact = rule.threshold * basis
    votes_needed = math.ceil(exact) if rule.at_least else math.floor(exact) + 1
    share = Fraction(in_favour, basis) if basis else Fraction(0)
    if Fraction(present, members) < rule.quorum:
        return VoteOutcome(False, QUORUM_NOT_MET, present_needed, votes_needed, share)
    passed = share >= rule.threshold if rule.at_least else share > rule.threshold
    return VoteOutcome(passed, None if passed else BELOW_THRESHOLD, present_needed, votes_needed, share)


# The categories whose nominee is a foreign expert known by a work permit (WP-8) checked with the
# foreign-experts service (the Friendship Award).
FRIENDSHIP_CATEGORIES: frozenset[str] = frozenset({AwardCategoryCode.FRIENDSHIP})
