"""WP-8 the permit number: one per foreigner for life (a renewal, a change or a new employer keeps it).

Platform format, 18 digits: ``22`` (Jilin) + the 4-digit year of first issue + an 11-digit serial +
1 check digit by ISO 7064 MOD 11-10 over the first 17 (python-stdnum's ``stdnum.iso7064.mod_11_10``).
The class is not part of the number, since it may change. Years 2000-2199 (the platform's range);
serials 1 to 99,999,999,999 (all zeros is never issued).

Errors are ``InvalidPermitNumber``, an ``IdNumberError`` of ``shared.validators`` (a ``ValueError`` with
the stable code ``invalid_permit_number`` and a ``reason``: length, format, prefix, year, checksum).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.iso7064 import mod_11_10

from shared.validators import IdNumberError, id_number_type, normalize_id

PROVINCE_PREFIX = "22"
FIRST_YEAR, LAST_YEAR = 2000, 2199
SERIAL_DIGITS = 11
MAX_SERIAL = 10**SERIAL_DIGITS - 1
LENGTH = 18
_DIGITS = re.compile(r"[0-9]{18}")


class InvalidPermitNumber(IdNumberError):
    code = "invalid_permit_number"
    label_zh = "工作许可证号"
    label_en = "work permit number"


@dataclass(frozen=True)
class PermitNumber:
    number: str
    year: int  # of first issue
    serial: int


def check_digit(body: str) -> str:
    """The ISO 7064 MOD 11-10 check digit of the first 17 digits."""
    return str(mod_11_10.calc_check_digit(body))


def make_permit_number(year: int, serial: int) -> str:
    """The number first issued in ``year`` with ``serial`` (the caller's sequence for the year)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidPermitNumber(
            "year", f"年度应在{FIRST_YEAR}至{LAST_YEAR}之间", f"the year must be within {FIRST_YEAR}-{LAST_YEAR}"
        )
    if not 1 <= serial <= MAX_SERIAL:
        raise InvalidPermitNumber("serial", f"序号应为1至{MAX_SERIAL}", f"the serial must be 1 to {MAX_SERIAL}")
    body = f"{PROVINCE_PREFIX}{year:04d}{serial:0{SERIAL_DIGITS}d}"
    return body + check_digit(body)


def parse_permit_number(value: str) -> PermitNumber:
    """Validate (spaces and hyphens dropped, full-width digits folded) and read year and serial."""
    number = normalize_id(value)
    if len(number) != LENGTH:
        raise InvalidPermitNumber(
            "length", f"应为 {LENGTH} 位，实为 {len(number)} 位", f"must be {LENGTH} digits, got {len(number)}"
        )
    if not _DIGITS.fullmatch(number):
        raise InvalidPermitNumber("format", "应全部为数字", "must be digits only")
    if not number.startswith(PROVINCE_PREFIX):
        raise InvalidPermitNumber(
            "prefix", f"应以 {PROVINCE_PREFIX}（吉林省）开头", f"must start with {PROVINCE_PREFIX} (Jilin)"
        )
    year, serial = int(number[2:6]), int(number[6:17])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidPermitNumber("year", f"首次发证年度 {year} 无效", f"the year of first issue {year} is not valid")
    if serial == 0:
        raise InvalidPermitNumber("serial", "序号不能为0", "the serial cannot be 0")
    if number[17] != check_digit(number[:17]):
        raise InvalidPermitNumber("checksum", "校验码错误", "the check digit does not match")
    return PermitNumber(number, year, serial)


def validate_permit_number(value: str) -> str:
    """The normalised number, or ``InvalidPermitNumber``."""
    return parse_permit_number(value).number


def is_valid_permit_number(value: str) -> bool:
    try:
        parse_permit_number(value)
    except IdNumberError:
        return False
    return True


# The number in a request body: a 422 with the code ``invalid_permit_number`` when it does not check.
PermitNo = id_number_type(validate_permit_number, "外国人工作许可证号 (WP-8), 18 digits", "222026000000000011")
