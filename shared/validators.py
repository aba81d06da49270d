"""Identification numbers of DOMAIN ID-1..ID-5, and passport numbers.

Plain functions normalise and validate, raising an ``IdNumberError`` (a ``ValueError``) whose ``code``
is stable (``invalid_uscc`` ...); the ``Annotated`` types at the end put the same checks into request
schemas, where a bad number becomes a 422 whose error ``code`` is that same string.

python-stdnum supplies the check-digit arithmetic of GB 32100 and GB 11643, not its ``validate()``:
``stdnum.cn.uscc.validate`` wants the first 8 characters to be digits, which refuses codes issued by
authorities with a letter code (ID-1 forbids hard-coding them), and ``stdnum.cn.ric.validate`` looks
the birth place up in its own county table, which refuses the foreign permanent residence cards of
ID-3 and any county created after the person's birth year. stdnum has nothing for GB 11714 (ID-4).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, WithJsonSchema
from stdnum.cn import ric as _ric
from stdnum.cn import uscc as _uscc

from shared.i18n import custom_error
from shared.workdays import today_shanghai


class IdNumberError(ValueError):
    """A number that is not valid; ``reason`` says which check failed (length, format, checksum, birth_date)."""

    code: ClassVar[str] = "invalid_id_number"
    label_zh: ClassVar[str] = "证件号码"
    label_en: ClassVar[str] = "ID number"

    def __init__(self, reason: str, detail_zh: str, detail_en: str) -> None:
        self.reason = reason
        self.message_zh = f"{self.label_zh}无效：{detail_zh}"
        self.message_en = f"Invalid {self.label_en}: {detail_en}"
        super().__init__(self.message_en)


class InvalidUSCC(IdNumberError):
    code = "invalid_uscc"
    label_zh = "统一社会信用代码"
    label_en = "unified social credit code"


class InvalidResidentID(IdNumberError):
    code = "invalid_resident_id"
    label_zh = "居民身份证号码"
    label_en = "resident ID number"


class InvalidOrgCode(IdNumberError):
    code = "invalid_org_code"
    label_zh = "组织机构代码"
    label_en = "organisation code"


class InvalidPassportNo(IdNumberError):
    code = "invalid_passport_no"
    label_zh = "护照号码"
    label_en = "passport number"


_SEPARATORS = re.compile(r"[\s\-]+")


def normalize_id(value: str) -> str:
    """Full-width characters folded (NFKC: users type in Chinese input mode), spaces and hyphens
    removed, upper-cased."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value)).upper()


def _check_length(value: str, length: int, error: type[IdNumberError]) -> None:
    if len(value) != length:
        raise error(
            "length", f"应为 {length} 位，实为 {len(value)} 位", f"must be {length} characters, got {len(value)}"
        )


# --- ID-1 unified social credit code (GB 32100-2015) ---------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def validate_uscc(value: str) -> str:
    """The normalised code (ID-1): 18 characters of ``USCC_ALPHABET`` with a matching check character."""
    number = normalize_id(value)
    _check_length(number, 18, InvalidUSCC)
    bad = sorted({c for c in number if c not in USCC_ALPHABET})
    if bad:
        raise InvalidUSCC(
            "format",
            f"含有不允许的字符 {''.join(bad)}（不使用 I、O、S、V、Z）",
            f"characters {''.join(bad)} are not allowed (I, O, S, V and Z are never used)",
        )
    if number[-1] != _uscc.calc_check_digit(number):
        raise InvalidUSCC("checksum", "校验码错误", "the check character does not match")
    return number


def is_valid_uscc(value: str) -> bool:
    try:
        validate_uscc(value)
    except IdNumberError:
        return False
    return True


# --- ID-5 region codes ----------------------------------------------------------------------------

# Prefix of the administrative division code -> (zh, en). Longest prefix wins.
JILIN_REGIONS: dict[str, tuple[str, str]] = {
    "22": ("吉林省", "Jilin Province"),
    "2201": ("长春市", "Changchun"),
    "2202": ("吉林市", "Jilin City"),
    "2203": ("四平市", "Siping"),
    "2204": ("辽源市", "Liaoyuan"),
    "2205": ("通化市", "Tonghua"),
    "2206": ("白山市", "Baishan"),
    "2207": ("松原市", "Songyuan"),
    "2208": ("白城市", "Baicheng"),
    "2224": ("延边朝鲜族自治州", "Yanbian"),
}


