"""What every list and record tells a client in the OpenAPI document, checked over every service's
document and the gateway's own (docs/api-conventions.md "Lists" and "Caching"): a list's items carry
their ``etag``, so a client can change a record straight from a list."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.openapi.utils import get_openapi

from gateway.main import create_app as create_gateway
from shared.settings import SERVICES

DOCUMENTS = [*SERVICES, "gateway"]


def document(name: str) -> dict[str, Any]:
    if name == "gateway":
        app = create_gateway()
        return get_openapi(title="gateway", version="0", routes=app.routes, separate_input_output_schemas=False)
    return importlib.import_module(f"services.{name}.main").create_app().openapi()


def _schema(doc: dict[str, Any], ref_or_schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in ref_or_schema:
        return doc["components"]["schemas"][ref_or_schema["$ref"].split("/")[-1]]
    return ref_or_schema


def _answer(doc: dict[str, Any], op: dict[str, Any]) -> dict[str, Any] | None:
    content = op.get("responses", {}).get("200", {}).get("content", {}).get("application/json")
    return _schema(doc, content["schema"]) if content and "schema" in content else None


def list_items(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(list path, item schema name, item schema) of every GET answering a page or an array of records."""
    for path, item in doc["paths"].items():
        answer = _answer(doc, item.get("get", {}))
        if answer is None:
            continue
        if answer.get("type") == "array":
            items = answer.get("items", {})
        elif set(answer.get("properties", {})) >= {"items", "next_cursor"}:
            items = answer["properties"]["items"].get("items", {})
        else:
            continue
        if "$ref" in items:
            name = items["$ref"].split("/")[-1]
            yield path, name, doc["components"]["schemas"][name]


def record_of(doc: dict[str, Any], list_path: str) -> dict[str, Any] | None:
    """The schema ``GET {list_path}/{id}`` answers, if the list's records have such a route."""
    for path, item in doc["paths"].items():
        rest = path.removeprefix(list_path + "/")
        if rest != path and rest.startswith("{") and rest.endswith("}") and "/" not in rest and "get" in item:
            return _answer(doc, item["get"])
    return None


def untagged_items(doc: dict[str, Any]) -> list[str]:
    """List items that are versioned records, or whose record is, without an ``etag``."""
    missing = []
    for path, name, schema in list_items(doc):
        record = record_of(doc, path) or {}
        versioned = "version" in schema.get("properties", {}) or "version" in record.get("properties", {})
        if versioned and "etag" not in schema.get("properties", {}):
            missing.append(f"GET {path}: {name}")
        elif "etag" in schema.get("properties", {}):
            assert "etag" in schema.get("required", []), f"GET {path}: {name}.etag must be required"
    return missing


@pytest.mark.parametrize("name", DOCUMENTS)
def test_list_items_carry_their_etag(name: str) -> None:
    assert untagged_items(document(name)) == []


def test_the_etag_check_can_fail() -> None:
    doc = {
        "paths": {
            "/things": {"get": {"responses": {"200": {"content": {"application/json": {"schema": _page("Row")}}}}}},
            "/things/{id}": {"get": {"responses": {"200": {"content": {"application/json": {"schema": _ref("T")}}}}}},
        },
        "components": {
            "schemas": {
                "Row": {"properties": {"id": {}}},
                "T": {"properties": {"id": {}, "version": {}}},
            }
        },
    }
    assert untagged_items(doc) == ["GET /things: Row"]
    doc["components"]["schemas"]["Row"] = {"properties": {"id": {}, "etag": {}}, "required": ["id", "etag"]}
    assert untagged_items(doc) == []


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _page(item: str) -> dict[str, Any]:
    return {"properties": {"items": {"type": "array", "items": _ref(item)}, "next_cursor": {}}}
