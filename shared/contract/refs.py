"""Component references in an OpenAPI document (``#/components/<type>/<name>``): reading, listing and
renaming them (the gateway's merge of the services' documents, the contract's reading of a document)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def parse_ref(ref: str) -> tuple[str, str] | None:
    """``#/components/<type>/<name>`` as (type, name), the name's JSON-pointer escapes undone."""
    parts = ref.split("/")
    if len(parts) == 4 and parts[0] == "#" and parts[1] == "components":
        return parts[2], parts[3].replace("~1", "/").replace("~0", "~")
    return None


def map_refs(node: Any, change: Callable[[str], str]) -> Any:
    """A copy of ``node`` with ``change`` applied to every reference (``$ref``, discriminator mappings)."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                out[key] = change(value)
            elif key == "mapping" and isinstance(value, dict):
                out[key] = {k: change(v) if isinstance(v, str) else v for k, v in value.items()}
            else:
                out[key] = map_refs(value, change)
        return out
    if isinstance(node, list):
        return [map_refs(item, change) for item in node]
    return node


def references(node: Any) -> set[tuple[str, str]]:
    """The components ``node`` refers to."""
    found: set[tuple[str, str]] = set()

    def note(ref: str) -> str:
        if parsed := parse_ref(ref):
            found.add(parsed)
        return ref

    map_refs(node, note)
    return found


def rewrite(node: Any, rename: dict[tuple[str, str], str]) -> Any:
    """A copy of ``node`` with every component reference renamed."""

    def new_ref(ref: str) -> str:
        parsed = parse_ref(ref)
        if parsed not in rename:
            return ref
        return f"#/components/{parsed[0]}/{rename[parsed].replace('~', '~0').replace('/', '~1')}"

    return map_refs(node, new_ref)