_DIVISION_CODE = re.compile(r"[0-9]{6}")


@dataclass(frozen=True)
class Region:
    code: str
    name: str | None
    name_en: str | None


def region_of(code: str) -> Region:
    """Name of a 6-digit division code from the ID-5 table; a code outside the table has no name."""
    for prefix in (code[:4], code[:2]):
        if _DIVISION_CODE.fullmatch(code) and prefix in JILIN_REGIONS:
            name, name_en = JILIN_REGIONS[prefix]
            return Region(code, name, name_en)
    return Region(code, None, None)


def division_region(division_code: str | None) -> Region:
    """The ID-5 group of a division code, for statistics: the longest prefix found in the region
    table (2201 长春市 ... 22 吉林省) with its name, else the 2-digit province code with no name."""
    code = division_code or ""
    for prefix in (code[:4], code[:2]):
        if len(prefix) in (2, 4) and prefix in JILIN_REGIONS:
            name, name_en = JILIN_REGIONS[prefix]
            return Region(prefix, name, name_en)
    return Region(code[:2], None, None)


def region_key(division_code: str | None) -> tuple[str, str | None, str | None]:
    """ID-5 (``division_region``) as a statistics group's key: (code, name, name_en)."""
    region = division_region(division_code)
    return region.code, region.name, region.name_en


def uscc_region(value: str) -> Region:
    """The registering region (characters 3-8) of a valid USCC."""
    return region_of(validate_uscc(value)[2:8])


def uscc_org_code(value: str) -> str:
    """The 9-character organisation code carried in characters 9-17 of a valid USCC."""
    return validate_uscc(value)[8:17]


# --- ID-4 organisation code (GB 11714-1997) -------------------------------------------------------

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CODE = re.compile(r"[0-9A-Z]{8}[0-9X]")


def _org_value(char: str) -> int:
    # GB 11714 values digits 0-9 and letters A-Z as 10-35.
    return int(char, 36)


