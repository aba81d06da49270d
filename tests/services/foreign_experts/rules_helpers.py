"""Builders shared by the tests of the pure rules (services/foreign_experts/rules): facts with plain
defaults, the 2026 parameters, and the error code of a call."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from services.foreign_experts.rules.facts import Facts
from services.foreign_experts.rules.parameters import YearParameters, default_parameters
from shared.errors import AppError

ASSESSED_ON = date(2026, 6, 1)
P2026 = default_parameters(2026)


def born_aged(age: int, on: date = ASSESSED_ON) -> date:
    """A birth date that makes the person exactly ``age`` on ``on`` (the birthday is that very day)."""
    return on.replace(year=on.year - age)


def make_facts(**overrides: Any) -> Facts:
    """An unremarkable applicant (a bachelor, 30, 2 years of work, 100,000 yuan, 12 months in Changchun),
    changed by ``overrides``; ``age=`` sets the birth date from ``assessed_on``."""
    assessed_on = overrides.pop("assessed_on", ASSESSED_ON)
    age = overrides.pop("age", 30)
    values: dict[str, Any] = {
        "assessed_on": assessed_on,
        "birth_date": born_aged(age, assessed_on),
        "education": "bachelor",
        "work_years": 2,
        "annual_salary": Decimal("100000"),
        "months_per_year": Decimal("12"),
        "work_city_code": "2201",
    }
    values.update(overrides)
    for key in ("annual_salary", "months_per_year"):
        values[key] = Decimal(str(values[key]))
    for key in ("a_criteria", "bonuses"):
        if key in values:
            values[key] = frozenset(values[key])
    return Facts(**values)


def params(**changes: Any) -> YearParameters:
    return dataclasses.replace(P2026, **changes)


def code_of(call: Callable[[], object]) -> str | None:
    """The stable code of the ``AppError`` the call raises, None when it raises nothing."""
    try:
        call()
    except AppError as exc:
        return exc.code
    return None
