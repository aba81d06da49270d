"""WP-1, WP-2, WP-3: worked cases computed by hand from the WP-1 table (data/points_cases.json, each
with its reasoning), checked against the rules: every factor's points, the total, the class, the routes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from services.foreign_experts.rules.classes import assess
from services.foreign_experts.rules.facts import Facts
from services.foreign_experts.rules.parameters import YearParameters, default_parameters

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "points_cases.json").read_text(encoding="utf-8")
)["cases"]
ASSESSED_ON = date(2026, 6, 1)


def test_wp1_at_least_twenty_worked_cases_covering_every_class() -> None:
    assert len(CASES) >= 20 and len({c["id"] for c in CASES}) == len(CASES)
    assert {c["expected"]["class"] for c in CASES} == {"A", "B", "C"}
    assert all(c["why"].strip() for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_wp1_wp2_wp3_worked_case(case: dict[str, Any]) -> None:
    params = YearParameters.from_mapping({**default_parameters(2026).to_mapping(), **case.get("parameters", {})})
    facts = Facts.from_mapping(case["facts"], assessed_on=ASSESSED_ON)
    result = assess(
        facts, params, age_waiver_reason=case.get("age_waiver_reason"), c_quota_used=case.get("c_quota_used")
    )
    expected = case["expected"]
    assert result.points.points_by_factor() == expected["points"], case["why"]
    assert result.total == expected["total"] == sum(expected["points"].values())
    assert result.permit_class == expected["class"], case["why"]
    if "routes" in expected:
        assert [r.code for r in result.routes] == expected["routes"], case["why"]
    if "approvable" in expected:
        assert result.approvable is expected["approvable"], case["why"]
    if "refusals" in expected:
        assert [r.code for r in result.refusals] == expected["refusals"], case["why"]
    if "quota_remaining" in expected:
        assert result.classification.quota_remaining == expected["quota_remaining"], case["why"]