def org_code_check_digit(body: str) -> str:
    remainder = 11 - sum(_org_value(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def validate_org_code(value: str) -> str:
    """The normalised 9-character code (ID-4); the usual ``12345678-9`` hyphen is accepted and dropped."""
    number = normalize_id(value)
    _check_length(number, 9, InvalidOrgCode)
    if not _ORG_CODE.fullmatch(number):
        raise InvalidOrgCode(
            "format",
            "前 8 位应为数字或大写字母，校验码为数字或 X",
            "the first 8 characters must be digits or letters, the check a digit or X",
        )
    if number[8] != org_code_check_digit(number[:8]):
        raise InvalidOrgCode("checksum", "校验码错误", "the check character does not match")
    return number


def is_valid_org_code(value: str) -> bool:
    try:
        validate_org_code(value)
    except IdNumberError:
        return False
    return True


# --- ID-2 resident ID, ID-3 foreign permanent residence ID card -----------------------------------

_RESIDENT_ID = re.compile(r"[0-9]{17}[0-9X]")
IdKind = Literal["resident", "foreign_permanent_resident"]
Sex = Literal["male", "female"]


@dataclass(frozen=True)
class ResidentIdInfo:
    number: str
    kind: IdKind
    birth_date: date
    sex: Sex
    # Digits 1-6 of a resident ID: where it was first issued. None on a foreign PR card (ID-3).
    region_code: str | None

    def age_on(self, day: date) -> int:
        """Completed years on ``day`` (a 29 February birthday is reached on 1 March in other years)."""
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday


def parse_resident_id(value: str, *, today: date | None = None) -> ResidentIdInfo:
    """Validate a resident ID (ID-2) or a 2023 foreign permanent residence card (ID-3, leading 9)
    and read its birth date and sex. ``today`` (default: today in Asia/Shanghai) bounds the birth date."""
    number = normalize_id(value)
    _check_length(number, 18, InvalidResidentID)
    if not _RESIDENT_ID.fullmatch(number):
        raise InvalidResidentID(
            "format",
            "前 17 位应为数字，末位为数字或 X",
            "the first 17 characters must be digits, the last a digit or X",
        )
    if number[17] != _ric.calc_check_digit(number):
        raise InvalidResidentID("checksum", "校验码错误", "the check character does not match")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidResidentID(
            "birth_date", f"出生日期 {number[6:14]} 不存在", f"birth date {number[6:14]} does not exist"
        ) from None
    if birth > (today or today_shanghai()):
        raise InvalidResidentID("birth_date", "出生日期晚于今天", "the birth date is in the future")
    foreign = number[0] == "9"  # no division code starts with 9, so this is only ever an ID-3 card
    return ResidentIdInfo(
        number=number,
        kind="foreign_permanent_resident" if foreign else "resident",
        birth_date=birth,
        sex="male" if int(number[16]) % 2 else "female",
        region_code=None if foreign else number[:6],
    )


def validate_resident_id(value: str) -> str:
    return parse_resident_id(value).number


def is_valid_resident_id(value: str) -> bool:
    try:
        parse_resident_id(value)
    except IdNumberError:
        return False
    return True


# --- passports ------------------------------------------------------------------------------------

# Issuing states differ, so only the shape is checked: 5 to 17 Latin capitals or digits (ICAO 9303
# documents carry 9, some states longer), after spaces are removed and letters upper-cased.
PASSPORT_PATTERN = re.compile(r"[A-Z0-9]{5,17}")


def validate_passport_no(value: str) -> str:
    number = normalize_id(value)
    if not PASSPORT_PATTERN.fullmatch(number):
        raise InvalidPassportNo("format", "应为 5 至 17 位字母或数字", "must be 5 to 17 letters or digits")
    return number


def is_valid_passport_no(value: str) -> bool:
    try:
        validate_passport_no(value)
    except IdNumberError:
        return False
    return True


# --- masking for lists and logs -------------------------------------------------------------------


def mask_id(value: str | None) -> str:
    """``220102********1234`` for 18-character numbers, first and last 2 kept for shorter ones
    (passports), everything hidden at 4 characters or fewer."""
    if not value:
        return ""
    number = normalize_id(value)
    head, tail = (6, 4) if len(number) == 18 else (2, 2)
    if len(number) <= head + tail:
        return "*" * len(number)
    return number[:head] + "*" * (len(number) - head - tail) + number[-tail:]


# --- pydantic types for request schemas -----------------------------------------------------------


def _pydantic_check(check: Callable[[str], str]) -> Callable[[str], str]:
    def run(value: str) -> str:
        try:
            return check(value)
        except IdNumberError as exc:
            # The error type is the stable code: the platform's 422 handler reports it as ``code``.
            raise custom_error(exc.code, exc.message_zh, exc.message_en, reason=exc.reason) from None

    return run


def _schema(description: str, example: str) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "description": description, "examples": [example]})


def id_number_type(check: Callable[[str], str], description: str, example: str) -> Any:
    """A pydantic string type checked by ``check`` (an ``IdNumberError`` becomes a 422 with its code), for
    a service's own numbers (the work permit's WP-8 number ...)."""
    return Annotated[str, AfterValidator(_pydantic_check(check)), _schema(description, example)]


USCC = Annotated[
    str,
    AfterValidator(_pydantic_check(validate_uscc)),
    _schema("统一社会信用代码 (GB 32100-2015), 18 characters", "91110000600037341L"),
]
ResidentID = Annotated[
    str,
    AfterValidator(_pydantic_check(validate_resident_id)),
    _schema(
        "居民身份证号码 (GB 11643-1999) or foreign permanent residence ID card, 18 characters", "110105199503070013"
    ),
]
OrgCode = Annotated[
    str,
    AfterValidator(_pydantic_check(validate_org_code)),
    _schema("组织机构代码 (GB 11714-1997), 9 characters", "60003734-1"),
]
PassportNo = Annotated[
    str,
    AfterValidator(_pydantic_check(validate_passport_no)),
    _schema("护照号码, 5 to 17 letters or digits", "E12345678"),
]
