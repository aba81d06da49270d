"""Personal information at rest (PIPL): field encryption with SM4 and keyed hashes for lookups.

``FieldCipher(secret)`` derives two independent keys from one settings secret with HKDF-SHA256:

* a 128-bit SM4 key (GB/T 32907, ``cryptography``'s ``algorithms.SM4``) used in GCM mode, so a token
  is both secret and tamper-evident. ``encrypt`` returns ``"sm4gcm1." + base64url(nonce ‖ ciphertext ‖
  tag)`` with a fresh 96-bit nonce each time: the same passport number encrypts differently in every
  row, so equal tokens reveal nothing;
* a 256-bit HMAC-SHA256 key for ``lookup_key``, the stable keyed hash a service searches by (a plain
  hash of a passport number or a birth date could be enumerated; without the secret the key cannot).

The prefix names the scheme, so a later scheme can be told apart and rows re-encrypted. A token that
was altered, or encrypted under another secret, raises ``PiiDecryptError``, never returns garbage.

The masks are what lists and anyone but the entitled see: ``mask_passport("E12345678")`` is
``"E1*****78"``, ``mask_birth_date(date(1985, 3, 7))`` is ``"1985-**-**"``. Nothing here logs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from datetime import date

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "sm4gcm1."
NONCE_BYTES = 12
TAG_BYTES = 16
MIN_SECRET_LENGTH = 16


class PiiDecryptError(ValueError):
    """A token that is not ours: altered, truncated, or sealed under another secret."""


def _derive(secret: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=b"kjt-pii", info=info).derive(secret)


class FieldCipher:
    """SM4-GCM field encryption and HMAC-SHA256 lookup keys, both derived from ``secret``."""

    __slots__ = ("_key", "_lookup")

    def __init__(self, secret: str) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"the PII secret must have at least {MIN_SECRET_LENGTH} characters")
        raw = secret.encode()
        self._key = _derive(raw, b"sm4-gcm field encryption", 16)
        self._lookup = _derive(raw, b"hmac-sha256 lookup keys", 32)

    def __repr__(self) -> str:  # never show key material
        return "FieldCipher(<secret>)"

    def encrypt(self, value: str) -> str:
        return self.encrypt_bytes(value.encode())

    def encrypt_bytes(self, value: bytes) -> str:
        nonce = os.urandom(NONCE_BYTES)
        encryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce)).encryptor()
        body = encryptor.update(value) + encryptor.finalize()
        return PREFIX + base64.urlsafe_b64encode(nonce + body + encryptor.tag).decode().rstrip("=")

    def decrypt(self, token: str) -> str:
        try:
            return self.decrypt_bytes(token).decode()
        except UnicodeDecodeError:
            raise PiiDecryptError("the token was altered or sealed under another secret") from None

    def decrypt_bytes(self, token: str) -> bytes:
        if not token.startswith(PREFIX):
            raise PiiDecryptError("not an SM4-GCM token of this platform")
        encoded = token[len(PREFIX) :]
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except ValueError:
            raise PiiDecryptError("the token is not base64url") from None
        if len(raw) < NONCE_BYTES + TAG_BYTES:
            raise PiiDecryptError("the token is too short")
        nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
        decryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce, tag)).decryptor()
        try:
            return decryptor.update(body) + decryptor.finalize()
        except InvalidTag:
            raise PiiDecryptError("the token was altered or sealed under another secret") from None

    def lookup_key(self, message: str) -> str:
        """64 lower-case hex characters: the same message gives the same key under the same secret."""
        return hmac.new(self._lookup, message.encode(), hashlib.sha256).hexdigest()


def mask_passport(number: str) -> str:
    """The first two and the last two characters, the rest as ``*`` (at least 3 of them)."""
    if len(number) <= 4:
        return "*" * max(len(number), 3)
    return number[:2] + "*" * max(len(number) - 4, 3) + number[-2:]


def mask_birth_date(value: date) -> str:
    """The year only: ``YYYY-**-**``."""
    return f"{value.year:04d}-**-**"
