"""Merging the gateway's and the services' OpenAPI documents into one (pure: no I/O)."""

from __future__ import annotations

import copy
import json
import logging
from dataclasses import dataclass
from typing import Any

from shared.contract.document import CATALOGUE_KEY
from shared.contract.refs import references as _refs
from shared.contract.refs import rewrite as _rewrite
from shared.schemas import PROBLEM_SCHEMA
from shared.settings import SERVICES, url_segment

log = logging.getLogger("kjt.gateway.docs")

LOGIN_PATH = "/api/v1/auth/token"
COMPONENT_TYPES = (
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "links",
    "callbacks",
    "pathItems",
)
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SECURITY_SCHEMES: dict[str, Any] = {
    "OAuth2PasswordBearer": {
        "type": "oauth2",
        "description": "People: log in with e-mail and password. 个人用户：以邮箱和密码登录获取令牌。",
        "flows": {"password": {"tokenUrl": LOGIN_PATH, "scopes": {}}},
    },
    "ApiKeyAuth": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "Other agencies: the API key issued to them. 其他机构：使用分配的 API 密钥。",
    },
}
GLOBAL_SECURITY: list[dict[str, list[str]]] = [{"OAuth2PasswordBearer": []}, {"ApiKeyAuth": []}]


@dataclass(frozen=True)
class _Source:
    """One input document: the gateway's or a service's."""

    label: str
    doc: dict[str, Any]
    prefix: str | None  # the URL prefix a service's paths must sit under; None for the gateway

    @property
    def segment(self) -> str:
        return url_segment(self.label)

    def components(self) -> dict[str, dict[str, Any]]:
        comps = self.doc.get("components") or {}
        if not isinstance(comps, dict):
            raise ValueError("components is not an object")
        return {t: comps[t] for t in COMPONENT_TYPES if isinstance(comps.get(t), dict)}


def _component_names(sources: list[_Source]) -> dict[str, dict[tuple[str, str], str]]:
    """The final name of every component of every source.

    A name stays plain when every source defining it defines it identically and everything it
    refers to stays plain as well (else two identical texts would point at different things)."""
    definitions: dict[tuple[str, str], dict[str, str]] = {}
    refs: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for source in sources:
        for ctype, items in source.components().items():
            for name, body in items.items():
                key = (ctype, name)
                definitions.setdefault(key, {})[source.label] = json.dumps(body, sort_keys=True)
                refs.setdefault(key, set()).update(_refs(body))
    shared = {key for key, texts in definitions.items() if len(texts) > 1 and len(set(texts.values())) == 1}
    changed = True
    while changed:
        changed = False
        for key in list(shared):
            if any(target not in shared for target in refs.get(key, ())):
                shared.discard(key)
                changed = True
    return {
        source.label: {
            (ctype, name): name if (ctype, name) in shared else f"{source.label}__{name}"
            for ctype, items in source.components().items()
            for name in items
        }
        for source in sources
    }


def _prefixed(source: _Source, name: str) -> str:
    """A service's tag or operation id under its URL segment (``projects-applications``)."""
    if source.prefix is None or name == source.segment or name.startswith(f"{source.segment}-"):
        return name
    return f"{source.segment}-{name}"


