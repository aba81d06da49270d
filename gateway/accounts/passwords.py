"""Password policy (pure) and argon2id hashing (run off the event loop: one hash costs ~50-100 ms)."""

from __future__ import annotations

from functools import cache

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
# Longer inputs are refused outright: nobody types them, and hashing megabytes is a cheap DoS.
MAX_LENGTH = 256
MIN_CLASSES = 3

POLICY_ZH = f"密码至少 {MIN_LENGTH} 个字符，并包含大写字母、小写字母、数字、其他字符四类中的至少 {MIN_CLASSES} 类"
POLICY_EN = (
    f"at least {MIN_LENGTH} characters and at least {MIN_CLASSES} of the 4 classes: "
    "upper-case letters, lower-case letters, digits, other characters"
)


def character_classes(password: str) -> int:
    """How many of upper, lower, digit and other (anything else, Chinese characters included) occur."""
    upper = lower = digit = other = False
    for ch in password:
        if ch.isupper():
            upper = True
        elif ch.islower():
            lower = True
        elif ch.isdigit():
            digit = True
        else:
            other = True
    return upper + lower + digit + other


def policy_violation(password: str) -> tuple[str, str] | None:
    """Why ``password`` breaks the policy, in Chinese and in English, else ``None``."""
    if len(password) > MAX_LENGTH:
        return f"密码不能超过 {MAX_LENGTH} 个字符", f"at most {MAX_LENGTH} characters"
    if len(password) < MIN_LENGTH or character_classes(password) < MIN_CLASSES:
        return POLICY_ZH, POLICY_EN
    return None


# argon2-cffi's defaults follow RFC 9106's low-memory profile (argon2id, t=3, m=64 MiB, p=4).
# Changing these makes ``check_needs_rehash`` true, and each user's hash is upgraded at next login.
_hasher = PasswordHasher()


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher.hash, password)


def _verify(stored_hash: str, password: str) -> tuple[bool, bool]:
    try:
        _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False, False
    return True, _hasher.check_needs_rehash(stored_hash)


async def verify_password(stored_hash: str, password: str) -> tuple[bool, str | None]:
    """``(matches, new_hash)``; ``new_hash`` is set when the stored hash used older parameters."""
    ok, stale = await anyio.to_thread.run_sync(_verify, stored_hash, password)
    if ok and stale:
        return True, await hash_password(password)
    return ok, None


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not-a-real-password-for-timing-only")


async def burn_verification(password: str) -> None:
    """Spend as long as a real check does, so an unknown e-mail cannot be told apart by timing."""
    await anyio.to_thread.run_sync(_verify, _dummy_hash(), password)
