"""Identification numbers (DOMAIN ID-1..ID-5) and passports.

Valid numbers are built here with each clause's own algorithm, independently of shared.validators."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, ValidationError
from stdnum.cn import ric

from shared.error_handlers import install_error_handlers
from shared.validators import (
    JILIN_REGIONS,
    USCC,
    IdNumberError,
    InvalidOrgCode,
    InvalidPassportNo,
    InvalidResidentID,
    InvalidUSCC,
    OrgCode,
    PassportNo,
    ResidentID,
    is_valid_org_code,
    is_valid_passport_no,
    is_valid_resident_id,
    is_valid_uscc,
    mask_id,
    parse_resident_id,
    region_of,
    uscc_org_code,
    uscc_region,
    validate_org_code,
    validate_passport_no,
    validate_resident_id,
    validate_uscc,
)

# --- the clauses' algorithms, written out independently ---

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_with_check(body17: str) -> str:
    # ID-1: weights 3^(i-1) mod 31; check = (31 - sum mod 31) mod 31 through the same alphabet
    total = sum(USCC_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(body17))
    return body17 + USCC_CHARS[(31 - total % 31) % 31]


def resident_id_with_check(body17: str) -> str:
    # ID-2: "10X98765432"[sum(d_i * w_i) mod 11]
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body17 + "10X98765432"[sum(int(c) * w for c, w in zip(body17, weights)) % 11]


def org_code_with_check(body8: str) -> str:
    # ID-4: C9 = 11 - (sum mod 11), 10 -> X, 11 -> 0; letters are worth 10..35
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    c9 = 11 - sum(int(c, 36) * w for c, w in zip(body8, weights)) % 11
    return body8 + {10: "X", 11: "0"}.get(c9, str(c9))


def wrong_last(number: str, alphabet: str) -> str:
    return number[:-1] + next(c for c in alphabet if c != number[-1])


# --- ID-1 unified social credit code ---

# A published example (python-stdnum's documentation); its check character agrees with ID-1.
LITERAL_USCC = "91110000600037341L"


@pytest.mark.parametrize(
    "body",
    [
        "91220102MA0Y12345",  # enterprise registered in Changchun
        "12220000412345678",  # public institution, provincial level
        "52220101MJ0000001",  # social organisation (民政)
        "N2220102MF0000000",  # rural collective (农业): a letter authority code
        "Y1220224XX1234567",  # "other" authority
        "A1220000000000000",
    ],
)
def test_id1_valid_codes_built_with_the_clause(body: str) -> None:
    number = uscc_with_check(body)
    assert validate_uscc(number) == number
    assert is_valid_uscc(number)


def test_id1_literal_code_and_its_check_character() -> None:
    assert uscc_with_check(LITERAL_USCC[:17]) == LITERAL_USCC
    assert validate_uscc(LITERAL_USCC) == LITERAL_USCC
    assert uscc_org_code(LITERAL_USCC) == "600037341"


def test_id1_normalises_case_spaces_and_full_width() -> None:
    number = uscc_with_check("91220102MA0Y12345")
    assert validate_uscc(" " + number.lower()[:8] + " " + number.lower()[8:] + "\u3000") == number
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)
    assert validate_uscc(full_width) == number


def test_id1_wrong_check_character() -> None:
    number = wrong_last(uscc_with_check("91220102MA0Y12345"), USCC_CHARS)
    with pytest.raises(InvalidUSCC) as err:
        validate_uscc(number)
    assert err.value.code == "invalid_uscc" and err.value.reason == "checksum"
    assert not is_valid_uscc(number)


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_id1_letters_outside_the_alphabet(letter: str) -> None:
    number = "91220102MA0Y1234" + letter + "0"
    with pytest.raises(InvalidUSCC) as err:
        validate_uscc(number)
    assert err.value.reason == "format"
    assert letter in err.value.message_en and letter in err.value.message_zh


@pytest.mark.parametrize("number", ["", "9122010260003734", uscc_with_check("91220102MA0Y12345") + "0"])
def test_id1_wrong_length(number: str) -> None:
    with pytest.raises(InvalidUSCC) as err:
        validate_uscc(number)
    assert err.value.reason == "length"
    assert isinstance(err.value, ValueError)


# --- ID-5 region codes ---


@pytest.mark.parametrize(
    ("region", "name", "name_en"),
    [
        ("220102", "长春市", "Changchun"),
        ("220204", "吉林市", "Jilin City"),
        ("222401", "延边朝鲜族自治州", "Yanbian"),
        ("220800", "白城市", "Baicheng"),
        ("220000", "吉林省", "Jilin Province"),
        ("229900", "吉林省", "Jilin Province"),  # in the province, no city in the table
        ("110000", None, None),
        ("210102", None, None),
    ],
)
def test_id5_region_of_a_uscc(region: str, name: str | None, name_en: str | None) -> None:
    found = uscc_region(uscc_with_check("91" + region + "MA0Y12345"))
    assert (found.code, found.name, found.name_en) == (region, name, name_en)


def test_id5_every_table_entry_is_found() -> None:
    for prefix, (name, _) in JILIN_REGIONS.items():
        assert region_of(prefix.ljust(6, "0")).name == name
    assert region_of("22").name is None  # a division code has 6 digits


# --- ID-2 resident identity card ---

# The example of GB 11643-1999 itself.
LITERAL_RESIDENT_ID = "11010519491231002X"


def test_id2_literal_number_birth_date_and_sex() -> None:
    assert resident_id_with_check(LITERAL_RESIDENT_ID[:17]) == LITERAL_RESIDENT_ID
    info = parse_resident_id(LITERAL_RESIDENT_ID)
    assert info.kind == "resident"
    assert info.birth_date == date(1949, 12, 31)
    assert info.sex == "female"  # digit 17 is 2
    assert info.region_code == "110105"


@pytest.mark.parametrize(
    ("body", "birth", "sex"),
    [
        ("22010219900307123", date(1990, 3, 7), "male"),
        ("22240120000229004", date(2000, 2, 29), "female"),
        ("22080319851231999", date(1985, 12, 31), "male"),
    ],
)
def test_id2_numbers_built_with_the_clause(body: str, birth: date, sex: str) -> None:
    number = resident_id_with_check(body)
    info = parse_resident_id(number)
    assert (info.number, info.birth_date, info.sex) == (number, birth, sex)
    assert validate_resident_id(number) == number and is_valid_resident_id(number)


def test_id2_age_on_a_day() -> None:
    info = parse_resident_id(resident_id_with_check("22010219900307123"))
    assert info.age_on(date(2025, 3, 6)) == 34
    assert info.age_on(date(2025, 3, 7)) == 35
    leap = parse_resident_id(resident_id_with_check("22240120000229004"))
    assert leap.age_on(date(2025, 2, 28)) == 24
    assert leap.age_on(date(2025, 3, 1)) == 25


def test_id2_lower_case_x_and_spaces_normalised() -> None:
    assert validate_resident_id(" 110105 19491231 002x ") == LITERAL_RESIDENT_ID


def test_id2_wrong_check_digit() -> None:
    with pytest.raises(InvalidResidentID) as err:
        validate_resident_id(wrong_last(LITERAL_RESIDENT_ID, "0123456789X"))
    assert err.value.code == "invalid_resident_id" and err.value.reason == "checksum"


@pytest.mark.parametrize("birth", ["19000230", "19991301", "20010229", "19800000"])
def test_id2_impossible_birth_date(birth: str) -> None:
    number = resident_id_with_check("220102" + birth + "123")
    with pytest.raises(InvalidResidentID) as err:
        validate_resident_id(number)
    assert err.value.reason == "birth_date"
    assert birth in err.value.message_en


def test_id2_birth_date_in_the_future() -> None:
    number = resident_id_with_check("22010220300101123")
    with pytest.raises(InvalidResidentID) as err:
        parse_resident_id(number, today=date(2029, 12, 31))
    assert err.value.reason == "birth_date"
    assert parse_resident_id(number, today=date(2030, 1, 1)).birth_date == date(2030, 1, 1)


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("220102900307123", "length"),  # the old 15-digit number
        ("2201021990030712345", "length"),
        ("22010219900307A23X", "format"),
        ("2201021990030712Y", "length"),
        ("22010219900307123Y", "format"),
    ],
)
def test_id2_wrong_shape(number: str, reason: str) -> None:
    with pytest.raises(InvalidResidentID) as err:
        validate_resident_id(number)
    assert err.value.reason == reason


def test_id2_non_ascii_digits_refused() -> None:
    arabic_indic = "".join(chr(0x0660 + int(c)) for c in "22010219900307123")
    with pytest.raises(InvalidResidentID):
        validate_resident_id(arabic_indic + "X")


# --- ID-3 foreign permanent residence ID card (2023) ---


def test_id3_foreign_permanent_residence_card_accepted_as_resident_id() -> None:
    number = resident_id_with_check("92215619880615003")
    # stdnum's own validate() refuses it (no county 922156), which is why ours does not call it
    assert not ric.is_valid(number)
    info = parse_resident_id(number)
    assert info.kind == "foreign_permanent_resident"
    assert (info.birth_date, info.sex, info.region_code) == (date(1988, 6, 15), "male", None)

    class Person(BaseModel):
        id_number: ResidentID

    assert Person(id_number=number).id_number == number


def test_id3_foreign_card_with_wrong_check_digit_refused() -> None:
    number = wrong_last(resident_id_with_check("92215619880615003"), "0123456789X")
    assert not is_valid_resident_id(number)


# --- ID-4 organisation code ---


def test_id4_literal_code_from_a_uscc() -> None:
    assert org_code_with_check("60003734") == "600037341"
    assert validate_org_code("60003734-1") == "600037341"
    assert validate_org_code(uscc_org_code(LITERAL_USCC)) == "600037341"


def test_id4_codes_built_with_the_clause_including_x_and_0_checks() -> None:
    bodies = [f"{n:08d}" for n in range(12345670, 12345700)] + ["MA0Y1234", "ABCDEFGH", "7Z000000"]
    codes = [org_code_with_check(b) for b in bodies]
    assert any(c.endswith("X") for c in codes) and any(c.endswith("0") for c in codes)
    for code in codes:
        assert validate_org_code(code[:8] + "-" + code[8].lower()) == code
        assert is_valid_org_code(code)


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        (wrong_last("600037341", "0123456789X"), "checksum"),
        ("60003734", "length"),
        ("6000373411", "length"),
        ("6000373*1", "format"),
        ("60003734Y", "format"),
    ],
)
def test_id4_bad_codes(number: str, reason: str) -> None:
    with pytest.raises(InvalidOrgCode) as err:
        validate_org_code(number)
    assert (err.value.code, err.value.reason) == ("invalid_org_code", reason)


# --- passports ---


@pytest.mark.parametrize(
    ("raw", "number"),
    [("E12345678", "E12345678"), ("g 1234 5678", "G12345678"), ("AB123", "AB123"), ("1" * 17, "1" * 17)],
)
def test_passport_numbers_by_format(raw: str, number: str) -> None:
    assert validate_passport_no(raw) == number
    assert is_valid_passport_no(raw)


@pytest.mark.parametrize("raw", ["AB12", "1" * 18, "E1234567/", "E1234567Ä", ""])
def test_passport_numbers_refused(raw: str) -> None:
    with pytest.raises(InvalidPassportNo) as err:
        validate_passport_no(raw)
    assert err.value.code == "invalid_passport_no"
    assert not is_valid_passport_no(raw)


# --- masking ---


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("11010519491231002x", "110105********002X"),
        (LITERAL_USCC, "911100********341L"),
        ("E12345678", "E1*****78"),
        ("AB123", "AB*23"),
        ("1234", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id(raw: str | None, masked: str) -> None:
    assert mask_id(raw) == masked


# --- pydantic types and the 422 response ---


class Enterprise(BaseModel):
    uscc: USCC
    org_code: OrgCode | None = None
    legal_rep_id: ResidentID | None = None
    passport_no: PassportNo | None = None


def test_annotated_types_normalise() -> None:
    number = uscc_with_check("91220102MA0Y12345")
    got = Enterprise(
        uscc=number.lower(), org_code="60003734-1", legal_rep_id="11010519491231002x", passport_no="e 12345678"
    )
    assert got.model_dump() == {
        "uscc": number,
        "org_code": "600037341",
        "legal_rep_id": LITERAL_RESIDENT_ID,
        "passport_no": "E12345678",
    }


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("uscc", "91220102MA0Y12345Z", "invalid_uscc"),
        ("org_code", "60003734-2", "invalid_org_code"),
        ("legal_rep_id", resident_id_with_check("11010519490230002"), "invalid_resident_id"),
        ("passport_no", "E1", "invalid_passport_no"),
    ],
)
def test_annotated_types_report_the_stable_code(field: str, value: str, code: str) -> None:
    data = {"uscc": LITERAL_USCC, field: value}
    with pytest.raises(ValidationError) as err:
        Enterprise.model_validate(data)
    (error,) = err.value.errors()
    assert error["type"] == code and error["loc"] == (field,)
    assert error["ctx"]["reason"] in {"length", "format", "checksum", "birth_date"}
    assert value not in error["msg"]  # the number itself is not echoed into messages and logs


def test_json_schema_describes_the_types() -> None:
    props = Enterprise.model_json_schema()["properties"]
    assert props["uscc"]["type"] == "string" and props["uscc"]["examples"] == [LITERAL_USCC]
    assert is_valid_resident_id(props["legal_rep_id"]["anyOf"][0]["examples"][0])
    assert is_valid_org_code(props["org_code"]["anyOf"][0]["examples"][0])


async def test_bad_number_in_a_request_gives_422_with_its_code() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/enterprises")
    async def create(body: Enterprise) -> dict[str, str]:
        return {"uscc": body.uscc}

    @app.get("/people")
    async def lookup(passport_no: PassportNo) -> dict[str, str]:
        return {"passport_no": passport_no}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        ok = await client.post("/enterprises", json={"uscc": LITERAL_USCC.lower()})
        assert ok.status_code == 200 and ok.json() == {"uscc": LITERAL_USCC}

        bad = await client.post(
            "/enterprises", json={"uscc": LITERAL_USCC[:-1] + "0"}, headers={"Accept-Language": "en"}
        )
        assert bad.status_code == 422
        body = bad.json()
        assert body["code"] == "validation_failed"
        assert body["errors"] == [{"field": "uscc", "code": "invalid_uscc", "message": body["errors"][0]["message"]}]
        # the message is in the language asked for (issue 12: it used to be both, whatever was asked)
        assert "check character" in body["errors"][0]["message"] and "校验码" not in body["errors"][0]["message"]
        chinese = (await client.post("/enterprises", json={"uscc": LITERAL_USCC[:-1] + "0"})).json()["errors"][0]
        assert "校验码错误" in chinese["message"] and "check character" not in chinese["message"]

        query = await client.get("/people", params={"passport_no": "x"})
        assert query.status_code == 422 and query.json()["errors"][0]["code"] == "invalid_passport_no"
        assert (await client.get("/people", params={"passport_no": "e1234567"})).json() == {"passport_no": "E1234567"}


def test_errors_share_a_base_with_both_languages() -> None:
    with pytest.raises(IdNumberError) as err:
        validate_uscc("123")
    assert err.value.message_zh.startswith("统一社会信用代码无效")
    assert err.value.message_en.startswith("Invalid unified social credit code")
    assert str(err.value) == err.value.message_en
