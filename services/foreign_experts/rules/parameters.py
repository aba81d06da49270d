"""The figures of a year that the rules apply, as data (DOMAIN: **configurable**, never literals in code).

``YearParameters`` holds every figure with its documented default; ``default_parameters(year)`` is the
set an official starts from. The persistence side stores a year's row as JSON (``to_mapping``) and
builds it back with ``YearParameters.from_mapping`` (unknown keys are refused, so a typo in a stored
row cannot be silently ignored; missing keys take the default).

Figures DOMAIN marks configurable: the A and B points thresholds (WP-2), the provincial encouragement
points (WP-1), the average wage (WP-2, per year), the C quota (WP-2, per year), the validity caps (WP-5).
The others (the statutory time limits, the passport margin, WP-3's figures ...) are fixed by DOMAIN but
kept here too, so the whole policy of a year reads in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from decimal import Decimal
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from services.foreign_experts.errors import InvalidYearParameters
from shared.i18n import message_zh

# 吉林省2022年城镇非私营单位就业人员年平均工资 87,222元 (吉林省统计局, as reported in 2023): a
# PLACEHOLDER only. The rule wants the previous year's figure of each year; an official must set the
# published one in the year's row before A/B salary routes are relied on.
PLACEHOLDER_AVERAGE_WAGE = Decimal("87222")


@dataclass(frozen=True)
class YearParameters:
    """The figures of ``year``. Money in yuan (``Decimal``), time limits in working days (CAL-1)."""

    year: int
    # WP-2 points thresholds (configurable): A at 85 points or more, B at 60 or more.
    a_points_threshold: int = 85
    b_points_threshold: int = 60
    # WP-1 provincial encouragement (地方鼓励性加分, configurable): the points the province gives, capped.
    # The same figure applies to every assessment of the year; a per-programme figure is a
    # ``dataclasses.replace(params, provincial_points=...)`` by the caller.
    provincial_points: int = 0
    provincial_points_cap: int = 10
    # WP-2 the province's average wage of the PREVIOUS year (yuan a year; configurable per year), and
    # the multiples of it that qualify for A (6×) and B (4×). See PLACEHOLDER_AVERAGE_WAGE.
    average_wage: Decimal = PLACEHOLDER_AVERAGE_WAGE
    a_salary_multiple: Decimal = Decimal(6)
    b_salary_multiple: Decimal = Decimal(4)
    # WP-2 C permits the year may approve (configurable; a placeholder until the year's quota is set).
    c_quota: int = 100
    # WP-5 validity caps (configurable): A 5 years, B 2 years, C 90 days.
    a_validity_years: int = 5
    b_validity_years: int = 2
    c_validity_days: int = 90
    # WP-5 a passport needs at least this many months left on the day of application.
    passport_min_months: int = 6
    # WP-4 work "over 90 days" is long-term; its decision within 20 working days, extendable once by 10;
    # work of 90 days or less within 5; "due soon" means within 3 working days.
    long_term_over_days: int = 90
    decision_working_days_long: int = 20
    extension_working_days: int = 10
    decision_working_days_short: int = 5
    due_soon_working_days: int = 3
    # WP-1 bonus items: 5 points each, 5 in total (the national table: 此项最高5分).
    bonus_points_per_item: int = 5
    bonus_cap: int = 5
    # WP-3 basic conditions of B.
    basic_max_age: int = 60
    basic_min_work_years: int = 2
    teacher_min_work_years: int = 2
    teacher_min_tefl_hours: int = 120
    # WP-6 the notice is valid 6 months; the residence permit is applied for within 30 days of entry.
    notice_validity_months: int = 6
    residence_permit_days: int = 30
    # WP-7 a criminal record certificate must be issued within 6 months.
    criminal_record_max_age_months: int = 6

    def __post_init__(self) -> None:
        problems: list[tuple[str, str]] = []  # (zh, en)
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name != "year" and value < 0:
                problems.append((f"{f.name} 不能为负数", f"{f.name} must not be negative"))
        if not 2000 <= self.year <= 2200:
            problems.append(("year 应在 2000 至 2200 之间", "year must be within 2000-2200"))
        if self.b_points_threshold > self.a_points_threshold:
            problems.append(
                (
                    "b_points_threshold 不能高于 a_points_threshold",
                    "b_points_threshold must not exceed a_points_threshold",
                )
            )
        if self.b_salary_multiple > self.a_salary_multiple:
            problems.append(
                ("b_salary_multiple 不能高于 a_salary_multiple", "b_salary_multiple must not exceed a_salary_multiple")
            )
        if self.provincial_points > self.provincial_points_cap:
            problems.append(
                (
                    "provincial_points 不能高于 provincial_points_cap",
                    "provincial_points must not exceed provincial_points_cap",
                )
            )
        if self.average_wage <= 0:
            problems.append(("average_wage 须为正数", "average_wage must be positive"))
        for name in (
            "a_validity_years",
            "b_validity_years",
            "c_validity_days",
            "decision_working_days_long",
            "decision_working_days_short",
        ):
            if getattr(self, name) == 0:
                problems.append((f"{name} 须为正数", f"{name} must be positive"))
        if problems:
            raise InvalidYearParameters(
                "年度参数无效：" + "；".join(zh for zh, _ in problems),
                "; ".join(en for _, en in problems),
                extra={"year": self.year, "problems": [en for _, en in problems]},
            )

    @property
    def a_salary_threshold(self) -> Decimal:
        """Yuan a year at or above which the salary alone qualifies for A (6 × the average wage)."""
        return self.a_salary_multiple * self.average_wage

    @property
    def b_salary_threshold(self) -> Decimal:
        return self.b_salary_multiple * self.average_wage

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, year: int | None = None) -> YearParameters:
        """Build from a stored row (JSON: numbers or decimal strings). ``year`` fills in a row keyed by year
        outside its data; the defaults fill in every other missing figure."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidYearParameters(
                f"未知的年度参数：{', '.join(unknown)}",
                f"unknown parameters: {', '.join(unknown)}",
                extra={"unknown": unknown},
            )
        merged = dict(data)
        if year is not None:
            if merged.get("year", year) != year:
                raise InvalidYearParameters("参数中的年度与所属年度不一致", "the data's year is not the row's year")
            merged["year"] = year
        try:
            return _adapter().validate_python(merged)
        except ValidationError as exc:
            errors = exc.errors()
            for error in errors:  # the figures' own check (__post_init__) says it in both languages already
                inner = (error.get("ctx") or {}).get("error")
                if isinstance(inner, InvalidYearParameters):
                    raise inner from None
            raise InvalidYearParameters(
                "年度参数无效：" + "；".join(_message(e["loc"], message_zh(e)) for e in errors),
                "; ".join(_message(e["loc"], e["msg"]) for e in errors),
                extra={"problems": [_message(e["loc"], e["msg"]) for e in errors]},
            ) from None

    def to_mapping(self) -> dict[str, Any]:
        """JSON-ready: money and multiples as decimal strings, so a stored row round-trips exactly."""
        return {k: str(v) if isinstance(v, Decimal) else v for k, v in asdict(self).items()}


def _message(loc: tuple[int | str, ...], msg: str) -> str:
    msg = msg.removeprefix("Value error, ")
    return f"{'.'.join(str(p) for p in loc)}: {msg}" if loc else msg


@cache
def _adapter() -> TypeAdapter[YearParameters]:
    return TypeAdapter(YearParameters)


def default_parameters(year: int) -> YearParameters:
    """The documented defaults for ``year``: what applies until an official stores the year's figures."""
    return YearParameters(year=year)
