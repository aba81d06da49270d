"""shared.pii: SM4-GCM field encryption at rest and keyed lookup hashes (PIPL), and the masks."""

from __future__ import annotations

from datetime import date

import pytest

from shared.pii import FieldCipher, PiiDecryptError, mask_birth_date, mask_passport

SECRET = "a-test-secret-of-enough-length-0123456789"


def test_round_trip_and_fresh_nonce_each_time() -> None:
    cipher = FieldCipher(SECRET)
    a, b = cipher.encrypt("E12345678"), cipher.encrypt("E12345678")
    assert a != b and a.startswith("sm4gcm1.") and "E12345678" not in a
    assert cipher.decrypt(a) == cipher.decrypt(b) == "E12345678"
    assert cipher.decrypt(cipher.encrypt("安娜 1986-04-12")) == "安娜 1986-04-12"


def test_is_sm4_gcm_under_the_derived_key() -> None:
    """The token is nonce ‖ SM4-GCM ciphertext ‖ tag: decrypting it by hand with cryptography's SM4 works."""
    import base64

    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    cipher = FieldCipher(SECRET)
    token = cipher.encrypt("X1234567")
    raw = base64.urlsafe_b64decode(token.removeprefix("sm4gcm1.") + "==")
    nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
    key = cipher._key  # noqa: SLF001 - the test checks the algorithm, not the API
    plain = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    assert plain.update(body) + plain.finalize() == b"X1234567"


def test_tampered_or_foreign_tokens_are_refused() -> None:
    cipher = FieldCipher(SECRET)
    token = cipher.encrypt("E12345678")
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    for bad in (flipped, token[:20], "plain-text", "sm4gcm1.!!!", FieldCipher(SECRET + "x").encrypt("E12345678")):
        with pytest.raises(PiiDecryptError):
            cipher.decrypt(bad)


def test_lookup_keys_are_stable_keyed_and_distinct() -> None:
    one, other = FieldCipher(SECRET), FieldCipher(SECRET + "-other")
    assert one.lookup_key("passport:DEU:E1") == FieldCipher(SECRET).lookup_key("passport:DEU:E1")
    assert one.lookup_key("passport:DEU:E1") != other.lookup_key("passport:DEU:E1")
    assert one.lookup_key("passport:DEU:E1") != one.lookup_key("passport:FRA:E1")
    assert len(one.lookup_key("x")) == 64


def test_short_secret_refused_and_no_key_in_repr() -> None:
    with pytest.raises(ValueError):
        FieldCipher("short")
    assert SECRET not in repr(FieldCipher(SECRET))


@pytest.mark.parametrize(
    ("number", "masked"),
    [("E12345678", "E1*****78"), ("C01X00T47", "C0*****47"), ("AB123", "AB***23"), ("1234", "****")],
)
def test_mask_passport(number: str, masked: str) -> None:
    assert mask_passport(number) == masked


def test_mask_birth_date() -> None:
    assert mask_birth_date(date(1985, 3, 7)) == "1985-**-**"


def test_production_refuses_the_placeholder_pii_secret() -> None:
    from pydantic import ValidationError

    from services.foreign_experts.settings import ForeignExpertsSettings

    ok = {"internal_secret": "s" * 40, "subject_key_secret": "k" * 40}
    with pytest.raises(ValidationError, match="KJT_FOREIGN_EXPERTS_PII_SECRET"):
        ForeignExpertsSettings(env="production", **ok)
    assert ForeignExpertsSettings(env="production", pii_secret="p" * 40, **ok).pii_secret == "p" * 40
