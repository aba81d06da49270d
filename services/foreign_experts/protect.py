"""Personal information of foreigners at rest (PIPL): passport numbers and birth dates are stored only
SM4-encrypted (``shared.pii``) under the service's key, with keyed hashes for lookups, and shown masked
to anyone but officials and the employer's own clerks. Nothing here is ever written to a log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared import pii
from shared.validators import validate_passport_no


@dataclass(frozen=True)
class Protector:
    """The service's cipher and lookup keys, built once per process from ``settings.pii_secret``."""

    cipher: pii.FieldCipher

    def seal(self, value: str) -> str:
        return self.cipher.encrypt(value)

    def open(self, token: str) -> str:
        return self.cipher.decrypt(token)

    def passport_key(self, nationality: str, number: str) -> str:
        """The lookup key of a passport: the same number of another state is another passport."""
        return self.cipher.lookup_key(f"passport:{nationality}:{validate_passport_no(number)}")

    def birth_key(self, nationality: str, birth_date: date) -> str:
        return self.cipher.lookup_key(f"birth:{nationality}:{birth_date.isoformat()}")

    def seal_date(self, value: date) -> str:
        return self.seal(value.isoformat())

    def open_date(self, token: str) -> date:
        return date.fromisoformat(self.open(token))


def mask_passport(number: str) -> str:
    return pii.mask_passport(number)


def mask_birth_date(value: date) -> str:
    return pii.mask_birth_date(value)
