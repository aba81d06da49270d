"""Agency API keys: ``kjt_<id>_<secret>``, of which only a SHA-256 digest is stored.

Why not argon2, as for passwords: a slow hash protects *low-entropy* secrets that people choose,
by making each guess expensive. The secret part here is 32 random bytes (256 bits) from
``secrets``, so guessing it from a leaked digest is infeasible even at a trillion SHA-256 guesses a
second; a slow hash would add nothing but ~50-100 ms of CPU to every proxied agency request.
The short public id in the key finds the row with one primary-key lookup; the digest comparison is
constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from shared.settings import SERVICES, url_segment

PREFIX = "kjt_"
ID_BYTES = 6  # 12 hex characters: the public id, shown in lists and logs
SECRET_BYTES = 32
_KEY_RE = re.compile(r"kjt_([0-9a-f]{12})_([A-Za-z0-9_-]{20,100})")
MAX_KEY_LENGTH = 128

SCOPE_RE = re.compile(r"[a-z][a-z0-9-]*:[a-z][a-z0-9-]*:[a-z][a-z0-9-]*")
MAX_SCOPE_LENGTH = 100
SCOPE_SERVICES = frozenset(url_segment(s) for s in SERVICES)


def new_key_id() -> str:
    return secrets.token_hex(ID_BYTES)


def new_key(key_id: str) -> str:
    """The full key handed to the agency once: prefix, public id, secret."""
    return f"{PREFIX}{key_id}_{secrets.token_urlsafe(SECRET_BYTES)}"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def parse_key(key: str) -> str | None:
    """The public id of a well-formed key, or ``None``."""
    if len(key) > MAX_KEY_LENGTH:
        return None
    match = _KEY_RE.fullmatch(key)
    return match.group(1) if match else None


def matches(key: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(key), stored_digest)


def scope_problem(scope: str) -> tuple[str, str] | None:
    """Why ``scope`` is not a well-formed ``<service>:<object>:<verb>`` (in Chinese and in English), or
    ``None``. Whether a well-formed scope exists is the registry's to say (``shared.scopes``)."""
    if len(scope) > MAX_SCOPE_LENGTH or not SCOPE_RE.fullmatch(scope):
        return (
            "授权范围应为“服务:对象:操作”，小写字母、数字和连字符，如 foreign-experts:permits:verify",
            "a scope is <service>:<object>:<verb> in lower case, e.g. foreign-experts:permits:verify",
        )
    service = scope.split(":", 1)[0]
    if service not in SCOPE_SERVICES:
        known = ", ".join(sorted(SCOPE_SERVICES))
        return f"未知的服务“{service}”，可用：{known}", f"unknown service '{service}'; one of: {known}"
    return None
