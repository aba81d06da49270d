"""WP-8 the permit number (services/foreign_experts/rules/permit_number.py), pure: 18 digits = "22" (Jilin) +
the 4-digit year of first issue + an 11-digit serial + an ISO 7064 MOD 11-10 check digit, the check digit
verified independently (python-stdnum and a by-hand computation), parse/validate round trips, and refusals of a
changed digit, a wrong length, a wrong province prefix, non-digits, years and serials out of range."""

from __future__ import annotations

import pytest
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.iso7064 import mod_11_10

from services.foreign_experts.rules.permit_number import (
    InvalidPermitNumber,
    PermitNumber,
    check_digit,
    is_valid_permit_number,
    make_permit_number,
    parse_permit_number,
    validate_permit_number,
)
from shared.validators import IdNumberError


def iso7064_mod_11_10(body: str) -> str:
    """The check digit of ISO 7064 MOD 11,10 computed by hand (the pure-system recursion over the digits)."""
    p = 10
    for ch in body:
        s = (p + int(ch)) % 10 or 10
        p = (2 * s) % 11
    return str((11 - p) % 10)


def with_check(body: str) -> str:
    return body + iso7064_mod_11_10(body)


CASES = [
    (2026, 1, "22202600000000001"),
    (2026, 12345678901, "22202612345678901"),
    (2000, 1, "22200000000000001"),
    (2199, 99_999_999_999, "22219999999999999"),
    (2017, 42, "22201700000000042"),
    (2031, 7_000_000, "22203100007000000"),
]


@pytest.mark.parametrize(("year", "serial", "body"), CASES)
def test_wp8_make_permit_number_format(year: int, serial: int, body: str) -> None:
    """WP-8: 18 digits, "22" + year + 11-digit serial (zero-padded) + 1 check digit."""
    number = make_permit_number(year, serial)
    assert len(number) == 18
    assert number.isdigit()
    assert number[:2] == "22"
    assert number[2:6] == f"{year:04d}"
    assert number[6:17] == f"{serial:011d}"
    assert number[:17] == body


@pytest.mark.parametrize(("year", "serial", "body"), CASES)
def test_wp8_check_digit_is_iso7064_mod_11_10(year: int, serial: int, body: str) -> None:
    """WP-8: the last digit is ISO 7064 MOD 11-10 over the first 17, as python-stdnum and a hand computation say."""
    number = make_permit_number(year, serial)
    assert mod_11_10.is_valid(number)
    assert mod_11_10.validate(number) == number
    assert number[17] == str(mod_11_10.calc_check_digit(body))
    assert number[17] == iso7064_mod_11_10(body)
    assert check_digit(body) == number[17]


def test_wp8_known_numbers() -> None:
    """WP-8: two numbers worked out by hand (MOD 11-10 over 22202600000000001 gives 1, over 22202612345678901 3)."""
    assert make_permit_number(2026, 1) == "222026000000000011"
    assert make_permit_number(2026, 12345678901) == "222026123456789013"


def test_wp8_stdnum_agrees_with_the_hand_computation_on_many_bodies() -> None:
    for serial in range(1, 2000, 7):
        body = f"222026{serial:011d}"
        assert iso7064_mod_11_10(body) == str(mod_11_10.calc_check_digit(body))
        assert make_permit_number(2026, serial) == body + iso7064_mod_11_10(body)


@pytest.mark.parametrize(("year", "serial", "body"), CASES)
def test_wp8_parse_and_validate_round_trip(year: int, serial: int, body: str) -> None:
    number = make_permit_number(year, serial)
    assert parse_permit_number(number) == PermitNumber(number, year, serial)
    assert validate_permit_number(number) == number
    assert is_valid_permit_number(number) is True


@pytest.mark.parametrize(
    "typed",
    [
        "222026 000000000011",
        "22-2026-00000000001-1",
        " 222026000000000011 ",
        "２２２０２６００００００００００１１",  # full-width digits (Chinese input mode)
        "222026000000000０1１",  # partly full-width
    ],
)
def test_wp8_parse_normalises_spaces_hyphens_and_full_width(typed: str) -> None:
    """WP-8: what a clerk types is normalised (spaces, hyphens dropped; full-width digits folded) before checking."""
    assert validate_permit_number(typed) == "222026000000000011"
    assert parse_permit_number(typed) == PermitNumber("222026000000000011", 2026, 1)


