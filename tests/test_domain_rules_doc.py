"""docs/domain-rules.md lists every clause a test names, with the tests that check it as they are now
(``python -m tests.domain_rules`` rewrites it)."""

from __future__ import annotations

from tests.domain_rules import DOC, clauses_checked, listed, render


def test_every_clause_a_test_names_is_listed() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert sorted(set(clauses_checked()) - listed(text)) == []


def test_the_tests_column_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert render(text, clauses_checked()) == text, "stale: run `python -m tests.domain_rules` and commit"


def test_a_clause_named_by_a_test_is_found() -> None:
    found = clauses_checked()
    assert found["NSF-2"]["tests/shared/test_mounting.py"] >= 1
    assert "tests/services/foreign_experts/test_points.py" in found["WP-1"]
