"""docs/problems.md: every problem code the platform answers with, written from the same documents the
gateway merges (each service's, as the gateway shows it, and the gateway's own). ``make openapi`` (``python
-m tests.problem_catalogue``) rewrites it; tests/test_contract.py fails when it is stale."""

from __future__ import annotations

import asyncio
import copy
import importlib
import sys
from functools import cache
from pathlib import Path
from typing import Any

from gateway.docs.cache import build_document, proxy_problems
from gateway.main import create_app as create_gateway
from shared.contract.catalogue import STATUS_ADVICE, entries
from shared.contract.document import CATALOGUE_KEY, STATUS_TITLES, behind_gateway
from shared.settings import SERVICES, url_segment

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "problems.md"

HEAD = """# Problem codes / 错误码目录

Every problem the platform answers with carries a stable `code` (docs/api-conventions.md, "Errors"). This
is the list of them all: the status each comes with, what it means, what the caller should do, and where it
can come from (`gateway` for the gateway's own answers). The running platform serves the same list at
`GET /api/v1/problems`, and each operation of the OpenAPI document lists, under each status, the codes it
can answer.

平台的每个错误答复都带有稳定的 `code`。本页列出全部错误码：状态码、含义、调用方应如何处理，以及可能出现的位置。
运行中的平台在 `GET /api/v1/problems` 提供同一目录；OpenAPI 文档的每个接口按状态码列出它可能返回的错误码。

This page is written by `make openapi`; do not edit it by hand.
"""


@cache
def service_documents() -> dict[str, dict[str, Any]]:
    """Each service's own document."""
    return {name: importlib.import_module(f"services.{name}.main").create_app().openapi() for name in SERVICES}


def catalogue() -> list[tuple[dict[str, Any], list[str]]]:
    """Every entry the gateway's document holds, with where it can come from, by status and code."""
    merged = asyncio.run(build_document(create_gateway(), fetch=False))
    proxied = [e.as_json() for e in entries(proxy_problems())]
    sources: list[tuple[str, list[dict[str, Any]]]] = [("gateway", merged[CATALOGUE_KEY] + proxied)]
    for name, document in service_documents().items():
        shown = behind_gateway(copy.deepcopy(document), [])  # without the internal token's
        sources.append((url_segment(name), shown[CATALOGUE_KEY]))
    found: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for label, items in sources:
        for entry in items:
            where = found.setdefault(entry["code"], (entry, []))[1]
            if label not in where:
                where.append(label)
    return sorted(found.values(), key=lambda item: (item[0]["status"], item[0]["code"]))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(entries: list[tuple[dict[str, Any], list[str]]]) -> str:
    out = [HEAD]
    status = None
    for entry, where in entries:
        if entry["status"] != status:
            status = entry["status"]
            zh, en = STATUS_TITLES.get(status, ("问题", "Problem"))
            advice_zh, advice_en = STATUS_ADVICE.get(status, ("", ""))
            out += [
                f"\n## {status} {en} / {zh}\n",
                f"Unless a code says more: {advice_en} 除非另有说明：{advice_zh}\n",
                "| code | 含义 / Meaning | 处理建议 / What to do | from |",
                "|---|---|---|---|",
            ]
        meaning = f"{_cell(entry['title_zh'])} / {_cell(entry['title_en'])}"
        default = STATUS_ADVICE.get(status, ("", ""))
        advice = (
            ""
            if (entry["advice_zh"], entry["advice_en"]) == default
            else (f"{_cell(entry['advice_zh'])} / {_cell(entry['advice_en'])}")
        )
        out.append(f"| `{entry['code']}` | {meaning} | {advice or '(see above)'} | {', '.join(where)} |")
    return "\n".join(out) + "\n"


def main() -> int:
    DOC.write_text(render(catalogue()), encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
