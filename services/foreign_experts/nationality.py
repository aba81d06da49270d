"""Nationalities as ISO 3166-1 alpha-3 codes (as in the passport's machine-readable zone), with their
Chinese and English names from pycountry's ISO tables and translations."""

from __future__ import annotations

import gettext
from functools import cache
from typing import Annotated

import pycountry
from pydantic import AfterValidator, WithJsonSchema

from shared.i18n import custom_error
from shared.schemas import Label

# ISO 3166 codes of parts of China: their residents are Chinese citizens, not foreigners.
NOT_FOREIGN = frozenset({"HKG", "MAC", "TWN"})


@cache
def _zh() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True)


@cache
def _codes() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.countries)


def nationality_label(code: str) -> Label:
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return Label(zh=code, en=code)
    return Label(zh=_zh().gettext(country.name), en=country.name)


def _alpha3(value: str, error: str, zh: str, en: str) -> str:
    code = value.strip().upper()
    if code not in _codes():
        raise custom_error(error, zh, en)
    return code


def _check(value: str) -> str:
    code = _alpha3(
        value,
        "invalid_nationality",
        "国籍应为 ISO 3166-1 三位字母代码",
        "nationality must be an ISO 3166-1 alpha-3 code",
    )
    if code == "CHN":
        raise custom_error(
            "chinese_national", "中国公民无需办理外国人工作许可", "Chinese citizens need no foreigner's work permit"
        )
    if code in NOT_FOREIGN:
        raise custom_error(
            "hong_kong_macao_taiwan_resident",
            "港澳台居民在内地（大陆）就业无需办理外国人工作许可",
            "residents of Hong Kong, Macao and Taiwan need no foreigner's work permit to work in the mainland",
        )
    return code


Nationality = Annotated[
    str,
    AfterValidator(_check),
    WithJsonSchema({"type": "string", "description": "ISO 3166-1 alpha-3, e.g. DEU", "examples": ["DEU"]}),
]


def _check_destination(value: str) -> str:
    code = _alpha3(
        value,
        "invalid_destination",
        "目的地应为 ISO 3166-1 三位字母代码",
        "destination must be an ISO 3166-1 alpha-3 code",
    )
    if code == "CHN":
        raise custom_error(
            "domestic_destination", "出国(境)培训的目的地不能是中国内地", "outbound training goes outside the mainland"
        )
    return code


# Where outbound training goes: a country, or Hong Kong, Macao or Taiwan (出境).
Destination = Annotated[
    str,
    AfterValidator(_check_destination),
    WithJsonSchema(
        {"type": "string", "description": "ISO 3166-1 alpha-3 (HKG, MAC, TWN: 出境), e.g. DEU", "examples": ["DEU"]}
    ),
]
