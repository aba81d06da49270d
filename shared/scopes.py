"""The scopes another agency's API key may hold: one registry, each service's scopes declared under it.

A service checks a scope (``shared.principal.require_scope``, ``Principal.has_scope``); the gateway
(``POST /api/v1/admin/api-keys``) and ``kjt api-key create`` refuse to issue a key with a scope that
is not declared here. The registry lives in ``shared`` because it is the one package the services,
the gateway and ``kjt`` all import (import-linter keeps the gateway and ``kjt`` away from the
services). tests/test_scopes.py checks that every scope a service checks is declared here under that
service, and that every scope declared here is checked by its service.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shared.settings import SERVICES, url_segment


@dataclass(frozen=True)
class Scope:
    """``<service>:<object>:<verb>``, with what it lets a key do in both languages."""

    name: str
    zh: str
    en: str

    @property
    def service(self) -> str:
        return self.name.split(":", 1)[0].replace("-", "_")


# Each service's scopes, under the service's name. A service that offers nothing to other agencies yet
# declares none.
BY_SERVICE: Mapping[str, tuple[Scope, ...]] = {
    "projects": (
        Scope(
            "projects:integrity:read",
            "查询科研诚信记录：某人或某单位是否受到取消申报资格等处理（PRJ-5）",
            "check research-integrity records: whether a person or organisation is debarred (PRJ-5)",
        ),
    ),
    "foundation": (),
    "talent": (),
    "transfer": (),
    "foreign_experts": (
        Scope(
            "foreign-experts:permits:verify",
            "核验外国人来华工作许可的状态（WP-9），不含持证人个人信息",
            "verify the state of a foreign national's work permit (WP-9), never the holder's personal data",
        ),
    ),
}

SCOPES: Mapping[str, Scope] = {s.name: s for scopes in BY_SERVICE.values() for s in scopes}

assert tuple(BY_SERVICE) == SERVICES, "every service, in the platform's order"
assert all(s.name.startswith(url_segment(service) + ":") for service in SERVICES for s in BY_SERVICE[service])


def registered(name: str) -> str:
    """``name`` itself when it is declared here; a ``LookupError`` otherwise (a programming error)."""
    if name not in SCOPES:
        raise LookupError(f"the scope {name!r} is not declared in shared/scopes.py")
    return name


def unknown(names: Iterable[str]) -> list[str]:
    """The names among ``names`` that are not declared, in their order, each once."""
    return [n for n in dict.fromkeys(names) if n not in SCOPES]


def closest(name: str) -> str | None:
    """The declared scope ``name`` was most likely meant to be (a misspelling), if any is close."""
    matches = difflib.get_close_matches(name, list(SCOPES), n=1, cutoff=0.8)
    return matches[0] if matches else None


def unknown_message(names: Iterable[str]) -> tuple[str, str]:
    """Why the scopes ``names`` are refused, in Chinese and in English, naming the declared ones."""
    names = list(names)
    guesses = {n: closest(n) for n in names}
    zh_names = "、".join(n + (f"（是否应为 {g}？）" if (g := guesses[n]) else "") for n in names)
    en_names = ", ".join(n + (f" (did you mean {g}?)" if (g := guesses[n]) else "") for n in names)
    known = ", ".join(SCOPES) or "none"
    return (
        f"未知的授权范围：{zh_names}。可用的授权范围：{'、'.join(SCOPES) or '无'}。",
        f"Unknown scope: {en_names}. The known scopes: {known}.",
    )
