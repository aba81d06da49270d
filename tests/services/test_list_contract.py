"""What every list and record tells a client in the OpenAPI document, checked over every service's
document and the gateway's own (docs/api-conventions.md "URLs", "Lists" and "Caching"): a list's items
carry their ``etag``, so a client can change a record straight from a list; a list's ``sort`` is an enum
of the values it takes and its ``cursor`` says what it is; a record that names its allowed actions gives
the URL of each (``actions``), from the record's own URL."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.openapi.utils import get_openapi

from gateway.main import create_app as create_gateway
from shared.actions import Actionable
from shared.settings import SERVICES, url_segment

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


# --- sort and cursor ------------------------------------------------------------------------------------


def undocumented_parameters(doc: dict[str, Any]) -> list[str]:
    """Every list's ``sort`` without its values as an enum, or ``cursor`` without its format."""
    out = []
    for path, item in doc["paths"].items():
        for parameter in item.get("get", {}).get("parameters", []):
            where = f"GET {path} ?{parameter['name']}"
            schema = parameter.get("schema", {})
            if parameter["name"] == "sort":
                enums = [s.get("enum") for s in schema.get("anyOf", [schema]) if s.get("enum")]
                if len(enums) != 1 or not all(isinstance(v, str) for v in enums[0]) or "id" not in enums[0]:
                    out.append(where)
            if parameter["name"] == "cursor" and "next_cursor" not in parameter.get("description", ""):
                out.append(where)
    return out


@pytest.mark.parametrize("name", DOCUMENTS)
def test_sort_is_an_enum_and_cursor_says_what_it_is(name: str) -> None:
    assert undocumented_parameters(document(name)) == []


def test_the_parameter_check_can_fail() -> None:
    sort = {"name": "sort", "schema": {"anyOf": [{"type": "string", "maxLength": 64}, {"type": "null"}]}}
    enum = {"name": "sort", "schema": {"anyOf": [{"type": "string", "enum": ["-id", "id"]}, {"type": "null"}]}}
    cursor = {"name": "cursor", "description": "Opaque cursor."}
    doc = {"paths": {"/a": {"get": {"parameters": [sort, cursor]}}, "/b": {"get": {"parameters": [enum]}}}}
    assert undocumented_parameters(doc) == ["GET /a ?sort", "GET /a ?cursor"]


# --- allowed actions and their URLs ------------------------------------------------------------------


def unlinked(doc: dict[str, Any]) -> list[str]:
    """Schemas naming ``allowed_actions`` without ``actions``, each an ``{action, method, href}``."""
    out = []
    for name, schema in doc.get("components", {}).get("schemas", {}).items():
        properties = schema.get("properties", {})
        if "allowed_actions" not in properties or name == "Problem":  # a 409 lists the names alone
            continue
        link = _schema(doc, properties.get("actions", {}).get("items", {}))
        if set(link.get("properties", {})) != {"action", "method", "href"} or "actions" not in schema.get(
            "required", []
        ):
            out.append(name)
    return out


@pytest.mark.parametrize("name", DOCUMENTS)
def test_records_naming_their_actions_give_their_urls(name: str) -> None:
    doc = document(name)
    assert unlinked(doc) == []


def test_the_actions_check_can_fail() -> None:
    doc = {
        "components": {
            "schemas": {
                "ARead": {"properties": {"allowed_actions": {}}},
                "Problem": {"properties": {"allowed_actions": {}}},
            }
        }
    }
    assert unlinked(doc) == ["ARead"]


def _shape(path: str) -> str:
    return re.sub(r"{[^}]+}", "{}", path)


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@pytest.mark.parametrize("name", SERVICES)
def test_actions_are_linked_from_the_records_own_url(name: str) -> None:
    """Every read schema with actions says where its record is (``actions_at``): a GET of the service."""
    gets = {_shape(path) for path, item in document(name)["paths"].items() if "get" in item}
    prefix = f"/api/v1/{url_segment(name)}"
    actionable = [m for m in _subclasses(Actionable) if m.__module__.startswith(f"services.{name}.")]
    for model in actionable:
        assert _shape(prefix + model.actions_at) in gets, f"{model.__name__}.actions_at = {model.actions_at}"
    assert actionable or name in ("talent", "transfer")
