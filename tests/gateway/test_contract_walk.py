"""The walk: every operation of the merged document, called through the gateway the way a client would.

Each operation is called without credentials, with a bad token, as a person holding every role and as an
agency holding every scope, with its path filled in and its body built from the document's own examples.
The walk fails when an operation

- answers a problem code the document does not declare for it under that status (or any 5xx);
- replays a POST for a repeated ``Idempotency-Key`` (so it honours the header) without declaring it;
- refuses the body built from its examples as invalid (400, or 422 ``validation_failed``).

The suite checks every problem every other test provokes in the same way (tests/contract_check.py); this
walk makes sure no operation is left out because no test happens to call it.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import routing

from shared.contract.document import declared_codes
from shared.principal import ROLES
from shared.scopes import SCOPES
from tests.gateway.conftest import FakeAuth, Platform, agency_key, user

METHODS = ("get", "put", "post", "delete", "patch")
NOTHING = object()


def _resolve(schema: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        _, _, kind, name = schema["$ref"].split("/")
        schema = doc["components"][kind][name]
    return schema


def example_of(schema: dict[str, Any], doc: dict[str, Any], depth: int = 0) -> Any:
    """A value built from the document's examples for ``schema``, or ``NOTHING`` when a required part has none."""
    schema = _resolve(schema, doc)
    if depth > 8:
        return NOTHING
    if schema.get("examples"):
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            for branch in schema[key]:
                if _resolve(branch, doc).get("type") == "null":
                    continue
                value = example_of(branch, doc, depth + 1)
                if value is not NOTHING:
                    return value
            return NOTHING
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return example_of(schema["allOf"][0], doc, depth + 1)
    if schema.get("type") == "object" and "properties" in schema:
        out: dict[str, Any] = {}
        required = set(schema.get("required", []))
        for name, prop in schema["properties"].items():
            value = example_of(prop, doc, depth + 1)
            if value is NOTHING and name in required:
                if "default" in _resolve(prop, doc):
                    continue
                return NOTHING
            if value is not NOTHING:
                out[name] = value
        return out
    if schema.get("type") == "array" and "items" in schema:
        item = example_of(schema["items"], doc, depth + 1)
        return NOTHING if item is NOTHING else [item]
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    return NOTHING


def body_example(operation: dict[str, Any], doc: dict[str, Any]) -> Any:
    media = ((operation.get("requestBody") or {}).get("content") or {}).get("application/json")
    if media is None:
        return NOTHING
    if "example" in media:
        return media["example"]
    if media.get("examples"):
        first = next(iter(media["examples"].values()))
        return first.get("value", NOTHING)
    return example_of(media.get("schema") or {}, doc)


def fill_path(path: str, operation: dict[str, Any], doc: dict[str, Any]) -> str:
    for parameter in operation.get("parameters", []):
        if parameter.get("in") != "path":
            continue
        value = example_of(parameter.get("schema") or {}, doc)
        if value is NOTHING:
            kind = _resolve(parameter.get("schema") or {}, doc).get("type")
            value = 1 if kind == "integer" else "x"
        path = path.replace("{" + parameter["name"] + "}", str(value))
    return path


def schema_errors(platform: Platform, method: str, path: str, example: Any) -> list[Any]:
    """The errors of the route's own body schema for ``example`` (in the app that serves ``path``)."""
    apps = [platform.app, *platform.services.values()]
    for app in apps:
        for context in routing.iter_route_contexts(app.routes):
            route = context.original_route
            if (
                isinstance(route, routing.APIRoute)
                and context.path_format == path
                and method.upper() in (context.methods or ())
                and context.body_field is not None
            ):
                _, errors = context.body_field.validate(example, {}, loc=("body",))
                return list(errors or [])
    return []


def _is_problem(response: httpx.Response) -> bool:
    return response.headers.get("content-type", "").startswith("application/problem+json")


class Walk:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.failures: list[str] = []
        self.calls = 0

    def check(self, label: str, method: str, path: str, operation: dict[str, Any], response: httpx.Response) -> None:
        self.calls += 1
        where = f"{method.upper()} {path} ({label})"
        if response.status_code >= 500 and response.status_code not in (503, 504):
            self.failures.append(f"{where}: {response.status_code} {response.text[:200]}")
            return
        if not _is_problem(response):
            return
        body = response.json()
        declared = declared_codes(operation, self.doc).get(response.status_code, set())
        if body.get("code") not in declared:
            self.failures.append(
                f"{where}: {response.status_code} {body.get('code')} is not declared "
                f"(declared: {', '.join(sorted(declared)) or 'none'})"
            )


async def test_every_operation_keeps_its_documented_contract(platform: Platform, fake_auth: FakeAuth) -> None:
    client = platform.client
    doc = (await client.get("/openapi.json")).json()
    assert "x-kjt-missing" not in doc
    walk = Walk(doc)
    everyone = fake_auth.bearer("every-role", user(*ROLES, org_id=1))
    agency = fake_auth.api_key("every-scope", agency_key(*SCOPES, org_id=1))
    callers = {"anonymous": {}, "bad token": {"Authorization": "Bearer nope"}, "every role": everyone, "agency": agency}
    operations = [
        (path, method, op)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in METHODS and path.startswith("/api/v1/")
    ]
    assert len(operations) > 300  # the whole platform, not a service left out
    for path, method, operation in operations:
        url = fill_path(path, operation, doc)
        example = body_example(operation, doc)
        has_body = "requestBody" in operation
        for label, headers in callers.items():
            kwargs: dict[str, Any] = {"headers": {**headers, "If-Match": "*"}}
            if has_body:
                kwargs["json"] = {} if example is NOTHING else example
            response = await client.request(method.upper(), url, **kwargs)
            walk.check(label, method, path, operation, response)
            if label == "every role" and example is not NOTHING:
                # The route's own body schema must take the example (a 422 the service answers after
                # looking at its data, say an unknown programme, is the data's, not the example's).
                errors = schema_errors(platform, method, path, example)
                if errors or (_is_problem(response) and response.json().get("code") == "bad_request"):
                    walk.failures.append(f"{method.upper()} {path}: its own example is refused: {errors}")
        if method == "post" and path.startswith("/api/v1/") and not path.startswith("/api/v1/auth"):
            key = uuid.uuid4().hex
            kwargs = {"headers": {**everyone, "Idempotency-Key": key}}
            if has_body:
                kwargs["json"] = {} if example is NOTHING else example
            first = await client.post(url, **kwargs)
            again = await client.post(url, **kwargs)
            walk.check("idempotent", method, path, operation, first)
            walk.check("idempotent again", method, path, operation, again)
            replayed = again.headers.get("idempotent-replayed") == "true"
            declares = any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", []))
            if replayed and not declares:
                walk.failures.append(f"POST {path}: honours Idempotency-Key without declaring it")
    assert walk.calls > 4 * len(operations) * 0.9
    assert not walk.failures, "\n".join(walk.failures)
