"""Which part of the reviewer pool a review round reads, by discipline code (NSF-2): pure, shared by the
services whose rounds draw from the projects service's pool over HTTP (foundation, talent).

Codes are hierarchical (``F0203``: section ``F``, discipline ``F02``, sub-discipline ``F0203``). A round
narrowed to prefixes reads those; otherwise it reads the scope's own codes and each application's code down
to ``POOL_PREFIX_LENGTH`` (``F02``), so an application also finds reviewers of its neighbouring
sub-disciplines (partial matches, which the draw ranks below exact ones)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from shared.clients.reviewers import DISCIPLINE_PREFIX_RE

# The candidates endpoint of the pool takes at most this many prefixes.
MAX_POOL_PREFIXES = 10
# A discipline code's first level below the section (``F02`` of ``F0203``).
POOL_PREFIX_LENGTH = 3
_SECTION_RE = re.compile(r"^[A-Z]")


def cover_prefixes(prefixes: Iterable[str], limit: int = MAX_POOL_PREFIXES) -> list[str]:
    """The fewest prefixes reading the same reviewers: a prefix under a shorter one goes. Over
    ``limit``, the section letters (``F`` for ``F02``) are read instead, a superset."""
    wanted = sorted({p for p in prefixes if DISCIPLINE_PREFIX_RE.fullmatch(p)}, key=lambda p: (len(p), p))
    kept: list[str] = []
    for p in wanted:
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    if len(kept) > limit:
        kept = sorted({p[0] for p in kept})
    return sorted(kept)


def pool_prefixes(
    round_prefixes: Sequence[str], scope_codes: Sequence[str], application_codes: Iterable[str]
) -> list[str]:
    """The pool a round reads: its own prefixes when it has them; otherwise the scope's discipline codes
    (a plan's; none for a talent call) and each application's code down to ``POOL_PREFIX_LENGTH``."""
    if round_prefixes:
        return cover_prefixes(round_prefixes)
    codes = [c[:POOL_PREFIX_LENGTH] for c in application_codes if _SECTION_RE.match(c)]
    return cover_prefixes([*scope_codes, *codes])


def in_prefixes(code: str, prefixes: Sequence[str]) -> bool:
    """Does an application's discipline fall in the round (no prefixes: every discipline)?"""
    return not prefixes or any(code.upper().startswith(p) for p in prefixes)
