"""Keyed hashes of identification numbers: how the platform names a person or an organisation in
integrity records (PRJ-5) and the limits ledger (PRJ-1, NSF-5) without storing the number itself.

``key = HMAC-SHA256(KJT_SUBJECT_KEY_SECRET, "<kind>:<normalised number>")`` as 64 lower-case hex
characters. The number is first validated and normalised by ``shared.validators`` (full-width
characters folded, spaces and hyphens dropped, upper case), so ``220102199003071234`` and
``２２０１０２ １９９００３０７ １２３４`` give the same key in every service. The kind is part of the
message, so a person's key can never equal an organisation's.

A plain hash would not do: resident ID numbers are a small, structured space (region, birth date,
sequence) that anyone can enumerate; without the secret, a key reveals nothing and cannot be
searched for. Every service holds the same secret (``PlatformSettings.subject_key_secret``), so each
can compute the key of a number it was given and ask about it; rotating the secret re-keys every
stored subject (there is no migration for that yet).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Literal

from shared.validators import IdNumberError, validate_resident_id, validate_uscc

SubjectKind = Literal["person", "organisation"]
SUBJECT_KINDS: tuple[str, ...] = ("person", "organisation")

# 64 lower-case hex characters: the shape of every key (schemas use it to refuse anything else).
SUBJECT_KEY_PATTERN = r"^[0-9a-f]{64}$"
_SUBJECT_KEY_RE = re.compile(SUBJECT_KEY_PATTERN)


def normalise_subject(kind: SubjectKind, number: str) -> str:
    """The validated, normalised number: a resident ID (ID-2, and ID-3 cards) for a person, a USCC
    (ID-1) for an organisation. Raises ``IdNumberError`` (a ``ValueError`` with a stable ``code``)."""
    if kind == "person":
        return validate_resident_id(number)
    if kind == "organisation":
        return validate_uscc(number)
    raise ValueError(f"unknown subject kind {kind!r}")


def subject_key(kind: SubjectKind, number: str, secret: str) -> str:
    """The keyed hash of a person's ID number or an organisation's USCC."""
    if not secret:
        raise ValueError("the subject key secret is empty")
    message = f"{kind}:{normalise_subject(kind, number)}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def person_key(id_number: str, secret: str) -> str:
    """``subject_key("person", id_number, secret)``: the key the limits ledger counts by."""
    return subject_key("person", id_number, secret)


def organisation_key(uscc: str, secret: str) -> str:
    return subject_key("organisation", uscc, secret)


def is_subject_key(value: str) -> bool:
    return bool(_SUBJECT_KEY_RE.fullmatch(value))


__all__ = [
    "SUBJECT_KEY_PATTERN",
    "SUBJECT_KINDS",
    "IdNumberError",
    "SubjectKind",
    "is_subject_key",
    "normalise_subject",
    "organisation_key",
    "person_key",
    "subject_key",
]
