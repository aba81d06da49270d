"""docs/domain-rules.md: each clause of the department's rules, one line on how the platform applies it
(written by hand in the document), and the tests that check it (found here, from each test's name and
docstring). ``python -m tests.domain_rules`` rewrites the last column; tests/test_domain_rules_doc.py
fails when it is stale or when a test names a clause the document does not list.

A test names a clause in its name (``test_nsf2_...``, ``test_cal1_cal2_...``) or its docstring
(``NSF-2``)."""

from __future__ import annotations

import ast
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "domain-rules.md"
FAMILIES = ("CAL", "ID", "WP", "SME", "TC", "NSF", "PRJ", "TAL", "AW", "XT", "TT")
IN_TEXT = re.compile(rf"(?<![A-Za-z])({'|'.join(FAMILIES)})-(\d+)")
IN_NAME = re.compile(rf"(?:^|_)({'|'.join(f.lower() for f in FAMILIES)})(\d+)(?=_|$)")
ROW = re.compile(r"^\| (?P<clause>[A-Z]+-\d+) \| (?P<how>.*?) \| (?P<tests>.*?) \|$")
NONE = "none yet"


def clauses_checked() -> dict[str, dict[str, int]]:
    """clause -> test file (relative) -> number of its tests naming the clause."""
    found: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
                named = {f"{a.upper()}-{b}" for a, b in IN_NAME.findall(node.name)}
                named |= {f"{a}-{b}" for a, b in IN_TEXT.findall(ast.get_docstring(node) or "")}
                for clause in named:
                    found[clause][path.relative_to(ROOT).as_posix()] += 1
    return found


def tests_cell(files: dict[str, int]) -> str:
    if not files:
        return NONE
    return ", ".join(f"`{name}` ({n})" for name, n in sorted(files.items()))


def render(text: str, found: dict[str, dict[str, int]]) -> str:
    out = []
    for line in text.splitlines():
        match = ROW.match(line)
        if match:
            cell = tests_cell(found.get(match["clause"], {}))
            line = f"| {match['clause']} | {match['how']} | {cell} |"
        out.append(line)
    return "\n".join(out) + "\n"


def listed(text: str) -> set[str]:
    return {m["clause"] for m in map(ROW.match, text.splitlines()) if m}


def main() -> int:
    text = DOC.read_text(encoding="utf-8")
    found = clauses_checked()
    missing = sorted(set(found) - listed(text))
    if missing:
        print(f"tests name clauses the document does not list: {', '.join(missing)}", file=sys.stderr)
        return 1
    DOC.write_text(render(text, found), encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