# --- refusals ---------------------------------------------------------------------------------------------

GOOD = make_permit_number(2026, 12345678901)  # 222026123456789013


@pytest.mark.parametrize("position", range(18))
def test_wp8_any_changed_digit_is_refused(position: int) -> None:
    """WP-8: changing any single digit of a valid number makes it invalid (MOD 11-10 detects every substitution)."""
    for digit in "0123456789":
        if digit == GOOD[position]:
            continue
        changed = GOOD[:position] + digit + GOOD[position + 1 :]
        assert is_valid_permit_number(changed) is False, changed
        assert not mod_11_10.is_valid(changed)
        with pytest.raises(InvalidPermitNumber) as info:
            parse_permit_number(changed)
        expected = {"prefix"} if position < 2 else {"year", "checksum"} if position < 6 else {"checksum"}
        assert info.value.reason in expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "length"),
        (GOOD[:17], "length"),  # 17 digits
        (GOOD + "0", "length"),  # 19 digits
        ("22202612345678901", "length"),  # the body without its check digit
        ("22202612345678901X", "format"),  # an X check digit as on an identity card
        ("2220261234567890a3", "format"),
        ("22.2026.12345678901.3", "length"),  # dots are not separators: 21 characters
        ("22２026123456789O13", "format"),  # a letter O for a zero
        (with_check("21202612345678901"), "prefix"),  # Liaoning's code, a correct check digit
        (with_check("11202612345678901"), "prefix"),  # Beijing's
        (with_check("02202612345678901"), "prefix"),
        (with_check("22199912345678901"), "year"),
        (with_check("22220012345678901"), "year"),
        (with_check("22000012345678901"), "year"),
        (with_check("22202600000000000"), "serial"),  # all zeros is never issued
        (GOOD[:17] + str((int(GOOD[17]) + 1) % 10), "checksum"),
    ],
)
def test_wp8_invalid_numbers_are_refused(value: str, reason: str) -> None:
    """WP-8: wrong length, non-digits, a province other than 22, a year outside 2000-2199, serial 0, a bad check."""
    with pytest.raises(InvalidPermitNumber) as info:
        validate_permit_number(value)
    assert info.value.reason == reason
    assert info.value.code == "invalid_permit_number"
    assert isinstance(info.value, IdNumberError)
    assert isinstance(info.value, ValueError)
    assert is_valid_permit_number(value) is False


def test_wp8_wrong_prefix_passes_stdnum_but_not_the_platform() -> None:
    """WP-8: the check digit alone does not make a platform number: the province must be 22."""
    number = with_check("21202612345678901")
    assert mod_11_10.is_valid(number)
    assert is_valid_permit_number(number) is False


def test_wp8_stdnum_refuses_what_the_platform_refuses_for_the_check_digit() -> None:
    bad = GOOD[:17] + str((int(GOOD[17]) + 1) % 10)
    with pytest.raises(StdnumValidationError):
        mod_11_10.validate(bad)
    assert is_valid_permit_number(bad) is False


@pytest.mark.parametrize(
    ("year", "serial", "reason"),
    [
        (1999, 1, "year"),
        (2200, 1, "year"),
        (2026, 0, "serial"),
        (2026, -1, "serial"),
        (2026, 10**11, "serial"),  # would need 12 digits
    ],
)
def test_wp8_make_refuses_years_and_serials_out_of_range(year: int, serial: int, reason: str) -> None:
    with pytest.raises(InvalidPermitNumber) as info:
        make_permit_number(year, serial)
    assert info.value.reason == reason


def test_wp8_class_is_not_part_of_the_number() -> None:
    """WP-8: the number depends only on the year of first issue and the serial (a class change keeps it)."""
    parsed = parse_permit_number(make_permit_number(2026, 5))
    assert set(vars(parsed)) == {"number", "year", "serial"}