def _prepare(source: _Source, rename: dict[tuple[str, str], str]) -> dict[str, Any]:
    """A service's contribution (paths, components, tags), fully rewritten; raises on a malformed
    document so that nothing half-merged ever lands."""
    doc = source.doc
    paths = doc.get("paths") or {}
    if not isinstance(paths, dict):
        raise ValueError("paths is not an object")
    out_paths: dict[str, Any] = {}
    used_tags: list[str] = []
    for path, item in paths.items():
        if not isinstance(item, dict):
            raise ValueError(f"path item {path} is not an object")
        if source.prefix is not None and not (path == source.prefix or path.startswith(source.prefix + "/")):
            log.warning("openapi: %s declares %s outside its prefix; left out", source.label, path)
            continue
        item = _rewrite(item, rename)
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            op_tags = [_prefixed(source, t) for t in op.get("tags") or [] if isinstance(t, str)]
            op["tags"] = op_tags or [source.segment]
            used_tags += [t for t in op["tags"] if t not in used_tags]
            if isinstance(op.get("operationId"), str):
                op["operationId"] = _prefixed(source, op["operationId"])
            if op.get("x-kjt-public") is True or (source.prefix is None and path == LOGIN_PATH):
                op["security"] = []
            else:  # whatever a source named its schemes, the platform's global requirement applies
                op.pop("security", None)
        out_paths[path] = item
    components: dict[str, dict[str, Any]] = {}
    for ctype, items in source.components().items():
        for name, body in items.items():
            components.setdefault(ctype, {})[rename[(ctype, name)]] = _rewrite(body, rename)
    declared = {t["name"]: t for t in doc.get("tags") or [] if isinstance(t, dict) and isinstance(t.get("name"), str)}
    tags = [{**tag, "name": _prefixed(source, name)} for name, tag in declared.items()]
    tags += [{"name": name} for name in used_tags if name not in {t["name"] for t in tags}]
    return {"paths": out_paths, "components": components, "tags": tags}


def merge_documents(
    gateway_doc: dict[str, Any],
    service_docs: dict[str, dict[str, Any]],
    missing: list[str],
    *,
    title: str,
    version: str,
    description: str = "",
) -> dict[str, Any]:
    """The platform's document from the gateway's own and the services' (``{name: document}``)."""
    sources = [_Source("gateway", gateway_doc, None)]
    sources += [
        _Source(name, service_docs[name], f"/api/v1/{url_segment(name)}") for name in SERVICES if name in service_docs
    ]
    missing = list(missing)
    names = _component_names(sources)
    paths: dict[str, Any] = {}
    components: dict[str, dict[str, Any]] = {}
    tags: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    seen_ids: set[str] = set()
    for source in sources:
        try:
            part = _prepare(source, names[source.label])
        except Exception as exc:
            log.warning("openapi: the document of %s is malformed (%s); left out", source.label, exc)
            if source.prefix is not None:
                missing.append(source.label)
            continue
        for path, item in part["paths"].items():
            if path in paths:
                log.warning("openapi: %s repeats the path %s; the first one is kept", source.label, path)
                continue
            for method in HTTP_METHODS:
                op = item.get(method)
                if isinstance(op, dict) and isinstance(op.get("operationId"), str):
                    op_id, n = op["operationId"], 2
                    while op["operationId"] in seen_ids:
                        op["operationId"] = f"{op_id}-{n}"
                        n += 1
                    seen_ids.add(op["operationId"])
            paths[path] = item
        for ctype, items in part["components"].items():
            components.setdefault(ctype, {}).update(items)
        known = {t["name"] for t in tags}
        new_tags = [t for t in part["tags"] if t["name"] not in known]
        if source.prefix is not None and not any(t["name"] == source.segment for t in tags + new_tags):
            new_tags.insert(0, {"name": source.segment})
        info = source.doc.get("info")
        heading = str(info["title"]) if isinstance(info, dict) and info.get("title") else ""
        for tag in new_tags:
            if tag["name"] == source.segment and "description" not in tag and heading:
                tag["description"] = heading
        tags += new_tags
        if new_tags:
            group = (heading or source.label) if source.prefix else "网关 Gateway"
            groups.append({"name": group, "tags": [t["name"] for t in new_tags]})
    components.setdefault("schemas", {}).setdefault("Problem", PROBLEM_SCHEMA)
    catalogue = {e["code"]: e for s in sources for e in s.doc.get(CATALOGUE_KEY) or [] if isinstance(e, dict)}
    components["securitySchemes"] = copy.deepcopy(SECURITY_SCHEMES)
    absent = [url_segment(m) for m in missing]
    note = f"\n\n**暂缺 / Missing:** {', '.join(absent)} — these services did not answer; "
    note += "their operations are left out until they do."
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description + (note if absent else "")},
        "paths": paths,
        "components": components,
        "security": GLOBAL_SECURITY,
        "tags": tags,
        "x-tagGroups": groups,
        CATALOGUE_KEY: sorted(catalogue.values(), key=lambda e: (e.get("status", 0), e.get("code", ""))),
    }
    if absent:
        doc["x-kjt-missing"] = absent
    return doc
